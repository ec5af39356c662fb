import { beforeAll, describe, expect, it } from 'vitest';
import { l1l2Backward } from '../../src/backend/kernels/regularizers.js';
import { ready } from '../../src/backend/loader.js';
import { MODULES } from '../helpers/close.js';
import { TAIL_SIZES } from '../helpers/random.js';
import { free, putF32, readF32 } from '../helpers/wasm.js';

for (const relaxed of MODULES) {
  describe(`regularizer kernels (${relaxed ? 'relaxed SIMD' : 'SIMD'})`, () => {
    beforeAll(() => ready({ relaxedSimd: relaxed }));

    it('l1l2Backward stores 0 where the gradient would be subnormal, and nothing else', () => {
      // with l2 = 1e-3 and dy = 1, 2·l2·w is subnormal for |w| = 1e-36 and normal (about 2^-126) for w = 2^-126·500
      const edge = [1e-36, -1e-36, 2 ** -126 * 500, 1, Number.NaN];
      const after = [0, 0, Math.fround(2 ** -126 * 500) * Math.fround(2e-3), Math.fround(2e-3), Number.NaN];
      const dy = putF32([1]);
      for (const n of TAIL_SIZES) {
        const w = Float32Array.from({ length: n }, (_, i) => edge[i % edge.length]);
        // dw is overwritten, not added to
        const [pw, pg] = [putF32(w), putF32(new Float32Array(n).fill(7))];
        l1l2Backward(pw, dy, pg, n, 0, 1e-3);
        const expected = Array.from({ length: n }, (_, i) => Math.fround(after[i % after.length]));
        expect(Array.from(readF32(pg, n)), `n=${n}`).toEqual(expected);
        free(pw, pg);
      }
      free(dy);
    });
  });
}
