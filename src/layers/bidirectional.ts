import { ValueError } from '../errors.js';
import { add, mul } from '../ops/arithmetic.js';
import { concat } from '../ops/joining.js';
import { activeTape } from '../ops/tape.js';
import type { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
import { Layer, type LayerArgs, type SymbolicShape } from './layer.js';
import { Recurrent, type RecurrentArgs } from './recurrent.js';

/** How Bidirectional combines the two directions' outputs. */
export type BidirectionalMergeMode = 'concat' | 'sum' | 'mul' | 'ave';

/** Options of `layers.bidirectional`. */
export interface BidirectionalArgs extends LayerArgs {
  /** The recurrent layer to run both ways: its options make the forward copy and the goBackwards copy. */
  layer: Recurrent;
  /** How the outputs combine (default 'concat'); null (a list of both outputs) is not supported. */
  mergeMode?: BidirectionalMergeMode | null;
  /** The layer for the backward direction (default: a copy of `layer` with goBackwards flipped). */
  backwardLayer?: Recurrent;
}

const MERGE_MODES = ['concat', 'sum', 'mul', 'ave'];

/**
 * A wrapped layer's config as tfjs reads it: tfjs knows only the L1L2 regularizer class (the same
 * penalty), and model files convert only the top level's (format/layers.ts writeLayer).
 */
function nestedConfig(layer: Recurrent, prefix: string): Record<string, unknown> {
  const config = layer.getConfig();
  config.name = layer.name.replace(prefix, '');
  for (const key of Object.keys(config)) {
    const v = config[key] as { class_name?: string; config?: { l1?: number; l2?: number } } | null;
    if (key.endsWith('_regularizer') && v && typeof v === 'object' && typeof v.class_name === 'string') {
      config[key] = { class_name: 'L1L2', config: { l1: v.config?.l1 ?? 0, l2: v.config?.l2 ?? 0 } };
    }
  }
  return config;
}

/** A copy of a recurrent layer made from its options, under another name. */
function copyOf(layer: Recurrent, overrides: Partial<RecurrentArgs>): Recurrent {
  const cls = layer.constructor as new (args: RecurrentArgs) => Recurrent;
  const { inputShape: _i, batchInputShape: _b, ...args } = layer.initArgs;
  return new cls({ ...args, ...overrides });
}

/**
 * Runs a recurrent layer over the sequence forwards and a copy of it backwards, and merges their
 * outputs (Keras and tfjs): with returnSequences the backward output is put back in input order
 * first. Weights: the forward layer's, then the backward layer's, named
 * `<name>/forward_<layer>/kernel`, ... as tfjs writes them.
 */
export class Bidirectional extends Layer {
  /** Passes the mask on with returnSequences, as Keras does. */
  override get supportsMasking(): boolean {
    return true;
  }

  static readonly className: string = 'Bidirectional';
  /** The forward direction. */
  readonly forwardLayer: Recurrent;
  /** The backward direction. */
  readonly backwardLayer: Recurrent;
  /** How the outputs combine. */
  readonly mergeMode: BidirectionalMergeMode;
  private readonly ownBackwardLayer: boolean;

  constructor(args: BidirectionalArgs) {
    super(args, 'bidirectional', ['layer', 'mergeMode', 'backwardLayer']);
    const where = `Bidirectional "${this.name}"`;
    if (!(args.layer instanceof Recurrent)) {
      throw new ValueError(
        `${where}: expected layer to be a recurrent layer (lstm, gru, simpleRNN), got ${describe(args.layer)}`,
      );
    }
    const mode = args.mergeMode === undefined ? 'concat' : args.mergeMode;
    if (mode === null) {
      throw new ValueError(
        `${where}: mergeMode null (both outputs as a list) is not supported; use 'concat', 'sum', 'mul' or 'ave'`,
      );
    }
    if (!MERGE_MODES.includes(mode)) {
      throw new ValueError(`${where}: expected mergeMode 'concat', 'sum', 'mul' or 'ave', got ${describe(mode)}`);
    }
    if (args.layer.returnState) {
      throw new ValueError(`${where}: a wrapped layer with returnState is not supported`);
    }
    this.mergeMode = mode;
    this.ownBackwardLayer = args.backwardLayer !== undefined;
    const inner = args.layer;
    this.forwardLayer = copyOf(inner, { name: `forward_${inner.name}` });
    const back = args.backwardLayer;
    if (back !== undefined) {
      if (!(back instanceof Recurrent)) {
        throw new ValueError(`${where}: expected backwardLayer to be a recurrent layer, got ${describe(back)}`);
      }
      if (
        back.goBackwards === inner.goBackwards ||
        back.returnSequences !== inner.returnSequences ||
        back.returnState
      ) {
        throw new ValueError(
          `${where}: backwardLayer must have goBackwards opposite to layer's and the same returnSequences (and no returnState)`,
        );
      }
      this.backwardLayer = copyOf(back, { name: `backward_${back.name}` });
    } else {
      this.backwardLayer = copyOf(inner, { name: `backward_${inner.name}`, goBackwards: !inner.goBackwards });
    }
  }

  /** Whether the output holds every step. */
  get returnSequences(): boolean {
    return this.forwardLayer.returnSequences;
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const f = this.forwardLayer.computeOutputShape(inputShape);
    const b = this.backwardLayer.computeOutputShape(inputShape);
    if (this.mergeMode !== 'concat') return f;
    return [...f.slice(0, -1), (f[f.length - 1] as number) + (b[b.length - 1] as number)];
  }

  protected override createWeights(inputShape: SymbolicShape): void {
    this.forwardLayer.build(inputShape);
    this.backwardLayer.build(inputShape);
    for (const w of [...this.forwardLayer.namedWeights, ...this.backwardLayer.namedWeights]) {
      this.layerWeights.push({ ...w, name: `${this.name}/${w.name}` });
    }
  }

  override computeMask(_x: Tensor, mask: Tensor | null): Tensor | null {
    return this.returnSequences ? mask : null;
  }

  call(x: Tensor, training: boolean, mask?: Tensor | null): Tensor {
    const m = mask ?? null;
    // unseeded dropout draws from the running fit's generator, which the model gives this layer
    this.forwardLayer.fitRandom = this.fitRandom;
    this.backwardLayer.fitRandom = this.fitRandom;
    // Keras 3 zeroes the outputs at padded steps when returning sequences
    const zeroMaskedOutput = m !== null && this.returnSequences;
    const forward = this.forwardLayer.run(x, training, m, { zeroMaskedOutput });
    const backward = this.backwardLayer.run(x, training, m, { zeroMaskedOutput, alignReversed: true });
    let y: Tensor;
    if (this.mergeMode === 'concat') y = concat([forward, backward], -1);
    else if (this.mergeMode === 'sum') y = add(forward, backward);
    else if (this.mergeMode === 'mul') y = mul(forward, backward);
    else {
      const s = add(forward, backward);
      y = mul(s, 0.5);
      if (!activeTape()) s.dispose();
    }
    if (!activeTape()) {
      forward.dispose();
      backward.dispose();
    }
    return y;
  }

  override dispose(): void {
    super.dispose();
    this.forwardLayer.dispose();
    this.backwardLayer.dispose();
  }

  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {
      ...super.getConfig(),
      layer: { class_name: this.forwardLayer.className, config: nestedConfig(this.forwardLayer, 'forward_') },
      merge_mode: this.mergeMode,
    };
    if (this.ownBackwardLayer) {
      const back = nestedConfig(this.backwardLayer, 'backward_');
      config.backward_layer = { class_name: this.backwardLayer.className, config: back };
    }
    return config;
  }
}
