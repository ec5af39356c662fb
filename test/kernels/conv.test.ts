// The 1-D convolution kernels (assembly/conv.ts) and GEMM with a leading dimension (gemmLda) against
// plain-JS float64 references, in both modules, on channel counts with SIMD tails.
import { beforeAll, describe, expect, it } from 'vitest';
import { col2im1d, gemmLda, im2col1d, padSteps1d } from '../../src/backend/kernels/conv.js';
import { ready } from '../../src/backend/loader.js';
import { expectClose, MODULES } from '../helpers/close.js';
import { randomArray } from '../helpers/random.js';
import { allocF32, free, putF32, readF32 } from '../helpers/wasm.js';

/** The step patch (b, t) block k reads, or -1 for a padding step. */
function source(t: number, k: number, steps: number, stride: number, dilation: number, padLeft: number): number {
  const s = t * stride + k * dilation - padLeft;
  return s >= 0 && s < steps ? s : -1;
}

// [batch, steps, channels, outSteps, kernelSize, stride, dilation, padLeft]
const SHAPES = [
  [2, 9, 5, 7, 3, 1, 1, 0],
  [3, 10, 7, 5, 4, 2, 1, 2],
  [1, 8, 1, 8, 3, 1, 2, 4],
  [2, 11, 4, 4, 2, 3, 1, 1],
] as const;

describe.each(MODULES)('conv kernels (relaxed %s)', (relaxed) => {
  beforeAll(() => ready({ relaxedSimd: relaxed }));

  it.each(SHAPES.map((s) => [s.join(' '), s] as const))('im2col1d and col2im1d: %s', (_, s) => {
    const [batch, steps, channels, outSteps, size, stride, dilation, padLeft] = s;
    const depth = size * channels;
    const xv = randomArray(batch * steps * channels, 3, -1, 1);
    const x = putF32(xv);
    const cols = allocF32(batch * outSteps * depth);
    im2col1d(x, cols, batch, steps, channels, outSteps, size, stride, dilation, padLeft);
    const expected = new Float64Array(batch * outSteps * depth);
    const colsIn = randomArray(batch * outSteps * depth, 4, -1, 1);
    const dxExpected = new Float64Array(batch * steps * channels);
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < outSteps; t++) {
        for (let k = 0; k < size; k++) {
          const src = source(t, k, steps, stride, dilation, padLeft);
          for (let c = 0; c < channels; c++) {
            const i = ((b * outSteps + t) * size + k) * channels + c;
            if (src < 0) continue;
            expected[i] = xv[(b * steps + src) * channels + c];
            dxExpected[(b * steps + src) * channels + c] += colsIn[i];
          }
        }
      }
    }
    expect(Array.from(readF32(cols, expected.length))).toEqual(Array.from(expected));
    const cIn = putF32(colsIn);
    const dx = allocF32(batch * steps * channels);
    col2im1d(cIn, dx, batch, steps, channels, outSteps, size, stride, dilation, padLeft);
    expectClose(readF32(dx, dxExpected.length), dxExpected, 1e-6, 1e-6);
    free(x, cols, cIn, dx);
  });

  it('padSteps1d puts zero steps around each sequence', () => {
    const [batch, steps, channels, left, right] = [3, 4, 5, 2, 1];
    const xv = randomArray(batch * steps * channels, 5);
    const x = putF32(xv);
    const padded = steps + left + right;
    const y = allocF32(batch * padded * channels);
    padSteps1d(x, y, batch, steps, channels, left, right);
    const expected = new Float32Array(batch * padded * channels);
    for (let b = 0; b < batch; b++) {
      expected.set(xv.subarray(b * steps * channels, (b + 1) * steps * channels), (b * padded + left) * channels);
    }
    expect(Array.from(readF32(y, expected.length))).toEqual(Array.from(expected));
    free(x, y);
  });

  it.each([
    [5, 13, 9, 3, false],
    [37, 70, 19, 6, false],
    [300, 260, 17, 20, false],
    [13, 11, 10, 4, true],
    [260, 40, 9, 7, true],
  ] as const)('gemmLda m %i k %i n %i lda %i transA %s: rows of A read lda apart', (m, k, n, lda, transA) => {
    // A's stored rows overlap when lda < their length (k, or m with transA), as a sequence's patches do
    const rowsStored = transA ? k : m;
    const rowLength = transA ? m : k;
    const av = randomArray((rowsStored - 1) * lda + rowLength, 6, -1, 1);
    const bv = randomArray(k * n, 7, -1, 1);
    const biasV = randomArray(n, 8, -1, 1);
    const a = putF32(av);
    const b = putF32(bv);
    const bias = putF32(biasV);
    const c = allocF32(m * n);
    gemmLda(a, b, c, m, k, n, lda, { transA, bias });
    const expected = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = biasV[j];
        for (let p = 0; p < k; p++) s += (transA ? av[p * lda + i] : av[i * lda + p]) * bv[p * n + j];
        expected[i * n + j] = s;
      }
    }
    expectClose(readF32(c, m * n), expected, 1e-5, 1e-5);
    free(a, b, bias, c);
  });
});
