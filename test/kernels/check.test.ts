import { beforeAll, describe, expect, it } from 'vitest';
import { firstNonFinite } from '../../src/backend/kernels/check.js';
import { ready } from '../../src/backend/loader.js';
import { MODULES } from '../helpers/close.js';
import { randomArray } from '../helpers/random.js';
import { free, putF32 } from '../helpers/wasm.js';

/** The index of the first value that is not finite, or -1 (the plain-JS reference). */
function firstNonFiniteRef(values: Float32Array): number {
  return values.findIndex((v) => !Number.isFinite(v));
}

describe.each(MODULES)('firstNonFinite (relaxed SIMD: %s)', (relaxedSimd) => {
  beforeAll(async () => {
    await ready({ relaxedSimd });
  });

  it('finds the first NaN or ±Infinity at every position around the 16-value blocks, and -1 when all are finite', () => {
    for (const n of [0, 1, 3, 15, 16, 17, 31, 33, 64, 100]) {
      const clean = randomArray(n, n + 1, -1e30, 1e30);
      const ptr = putF32(clean);
      expect(firstNonFinite(ptr, n)).toBe(-1);
      free(ptr);
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        for (let at = 0; at < n; at++) {
          const values = clean.slice();
          values[at] = bad;
          if (at + 5 < n) values[at + 5] = Number.NaN;
          const p = putF32(values);
          expect(firstNonFinite(p, n)).toBe(firstNonFiniteRef(values));
          expect(firstNonFinite(p, n)).toBe(at);
          free(p);
        }
      }
    }
  });

  it('takes the largest float32, subnormals and -0 as finite', () => {
    const values = new Float32Array([3.4028234663852886e38, -3.4028234663852886e38, 1e-45, -0, 0, 1.17e-38]);
    const ptr = putF32(values);
    expect(firstNonFinite(ptr, values.length)).toBe(-1);
    free(ptr);
  });
});
