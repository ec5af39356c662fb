import { ValueError } from '../errors.js';
import { mul } from '../ops/arithmetic.js';
import { rejectUnsupported } from '../ops/options.js';
import { activeTape } from '../ops/tape.js';
import type { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
import { Layer, type LayerArgs, type SymbolicShape } from './layer.js';
import { NoiseRandom } from './noise-random.js';

/** Options of `layers.dropout`. */
export interface DropoutArgs extends LayerArgs {
  /** Fraction of the inputs to drop, in [0, 1). */
  rate: number;
  /** Seed of the dropout masks (default: the fit's or the global generator). */
  seed?: number;
}

/**
 * Sets a random fraction `rate` of its inputs to zero during training and scales the rest by
 * 1 / (1 − rate); passes inputs through unchanged at inference.
 */
export class Dropout extends Layer {
  /** Passes a mask on, as Keras does. */
  override get supportsMasking(): boolean {
    return true;
  }

  static readonly className = 'Dropout';
  /** Fraction dropped. */
  readonly rate: number;
  private readonly random: NoiseRandom;

  constructor(args: DropoutArgs) {
    super(args, 'dropout', ['rate', 'seed', 'noiseShape']);
    if (typeof args.rate !== 'number' || !(args.rate >= 0 && args.rate < 1)) {
      throw new ValueError(`Dropout "${this.name}": expected rate in [0, 1), got ${describe(args.rate)}`);
    }
    rejectUnsupported(`Dropout "${this.name}"`, args, {
      noiseShape: 'masks are drawn for every input value (noiseShape null)',
    });
    this.rate = args.rate;
    this.random = new NoiseRandom(`Dropout "${this.name}"`, args.seed);
  }

  /** Seed of the masks, if fixed. */
  get seed(): number | undefined {
    return this.random.seed;
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [...inputShape];
  }

  call(x: Tensor, training: boolean): Tensor {
    if (!training || this.rate === 0) return mul(x, 1);
    const m = this.random.dropoutMask(x.shape, this.rate, this);
    const y = mul(x, m);
    if (!activeTape()) m.dispose();
    return y;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed ?? null };
  }
}
