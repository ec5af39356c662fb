import { beforeAll, describe, expect, it } from 'vitest';
import * as K from '../../src/backend/kernels/losses.js';
import { ready } from '../../src/backend/loader.js';
import { softmaxReference } from '../../src/reference/activations.js';
import * as R from '../../src/reference/losses.js';
import { expectClose, MODULES } from '../helpers/close.js';
import { randomArray, rng, TAIL_SIZES } from '../helpers/random.js';
import { allocF32, free, putF32, putI32, readF32 } from '../helpers/wasm.js';

const EPS = Math.fround(1e-7);
const SHAPES: Array<[number, number]> = [
  ...TAIL_SIZES.map((c): [number, number] => [3, c]),
  [1, 4],
  [2, 8],
  [5, 10],
  [64, 100],
];
const SIZES = [...TAIL_SIZES, 4099];

function randomLabels(rows: number, cols: number, seed: number): Int32Array {
  const r = rng(seed);
  return Int32Array.from({ length: rows }, () => Math.floor(r() * cols));
}

/** Random soft targets: non-negative rows; `total` scales each row's sum (1 for distributions). */
function softTargets(rows: number, cols: number, seed: number, total = 1): Float32Array {
  const t = randomArray(rows * cols, seed, 0, 1);
  for (let r = 0; r < rows; r++) {
    const s = t.subarray(r * cols, (r + 1) * cols).reduce((a, b) => a + b, 0);
    for (let j = 0; j < cols; j++) t[r * cols + j] *= total / s;
  }
  return t;
}

function oneHot(labels: Int32Array, cols: number): Float32Array {
  const t = new Float32Array(labels.length * cols);
  labels.forEach((l, r) => {
    t[r * cols + l] = 1;
  });
  return t;
}

type RowForward = typeof K.softmaxCrossEntropySparse;
type RowBackward = typeof K.softmaxCrossEntropySparseBackward;

/**
 * Runs a softmax cross-entropy kernel pair; `inPlace` makes probs alias logits and dlogits alias probs;
 * `epsilon` is the forward's clip (0 for none).
 */
function runRows(
  fwd: RowForward,
  bwd: RowBackward,
  logits: Float32Array,
  labels: Int32Array | Float32Array,
  dyRow: Float32Array,
  rows: number,
  cols: number,
  inPlace = false,
  epsilon = 0,
) {
  const pz = putF32(logits);
  const pl = labels instanceof Int32Array ? putI32(labels) : putF32(labels);
  const [ploss, pdy] = [allocF32(rows), putF32(dyRow)];
  const pp = inPlace ? pz : allocF32(rows * cols);
  fwd(pz, pl, rows, cols, ploss, pp, epsilon);
  const [loss, probs] = [readF32(ploss, rows), readF32(pp, rows * cols)];
  const pd = inPlace ? pp : allocF32(rows * cols);
  bwd(pp, pl, pdy, rows, cols, pd);
  const dlogits = readF32(pd, rows * cols);
  free(...new Set([pz, pl, ploss, pdy, pp, pd]));
  return { loss, probs, dlogits };
}

/** Central differences of Σ dyRow · loss(logits) with the float64 reference forward. */
function rowFiniteDifference(
  ref: (z: Float64Array) => Float64Array,
  logits: Float32Array,
  dyRow: Float32Array,
): Float64Array {
  const h = 1e-5;
  const total = (z: Float64Array) => ref(z).reduce((a, v, r) => a + v * dyRow[r], 0);
  return Float64Array.from(logits, (_, i) => {
    const plus = Float64Array.from(logits);
    const minus = Float64Array.from(logits);
    plus[i] += h;
    minus[i] -= h;
    return (total(plus) - total(minus)) / (2 * h);
  });
}

interface ElementLoss {
  fwd: (a: number, b: number, n: number, out: number) => void;
  bwd: (a: number, b: number, dy: number, n: number, out: number) => void;
  ref: (a: ArrayLike<number>, b: ArrayLike<number>) => Float64Array;
  refGrad: (a: ArrayLike<number>, b: ArrayLike<number>, dy: ArrayLike<number>) => Float64Array;
  /** Predictions and targets of test case `seed` with n elements. */
  data: (n: number, seed: number) => [Float32Array, Float32Array];
  /** Points where finite differences do not apply (kinks, clip bounds). */
  kink?: (a: number, b: number) => boolean;
}

