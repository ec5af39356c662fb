import { mulberry32 } from '../../src/reference/random.js';

/** A small seeded generator for test data (mulberry32), independent of the library's own PRNG. */
export const rng = mulberry32;

/** `n` uniform values in [lo, hi), rounded to float32. */
export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

/** Sizes that exercise SIMD tails and blocking edges. */
export const TAIL_SIZES = [1, 3, 5, 7, 33, 65, 127] as const;
