import { backend } from '../backend/loader.js';
import { hostStep } from '../backend/trace.js';
import { ValueError } from '../errors.js';
import { add, mul } from '../ops/arithmetic.js';
import { activeTape } from '../ops/tape.js';
import { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
import { Layer, type LayerArgs, type SymbolicShape } from './layer.js';
import { NoiseRandom, windowSkips } from './noise-random.js';

/** Options of `layers.gaussianNoise`. */
export interface GaussianNoiseArgs extends LayerArgs {
  /** Standard deviation of the noise, >= 0. */
  stddev: number;
  /** Seed of the noise (default: the fit's or the global generator). */
  seed?: number;
}

/**
 * Writes n normal draws with standard deviation `stddev`, each rounded to float32, to `out` from
 * `offset`: Box-Muller on pairs of uniform draws (both values of a pair are used). With `from` and
 * `total`, the n values are those at [from, from + n) of a fill of `total` values (the same draws).
 */
export function fillNormal(
  out: Float32Array,
  offset: number,
  n: number,
  stddev: number,
  uniform: () => number,
  from = 0,
  total = n,
): void {
  for (let i = 0; i < total; i += 2) {
    if (i + 1 < from || i >= from + n) {
      // a pair outside the window [from, from + n): drawn, not kept
      uniform();
      uniform();
      continue;
    }
    // 1 − u lies in (0, 1], so the logarithm is finite
    const r = stddev * Math.sqrt(-2 * Math.log(1 - uniform()));
    const t = 2 * Math.PI * uniform();
    if (i >= from) out[offset + i - from] = r * Math.cos(t);
    if (i + 1 < total && i + 1 < from + n && i + 1 >= from) out[offset + i + 1 - from] = r * Math.sin(t);
  }
}

/**
 * Adds zero-centred Gaussian noise of standard deviation `stddev` to its inputs during training (a
 * regularizer); passes them through unchanged at inference. The gradient passes through unchanged.
 */
export class GaussianNoise extends Layer {
  /** Passes a mask on, as Keras does. */
  override get supportsMasking(): boolean {
    return true;
  }

  static readonly className = 'GaussianNoise';
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
    const n = new Tensor(x.shape, 'float32');
    // fresh noise at every call, and at every replay of a trace of it
    // (the address, not the tensor: the tensor is disposed after the call, its memory stays the trace's)
    const start = n.ptr() >>> 2;
    const size = n.size;
    const rowsAxis = x.shape[0];
    hostStep(() => {
      const uniform = this.random.forCall(this.fitRandom);
      // a replica of a data-parallel fit draws the noise of the whole batch and keeps its rows
      const [before, after] = windowSkips(this.fitRandom?.rows, rowsAxis, size);
      fillNormal(backend().views.f32, start, size, this.stddev, uniform, before, before + size + after);
    });
    const y = add(x, n);
    if (!activeTape()) n.dispose();
    return y;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), stddev: this.stddev, seed: this.seed ?? null };
  }
}