const uniform = (lo: number, hi: number) => (n: number, seed: number) =>
  [randomArray(n, seed, lo, hi), randomArray(n, seed + 1, lo, hi)] as [Float32Array, Float32Array];

const DELTA = 0.7;
const ELEMENT_LOSSES: Record<string, ElementLoss> = {
  squaredError: {
    fwd: K.squaredError,
    bwd: K.squaredErrorBackward,
    ref: R.squaredErrorReference,
    refGrad: R.squaredErrorBackwardReference,
    data: uniform(-3, 3),
  },
  absoluteError: {
    fwd: K.absoluteError,
    bwd: K.absoluteErrorBackward,
    ref: R.absoluteErrorReference,
    refGrad: R.absoluteErrorBackwardReference,
    data: uniform(-3, 3),
    kink: (a, b) => Math.abs(a - b) < 1e-3,
  },
  huber: {
    fwd: (a, b, n, out) => K.huber(a, b, n, out, DELTA),
    bwd: (a, b, dy, n, out) => K.huberBackward(a, b, dy, n, out, DELTA),
    ref: (a, b) => R.huberReference(a, b, DELTA),
    refGrad: (a, b, dy) => R.huberBackwardReference(a, b, dy, DELTA),
    data: uniform(-2, 2),
    kink: (a, b) => Math.abs(Math.abs(a - b) - DELTA) < 1e-3,
  },
  sigmoidCrossEntropy: {
    fwd: (a, b, n, out) => K.sigmoidCrossEntropy(a, b, n, out, 0),
    bwd: K.sigmoidCrossEntropyBackward,
    ref: (a, b) => R.sigmoidCrossEntropyReference(a, b, 0),
    refGrad: R.sigmoidCrossEntropyBackwardReference,
    data: (n, seed) => [randomArray(n, seed, -12, 12), randomArray(n, seed + 1, 0, 1)],
  },
  // Keras's clip: within ±12 no sigmoid is within 1e-7 of 0 or 1, so the gradient is the loss's.
  sigmoidCrossEntropyClipped: {
    fwd: (a, b, n, out) => K.sigmoidCrossEntropy(a, b, n, out, EPS),
    bwd: K.sigmoidCrossEntropyBackward,
    ref: (a, b) => R.sigmoidCrossEntropyReference(a, b, EPS),
    refGrad: R.sigmoidCrossEntropyBackwardReference,
    data: (n, seed) => [randomArray(n, seed, -12, 12), randomArray(n, seed + 1, 0, 1)],
  },
  binaryCrossEntropy: {
    fwd: (a, b, n, out) => K.binaryCrossEntropy(a, b, n, out, EPS),
    bwd: (a, b, dy, n, out) => K.binaryCrossEntropyBackward(a, b, dy, n, out, EPS),
    ref: (a, b) => R.binaryCrossEntropyReference(a, b, EPS),
    refGrad: (a, b, dy) => R.binaryCrossEntropyBackwardReference(a, b, dy, EPS),
    data: (n, seed) => [randomArray(n, seed, 0.02, 0.98), randomArray(n, seed + 1, 0, 1)],
  },
};

function runElement(loss: ElementLoss, a: Float32Array, b: Float32Array, dy: Float32Array, inPlace = false) {
  const n = a.length;
  const [pa, pb, pdy] = [putF32(a), putF32(b), putF32(dy)];
  const pl = allocF32(n);
  loss.fwd(pa, pb, n, pl);
  const value = readF32(pl, n);
  const pg = inPlace ? pdy : allocF32(n);
  loss.bwd(pa, pb, pdy, n, pg);
  const grad = readF32(pg, n);
  free(...new Set([pa, pb, pdy, pl, pg]));
  return { value, grad };
}

