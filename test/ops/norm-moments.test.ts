import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import {
  linspaceRef,
  matrixNormRef,
  momentsRef,
  rangeRef,
  reduceAxesRef,
  vectorNormRef,
} from '../../src/reference/select.js';
import { expectClose } from '../helpers/close.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { randomArray } from '../helpers/random.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

/** Runs `fn` inside a tidy and checks that nothing outlives it. */
function noLeak(fn: () => void): void {
  const before = nn.memory();
  nn.tidy(fn);
  expect(nn.memory().numTensors).toBe(before.numTensors);
  expect(nn.memory().numBytes).toBe(before.numBytes);
}

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

type Ord = nn.NormOrder;

/** norm's float64 forward: vector norms over one axis or all, matrix norms over [rows, cols]. */
function norm64(x: ArrayLike<number>, shape: number[], ord: Ord, axis: number | number[] | null): Float64Array {
  if (axis === null) return Float64Array.of(vectorNormRef(Array.from(x), ord));
  const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + shape.length : a));
  if (axes.length === 1) return reduceAxesRef(x, shape, axes, (v) => vectorNormRef(v, ord)).values;
  // matrix: gather each [rows, cols] matrix by walking the other dims
  const [r, c] = axes;
  const others = shape.map((_, d) => d).filter((d) => d !== r && d !== c);
  const outShape = others.map((d) => shape[d]);
  const out = new Float64Array(size(outShape));
  const strides = shape.map((_, d) => size(shape.slice(d + 1)));
  for (let o = 0; o < out.length; o++) {
    let rem = o;
    let base = 0;
    for (let k = others.length - 1; k >= 0; k--) {
      const d = others[k];
      base += (rem % shape[d]) * strides[d];
      rem = Math.floor(rem / shape[d]);
    }
    const m = Array.from({ length: shape[r] }, (_, i) =>
      Array.from({ length: shape[c] }, (_, j) => x[base + i * strides[r] + j * strides[c]]),
    );
    out[o] = matrixNormRef(m, ord);
  }
  return out;
}

const VECTOR_CASES: Array<[number[], Ord, number | number[] | null]> = [
  [[5], 'euclidean', null],
  [[5], 2, null],
  [[5], 1, null],
  [[5], Infinity, null],
  [[5], -Infinity, null],
  [[5], 'fro', null],
  [[2, 3], 'euclidean', null],
  [[2, 3], 1, 1],
  [[2, 3], Infinity, 0],
  [[2, 3, 4], 2, -1],
  [[2, 3, 4], -Infinity, [1]],
];
const MATRIX_CASES: Array<[number[], Ord, number[]]> = [
  [[3, 4], 'fro', [0, 1]],
  [[3, 4], 'euclidean', [0, 1]],
  [[3, 4], 1, [0, 1]],
  [[3, 4], Infinity, [0, 1]],
  [[3, 4], -Infinity, [0, 1]],
  [[3, 4], 1, [1, 0]],
  [[2, 3, 4], 1, [0, 2]],
  [[2, 3, 4], Infinity, [2, 1]],
  [[2, 3, 4], 'fro', [-1, -2]],
];

