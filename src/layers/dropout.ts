import { backend } from '../backend/loader.js';
import { ValueError } from '../errors.js';
import { mul } from '../ops/arithmetic.js';
import { fromFlat } from '../ops/create.js';
import { rejectUnsupported } from '../ops/options.js';
import { activeTape } from '../ops/tape.js';
import type { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
import { Layer, type LayerArgs, type SymbolicShape } from './layer.js';
import { NoiseRandom } from './noise-random.js';
import type { LayerStep, StepContext } from './step.js';

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
  readonly className = 'Dropout';
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
    const keep = 1 - this.rate;
    const uniform = this.random.forCall(this.fitRandom);
    const mask = new Float32Array(x.size);
    for (let i = 0; i < mask.length; i++) mask[i] = uniform() < keep ? 1 / keep : 0;
    const m = fromFlat(x.shape, 'float32', mask);
    const y = mul(x, m);
    if (!activeTape()) m.dispose();
    return y;
  }

  makeStep(ctx: StepContext): LayerStep {
    const width = ctx.inputWidth;
    const output = ctx.alloc(ctx.maxRows * width);
    // the output gradient only serves the input gradient: none asked, none kept
    const outputGrad = ctx.inputGrad ? ctx.alloc(ctx.maxRows * width) : 0;
    const mask = ctx.alloc(ctx.maxRows * width);
    const keep = 1 - this.rate;
    const scale = 1 / keep;
    const uniform = this.random.forStep(ctx.uniform);
    let masked = false;
    return {
      output,
      outputGrad,
      outputWidth: width,
      paramGrads: [],
      forward: (rows, training) => {
        const f32 = backend().views.f32;
        const n = rows * width;
        const src = ctx.input >>> 2;
        const dst = output >>> 2;
        const m = mask >>> 2;
        masked = training && this.rate > 0;
        if (!masked) {
          f32.copyWithin(dst, src, src + n);
          return;
        }
        for (let i = 0; i < n; i++) {
          const k = uniform() < keep ? scale : 0;
          f32[m + i] = k;
          f32[dst + i] = f32[src + i] * k;
        }
      },
      backward(rows) {
        if (!ctx.inputGrad) return;
        const f32 = backend().views.f32;
        const n = rows * width;
        const g = outputGrad >>> 2;
        const d = ctx.inputGrad >>> 2;
        const m = mask >>> 2;
        if (!masked) f32.copyWithin(d, g, g + n);
        else for (let i = 0; i < n; i++) f32[d + i] = f32[g + i] * f32[m + i];
      },
    };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed ?? null };
  }
}
