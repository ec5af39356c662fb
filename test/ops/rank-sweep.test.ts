// Every public op of src/ops/ on tensors of rank 0 to 6, against plain-JS float64 references, with
// clear errors where an op needs a rank or dtype it was not given; gradients of a few
// representative ops at high rank by central finite differences.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ActName, BinaryName, UnaryName } from '../../src/backend/codes.js';
import * as nn from '../../src/index.js';
import { activationReference, logSoftmaxReference, softmaxReference } from '../../src/reference/activations.js';
import { binaryRef, clipRef, sizeOf, transposeRef, unaryRef } from '../../src/reference/elementwise.js';
import {
  absoluteErrorReference,
  binaryCrossEntropyReference,
  huberReference,
  sigmoidCrossEntropyReference,
  softmaxCrossEntropyDenseReference,
  softmaxCrossEntropySparseReference,
  squaredErrorReference,
} from '../../src/reference/losses.js';
import { batchMatMulReference } from '../../src/reference/matmul.js';
import { expectClose } from '../helpers/close.js';
import { binary64, gradCheck } from '../helpers/gradcheck.js';
import { randomArray } from '../helpers/random.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

/** One shape per rank 0..6, with size-1 dims among them (small enough for exhaustive references). */
const SHAPES: number[][] = [[], [3], [2, 3], [2, 1, 3], [2, 3, 1, 2], [1, 2, 2, 1, 3], [2, 1, 2, 1, 2, 2]];

const label = (shape: readonly number[]) => `rank ${shape.length} ${JSON.stringify(shape)}`;

/** A partner shape that broadcasts against `shape`: the first dim dropped, every other dim 1. */
function partnerShape(shape: readonly number[]): number[] {
  return shape.slice(shape.length >= 2 ? 1 : 0).map((d, i) => (i % 2 === 0 ? 1 : d));
}

/** Runs `f` inside tidy and checks that it left no tensor behind. */
function noLeak(f: () => void): void {
  const before = nn.memory().numTensors;
  nn.tidy(f);
  expect(nn.memory().numTensors).toBe(before);
}

function expectTensor(t: nn.Tensor, shape: readonly number[], values: ArrayLike<number>, tol = 1e-5, what = ''): void {
  expect(t.shape, `${what} shape`).toEqual(shape);
  expectClose(t.dataSync(), values, tol, tol, what);
}

/** Multi-index ↔ flat position in a row-major shape. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return idx;
}
function ravel(idx: readonly number[], shape: readonly number[]): number {
  return idx.reduce((f, i, d) => f * shape[d] + i, 0);
}

type ReduceOp = 'sum' | 'mean' | 'max' | 'min';

/** Reduction over `axes` (sorted, non-negative) in float64; returns the keepDims shape and values. */
function reduceRef(op: ReduceOp, x: ArrayLike<number>, shape: readonly number[], axes: number[]) {
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = new Float64Array(sizeOf(kept)).fill(op === 'max' ? -Infinity : op === 'min' ? Infinity : 0);
  for (let i = 0; i < x.length; i++) {
    const o = ravel(
      unravel(i, shape).map((c, d) => (axes.includes(d) ? 0 : c)),
      kept,
    );
    out[o] = op === 'max' ? Math.max(out[o], x[i]) : op === 'min' ? Math.min(out[o], x[i]) : out[o] + x[i];
  }
  if (op === 'mean') {
    const n = sizeOf(axes.map((a) => shape[a]));
    for (let i = 0; i < out.length; i++) out[i] /= n;
  }
  return { kept, values: out, dropped: shape.filter((_, i) => !axes.includes(i)) };
}

/** Axis lists worth reducing over at a rank: all, none given, the first, the last (negative), two apart. */
function axisLists(rank: number): Array<number | number[] | undefined> {
  const lists: Array<number | number[] | undefined> = [undefined];
  if (rank >= 1) lists.push(0, -1);
  if (rank >= 3) lists.push([0, rank - 1], [1, 2]);
  if (rank >= 5) lists.push([1, 3, 4]);
  return lists;
}

