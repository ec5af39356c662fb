import { ValueError } from './errors.js';

/**
 * Small, fast, seedable PRNG (sfc32) with uniform and normal draws. One global instance serves
 * initializers, shuffling and dropout; functions that take a `seed` make a private one.
 */
export class Random {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    this.reseed(seed);
  }

  /** Restarts the sequence from `seed` (any finite number). */
  reseed(seed: number): void {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      const got = typeof seed === 'number' ? String(seed) : typeof seed;
      throw new ValueError(`seed: expected a finite number, got ${got}`);
    }
    // splitmix32 spreads the seed over the four state words
    let s = Math.trunc(seed) >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    this.spareNormal = null;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform number in [0, 1). */
  uniform(): number {
    return this.uint32() / 4294967296;
  }

  /** A standard normal draw (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** The generator's state (four words and the spare normal draw, NaN when none), to continue it elsewhere. */
  state(): number[] {
    return [this.a, this.b, this.c, this.d, this.spareNormal ?? Number.NaN];
  }

  /** Continues from a `state()` of this or another generator. */
  setState(state: readonly number[]): void {
    [this.a, this.b, this.c, this.d] = state;
    this.spareNormal = Number.isNaN(state[4]) ? null : state[4];
  }

  /** Draws and drops `n` uniform numbers. */
  skip(n: number): void {
    for (let i = 0; i < n; i++) this.uint32();
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}

/**
 * The rows of a global batch that one replica of a data-parallel fit computes: noise layers draw
 * their numbers for all `total` rows, as a single-threaded fit does, and keep rows
 * [start, start + count).
 */
export interface RowWindow {
  start: number;
  count: number;
  total: number;
  /**
   * Replaces `values` by their sum over the replicas of the step (every replica gets the same bits),
   * for a layer that normalizes by the statistics of the whole batch (BatchNormalization). Every
   * replica calls it the same number of times in a step, with values of the same length.
   */
  sumOverReplicas?: (values: Float64Array) => void;
}

/** What a model's layers draw their training noise from: the running fit's generator (null: the global one), and the replica's rows. */
export interface FitRandom {
  rng: Random | null;
  rows?: RowWindow | null;
}

/** The library-wide generator. */
export const globalRandom = new Random(42);

/** Seeds the library-wide generator (initializers, shuffling, dropout). */
export function setSeed(seed: number): void {
  globalRandom.reseed(seed);
}

/** The generator to use: a private one for an explicit seed, else the global one. */
export function randomFor(seed?: number): Random {
  return seed === undefined ? globalRandom : new Random(seed);
}