describe('norm', () => {
  it('vector and matrix norms match the float64 reference, keepDims included', () => {
    noLeak(() => {
      [...VECTOR_CASES, ...MATRIX_CASES].forEach(([shape, ord, axis], k) => {
        const v = randomArray(size(shape), 60 + k, -2, 2);
        const x = nn.tensor(v, shape);
        const y = nn.norm(x, ord, axis);
        const expected = norm64(v, shape, ord, axis);
        const label = `norm [${shape}] ${String(ord)} ${JSON.stringify(axis)}`;
        expect(y.size, label).toBe(expected.length);
        expectClose(y.dataSync(), expected, 1e-5, 1e-6, label);
        const kept = x.norm(ord, axis, true);
        const reduced = axis === null ? shape.map((_, d) => d) : Array.isArray(axis) ? axis : [axis];
        const norm = reduced.map((a) => (a < 0 ? a + shape.length : a));
        expect(kept.shape, `${label} keepDims`).toEqual(shape.map((d, i) => (norm.includes(i) ? 1 : d)));
        expectClose(kept.dataSync(), expected, 1e-5, 1e-6, `${label} keepDims`);
      });
      expectClose(nn.norm(nn.tensor([3, 4])).dataSync(), [5], 1e-6, 0, 'the 3-4-5 triangle');
      expectClose(nn.norm(nn.scalar(-2)).dataSync(), [2], 0, 0, 'a scalar');
    });
  });

  it('gradients match finite differences for every order', () => {
    for (const [shape, ord, axis] of [...VECTOR_CASES, ...MATRIX_CASES]) {
      gradCheck({
        shapes: [shape],
        seed: 3,
        op: (x) => nn.norm(x, ord, axis),
        forward64: ([x]) => norm64(x, shape, ord, axis),
      });
    }
  });

  it('rejects bad orders and axes as tfjs does, leaving nothing allocated', () => {
    const x = nn.tensor([
      [1, 2],
      [3, 4],
    ]);
    const before = nn.memory();
    expect(() => nn.norm(x, 2, [0, 1])).toThrow(
      /^norm: expected ord for a matrix norm to be 'euclidean', 'fro', 1, Infinity or -Infinity, got 2/,
    );
    expect(() => nn.norm(x, 3)).toThrow(/^norm: expected ord for a vector norm to be/);
    expect(() => nn.norm(x, 'nuc' as never)).toThrow(nn.ValueError);
    expect(() => nn.norm(x, 1, [0, 0])).toThrow(/^norm: axis \[0, 0\] repeats an axis/);
    expect(() => nn.norm(x, 1, 2)).toThrow(/^norm: axis 2 is out of range/);
    expect(() => nn.norm(x, 1, [])).toThrow(/^norm: expected axis to name one or two axes/);
    expect(() => nn.norm(x, 1, 'a' as never)).toThrow(/^norm: expected axis to be null, a number or an array/);
    expect(() => nn.norm(x, 1, 0, 1 as never)).toThrow(/^norm: expected keepDims to be a boolean/);
    expect(() => nn.norm(nn.tensor([1], [1], 'int32'))).toThrow(nn.DTypeError);
    expect(nn.memory().numBytes).toBe(before.numBytes + 4); // the int32 tensor above
    x.dispose();
  });
});

describe('moments', () => {
  const CASES: Array<[number[], number | number[] | null]> = [
    [[6], null],
    [[3, 4], 0],
    [[3, 4], [1]],
    [
      [2, 3, 4],
      [0, 2],
    ],
    [[2, 3, 4], -1],
  ];

  it('mean and population variance match the float64 reference, keepDims included', () => {
    noLeak(() => {
      CASES.forEach(([shape, axes], k) => {
        const v = randomArray(size(shape), 80 + k, -3, 3);
        const list =
          axes === null
            ? shape.map((_, d) => d)
            : (Array.isArray(axes) ? axes : [axes]).map((a) => (a < 0 ? a + shape.length : a));
        const ref = reduceAxesRef(v, shape, list, (g) => momentsRef(g).mean);
        const refVar = reduceAxesRef(v, shape, list, (g) => momentsRef(g).variance);
        const { mean, variance } = nn.moments(nn.tensor(v, shape), axes);
        expect(mean.shape).toEqual(ref.shape);
        expect(variance.shape).toEqual(ref.shape);
        expectClose(mean.dataSync(), ref.values, 1e-5, 1e-6, `mean [${shape}]`);
        expectClose(variance.dataSync(), refVar.values, 1e-5, 1e-6, `variance [${shape}]`);
        const kept = nn.moments(nn.tensor(v, shape), axes, true);
        const keptShape = shape.map((d, i) => (list.includes(i) ? 1 : d));
        expect(kept.mean.shape).toEqual(keptShape);
        expect(kept.variance.shape).toEqual(keptShape);
        expectClose(kept.variance.dataSync(), refVar.values, 1e-5, 1e-6, `variance kept [${shape}]`);
      });
    });
  });

  it('gradients of mean and variance match finite differences', () => {
    for (const [shape, axes] of CASES) {
      const list =
        axes === null
          ? shape.map((_, d) => d)
          : (Array.isArray(axes) ? axes : [axes]).map((a) => (a < 0 ? a + shape.length : a));
      for (const which of ['mean', 'variance'] as const) {
        gradCheck({
          shapes: [shape],
          op: (x) => nn.moments(x, axes)[which],
          forward64: ([x]) => reduceAxesRef(x, shape, list, (g) => momentsRef(g)[which]).values,
        });
      }
    }
  });

  it('rejects bad arguments, leaving nothing allocated', () => {
    const x = nn.tensor([1, 2, 3]);
    const before = nn.memory();
    expect(() => nn.moments(x, 1)).toThrow(/^moments: axis 1 is out of range/);
    expect(() => nn.moments('x' as never)).toThrow(/^moments: expected x to be a Tensor/);
    expect(() => nn.moments(x, 0, 'yes' as never)).toThrow(/^moments: expected keepDims to be a boolean/);
    const empty = nn.zeros([2, 0]);
    const mid = nn.memory();
    expect(() => nn.moments(empty, 1)).toThrow(/^moments: cannot take moments over an empty axis of \[2, 0\]/);
    expect(() => nn.norm(empty)).toThrow(/^norm: cannot take the norm over an empty axis of \[2, 0\]/);
    expect(nn.memory()).toEqual(mid);
    empty.dispose();
    expect(nn.memory()).toEqual(before);
    x.dispose();
  });
});