describe('rank sweep: elementwise ops', () => {
  const unary: Array<[UnaryName, (x: nn.Tensor) => nn.Tensor, [number, number]]> = [
    ['neg', nn.neg, [-2, 2]],
    ['exp', nn.exp, [-2, 2]],
    ['log', nn.log, [0.1, 3]],
    ['sqrt', nn.sqrt, [0.1, 3]],
    ['square', nn.square, [-2, 2]],
    ['abs', nn.abs, [-2, 2]],
    ['sign', nn.sign, [-2, 2]],
    ['reciprocal', nn.reciprocal, [0.5, 2]],
  ];
  for (const shape of SHAPES) {
    it(`unary arithmetic and clipByValue, ${label(shape)}`, () => {
      noLeak(() => {
        for (const [name, f, [lo, hi]] of unary) {
          const v = randomArray(sizeOf(shape), 3 + shape.length, lo, hi);
          const y = f(nn.tensor(v, shape));
          expectTensor(y, shape, unaryRef(name, v), 1e-5, name);
        }
        const v = randomArray(sizeOf(shape), 4, -2, 2);
        expectTensor(nn.clipByValue(nn.tensor(v, shape), -0.5, 0.7), shape, clipRef(v, -0.5, 0.7), 1e-7, 'clip');
      });
    });

    it(`activations, ${label(shape)}`, () => {
      noLeak(() => {
        const v = randomArray(sizeOf(shape), 5 + shape.length, -3, 3);
        const x = nn.tensor(v, shape);
        const acts: Array<[ActName, (t: nn.Tensor) => nn.Tensor, number]> = [
          ['relu', nn.relu, 0],
          ['leakyRelu', (t) => nn.leakyRelu(t, 0.3), 0.3],
          ['elu', (t) => nn.elu(t, 0.7), 0.7],
          ['sigmoid', nn.sigmoid, 0],
          ['tanh', nn.tanh, 0],
          ['softplus', nn.softplus, 0],
          ['gelu', nn.gelu, 0],
          ['linear', nn.linear, 0],
        ];
        for (const [name, f, alpha] of acts) expectTensor(f(x), shape, activationReference(name, v, alpha), 2e-5, name);
        if (shape.length === 0) {
          expect(() => nn.softmax(x)).toThrow(/softmax: expected logits of rank >= 1, got a scalar/);
          expect(() => nn.logSoftmax(x)).toThrow(nn.ShapeError);
          return;
        }
        const cols = shape[shape.length - 1];
        const rows = v.length / cols;
        expectTensor(nn.softmax(x), shape, softmaxReference(v, rows, cols), 1e-5, 'softmax');
        expectTensor(nn.logSoftmax(x), shape, logSoftmaxReference(v, rows, cols), 1e-5, 'logSoftmax');
      });
    });

    it(`binary ops with broadcasting both ways and with numbers, ${label(shape)}`, () => {
      noLeak(() => {
        const other = partnerShape(shape);
        const av = randomArray(sizeOf(shape), 7, -2, 2);
        // b in [0.5, 2] so that div is finite; a few equal values for the comparisons
        const bv = randomArray(sizeOf(other), 8, 0.5, 2);
        if (av.length > 0 && bv.length > 0) av[0] = bv[0];
        const a = nn.tensor(av, shape);
        const b = nn.tensor(bv, other);
        const ops: Array<[BinaryName, (x: nn.Operand, y: nn.Operand) => nn.Tensor]> = [
          ['add', nn.add],
          ['sub', nn.sub],
          ['mul', nn.mul],
          ['div', nn.div],
          ['maximum', nn.maximum],
          ['minimum', nn.minimum],
          ['equal', nn.equal],
          ['greater', nn.greater],
          ['greaterEqual', nn.greaterEqual],
          ['less', nn.less],
          ['lessEqual', nn.lessEqual],
        ];
        for (const [name, f] of ops) {
          const ab = binaryRef(name, av, shape, bv, other);
          expectTensor(f(a, b), ab.shape, ab.values, 1e-6, `${name}(a, b)`);
          const ba = binaryRef(name, bv, other, av, shape);
          expectTensor(f(b, a), ba.shape, ba.values, 1e-6, `${name}(b, a)`);
          const an = binaryRef(name, av, shape, [1.5], []);
          expectTensor(f(a, 1.5), an.shape, an.values, 1e-6, `${name}(a, 1.5)`);
        }
        const sd = binaryRef('sub', av, shape, bv, other);
        expectTensor(
          nn.squaredDifference(a, b),
          sd.shape,
          sd.values.map((d) => d * d),
          1e-5,
          'squaredDifference',
        );
      });
    });
  }
});

