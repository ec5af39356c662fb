import { beforeAll, describe, expect, it } from 'vitest';
import { Act, type ActName } from '../../src/backend/codes.js';
import {
  activationBackward,
  activationForward,
  logSoftmaxRows,
  logSoftmaxRowsBackward,
  softmaxRows,
  softmaxRowsBackward,
} from '../../src/backend/kernels/activations.js';
import { ready } from '../../src/backend/loader.js';
import {
  activationBackwardReference,
  activationReference,
  activationScalar,
  logSoftmaxBackwardReference,
  logSoftmaxReference,
  softmaxBackwardReference,
  softmaxReference,
} from '../../src/reference/activations.js';
import { expectClose, MODULES } from '../helpers/close.js';
import { randomArray, TAIL_SIZES } from '../helpers/random.js';
import { allocF32, free, putF32, readF32 } from '../helpers/wasm.js';

const NAMES = Object.keys(Act) as ActName[];
const ALPHA: Record<ActName, number> = {
  linear: 0,
  relu: 0,
  leakyRelu: 0.3,
  elu: 1,
  sigmoid: 0,
  tanh: 0,
  softplus: 0,
  gelu: 0,
};
/** Activations with a kink at 0 (finite differences are skipped near it). */
const KINKED = new Set<ActName>(['relu', 'leakyRelu', 'elu']);
// Absolute slack where float32 cannot be relatively exact: gelu's 1 + erf cancels for negative x,
// and derivatives taken from the output (1 − y², y(1 − y), y + alpha) lose low bits where tiny.
const TINY = 1e-37;
const FWD_ATOL: Record<ActName, number> = { ...mapNames(TINY), gelu: 1e-6 };
const BWD_ATOL: Record<ActName, number> = { ...mapNames(TINY), elu: 2e-7, sigmoid: 2e-7, tanh: 4e-7, gelu: 1e-6 };

function mapNames(v: number): Record<ActName, number> {
  return Object.fromEntries(NAMES.map((n) => [n, v])) as Record<ActName, number>;
}

/** Values that stress overflow, underflow, cancellation and the expm1 switch. */
const EXTREME = Float32Array.from([
  0, -0, 1e-30, -1e-30, 1e-8, -1e-8, 1e-3, -1e-3, 0.2499, -0.2499, 0.25, -0.25, 0.2501, -0.2501, 1, -1, 5, -5, 10, -10,
  17, -17, 20, -20, 30, -30, 50, -50, 88, -88, 89, -89, 100, -100, 1000, -1000, 1e30, -1e30,
]);

function forward(name: ActName, x: Float32Array, alpha = ALPHA[name], inPlace = false): Float32Array {
  const px = putF32(x);
  const py = inPlace ? px : allocF32(x.length);
  activationForward(Act[name], px, py, x.length, alpha);
  const y = readF32(py, x.length);
  free(...new Set([px, py]));
  return y;
}

function backward(name: ActName, x: Float32Array, dy: Float32Array, alpha = ALPHA[name], inPlace = false) {
  const y = forward(name, x, alpha);
  const [px, py, pdy] = [putF32(x), putF32(y), putF32(dy)];
  const pdx = inPlace ? pdy : allocF32(x.length);
  activationBackward(Act[name], px, py, pdy, pdx, x.length, alpha);
  const dx = readF32(pdx, x.length);
  free(...new Set([px, py, pdy, pdx]));
  return dx;
}

/** Central differences of the float64 reference forward, times dy. */
function finiteDifference(name: ActName, x: Float32Array, dy: Float32Array, alpha: number): Float64Array {
  const h = 1e-5;
  return Float64Array.from(
    x,
    (v, i) => (dy[i] * (activationScalar(name, v + h, alpha) - activationScalar(name, v - h, alpha))) / (2 * h),
  );
}

function runSoftmax(
  kernel: (x: number, y: number, rows: number, cols: number) => void,
  x: Float32Array,
  rows: number,
  cols: number,
  inPlace = false,
) {
  const px = putF32(x);
  const py = inPlace ? px : allocF32(x.length);
  kernel(px, py, rows, cols);
  const y = readF32(py, x.length);
  free(...new Set([px, py]));
  return y;
}

