// batchNormTrain computes its statistics and gradients in pieces (column sums by kernels, the
// statistics between them in host steps, where the replicas of a data-parallel fit add their sums):
// alone, the pieces must give the bits of the one-pass kernels, on both modules.
import { describe, expect, it } from 'vitest';
import { batchNormBackward, batchNormForwardTrain } from '../../src/backend/kernels/normalization.js';
import { ready } from '../../src/backend/loader.js';
import { recordTrace } from '../../src/backend/trace.js';
import { batchNormTrain } from '../../src/ops/batch-norm.js';
import { tensor } from '../../src/ops/create.js';
import { tidy } from '../../src/ops/engine.js';
import { grads } from '../../src/ops/gradients.js';
import { expectClose, MODULES } from '../helpers/close.js';
import { randomArray } from '../helpers/random.js';
import { allocF32, free, putF32, readF32 } from '../helpers/wasm.js';

const EPS = 1e-3;

/** The one-pass kernels' y, mean, variance and (given dy) dx, dgamma, dbeta. */
function kernelPass(
  x: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  dy: Float32Array,
  rows: number,
  cols: number,
) {
  const [px, pg, pb, pdy] = [putF32(x), putF32(gamma), putF32(beta), putF32(dy)];
  const [y, mean, variance, inv] = [allocF32(rows * cols), allocF32(cols), allocF32(cols), allocF32(cols)];
  const [dx, dgamma, dbeta] = [allocF32(rows * cols), allocF32(cols), allocF32(cols)];
  batchNormForwardTrain(px, y, pg, pb, mean, variance, inv, rows, cols, EPS);
  batchNormBackward(px, pdy, dx, pg, mean, inv, dgamma, dbeta, rows, cols);
  const out = {
    y: readF32(y, rows * cols),
    mean: readF32(mean, cols),
    variance: readF32(variance, cols),
    dx: readF32(dx, rows * cols),
    dgamma: readF32(dgamma, cols),
    dbeta: readF32(dbeta, cols),
  };
  free(px, pg, pb, pdy, y, mean, variance, inv, dx, dgamma, dbeta);
  return out;
}

/** batchNormTrain's y, mean and variance, and its gradients for the output gradient dy (through the tape). */
function opPass(
  x: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  dy: Float32Array,
  rows: number,
  cols: number,
) {
  const [tx, tg, tb, tdy] = [
    tensor(x, [rows, cols]),
    tensor(gamma, [cols]),
    tensor(beta, [cols]),
    tensor(dy, [rows, cols]),
  ];
  const forward = batchNormTrain(tx, tg, tb, EPS);
  const [dx, dgamma, dbeta] = grads((a, g, b) => batchNormTrain(a, g, b, EPS).y)([tx, tg, tb], tdy);
  const out = {
    y: forward.y.dataSync() as Float32Array,
    mean: forward.mean.dataSync() as Float32Array,
    variance: forward.variance.dataSync() as Float32Array,
    dx: dx.dataSync() as Float32Array,
    dgamma: dgamma.dataSync() as Float32Array,
    dbeta: dbeta.dataSync() as Float32Array,
  };
  for (const t of [tx, tg, tb, tdy, forward.y, forward.mean, forward.variance, dx, dgamma, dbeta]) t.dispose();
  return out;
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

for (const relaxed of MODULES) {
  describe(`batchNormTrain in pieces (${relaxed ? 'relaxed' : 'plain'} SIMD)`, () => {
    for (const [rows, cols] of [
      [1, 3],
      [7, 5],
      [64, 24],
      [33, 130],
    ]) {
      it(`gives the one-pass kernels' bits, forward and backward, ${rows}x${cols}`, async () => {
        await ready({ relaxedSimd: relaxed });
        const x = randomArray(rows * cols, rows + cols, -2, 3);
        const gamma = randomArray(cols, 2, 0.5, 1.5);
        const beta = randomArray(cols, 3, -1, 1);
        const dy = randomArray(rows * cols, 4, -1, 1);
        const expected = kernelPass(x, gamma, beta, dy, rows, cols);
        const actual = tidy(() => opPass(x, gamma, beta, dy, rows, cols));
        for (const key of ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'] as const) {
          expect(bits(actual[key]), key).toEqual(bits(expected[key]));
        }
      });
    }

    it("adds the other replicas' sums in its host steps, again at every replay of a trace", async () => {
      await ready({ relaxedSimd: relaxed });
      // this replica holds rows A; a stand-in for the other replica adds the sums of rows B, as its
      // kernels would (float64 sums; the deviation of each value from the batch's float32 mean rounded to float32)
      const rows = 6;
      const cols = 5;
      const a = randomArray(rows * cols, 9, -1, 1);
      let b = randomArray(rows * cols, 10, -2, 3);
      let round = 0;
      const mean: number[] = [];
      const window = {
        start: 0,
        count: rows,
        total: 2 * rows,
        sumOverReplicas: (v: Float64Array) => {
          for (let c = 0; c < cols; c++) {
            for (let r = 0; r < rows; r++) {
              const x = b[r * cols + c];
              if (round % 2 === 0) v[c] += x;
              else v[c] += Math.fround(x - mean[c]) ** 2;
            }
          }
          if (round % 2 === 0) {
            v[cols] += rows;
            for (let c = 0; c < cols; c++) mean[c] = Math.fround(v[c] / v[cols]);
          }
          round++;
        },
      };
      const stackedWith = (other: Float32Array) => {
        const whole = batchNormTrain(tensor(new Float32Array([...a, ...other]), [2 * rows, cols]), null, null, EPS);
        return {
          mean: whole.mean.dataSync() as Float32Array,
          variance: whole.variance.dataSync() as Float32Array,
          y: (whole.y.dataSync() as Float32Array).slice(0, rows * cols),
        };
      };
      tidy(() => {
        const x = tensor(a, [rows, cols]);
        const { trace, result } = recordTrace(() => batchNormTrain(x, null, null, EPS, () => window));
        for (const [i, other] of [b, randomArray(rows * cols, 11, -4, 1)].entries()) {
          b = other;
          if (i > 0) trace.replay();
          const expected = stackedWith(other);
          expectClose(result.mean.dataSync() as Float32Array, expected.mean, 1e-6, 1e-7, 'mean');
          expectClose(result.variance.dataSync() as Float32Array, expected.variance, 1e-5, 1e-7, 'variance');
          expectClose(result.y.dataSync() as Float32Array, expected.y, 1e-5, 1e-5, 'y');
        }
        // the second data differs: a replay that did not run the host steps would keep the first's statistics
        expect(round).toBe(4);
        trace.dispose();
      });
    });
  });
}
