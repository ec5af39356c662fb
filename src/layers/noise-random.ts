import { ValueError } from '../errors.js';
import { describe } from '../ops/validate.js';
import { globalRandom, Random } from '../random.js';

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
  forCall(fit: { rng: Random | null } | null): () => number {
    return this.source(() => (fit?.rng ?? globalRandom).uniform());
  }
  private source(fallback: () => number): () => number {
    const own = this.own;
    return own ? () => own.uniform() : fallback;
  }
}