describe('range, linspace and tensor3d..6d', () => {
  it('range follows tfjs: float32 accumulation, empty when step points away, counting down with step 1', () => {
    noLeak(() => {
      const cases: Array<[number, number, number | undefined]> = [
        [0, 5, undefined],
        [0, 1, 0.1],
        [5, 0, undefined],
        [5, 0, -2],
        [0, 5, -1],
        [3, 3, 1],
        [-2.5, 4, 1.5],
        [10, 0, 3],
      ];
      for (const [start, stop, step] of cases) {
        const y = step === undefined ? nn.range(start, stop) : nn.range(start, stop, step);
        expect(y.dtype).toBe('float32');
        expectClose(y.dataSync(), rangeRef(start, stop, step), 1e-6, 1e-6, `range(${start}, ${stop}, ${step})`);
      }
      const i = nn.range(0, 7, 2, 'int32');
      expect(i.dtype).toBe('int32');
      expect([...i.dataSync()]).toEqual([0, 2, 4, 6]);
    });
  });

  it('linspace gives num values from start to stop inclusive', () => {
    noLeak(() => {
      for (const [start, stop, num] of [
        [0, 1, 5],
        [-3, 7, 11],
        [2, 2, 3],
        [4, -4, 2],
        [5, 9, 1],
      ]) {
        const y = nn.linspace(start, stop, num);
        expect(y.shape).toEqual([num]);
        expectClose(y.dataSync(), linspaceRef(start, stop, num), 1e-6, 1e-6, `linspace(${start}, ${stop}, ${num})`);
      }
    });
  });

  it('tensor3d..tensor6d take nested values or flat values with a shape', () => {
    noLeak(() => {
      const t3 = nn.tensor3d([[[1, 2]], [[3, 4]]]);
      expect(t3.shape).toEqual([2, 1, 2]);
      expect([...nn.tensor3d([1, 2, 3, 4], [1, 2, 2]).dataSync()]).toEqual([1, 2, 3, 4]);
      expect(nn.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]).shape).toEqual([1, 2, 3, 1]);
      expect(nn.tensor4d([[[[7]]]], undefined, 'int32').dtype).toBe('int32');
      expect(nn.tensor5d([[[[[1, 2]]]]]).shape).toEqual([1, 1, 1, 1, 2]);
      const t6 = nn.tensor6d(new Float32Array(64).fill(2), [2, 2, 2, 2, 2, 2]);
      expect(t6.rank).toBe(6);
      expect(t6.dataSync().every((v) => v === 2)).toBe(true);
      expect(nn.tensor3d([[[true]]]).dtype).toBe('bool');
    });
  });

  it('reject bad arguments, leaving nothing allocated', () => {
    const before = nn.memory();
    expect(() => nn.range(0, 5, 0)).toThrow(/^range: expected a nonzero step, got 0/);
    expect(() => nn.range(0, Infinity)).toThrow(/^range: expected stop to be a finite number/);
    expect(() => nn.range(0, 5, 1, 'bool' as never)).toThrow(/^range: expected dtype 'float32' or 'int32'/);
    expect(() => nn.range(0, 1e12, 1e-3)).toThrow(nn.BackendError);
    expect(() => nn.linspace(0, 1, 0)).toThrow(/^linspace: expected num to be an integer >= 1, got 0/);
    expect(() => nn.linspace(0, 1, 2.5)).toThrow(/^linspace: expected num/);
    expect(() => nn.linspace(Number.NaN, 1, 2)).toThrow(/^linspace: expected start to be a finite number/);
    expect(() => nn.tensor3d([1, 2, 3])).toThrow(/^tensor3d: expected values of rank 3, got shape \[3\]/);
    expect(() => nn.tensor4d([1, 2], [1, 1, 1, 3])).toThrow(/^tensor4d: shape \[1, 1, 1, 3\] needs 3 values, got 2/);
    expect(() => nn.tensor5d([[[[[1]]]]], [1, 1, 1, 1, -1] as never)).toThrow(nn.ShapeError);
    expect(() => nn.tensor6d(5 as never)).toThrow(/^tensor6d: expected values of rank 6, got shape \[\]/);
    expect(nn.memory()).toEqual(before);
  });
});