describe('rank sweep: reductions', () => {
  for (const shape of SHAPES) {
    it(`sum, mean, max, min over axis lists with and without keepDims, ${label(shape)}`, () => {
      noLeak(() => {
        const v = randomArray(sizeOf(shape), 11 + shape.length, -2, 2);
        const x = nn.tensor(v, shape);
        const reductions = { sum: nn.sum, mean: nn.mean, max: nn.max, min: nn.min };
        for (const op of ['sum', 'mean', 'max', 'min'] as const) {
          for (const axis of axisLists(shape.length)) {
            const axes =
              axis === undefined
                ? shape.map((_, i) => i)
                : (Array.isArray(axis) ? axis : [axis])
                    .map((a) => (a < 0 ? a + shape.length : a))
                    .sort((p, q) => p - q);
            const ref = reduceRef(op, v, shape, axes);
            const what = `${op} axis ${JSON.stringify(axis)}`;
            expectTensor(reductions[op](x, axis), ref.dropped, ref.values, 1e-5, what);
            expectTensor(reductions[op](x, axis, true), ref.kept, ref.values, 1e-5, `${what} keepDims`);
          }
        }
      });
    });

    it(`argMax and argMin along every axis, ${label(shape)}`, () => {
      noLeak(() => {
        const v = randomArray(sizeOf(shape), 13, -2, 2);
        const x = nn.tensor(v, shape);
        if (shape.length === 0) {
          expect(() => nn.argMax(x)).toThrow(/argMax: expected x with a non-empty axis 0, got \[\]/);
          expect(() => nn.argMin(x)).toThrow(nn.ShapeError);
          return;
        }
        for (let axis = -shape.length; axis < shape.length; axis++) {
          const a = axis < 0 ? axis + shape.length : axis;
          const out = shape.filter((_, i) => i !== a);
          for (const [op, argOp, pick] of [
            ['argMax', nn.argMax, (p: number, q: number) => q > p],
            ['argMin', nn.argMin, (p: number, q: number) => q < p],
          ] as const) {
            const expected = new Int32Array(sizeOf(out));
            for (let o = 0; o < expected.length; o++) {
              const idx = unravel(o, out);
              idx.splice(a, 0, 0);
              let best = 0;
              for (let r = 1; r < shape[a]; r++) {
                idx[a] = r;
                const cur = [...idx];
                cur[a] = best;
                if (pick(v[ravel(cur, shape)], v[ravel(idx, shape)])) best = r;
              }
              expected[o] = best;
            }
            const y = argOp(x, axis);
            expect(y.dtype).toBe('int32');
            expect(y.shape).toEqual(out);
            expect([...y.dataSync()], `${op} axis ${axis}`).toEqual([...expected]);
          }
        }
      });
    });
  }
});

