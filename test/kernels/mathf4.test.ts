import { beforeAll, describe, expect, it } from 'vitest';
import { backend, ready } from '../../src/backend/loader.js';
import { erf } from '../../src/reference/math.js';
import { expectClose, MODULES } from '../helpers/close.js';
import { randomArray, TAIL_SIZES } from '../helpers/random.js';
import { allocF32, free, putF32, readF32 } from '../helpers/wasm.js';

// Function codes of the test kernel `mathf4Apply` (assembly/mathf4.ts).
const FN = { exp: 0, log: 1, log1p: 2, tanh: 3, erf: 4, erfScalar: 5 } as const;
type FnName = keyof typeof FN;

function apply(fn: FnName, x: ArrayLike<number>): Float32Array {
  const px = putF32(x);
  const py = allocF32(x.length);
  (backend().exports.mathf4Apply as (f: number, x: number, y: number, n: number) => void)(FN[fn], px, py, x.length);
  const y = readF32(py, x.length);
  free(px, py);
  return y;
}

/** Evenly spaced float32 values in [lo, hi]. */
function grid(lo: number, hi: number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + ((hi - lo) * i) / (n - 1);
  return out;
}

/** Float32 values spaced evenly in log scale over [lo, hi] (both > 0), with both signs if asked. */
function logGrid(lo: number, hi: number, n: number, signs = false): Float32Array {
  const out = new Float32Array(signs ? 2 * n : n);
  for (let i = 0; i < n; i++) {
    out[i] = lo * (hi / lo) ** (i / (n - 1));
    if (signs) out[n + i] = -out[i];
  }
  return out;
}

function check(fn: FnName, xs: Float32Array, f: (x: number) => number, rtol: number, atol: number): void {
  const expected = Array.from(xs, f);
  const actual = apply(fn, xs);
  expectClose(actual, expected, rtol, atol, fn);
}

const SPECIALS = [0, -0, Infinity, -Infinity, Number.NaN, 3e38, -3e38, 1e-40, -1e-40, 1e-30, -1e-30, 1, -1];
const MIN_SUBNORMAL = 1.401298464324817e-45;

for (const relaxed of MODULES) {
  describe(`mathf4 (${relaxed ? 'relaxed SIMD' : 'SIMD'})`, () => {
    beforeAll(() => ready({ relaxedSimd: relaxed }));

    it('exp4 matches Math.exp from underflow to overflow', () => {
      check('exp', grid(-88, 88.7, 200_001), Math.exp, 3e-7, 0);
      check('exp', grid(-1, 1, 20_001), Math.exp, 3e-7, 0);
      // Subnormal results: one unit of the last place absolute.
      check('exp', grid(-105, -87, 20_001), Math.exp, 3e-7, MIN_SUBNORMAL);
    });

    it('exp4 special values', () => {
      const y = apply('exp', [0, -0, Infinity, -Infinity, Number.NaN, 88.73, 89, 1e30, -104, -1e30, 1e-30]);
      expect(Array.from(y)).toEqual([1, 1, Infinity, 0, Number.NaN, Infinity, Infinity, Infinity, 0, 0, 1]);
    });

    it('log4 matches Math.log over all positive floats, subnormals included', () => {
      check('log', logGrid(1e-45, 3.4e38, 200_001), Math.log, 2e-7, 0);
      check('log', grid(0.5, 2, 200_001), Math.log, 2e-7, 0);
      check('log', grid(0.999, 1.001, 20_001), Math.log, 2e-7, 0);
    });

    it('log4 special values', () => {
      const y = apply('log', [0, -0, Infinity, -Infinity, Number.NaN, -1, -1e-40, 1, 3.4028234663852886e38]);
      expect(Array.from(y)).toEqual([
        -Infinity,
        -Infinity,
        Infinity,
        Number.NaN,
        Number.NaN,
        Number.NaN,
        Number.NaN,
        0,
        Math.fround(Math.log(3.4028234663852886e38)),
      ]);
    });

    it('log1p4 matches Math.log1p, tiny arguments included', () => {
      check('log1p', grid(-0.999, 10, 200_001), Math.log1p, 3e-7, 0);
      check('log1p', logGrid(1e-40, 1, 20_001, true), Math.log1p, 3e-7, 0);
      check('log1p', logGrid(1, 3e38, 20_001), Math.log1p, 3e-7, 0);
    });

    it('log1p4 special values', () => {
      const y = apply('log1p', [0, -0, -1, -2, Infinity, -Infinity, Number.NaN, 1e-30, -1e-30]);
      expect(Array.from(y)).toEqual(
        [0, -0, -Infinity, Number.NaN, Infinity, Number.NaN, Number.NaN, 1e-30, -1e-30].map(Math.fround),
      );
      expect(Object.is(y[1], -0)).toBe(true);
    });

    it('tanh4 matches Math.tanh, with relative accuracy near 0 and saturation', () => {
      check('tanh', grid(-12, 12, 200_001), Math.tanh, 3e-7, 0);
      check('tanh', logGrid(1e-40, 2, 20_001, true), Math.tanh, 3e-7, 0);
    });

    it('tanh4 special values', () => {
      const y = apply('tanh', [0, -0, Infinity, -Infinity, Number.NaN, 20, -20, 3e38, -3e38, 1e-40]);
      expect(Array.from(y)).toEqual([0, -0, 1, -1, Number.NaN, 1, -1, 1, -1, Math.fround(1e-40)]);
      expect(Object.is(y[1], -0)).toBe(true);
    });

    it('erf4 and erfScalar are within 4e-7 absolute of erf and relative-accurate near 0', () => {
      const xs = grid(-7, 7, 200_001);
      for (const fn of ['erf', 'erfScalar'] as const) {
        check(fn, xs, erf, 0, 4e-7);
        check(fn, logGrid(1e-40, 0.5, 20_001, true), erf, 3e-7, MIN_SUBNORMAL);
      }
      expect(Array.from(apply('erfScalar', xs))).toEqual(Array.from(apply('erf', xs)));
    });

    it('erf4 special values', () => {
      const y = apply('erf', [0, -0, Infinity, -Infinity, Number.NaN, 10, -10, 3e38]);
      expect(Array.from(y)).toEqual([0, -0, 1, -1, Number.NaN, 1, -1, 1]);
      expect(Object.is(y[1], -0)).toBe(true);
    });

    it('handles every tail size and random data, specials included', () => {
      for (const n of TAIL_SIZES) {
        const xs = randomArray(n, n, -5, 5);
        for (let i = 0; i < n; i += 3) xs[i] = SPECIALS[i % SPECIALS.length];
        const pos = xs.map(Math.abs);
        check('exp', xs, Math.exp, 3e-7, 0);
        check('log', pos, Math.log, 2e-7, 0);
        check('log1p', pos, Math.log1p, 3e-7, 0);
        check('tanh', xs, Math.tanh, 3e-7, 0);
        check('erf', xs, erf, 0, 4e-7);
      }
    });

    it('the checks catch a wrong function', () => {
      expect(() => check('exp', grid(-1, 1, 11), (x) => Math.exp(x) * (1 + 1e-6), 5e-7, 0)).toThrow();
      // A naive log(1 + x) in float32 loses all relative accuracy for tiny x.
      const naive = (x: number) => Math.log(Math.fround(1 + x));
      expect(() => check('log1p', logGrid(1e-10, 1e-6, 11), naive, 3e-7, 0)).toThrow();
      expect(() => check('erf', grid(0.5, 1, 11), (x) => erf(x) + 1e-6, 0, 4e-7)).toThrow();
    });
  });
}
