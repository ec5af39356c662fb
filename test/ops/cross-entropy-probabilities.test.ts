import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropyProbsDense, crossEntropyProbsSparse } from '../../src/backend/kernels/losses.js';
import * as nn from '../../src/index.js';
import { softmaxCrossEntropyOfProbabilities } from '../../src/ops/losses.js';
import { expectClose } from '../helpers/close.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { allocF32, putF32, putI32, readF32 } from '../helpers/wasm.js';

const EPS = 1e-7;

/** Float64 softmax of each row. */
function softmax64(z: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const p = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let j = 0; j < cols; j++) m = Math.max(m, z[r * cols + j]);
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.exp(z[r * cols + j] - m);
    for (let j = 0; j < cols; j++) p[r * cols + j] = Math.exp(z[r * cols + j] - m) / s;
  }
  return p;
}

const clipNll = (p: number, eps: number) => -Math.log(eps > 0 ? Math.min(Math.max(p, eps), 1 - eps) : p);

for (const relaxedSimd of [false, true]) {
  describe(`cross-entropy of probabilities (${relaxedSimd ? 'relaxed' : 'plain'} SIMD)`, () => {
    beforeAll(() => nn.ready({ relaxedSimd }));

    it('the kernels compute −log(clip(p)) against the float64 reference; a label out of range reports NaN', () => {
      const probs = [0.7, 0.2, 0.1, 1e-9, 1 - 1e-9, 0, 0.25, 0.25, 0.5];
      const labels = [0, 0, 2];
      const targets = [0.5, 0.5, 0, 1, 0, 0, 0, 0, 1];
      for (const eps of [0, EPS, 1e-3]) {
        const loss = allocF32(3);
        crossEntropyProbsSparse(putF32(probs), putI32(labels), 3, 3, loss, eps);
        expectClose(
          readF32(loss, 3),
          labels.map((l, r) => clipNll(Math.fround(probs[r * 3 + l]), eps)),
          1e-6,
          0,
        );
        const dense = allocF32(3);
        crossEntropyProbsDense(putF32(probs), putF32(targets), 3, 3, dense, eps);
        const expected = [0, 1, 2].map((r) =>
          [0, 1, 2].reduce((s, j) => {
            const t = targets[r * 3 + j];
            return t === 0 ? s : s + t * clipNll(Math.fround(probs[r * 3 + j]), eps);
          }, 0),
        );
        expectClose(readF32(dense, 3), expected, 1e-6, 0);
      }
      const bad = allocF32(2);
      crossEntropyProbsSparse(putF32([0.5, 0.5, 0.5, 0.5]), putI32([2, -1]), 2, 2, bad, EPS);
      expect(Array.from(readF32(bad, 2)).every(Number.isNaN)).toBe(true);
    });

    it('the op gives −log softmax[label] and its gradient to the logits (finite differences)', () => {
      const labels = [2, 0, 1, 1];
      gradCheck({
        shapes: [[4, 3]],
        op: (z) => {
          const t = nn.tensor(labels, [4], 'int32');
          return softmaxCrossEntropyOfProbabilities(t, nn.softmax(z), z, EPS);
        },
        forward64: ([z]) => {
          const p = softmax64(z, 4, 3);
          return labels.map((l, r) => -Math.log(p[r * 3 + l]));
        },
        domain: [-3, 3],
      });
      const soft = [0.2, 0.3, 0.5, 1, 0, 0, 0, 0.5, 0.5, 0.1, 0.1, 0.8];
      gradCheck({
        shapes: [[4, 3]],
        op: (z) => softmaxCrossEntropyOfProbabilities(nn.tensor(soft, [4, 3]), nn.softmax(z), z, EPS),
        forward64: ([z]) => {
          const p = softmax64(z, 4, 3);
          return [0, 1, 2, 3].map((r) => [0, 1, 2].reduce((s, j) => s - soft[r * 3 + j] * Math.log(p[r * 3 + j]), 0));
        },
        domain: [-3, 3],
      });
    });
  });
}