function runSoftmaxBackward(
  kernel: (y: number, dy: number, dx: number, rows: number, cols: number) => void,
  y: Float32Array,
  dy: Float32Array,
  rows: number,
  cols: number,
  inPlace = false,
) {
  const [py, pdy] = [putF32(y), putF32(dy)];
  const pdx = inPlace ? pdy : allocF32(y.length);
  kernel(py, pdy, pdx, rows, cols);
  const dx = readF32(pdx, y.length);
  free(...new Set([py, pdy, pdx]));
  return dx;
}

const SHAPES: Array<[number, number]> = [
  ...TAIL_SIZES.map((c): [number, number] => [3, c]),
  [1, 4],
  [2, 8],
  [5, 10],
  [64, 100],
];

for (const relaxed of MODULES) {
  describe(`activations (${relaxed ? 'relaxed' : 'plain'} SIMD)`, () => {
    beforeAll(() => ready({ relaxedSimd: relaxed }));

    for (const name of NAMES) {
      it(`${name}: forward matches the reference on tails, large arrays and extreme values`, () => {
        const inputs = [...TAIL_SIZES.map((n) => randomArray(n, n, -4, 4)), randomArray(4099, 7, -12, 12), EXTREME];
        for (const x of inputs) {
          const y = forward(name, x);
          expect(y.every(Number.isFinite) || name === 'linear' || name === 'relu', 'finite').toBe(true);
          expectClose(y, activationReference(name, x, ALPHA[name]), 1e-5, FWD_ATOL[name], `${name} n=${x.length}`);
          expectClose(forward(name, x, ALPHA[name], true), y, 0, 0, `${name} in place`);
        }
      });

      it(`${name}: derivative matches the reference and finite differences`, () => {
        const alpha = ALPHA[name];
        for (const [k, n] of [...TAIL_SIZES, 4099].entries()) {
          const x = randomArray(n, 100 + k, -6, 6).map((v) => (KINKED.has(name) && Math.abs(v) < 1e-3 ? 0.5 : v));
          const dy = randomArray(n, 200 + k, -1, 1);
          const dx = backward(name, x, dy);
          expectClose(dx, activationBackwardReference(name, x, dy, alpha), 1e-5, BWD_ATOL[name], `${name}' n=${n}`);
          expectClose(dx, finiteDifference(name, x, dy, alpha), 1e-5, BWD_ATOL[name], `${name}' vs finite differences`);
          expectClose(backward(name, x, dy, alpha, true), dx, 0, 0, `${name}' in place`);
        }
        const ones = new Float32Array(EXTREME.length).fill(1);
        const dx = backward(name, EXTREME, ones);
        expect(dx.every(Number.isFinite), 'finite').toBe(true);
        expectClose(
          dx,
          activationBackwardReference(name, EXTREME, ones, alpha),
          1e-5,
          BWD_ATOL[name],
          `${name}' extreme`,
        );
      });
    }

    it('uses the given alpha for leakyRelu and elu, and relu\u2032(0) = 0', () => {
      const x = Float32Array.from([-2, -0.5, -1e-4, 0, 0.5, 3, -7]);
      for (const name of ['leakyRelu', 'elu'] as const) {
        for (const alpha of [0, 0.1, 1.7]) {
          expectClose(forward(name, x, alpha), activationReference(name, x, alpha), 1e-6, 0, `${name} ${alpha}`);
          const dy = new Float32Array(x.length).fill(1);
          // elu' = y + alpha cancels in the far left: exact only up to a few float32 ulps of alpha.
          const dx = activationBackwardReference(name, x, dy, alpha);
          expectClose(backward(name, x, dy, alpha), dx, 1e-6, 2e-7 * alpha, `${name}' ${alpha}`);
        }
      }
      expect(Array.from(backward('relu', Float32Array.from([0, -0, 1]), Float32Array.from([5, 5, 5])))).toEqual([
        0, 0, 5,
      ]);
    });

    it('softmax and log-softmax match the reference; rows sum to 1', () => {
      for (const [rows, cols] of SHAPES) {
        const x = randomArray(rows * cols, rows * 1000 + cols, -8, 8);
        const y = runSoftmax(softmaxRows, x, rows, cols);
        expectClose(y, softmaxReference(x, rows, cols), 1e-5, 1e-7, `softmax ${rows}x${cols}`);
        for (let r = 0; r < rows; r++) {
          const s = y.subarray(r * cols, (r + 1) * cols).reduce((a, b) => a + b, 0);
          expect(Math.abs(s - 1)).toBeLessThan(2e-6);
        }
        expectClose(runSoftmax(softmaxRows, x, rows, cols, true), y, 0, 0, 'softmax in place');
        const ly = runSoftmax(logSoftmaxRows, x, rows, cols);
        expectClose(ly, logSoftmaxReference(x, rows, cols), 1e-5, 1e-6, `logSoftmax ${rows}x${cols}`);
        expectClose(runSoftmax(logSoftmaxRows, x, rows, cols, true), ly, 0, 0, 'logSoftmax in place');
      }
    });

    it('softmax stays finite and exact with huge or far-apart logits', () => {
      const x = Float32Array.from([0, 1000, -1000, 5, 100, 100, -100, 50, -50, 90, 88, -88, 1e30, -1e30, 0, 1]);
      for (const cols of [2, 4, 8, 16]) {
        const rows = x.length / cols;
        const y = runSoftmax(softmaxRows, x, rows, cols);
        expect(y.every(Number.isFinite)).toBe(true);
        expectClose(y, softmaxReference(x, rows, cols), 1e-5, 1e-30, `softmax cols=${cols}`);
        const ly = runSoftmax(logSoftmaxRows, x, rows, cols);
        expect(ly.every(Number.isFinite)).toBe(true);
        expectClose(ly, logSoftmaxReference(x, rows, cols), 1e-5, 1e-6, `logSoftmax cols=${cols}`);
      }
      expect(Array.from(runSoftmax(softmaxRows, Float32Array.from([0, 1000]), 1, 2))).toEqual([0, 1]);
      expect(Array.from(runSoftmax(logSoftmaxRows, Float32Array.from([0, 1000]), 1, 2))).toEqual([-1000, 0]);
    });

    it('softmax and log-softmax backward match the reference and finite differences', () => {
      for (const [rows, cols] of SHAPES) {
        const x = randomArray(rows * cols, rows * 7 + cols, -4, 4);
        const dy = randomArray(rows * cols, rows * 11 + cols, -1, 1);
        const y = runSoftmax(softmaxRows, x, rows, cols);
        const dx = runSoftmaxBackward(softmaxRowsBackward, y, dy, rows, cols);
        expectClose(dx, softmaxBackwardReference(x, dy, rows, cols), 1e-5, 1e-6, `softmax' ${rows}x${cols}`);
        expectClose(runSoftmaxBackward(softmaxRowsBackward, y, dy, rows, cols, true), dx, 0, 0, 'in place');
        const ly = runSoftmax(logSoftmaxRows, x, rows, cols);
        const ldx = runSoftmaxBackward(logSoftmaxRowsBackward, ly, dy, rows, cols);
        expectClose(ldx, logSoftmaxBackwardReference(x, dy, rows, cols), 1e-5, 1e-6, `logSoftmax' ${rows}x${cols}`);
        expectClose(runSoftmaxBackward(logSoftmaxRowsBackward, ly, dy, rows, cols, true), ldx, 0, 0, 'in place');
      }
      // Finite differences of L(x) = Σ dy ⊙ f(x) with the float64 forward.
      const [rows, cols] = [2, 7];
      const x = randomArray(rows * cols, 5, -3, 3);
      const dy = randomArray(rows * cols, 6, -1, 1);
      const h = 1e-5;
      for (const [fwd, bwd, ref] of [
        [softmaxRows, softmaxRowsBackward, softmaxReference],
        [logSoftmaxRows, logSoftmaxRowsBackward, logSoftmaxReference],
      ] as const) {
        const loss = (v: Float64Array) => ref(v, rows, cols).reduce((a, b, i) => a + b * dy[i], 0);
        const fd = Float64Array.from(x, (_, i) => {
          const plus = Float64Array.from(x);
          const minus = Float64Array.from(x);
          plus[i] += h;
          minus[i] -= h;
          return (loss(plus) - loss(minus)) / (2 * h);
        });
        const dx = runSoftmaxBackward(bwd, runSoftmax(fwd, x, rows, cols), dy, rows, cols);
        expectClose(dx, fd, 1e-5, 1e-6, `${fwd.name} finite differences`);
      }
    });
  });
}
