import { beforeAll, describe, expect, it } from 'vitest';
import {
  batchNormBackward,
  batchNormForwardInference,
  batchNormForwardTrain,
  batchNormMovingUpdate,
} from '../../src/backend/kernels/normalization.js';
import { ready } from '../../src/backend/loader.js';
import {
  batchNormBackwardReference,
  batchNormReference,
  batchNormTrainReference,
  movingUpdateReference,
} from '../../src/reference/normalization.js';
import { expectClose, MODULES } from '../helpers/close.js';
import { randomArray, TAIL_SIZES } from '../helpers/random.js';
import { allocF32, free, putF32, readF32 } from '../helpers/wasm.js';

const ROWS = [1, 2, 7, 64] as const;
const EPS = 1e-3;

/**
 * Per-column data: gamma in [0.5, 1.5], beta in [-1, 1]; x with small column offsets so means are not
 * all ~0 (large offsets over two rows make x − mean ill-conditioned in float32 for any implementation).
 */
function data(rows: number, cols: number, seed: number) {
  const x = randomArray(rows * cols, seed, -1, 1);
  for (let i = 0; i < x.length; i++) x[i] += ((i % cols) % 5) * 0.3 - 0.6;
  return {
    x,
    gamma: randomArray(cols, seed + 1, 0.5, 1.5),
    beta: randomArray(cols, seed + 2, -1, 1),
    dy: randomArray(rows * cols, seed + 3, -1, 1),
  };
}

