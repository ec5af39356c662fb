import { expect } from 'vitest';

/**
 * Asserts |actual - expected| <= rtol * |expected| + atol elementwise, and reports the worst index.
 * NaN matches NaN and infinities must match exactly.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol = 1e-5,
  atol = 1e-6,
  label = '',
): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!Number.isFinite(e) && a === e) continue;
    const excess = Math.abs(a - e) - (rtol * Math.abs(e) + atol);
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    expect.fail(
      `${label} element ${worst}: got ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`,
    );
  }
}

/**
 * The two modules a kernel test runs against: `relaxedSimd` false, then true. Both always: vitest
 * starts Node with --experimental-wasm-relaxed-simd (vitest.config.ts), and where relaxed SIMD is
 * still missing `ready({ relaxedSimd: true })` throws, so those tests fail instead of being skipped.
 */
export const MODULES = [false, true] as const;
