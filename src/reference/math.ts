/**
 * erf in float64, to about 1e-15 relative: erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (1*3*...*(2n+1)),
 * a series of positive terms (no cancellation) that converges for every x; |x| >= 6 gives ±1.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === 0) return x;
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x);
  const x2 = ax * ax;
  let term = ax;
  let sum = ax;
  for (let n = 1; term > sum * 1e-17; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
  }
  const r = (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
  return x < 0 ? -r : r;
}

/** The smallest normal float32, 2^-126: float32 magnitudes below it are subnormal. */
export const SMALLEST_NORMAL_F32 = 2 ** -126;

/**
 * x, or 0 when |x| is below the float32 normal range, as the kernels store weights and optimizer
 * state (Wasm has no flush-to-zero mode, so they flush what they write).
 */
export function flushSubnormal(x: number): number {
  return Math.abs(x) < SMALLEST_NORMAL_F32 ? 0 : x;
}

/** The smallest weight magnitude the optimizer kernels keep, 2^-100 (see assembly/simd.ts). */
export const WEIGHT_FLOOR = 2 ** -100;

/** x, or 0 when |x| < 2^-100, as the optimizer kernels store weights. */
export function flushWeight(x: number): number {
  return Math.abs(x) < WEIGHT_FLOOR ? 0 : x;
}