describe('rank sweep: shape ops, float32 and int32', () => {
  for (const shape of SHAPES) {
    for (const dtype of ['float32', 'int32'] as const) {
      it(`reshape, transpose, broadcastTo, expandDims, squeeze, clone, cast on ${dtype}, ${label(shape)}`, () => {
        noLeak(() => {
          const n = sizeOf(shape);
          const v =
            dtype === 'int32' ? Int32Array.from({ length: n }, (_, i) => i * 7 - 20) : randomArray(n, 17, -5, 5);
          const x = nn.tensor(v, shape, dtype);
          const same = (t: nn.Tensor, s: readonly number[], values: ArrayLike<number>, what: string) => {
            expect(t.dtype, `${what} dtype`).toBe(dtype);
            expect(t.shape, `${what} shape`).toEqual(s);
            expect([...t.dataSync()], what).toEqual(Array.from(values));
          };
          same(nn.reshape(x, [-1]), [n], v, 'reshape [-1]');
          same(nn.reshape(nn.reshape(x, [n]), [...shape]), shape, v, 'reshape back');
          same(nn.clone(x), shape, v, 'clone');
          const reversed = shape.map((_, i) => shape.length - 1 - i);
          same(
            nn.transpose(x),
            reversed.map((a) => shape[a]),
            transposeRef(v, shape, reversed),
            'transpose',
          );
          const rotated = shape.map((_, i) => (i + 1) % shape.length);
          same(
            nn.transpose(x, rotated),
            rotated.map((a) => shape[a]),
            transposeRef(v, shape, rotated),
            'rotate',
          );
          const target = [2, ...shape.map((d) => (d === 1 ? 2 : d))];
          const expected = Float64Array.from({ length: sizeOf(target) }, (_, i) => {
            const idx = unravel(i, target).slice(1);
            return v[
              ravel(
                idx.map((c, d) => (shape[d] === 1 ? 0 : c)),
                shape,
              )
            ];
          });
          same(nn.broadcastTo(x, target), target, expected, 'broadcastTo');
          same(nn.expandDims(x), [1, ...shape], v, 'expandDims 0');
          same(nn.expandDims(x, shape.length), [...shape, 1], v, 'expandDims last');
          same(nn.expandDims(x, -1), [...shape, 1], v, 'expandDims -1');
          same(
            nn.squeeze(x),
            shape.filter((d) => d !== 1),
            v,
            'squeeze',
          );
          same(nn.squeeze(nn.expandDims(x, 0), [0]), shape, v, 'squeeze [0]');
          const other = dtype === 'int32' ? 'float32' : 'int32';
          const there = nn.cast(x, other);
          expect(there.dtype).toBe(other);
          expect(there.shape).toEqual(shape);
          const truncated = dtype === 'int32' ? [...v] : [...v].map((f) => Math.trunc(f));
          expect([...there.dataSync()]).toEqual(truncated);
          expect([...nn.cast(there, dtype).dataSync()]).toEqual(truncated);
        });
      });
    }
  }

  it('a float32-only op given an int32 tensor throws a DTypeError saying what to do, and allocates nothing', () => {
    const x = nn.tensor([1, 2, 3, 4], [2, 2], 'int32');
    const f = nn.tensor([1, 2, 3, 4], [2, 2]);
    const before = nn.memory();
    const calls: Array<[string, () => unknown]> = [
      ['add', () => nn.add(x, f)],
      ['mul', () => nn.mul(f, x)],
      ['exp', () => nn.exp(x)],
      ['relu', () => nn.relu(x)],
      ['sum', () => nn.sum(x)],
      ['argMax', () => nn.argMax(x)],
      ['matMul', () => nn.matMul(x, f)],
      ['softmax', () => nn.softmax(x)],
      ['meanSquaredError', () => nn.losses.meanSquaredError(f, x)],
    ];
    for (const [op, call] of calls) {
      expect(call, op).toThrow(nn.DTypeError);
      expect(call, op).toThrow(new RegExp(`^${op}: expected \\w+ to be float32, got int32 \\(cast it first`));
    }
    expect(nn.memory()).toEqual(before);
    nn.dispose([x, f]);
  });
});

