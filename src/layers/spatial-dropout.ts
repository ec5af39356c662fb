import { ShapeError, ValueError } from '../errors.js';
import { mul } from '../ops/arithmetic.js';
import { activeTape } from '../ops/tape.js';
import type { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
import { Layer, type LayerArgs, type SymbolicShape } from './layer.js';
import { NoiseRandom } from './noise-random.js';

/** Options of `layers.spatialDropout1d`. */
export interface SpatialDropout1DArgs extends LayerArgs {
  /** Fraction of the channels to drop, in [0, 1). */
  rate: number;
  /** Seed of the masks (default: the fit's or the global generator). */
  seed?: number;
}

/**
 * Dropout of whole channels: during training each example's channels of a sequence [batch, steps,
 * channels] are dropped together over all steps (noise shape [batch, 1, channels]) with
 * probability `rate`, the rest scaled by 1 / (1 − rate); inputs pass unchanged at inference.
 */
export class SpatialDropout1D extends Layer {
  static readonly className = 'SpatialDropout1D';
  /** Fraction dropped. */
  readonly rate: number;
  private readonly random: NoiseRandom;

  constructor(args: SpatialDropout1DArgs) {
    super(args, 'spatial_dropout1d', ['rate', 'seed']);
    if (typeof args.rate !== 'number' || !(args.rate >= 0 && args.rate < 1)) {
      throw new ValueError(`SpatialDropout1D "${this.name}": expected rate in [0, 1), got ${describe(args.rate)}`);
    }
    this.rate = args.rate;
    this.random = new NoiseRandom(`SpatialDropout1D "${this.name}"`, args.seed);
  }

  /** Passes a mask on, as Keras does. */
  override get supportsMasking(): boolean {
    return true;
  }

  /** Seed of the masks, if fixed. */
  get seed(): number | undefined {
    return this.random.seed;
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length !== 3) {
      throw new ShapeError(
        `SpatialDropout1D "${this.name}": expected input of shape [batch, steps, channels], got [${inputShape.map((d) => d ?? '*').join(', ')}]`,
      );
    }
    return [...inputShape];
  }

  call(x: Tensor, training: boolean): Tensor {
    if (!training || this.rate === 0) return mul(x, 1);
    // noise shape [batch, 1, channels]: a channel is dropped over all steps
    const m = this.random.dropoutMask([x.shape[0], 1, x.shape[2]], this.rate, this);
    const y = mul(x, m);
    if (!activeTape()) m.dispose();
    return y;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed ?? null };
  }
}