for (const relaxed of MODULES) {
  describe(`losses (${relaxed ? 'relaxed' : 'plain'} SIMD)`, () => {
    beforeAll(() => ready({ relaxedSimd: relaxed }));

    it('sparse softmax cross-entropy matches the reference, finite differences and in-place use', () => {
      for (const [rows, cols] of SHAPES) {
        const z = randomArray(rows * cols, rows * 100 + cols, -8, 8);
        const labels = randomLabels(rows, cols, rows + cols);
        const dy = randomArray(rows, rows * 3 + cols, -1, 1);
        const run = (epsilon: number, inPlace = false) =>
          runRows(
            K.softmaxCrossEntropySparse,
            K.softmaxCrossEntropySparseBackward,
            z,
            labels,
            dy,
            rows,
            cols,
            inPlace,
            epsilon,
          );
        const out = run(0);
        const tag = `${rows}x${cols}`;
        expectClose(out.loss, R.softmaxCrossEntropySparseReference(z, labels, rows, cols), 1e-5, 1e-6, `loss ${tag}`);
        expectClose(out.probs, softmaxReference(z, rows, cols), 1e-5, 1e-9, `probs ${tag}`);
        const grad = R.softmaxCrossEntropySparseBackwardReference(z, labels, dy, rows, cols);
        expectClose(out.dlogits, grad, 1e-5, 1e-6, `dlogits ${tag}`);
        const aliased = run(0, true);
        expectClose(aliased.loss, out.loss, 0, 0, 'in place loss');
        expectClose(aliased.dlogits, out.dlogits, 0, 0, 'in place dlogits');
        if (rows * cols <= 40) {
          const fd = rowFiniteDifference((v) => R.softmaxCrossEntropySparseReference(v, labels, rows, cols), z, dy);
          expectClose(out.dlogits, fd, 1e-5, 1e-6, `finite differences ${tag}`);
        }
        // Keras's clip (1e-3 clips many of these rows) changes the value only, never probs or dlogits.
        for (const eps of [EPS, Math.fround(1e-3)]) {
          const clipped = run(eps);
          const ref = R.softmaxCrossEntropySparseReference(z, labels, rows, cols, eps);
          expectClose(clipped.loss, ref, 1e-5, 1e-6, `clipped loss ${tag} eps=${eps}`);
          expect(Array.from(clipped.probs), 'probs whatever the clip').toEqual(Array.from(out.probs));
          expect(Array.from(clipped.dlogits), 'dlogits whatever the clip').toEqual(Array.from(out.dlogits));
          expectClose(run(eps, true).loss, clipped.loss, 0, 0, 'clipped in place loss');
        }
      }
    });

    it('dense softmax cross-entropy matches the reference with one-hot, soft and unnormalised targets', () => {
      for (const [rows, cols] of SHAPES) {
        const z = randomArray(rows * cols, rows * 100 + cols, -8, 8);
        const dy = randomArray(rows, rows * 3 + cols, -1, 1);
        const targets = [
          oneHot(randomLabels(rows, cols, cols), cols),
          softTargets(rows, cols, 9),
          softTargets(rows, cols, 4, 2.5),
        ];
        for (const [k, t] of targets.entries()) {
          const tag = `${rows}x${cols} targets ${k}`;
          const run = (epsilon: number, inPlace = false) =>
            runRows(
              K.softmaxCrossEntropyDense,
              K.softmaxCrossEntropyDenseBackward,
              z,
              t,
              dy,
              rows,
              cols,
              inPlace,
              epsilon,
            );
          const out = run(0);
          expectClose(out.loss, R.softmaxCrossEntropyDenseReference(z, t, rows, cols), 1e-5, 1e-6, `loss ${tag}`);
          expectClose(out.probs, softmaxReference(z, rows, cols), 1e-5, 1e-9, `probs ${tag}`);
          const grad = R.softmaxCrossEntropyDenseBackwardReference(z, t, dy, rows, cols);
          expectClose(out.dlogits, grad, 1e-5, 1e-6, `dlogits ${tag}`);
          const aliased = run(0, true);
          expectClose(aliased.loss, out.loss, 0, 0, 'in place loss');
          expectClose(aliased.dlogits, out.dlogits, 0, 0, 'in place dlogits');
          if (rows * cols <= 40) {
            const fd = rowFiniteDifference((v) => R.softmaxCrossEntropyDenseReference(v, t, rows, cols), z, dy);
            expectClose(out.dlogits, fd, 1e-5, 1e-6, `finite differences ${tag}`);
          }
          for (const eps of [EPS, Math.fround(1e-3)]) {
            const clipped = run(eps);
            const ref = R.softmaxCrossEntropyDenseReference(z, t, rows, cols, eps);
            expectClose(clipped.loss, ref, 1e-5, 1e-6, `clipped loss ${tag} eps=${eps}`);
            expect(Array.from(clipped.probs), 'probs whatever the clip').toEqual(Array.from(out.probs));
            expect(Array.from(clipped.dlogits), 'dlogits whatever the clip').toEqual(Array.from(out.dlogits));
            expectClose(run(eps, true).loss, clipped.loss, 0, 0, 'clipped in place loss');
          }
        }
      }
    });

    it('softmax cross-entropy is finite and exact with logits 1000 apart', () => {
      const z = Float32Array.from([0, 1000, -1000, 0, 1000, -1000, 0, 1000, -1000, 100, -100, 50]);
      const labels = Int32Array.from([0, 1, 2, 1]);
      const dy = Float32Array.from([1, 1, 1, 1]);
      const sparse = runRows(K.softmaxCrossEntropySparse, K.softmaxCrossEntropySparseBackward, z, labels, dy, 4, 3);
      expect(Array.from(sparse.loss.subarray(0, 3))).toEqual([1000, 0, 2000]);
      expectClose(sparse.loss, R.softmaxCrossEntropySparseReference(z, labels, 4, 3), 1e-6, 0, 'sparse loss');
      expect(Array.from(sparse.dlogits.subarray(0, 9))).toEqual([-1, 1, 0, 0, 0, 0, 0, 1, -1]);
      const dense = runRows(
        K.softmaxCrossEntropyDense,
        K.softmaxCrossEntropyDenseBackward,
        z,
        oneHot(labels, 3),
        dy,
        4,
        3,
      );
      expect(Array.from(dense.loss.subarray(0, 3))).toEqual([1000, 0, 2000]);
      expectClose(dense.dlogits, sparse.dlogits, 0, 1e-7, 'dense = sparse for one-hot targets');
      expect(sparse.probs.every(Number.isFinite) && dense.probs.every(Number.isFinite)).toBe(true);
    });

    it("saturated logits (gaps of 100 and 1e4) report Keras's clipped values, and tfjs's unclipped ones with epsilon 0", () => {
      const nllMax = -Math.log(EPS); // 16.118…: −log of a probability clipped up to ε
      const nllMin = -Math.log1p(-EPS); // 1e-7: −log of a probability clipped down to 1 − ε
      // rows of three logits: wrong by 100, wrong by 1e4, right by 100, right by 1e4, uniform, NaN
      const z = Float32Array.from([0, 100, -100, 0, 1e4, 0, 100, 0, 0, 1e4, 0, -1e4, 0, 0, 0, Number.NaN, 0, 0]);
      const labels = Int32Array.from([0, 0, 0, 0, 1, 0]);
      const rows = labels.length;
      const dy = new Float32Array(rows).fill(1);
      const sparse = (eps: number) =>
        runRows(K.softmaxCrossEntropySparse, K.softmaxCrossEntropySparseBackward, z, labels, dy, rows, 3, false, eps);
      const dense = (eps: number, t: Float32Array) =>
        runRows(K.softmaxCrossEntropyDense, K.softmaxCrossEntropyDenseBackward, z, t, dy, rows, 3, false, eps);
      const clipped = sparse(EPS);
      expectClose(clipped.loss, [nllMax, nllMax, nllMin, nllMin, Math.log(3), Number.NaN], 1e-6, 0, 'sparse clipped');
      expectClose(
        clipped.loss,
        R.softmaxCrossEntropySparseReference(z, labels, rows, 3, EPS),
        1e-6,
        0,
        'vs probabilities',
      );
      expectClose(sparse(0).loss, [100, 1e4, 0, 0, Math.log(3), Number.NaN], 1e-6, 0, 'sparse unclipped');
      // A caller of the raw kernel that leaves epsilon out passes NaN to Wasm: no clip either.
      expectClose(sparse(Number.NaN).loss, sparse(0).loss, 0, 0, 'epsilon NaN');
      expect(Array.from(clipped.dlogits.subarray(0, 12)), 'exact p − t').toEqual([
        -1, 1, 0, -1, 1, 0, 0, 0, 0, 0, 0, 0,
      ]);
      const hot = oneHot(labels, 3);
      expectClose(dense(EPS, hot).loss, clipped.loss, 1e-6, 0, 'dense one-hot clipped = sparse');
      expect(Array.from(dense(EPS, hot).dlogits.subarray(0, 12))).toEqual(Array.from(clipped.dlogits.subarray(0, 12)));
      // Soft targets: each term clipped on its own, −Σ t·log clip(p).
      const soft = Float32Array.from(Array.from({ length: rows }, () => [0.5, 0.25, 0.25]).flat());
      expectClose(dense(EPS, soft).loss, R.softmaxCrossEntropyDenseReference(z, soft, rows, 3, EPS), 1e-6, 0, 'soft');
      expectClose(
        dense(EPS, soft).loss.subarray(0, 2),
        [0.5 * nllMax + 0.25 * nllMin + 0.25 * nllMax, 0.5 * nllMax + 0.25 * nllMin + 0.25 * nllMax],
        1e-6,
        0,
        'soft saturated',
      );
      expectClose(
        dense(0, soft).loss,
        R.softmaxCrossEntropyDenseReference(z, soft, rows, 3),
        1e-6,
        0,
        'soft unclipped',
      );
      // Sigmoid: wrong and right by 100 and 1e4, a soft target on a saturated logit, NaN.
      const sz = Float32Array.from([100, -100, 1e4, -1e4, 100, -1e4, 1e4, 0, 17, -17, Number.NaN]);
      const st = Float32Array.from([0, 1, 0, 1, 1, 0, 0.5, 1, 0, 1, 1]);
      const ones = new Float32Array(sz.length).fill(1);
      const sig = (eps: number) =>
        runElement(
          { ...ELEMENT_LOSSES.sigmoidCrossEntropy, fwd: (a, b, n, l) => K.sigmoidCrossEntropy(a, b, n, l, eps) },
          sz,
          st,
          ones,
        );
      const s1 = sig(EPS);
      expectClose(
        s1.value.subarray(0, 7),
        [nllMax, nllMax, nllMax, nllMax, nllMin, nllMin, 0.5 * nllMax + 0.5 * nllMin],
        1e-6,
        0,
        'sigmoid clipped',
      );
      expect(Number.isNaN(s1.value[10]), 'NaN logit').toBe(true);
      expectClose(s1.value, R.sigmoidCrossEntropyReference(sz, st, EPS), 1e-6, 0, 'sigmoid vs probabilities');
      const s0 = sig(0);
      expectClose(
        s0.value.subarray(0, 7),
        [100, 100, 1e4, 1e4, Math.log1p(Math.exp(-100)), 0, 5000],
        1e-6,
        1e-44, // e^-100 is subnormal in float32
        'sigmoid unclipped',
      );
      expectClose(s0.value, R.sigmoidCrossEntropyReference(sz, st), 1e-6, 1e-44, 'sigmoid unclipped vs reference');
      expect(Array.from(s1.grad), 'sigmoid gradient whatever the clip').toEqual(Array.from(s0.grad));
    });

    for (const [name, loss] of Object.entries(ELEMENT_LOSSES)) {
      it(`${name}: loss and gradient match the reference, finite differences and in-place use`, () => {
        for (const [k, n] of SIZES.entries()) {
          const [a, b] = loss.data(n, 10 * k + 1);
          const dy = randomArray(n, 10 * k + 5, -1, 1);
          const out = runElement(loss, a, b, dy);
          expectClose(out.value, loss.ref(a, b), 1e-5, 1e-6, `${name} n=${n}`);
          expectClose(out.grad, loss.refGrad(a, b, dy), 1e-5, 1e-6, `${name}' n=${n}`);
          expectClose(runElement(loss, a, b, dy, true).grad, out.grad, 0, 0, `${name}' in place`);
          const h = 1e-5;
          const fd = Float64Array.from(a, (v, i) => {
            if (loss.kink?.(v, b[i])) return out.grad[i];
            const [up, down] = [loss.ref([v + h], [b[i]])[0], loss.ref([v - h], [b[i]])[0]];
            return (dy[i] * (up - down)) / (2 * h);
          });
          expectClose(out.grad, fd, 1e-5, 1e-6, `${name}' vs finite differences n=${n}`);
        }
      });
    }

    it('sigmoid cross-entropy is stable for large logits', () => {
      const z = Float32Array.from([50, -50, 100, -100, 1000, -1000, 88, -88, 0, 1e-8, 17, -17]);
      const t = Float32Array.from([1, 0, 0, 1, 0.5, 0.5, 1, 1, 0.5, 1, 0, 1]);
      const dy = new Float32Array(z.length).fill(1);
      const out = runElement(ELEMENT_LOSSES.sigmoidCrossEntropy, z, t, dy);
      expect(out.value.every(Number.isFinite) && out.grad.every(Number.isFinite)).toBe(true);
      expectClose(out.value, R.sigmoidCrossEntropyReference(z, t), 1e-6, 1e-30, 'loss');
      expectClose(out.grad, R.sigmoidCrossEntropyBackwardReference(z, t, dy), 1e-6, 1e-30, 'grad');
    });

    it('binary cross-entropy clips p and 1 − p into [ε, 1 − ε] and passes no gradient outside', () => {
      const p = Float32Array.from([
        0, 1, 1e-9, 1e-7, 2e-7, 0.5, 0.9999998, 0.9999999, 0.99999994, 1e-3, 0.999, 1.5, -0.2,
      ]);
      const dy = randomArray(p.length, 3, 0.5, 1.5);
      for (const tv of [0, 1, 0.3]) {
        const t = new Float32Array(p.length).fill(tv);
        for (const eps of [EPS, Math.fround(1e-3)]) {
          const bce: ElementLoss = {
            ...ELEMENT_LOSSES.binaryCrossEntropy,
            fwd: (a, b, n, out) => K.binaryCrossEntropy(a, b, n, out, eps),
            bwd: (a, b, g, n, out) => K.binaryCrossEntropyBackward(a, b, g, n, out, eps),
          };
          const out = runElement(bce, p, t, dy);
          expect(out.value.every(Number.isFinite) && out.grad.every(Number.isFinite)).toBe(true);
          expectClose(out.value, R.binaryCrossEntropyReference(p, t, eps), 1e-5, 0, `loss t=${tv} eps=${eps}`);
          expectClose(
            out.grad,
            R.binaryCrossEntropyBackwardReference(p, t, dy, eps),
            1e-5,
            0,
            `grad t=${tv} eps=${eps}`,
          );
        }
      }
      // −log ε at both clip bounds, exactly as in float64.
      const out = runElement(
        ELEMENT_LOSSES.binaryCrossEntropy,
        Float32Array.from([0, 1]),
        Float32Array.from([1, 0]),
        Float32Array.from([1, 1]),
      );
      expectClose(out.value, [-Math.log(EPS), -Math.log(EPS)], 1e-6, 0, 'clip bounds');
      expect(Array.from(out.grad)).toEqual([0, 0]);
    });

    it('absolute error and huber gradients at their kinks', () => {
      const a = Float32Array.from([1, 2, 2.7, 1.3, -0.7, 0.7]);
      const b = Float32Array.from([1, 2, 2, 2, 0, 0]);
      const dy = Float32Array.from([3, -3, 2, 2, 2, 2]);
      expect(Array.from(runElement(ELEMENT_LOSSES.absoluteError, a, b, dy).grad)).toEqual([0, 0, 2, -2, -2, 2]);
      const hub = runElement(ELEMENT_LOSSES.huber, a, b, dy);
      expectClose(hub.value, R.huberReference(a, b, DELTA), 1e-6, 0, 'huber at |d| = delta');
      expectClose(hub.grad, R.huberBackwardReference(a, b, dy, DELTA), 1e-6, 0, 'huber grad at |d| = delta');
    });

    it('cross-entropy gradients store 0 where a saturated probability makes them subnormal', () => {
      // one row of five logits (four SIMD lanes and a tail): e^-97 ≈ 7e-43 is a subnormal probability
      const logits = [3, -94, 2, 1, -94];
      const dyRow = putF32([0.5]);
      const [pz, pl, loss, probs, dz] = [putF32(logits), putI32([0]), allocF32(1), allocF32(5), allocF32(5)];
      K.softmaxCrossEntropySparse(pz, pl, 1, 5, loss, probs);
      const p = readF32(probs, 5);
      expect(p[1] > 0 && p[1] < 2 ** -126, `probability ${p[1]} is subnormal`).toBe(true);
      K.softmaxCrossEntropySparseBackward(probs, pl, dyRow, 1, 5, dz);
      const sparse = readF32(dz, 5);
      expect([sparse[1], sparse[4]]).toEqual([0, 0]);
      expect([0, 2, 3].every((j) => Math.abs(sparse[j]) > 1e-3)).toBe(true);
      const targets = putF32([1, 0, 0, 0, 0]);
      K.softmaxCrossEntropyDenseBackward(probs, targets, dyRow, 1, 5, dz);
      expect(Array.from(readF32(dz, 5))).toEqual(Array.from(sparse));
      // sigmoid(−97) ≈ 7e-43 against target 0
      const [sz, st, sdy] = [
        putF32([-97, -97, 0, -97, -97]),
        putF32(new Float32Array(5)),
        putF32(new Float32Array(5).fill(1)),
      ];
      K.sigmoidCrossEntropyBackward(sz, st, sdy, 5, dz);
      expect(Array.from(readF32(dz, 5))).toEqual([0, 0, 0.5, 0, 0]);
      free(dyRow, pz, pl, loss, probs, dz, targets, sz, st, sdy);
    });
  });
}