describe('rank sweep: creation', () => {
  for (const shape of SHAPES) {
    it(`zeros, ones, fill, tensor, zerosLike, onesLike, random*, oneHot, ${label(shape)}`, () => {
      noLeak(() => {
        const n = sizeOf(shape);
        for (const dtype of ['float32', 'int32'] as const) {
          const check = (t: nn.Tensor, value: number, what: string) => {
            expect(t.shape, what).toEqual(shape);
            expect(t.dtype, what).toBe(dtype);
            expect([...t.dataSync()], what).toEqual(new Array(n).fill(value));
          };
          check(nn.zeros(shape, dtype), 0, 'zeros');
          check(nn.ones(shape, dtype), 1, 'ones');
          check(nn.fill(shape, 7, dtype), 7, 'fill');
          const x = nn.fill(shape, 3, dtype);
          check(nn.zerosLike(x), 0, 'zerosLike');
          check(nn.onesLike(x), 1, 'onesLike');
        }
        const v = randomArray(n, 19, -1, 1);
        const flat = nn.tensor(v, shape);
        expectTensor(flat, shape, v, 0, 'tensor');
        // nested arrays (a number at rank 0) make the same tensor, and arraySync gives them back
        const nested = flat.arraySync();
        expect(Array.isArray(nested)).toBe(shape.length > 0);
        expectTensor(nn.tensor(nested), shape, v, 0, 'tensor from nested arrays');
        expect(nn.tensor(nested).arraySync()).toEqual(nested);
        const normal = nn.randomNormal(shape, 0, 1, 'float32', 5);
        expect(normal.shape).toEqual(shape);
        expect(normal.dataSync().every(Number.isFinite)).toBe(true);
        const uniform = nn.randomUniform(shape, 2, 3, 'float32', 5);
        expect(uniform.shape).toEqual(shape);
        expect(uniform.dataSync().every((u) => u >= 2 && u < 3)).toBe(true);
        const indices = Int32Array.from({ length: n }, (_, i) => i % 4);
        const hot = nn.oneHot(nn.tensor(indices, shape, 'int32'), 4);
        const expected = new Float64Array(n * 4);
        indices.forEach((k, i) => {
          expected[i * 4 + k] = 1;
        });
        expectTensor(hot, [...shape, 4], expected, 0, 'oneHot');
      });
    });
  }
});

describe('rank sweep: losses', () => {
  for (const shape of SHAPES) {
    it(`elementwise losses with every reduction, ${label(shape)}`, () => {
      noLeak(() => {
        const n = sizeOf(shape);
        const labels = randomArray(n, 23, 0, 1);
        const preds = randomArray(n, 29, 0.05, 0.95);
        const y = nn.tensor(labels, shape);
        const p = nn.tensor(preds, shape);
        const cases: Array<[string, (a: nn.Tensor, b: nn.Tensor, o: object) => nn.Tensor, Float64Array]> = [
          ['meanSquaredError', nn.losses.meanSquaredError, squaredErrorReference(preds, labels)],
          ['absoluteDifference', nn.losses.absoluteDifference, absoluteErrorReference(preds, labels)],
          ['huberLoss', nn.losses.huberLoss, huberReference(preds, labels, 1)],
          ['logLoss', nn.losses.logLoss, binaryCrossEntropyReference(preds, labels, 1e-7)],
          ['sigmoidCrossEntropy', nn.losses.sigmoidCrossEntropy, sigmoidCrossEntropyReference(preds, labels)],
        ];
        for (const [name, loss, perElement] of cases) {
          const total = perElement.reduce((s, e) => s + e, 0);
          expectTensor(loss(y, p, { reduction: 'none' }), shape, perElement, 1e-5, `${name} none`);
          expectTensor(loss(y, p, { reduction: 'sum' }), [], [total], 1e-5, `${name} sum`);
          expectTensor(loss(y, p, {}), [], [total / n], 1e-5, `${name} mean`);
        }
      });
    });

    it(`softmax cross-entropies over the last axis, ${label(shape)}`, () => {
      noLeak(() => {
        const n = sizeOf(shape);
        const logits = nn.tensor(randomArray(n, 31, -3, 3), shape);
        if (shape.length === 0) {
          expect(() => nn.losses.softmaxCrossEntropy(logits, logits)).toThrow(
            /softmaxCrossEntropy: expected logits of shape \[\.\.\., classes\]/,
          );
          expect(() => nn.losses.sparseSoftmaxCrossEntropy(logits, logits)).toThrow(nn.ShapeError);
          return;
        }
        const cols = shape[shape.length - 1];
        const rows = n / cols;
        const lv = logits.dataSync();
        const classes = Int32Array.from({ length: rows }, (_, r) => (r * 5) % cols);
        const onehot = new Float32Array(n);
        classes.forEach((k, r) => {
          onehot[r * cols + k] = 1;
        });
        const rowShape = shape.slice(0, -1);
        const sparse = softmaxCrossEntropySparseReference(lv, classes, rows, cols);
        const dense = softmaxCrossEntropyDenseReference(lv, onehot, rows, cols);
        expectClose(sparse, dense, 1e-12, 1e-12, 'the references agree');
        const s = nn.losses.sparseSoftmaxCrossEntropy(nn.tensor(classes, rowShape, 'int32'), logits, {
          reduction: 'none',
        });
        expectTensor(s, rowShape, sparse, 1e-5, 'sparse none');
        const d = nn.losses.softmaxCrossEntropy(nn.tensor(onehot, shape), logits, { reduction: 'none' });
        expectTensor(d, rowShape, dense, 1e-5, 'dense none');
        const mean = dense.reduce((a, b) => a + b, 0) / rows;
        expectTensor(nn.losses.softmaxCrossEntropy(nn.tensor(onehot, shape), logits), [], [mean], 1e-5, 'mean');
      });
    });
  }
});

