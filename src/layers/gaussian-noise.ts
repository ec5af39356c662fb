import { backend } from '../backend/loader.js';
import { ValueError } from '../errors.js';
import { add, mul } from '../ops/arithmetic.js';
import { fromFlat } from '../ops/create.js';
import { activeTape } from '../ops/tape.js';
import type { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
import { Layer, type LayerArgs, type SymbolicShape } from './layer.js';
import { NoiseRandom } from './noise-random.js';
import type { LayerStep, StepContext } from './step.js';

/** Options of `layers.gaussianNoise`. */
export interface GaussianNoiseArgs extends LayerArgs {
  /** Standard deviation of the noise, >= 0. */
  stddev: number;
  /** Seed of the noise (default: the fit's or the global generator). */
  seed?: number;
}

/**
 * Writes n normal draws with standard deviation `stddev`, each rounded to float32, to `out` from
 * `offset`: Box-Muller on pairs of uniform draws (both values of a pair are used).
 */
export function fillNormal(out: Float32Array, offset: number, n: number, stddev: number, uniform: () => number): void {
  for (let i = 0; i < n; i += 2) {
    // 1 − u lies in (0, 1], so the logarithm is finite
    const r = stddev * Math.sqrt(-2 * Math.log(1 - uniform()));
    const t = 2 * Math.PI * uniform();
    out[offset + i] = r * Math.cos(t);
    if (i + 1 < n) out[offset + i + 1] = r * Math.sin(t);
  }
}

/**
 * Adds zero-centred Gaussian noise of standard deviation `stddev` to its inputs during training (a
 * regularizer); passes them through unchanged at inference. The gradient passes through unchanged.
 */
export class GaussianNoise extends Layer {
  readonly className = 'GaussianNoise';
  /** Standard deviation of the noise. */
  readonly stddev: number;
  private readonly random: NoiseRandom;

  constructor(args: GaussianNoiseArgs) {
    super(args, 'gaussian_noise', ['stddev', 'seed']);
    if (typeof args.stddev !== 'number' || !(args.stddev >= 0 && Number.isFinite(args.stddev))) {
      throw new ValueError(`GaussianNoise "${this.name}": expected stddev >= 0, got ${describe(args.stddev)}`);
    }
    this.stddev = args.stddev;
    this.random = new NoiseRandom(`GaussianNoise "${this.name}"`, args.seed);
  }

  /** Seed of the noise, if fixed. */
  get seed(): number | undefined {
    return this.random.seed;
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [...inputShape];
  }

  call(x: Tensor, training: boolean): Tensor {
    if (!training || this.stddev === 0) return mul(x, 1);
    const noise = new Float32Array(x.size);
    fillNormal(noise, 0, x.size, this.stddev, this.random.forCall(this.fitRandom));
    const n = fromFlat(x.shape, 'float32', noise);
    const y = add(x, n);
    if (!activeTape()) n.dispose();
    return y;
  }

  makeStep(ctx: StepContext): LayerStep {
    const width = ctx.inputWidth;
    const output = ctx.alloc(ctx.maxRows * width);
    // backward is the identity: the next layer writes the gradient straight into our input's gradient
    const outputGrad = ctx.inputGrad;
    const uniform = this.random.forStep(ctx.uniform);
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
        if (!training || this.stddev === 0) {
          f32.copyWithin(dst, src, src + n);
          return;
        }
        fillNormal(f32, dst, n, this.stddev, uniform);
        // x + noise with the noise rounded to float32 first, as the tape path adds two float32 tensors
        for (let i = 0; i < n; i++) f32[dst + i] += f32[src + i];
      },
      backward() {},
    };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), stddev: this.stddev, seed: this.seed ?? null };
  }
}