for (const relaxed of MODULES) {
  describe(`normalization kernels (${relaxed ? 'relaxed' : 'plain'} SIMD)`, () => {
    beforeAll(() => ready({ relaxedSimd: relaxed }));

    for (const rows of ROWS) {
      for (const cols of TAIL_SIZES) {
        it(`batchNormForwardTrain ${rows}x${cols} (separate and in place)`, () => {
          const d = data(rows, cols, rows * 131 + cols);
          const ref = batchNormTrainReference(d.x, rows, cols, d.gamma, d.beta, EPS);
          const invRef = ref.variance.map((v) => 1 / Math.sqrt(v + EPS));
          for (const inPlace of [false, true]) {
            const x = putF32(d.x);
            const y = inPlace ? x : allocF32(rows * cols);
            const g = putF32(d.gamma);
            const b = putF32(d.beta);
            const [m, v, inv] = [allocF32(cols), allocF32(cols), allocF32(cols)];
            batchNormForwardTrain(x, y, g, b, m, v, inv, rows, cols, EPS);
            expectClose(readF32(m, cols), ref.mean, 1e-6, 1e-7, 'mean');
            expectClose(readF32(v, cols), ref.variance, 1e-5, 1e-7, 'variance');
            expectClose(readF32(inv, cols), invRef, 1e-5, 1e-7, 'invStd');
            expectClose(readF32(y, rows * cols), ref.y, 1e-5, 1e-5, 'y');
            free(...new Set([x, y, g, b, m, v, inv]));
          }
        });

        it(`batchNormForwardInference ${rows}x${cols}`, () => {
          const d = data(rows, cols, rows * 137 + cols);
          const mean = randomArray(cols, 5, -1, 1);
          const variance = randomArray(cols, 6, 0.01, 2);
          const ref = batchNormReference(d.x, rows, cols, mean, variance, d.gamma, d.beta, EPS);
          const ptrs = [d.x, rows * cols, d.gamma, d.beta, mean, variance, cols].map((a) =>
            typeof a === 'number' ? allocF32(a) : putF32(a),
          );
          const [x, y, g, b, m, v, inv] = ptrs;
          batchNormForwardInference(x, y, g, b, m, v, inv, rows, cols, EPS);
          expectClose(readF32(y, rows * cols), ref, 1e-5, 1e-5, 'y');
          expectClose(
            readF32(inv, cols),
            Array.from(variance, (s) => 1 / Math.sqrt(s + EPS)),
            1e-6,
            0,
            'invStd',
          );
          free(...ptrs);
        });

        it(`batchNormBackward ${rows}x${cols} (with dx, in place, without dx)`, () => {
          const d = data(rows, cols, rows * 139 + cols);
          const ref = batchNormBackwardReference(d.x, d.dy, rows, cols, d.gamma, EPS);
          for (const mode of ['dx', 'inPlace', 'none'] as const) {
            const x = putF32(d.x);
            const g = putF32(d.gamma);
            const b = putF32(d.beta);
            const y = allocF32(rows * cols);
            const [m, v, inv, dg, db] = [cols, cols, cols, cols, cols].map((n) => allocF32(n));
            batchNormForwardTrain(x, y, g, b, m, v, inv, rows, cols, EPS);
            const dy = putF32(d.dy);
            const dx = mode === 'inPlace' ? dy : allocF32(rows * cols);
            batchNormBackward(x, dy, mode === 'none' ? 0 : dx, g, m, inv, dg, db, rows, cols);
            expectClose(readF32(db, cols), ref.dbeta, 1e-5, 1e-6, 'dbeta');
            expectClose(readF32(dg, cols), ref.dgamma, 1e-5, 1e-5, 'dgamma');
            if (mode === 'none') expect(readF32(dx, rows * cols).every(Number.isNaN)).toBe(true);
            else expectClose(readF32(dx, rows * cols), ref.dx, 1e-5, 2e-5, 'dx');
            free(...new Set([x, g, b, y, m, v, inv, dg, db, dy, dx]));
          }
        });
      }
    }

    for (const n of TAIL_SIZES) {
      it(`batchNormMovingUpdate n=${n}, three steps`, () => {
        const mm = randomArray(n, n, -1, 1);
        const mv = randomArray(n, n + 1, 0.5, 2);
        const mm64 = Float64Array.from(mm);
        const mv64 = Float64Array.from(mv);
        const pm = putF32(mm);
        const pv = putF32(mv);
        for (let step = 0; step < 3; step++) {
          const mean = randomArray(n, 10 * n + step, -1, 1);
          const variance = randomArray(n, 20 * n + step, 0, 3);
          const [a, b] = [putF32(mean), putF32(variance)];
          batchNormMovingUpdate(pm, pv, a, b, n, 0.9);
          movingUpdateReference(mm64, mean, 0.9);
          movingUpdateReference(mv64, variance, 0.9);
          free(a, b);
        }
        expectClose(readF32(pm, n), mm64, 1e-6, 1e-7, 'moving mean');
        expectClose(readF32(pv, n), mv64, 1e-6, 1e-7, 'moving variance');
        free(pm, pv);
      });
    }

    it('batchNormMovingUpdate stores 0 where a statistic decays below the float32 normal range', () => {
      // batch statistics 0 (a dead unit): 1e-38 and ±2^-126 decay to subnormal, 1 and NaN stay normal / NaN
      const edge = [1e-38, 2 ** -126, -(2 ** -126), 1, Number.NaN];
      for (const n of TAIL_SIZES) {
        const moving = Float32Array.from({ length: n }, (_, i) => edge[i % edge.length]);
        const ref = Float64Array.from(moving);
        const [pm, pv, zeros] = [putF32(moving), putF32(moving), putF32(new Float32Array(n))];
        batchNormMovingUpdate(pm, pv, zeros, zeros, n, 0.9);
        movingUpdateReference(ref, new Float32Array(n), 0.9);
        const expected = Array.from({ length: n }, (_, i) => [0, 0, 0, Math.fround(0.9), Number.NaN][i % edge.length]);
        expect(Array.from(readF32(pm, n)), `moving mean n=${n}`).toEqual(expected);
        expect(Array.from(readF32(pv, n)), `moving variance n=${n}`).toEqual(expected);
        expect(Array.from(ref, Math.fround), `reference n=${n}`).toEqual(expected);
        free(pm, pv, zeros);
      }
    });

    it('matches Keras float32 arithmetic exactly for the moving update', () => {
      const f = Math.fround;
      const [m0, v0, bm, bv] = [0.3, 1.7, -0.45, 0.8].map(f);
      const pm = putF32([m0]);
      const pv = putF32([v0]);
      const a = putF32([bm]);
      const b = putF32([bv]);
      batchNormMovingUpdate(pm, pv, a, b, 1, 0.99);
      // moving * momentum + batch * (1 - momentum), each product rounded to float32
      expect(readF32(pm, 1)[0]).toBe(f(f(m0 * f(0.99)) + f(bm * f(1 - 0.99))));
      expect(readF32(pv, 1)[0]).toBe(f(f(v0 * f(0.99)) + f(bv * f(1 - 0.99))));
      free(pm, pv, a, b);
    });
  });
}