describe('rank sweep: matMul', () => {
  for (const shape of SHAPES) {
    it(`matMul and fused.matMul, ${label(shape)}`, () => {
      noLeak(() => {
        const x = nn.tensor(randomArray(sizeOf(shape), 37, -1, 1), shape);
        if (shape.length < 2) {
          expect(() => nn.matMul(x, x)).toThrow(/matMul: expected rank-2 a and b, or batches of matrices/);
          expect(() => nn.fused.matMul({ a: x, b: x })).toThrow(nn.ShapeError);
          return;
        }
        // x [..., r, c] times itself transposed: [..., r, r]; and a shared [c, 4] matrix with a bias
        const xv = x.dataSync();
        const ref = batchMatMulReference(xv, shape, xv, shape, false, true);
        expectTensor(nn.matMul(x, x, false, true), ref.shape, ref.values, 1e-5, 'x·xᵀ');
        const c = shape[shape.length - 1];
        const wv = randomArray(c * 4, 41, -1, 1);
        const biasV = randomArray(4, 43, -1, 1);
        const xw = batchMatMulReference(xv, shape, wv, [c, 4]);
        const expected = xw.values.map((z, i) => Math.max(0, z + biasV[i % 4]));
        const fused = nn.fused.matMul({ a: x, b: nn.tensor(wv, [c, 4]), bias: nn.tensor(biasV), activation: 'relu' });
        expectTensor(fused, xw.shape, expected, 1e-5, 'fused');
      });
    });
  }
});

describe('rank sweep: gradients at high rank', () => {
  it('add of rank 5 with broadcasting on both sides', () => {
    gradCheck({
      shapes: [
        [2, 1, 3, 1, 2],
        [2, 1, 4, 1],
      ],
      op: nn.add,
      forward64: binary64((a, b) => a + b),
    });
  });

  it('sum of rank 4 over two axes, with and without keepDims', () => {
    const shape = [2, 3, 2, 4];
    for (const keepDims of [false, true]) {
      gradCheck({
        shapes: [shape],
        op: (x) => nn.sum(x, [1, 3], keepDims),
        forward64: ([x]) => reduceRef('sum', x, shape, [1, 3]).values,
      });
    }
  });

  it('transpose of rank 6 with a permutation', () => {
    const shape = [2, 1, 3, 2, 1, 2];
    const perm = [3, 0, 5, 2, 4, 1];
    gradCheck({
      shapes: [shape],
      op: (x) => nn.transpose(x, perm),
      forward64: ([x]) => transposeRef(x, shape, perm),
    });
  });

  it('mean and max of rank 6 over three axes, and matMul of rank 5', () => {
    const shape = [2, 1, 3, 2, 1, 2];
    gradCheck({
      shapes: [shape],
      op: (x) => nn.mean(x, [0, 2, 5]),
      forward64: ([x]) => reduceRef('mean', x, shape, [0, 2, 5]).values,
    });
    gradCheck({
      shapes: [shape],
      op: (x) => nn.max(x, [-1, 2]),
      forward64: ([x]) => reduceRef('max', x, shape, [2, 5]).values,
    });
    gradCheck({
      shapes: [
        [2, 1, 2, 3, 4],
        [3, 1, 4, 2],
      ],
      op: (a, b) => nn.matMul(a, b),
      forward64: ([a, b], [sa, sb]) => batchMatMulReference(a, sa, b, sb).values,
    });
  });
});
