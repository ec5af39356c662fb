import { backend } from '../backend/loader.js';
import { hostStep } from '../backend/trace.js';
import { ValueError } from '../errors.js';
import { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
import { type FitRandom, globalRandom, Random, type RowWindow } from '../random.js';

/**
 * The random numbers of a noise layer (Dropout, GaussianNoise): its own generator when it was given
 * a seed, else the running fit's generator, else the global one. The same draws, in the same order,
 * on the tape and compiled paths.
 */
export class NoiseRandom {
  /** The seed the layer was given, if any. */
  readonly seed: number | undefined;
  private readonly own: Random | null;

  /** Checks the seed; `where` names the layer in the error (`Dropout "dropout_1"`). */
  constructor(where: string, seed: unknown) {
    if (seed !== undefined && !(typeof seed === 'number' && Number.isFinite(seed))) {
      throw new ValueError(`${where}: expected seed to be a finite number, got ${describe(seed)}`);
    }
    this.seed = seed;
    this.own = seed === undefined ? null : new Random(seed);
  }

  /** A uniform source in [0, 1) for the tape path: the fit's generator (or the global one) when unseeded. */
  forCall(fit: FitRandom | null): () => number {
    return this.source(() => (fit?.rng ?? globalRandom).uniform());
  }

  /**
   * A dropout mask of `shape`: each value 1 / (1 − rate), or 0 with probability `rate`, drawn
   * afresh at every call and at every replay of a trace of it. The step keeps the address, not the
   * tensor: the tensor may be disposed after the call, its memory stays the trace's. `layer`'s
   * fitRandom is read at each draw (Dropout, SpatialDropout1D, the recurrent layers' dropouts).
   */
  dropoutMask(shape: readonly number[], rate: number, layer: { readonly fitRandom: FitRandom | null }): Tensor {
    const m = new Tensor(shape, 'float32');
    const keep = 1 - rate;
    const start = m.ptr() >>> 2;
    const end = start + m.size;
    hostStep(() => {
      const uniform = this.forCall(layer.fitRandom);
      const f32 = backend().views.f32;
      // a replica of a data-parallel fit draws the mask of the whole batch and keeps its rows
      const [before, after] = windowSkips(layer.fitRandom?.rows, shape[0], end - start);
      for (let i = 0; i < before; i++) uniform();
      for (let i = start; i < end; i++) f32[i] = uniform() < keep ? 1 / keep : 0;
      for (let i = 0; i < after; i++) uniform();
    });
    return m;
  }

  private source(fallback: () => number): () => number {
    const own = this.own;
    return own ? () => own.uniform() : fallback;
  }
}

/**
 * How many values of the whole batch's draw come before and after a replica's rows: [0, 0] unless
 * `rows` (a replica's window, see RowWindow) is set and the tensor of `size` values holds its
 * `count` rows along its first axis.
 */
export function windowSkips(rows: RowWindow | null | undefined, firstAxis: number, size: number): [number, number] {
  if (!rows || firstAxis !== rows.count || rows.count === rows.total) return [0, 0];
  const perRow = size / rows.count;
  return [rows.start * perRow, (rows.total - rows.start - rows.count) * perRow];
}
