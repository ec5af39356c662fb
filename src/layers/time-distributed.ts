import { ShapeError, ValueError } from '../errors.js';
import { reshape } from '../ops/reshape.js';
import { activeTape } from '../ops/tape.js';
import type { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
import { Dense } from './dense.js';
import { InputLayer } from './input-layer.js';
import { Layer, type LayerArgs, type SymbolicShape } from './layer.js';

/** Options of `layers.timeDistributed`. */
export interface TimeDistributedArgs extends LayerArgs {
  /** The layer applied to every time step (not yet used in a model). */
  layer: Layer;
}

/**
 * Applies a layer to every time step of a sequence: [batch, steps, ...] → [batch, steps, ...out],
 * the same weights at each step (the wrapped layer's, which the wrapper holds and saves under its
 * own name, as tfjs does). Passes a mask on.
 */
export class TimeDistributed extends Layer {
  static readonly className = 'TimeDistributed';
  /** The wrapped layer. */
  readonly layer: Layer;

  constructor(args: TimeDistributedArgs) {
    super(args, 'time_distributed', ['layer']);
    const where = `TimeDistributed "${this.name}"`;
    if (!(args.layer instanceof Layer) || args.layer instanceof InputLayer) {
      throw new ValueError(
        `${where}: expected layer to be a layer (nn.layers.dense(...), ...), got ${describe(args.layer)}`,
      );
    }
    if (args.layer.activityRegularizer) {
      throw new ValueError(
        `${where}: layer "${args.layer.name}" has an activityRegularizer; give it to the TimeDistributed instead`,
      );
    }
    if (args.layer.built) {
      throw new ValueError(`${where}: layer "${args.layer.name}" is already built; give a fresh layer`);
    }
    this.layer = args.layer;
  }

  /** Passes a mask on (the wrapped layer sees each step on its own, without it). */
  override get supportsMasking(): boolean {
    return true;
  }

  /** The shape one step has: [batch, ...] without the steps. */
  private stepShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length < 3) {
      throw new ShapeError(
        `TimeDistributed "${this.name}": expected input of shape [batch, steps, ...], got [${inputShape.map((d) => d ?? '*').join(', ')}]`,
      );
    }
    return [null, ...inputShape.slice(2)];
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const out = this.layer.computeOutputShape(this.stepShape(inputShape));
    return [inputShape[0], inputShape[1], ...out.slice(1)];
  }

  protected override createWeights(inputShape: SymbolicShape): void {
    this.layer.build(this.stepShape(inputShape));
    const prefix = `${this.layer.name}/`;
    for (const w of this.layer.namedWeights) {
      const short = w.name.startsWith(prefix) ? w.name.slice(prefix.length) : w.name;
      this.layerWeights.push({ ...w, name: `${this.name}/${short}` });
      w.variable.trainable = this.trainable && w.trainable;
    }
  }

  call(x: Tensor, training: boolean): Tensor {
    this.layer.fitRandom = this.fitRandom;
    // Dense works on the last axis of any rank: no need to fold the steps into the batch
    if (this.layer instanceof Dense) return this.layer.call(x, training);
    const [batch, steps, ...rest] = x.shape;
    const flat = reshape(x, [batch * steps, ...rest]);
    const y = this.layer.call(flat, training);
    const out = reshape(y, [batch, steps, ...y.shape.slice(1)]);
    // without a tape the folded copies are done with (with one, its backward reads them)
    if (!activeTape()) {
      flat.dispose();
      y.dispose();
    }
    return out;
  }

  override dispose(): void {
    // the variables are the wrapped layer's: freed once, by it
    this.layer.dispose();
    this.layerWeights.length = 0;
    super.dispose();
  }

  override unbuild(): void {
    super.unbuild();
    this.layer.unbuild();
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), layer: { class_name: this.layer.className, config: this.layer.getConfig() } };
  }
}
