import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { sizeOf } from '../../src/reference/elementwise.js';
import { sliceRef, stridedSliceRef } from '../../src/reference/indexing.js';
import { expectClose } from '../helpers/close.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { randomArray } from '../helpers/random.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

/** A float32 tensor of random values and its data. */
function randomTensor(shape: number[], seed: number): { t: nn.Tensor; x: Float32Array } {
  const x = randomArray(sizeOf(shape), seed, -3, 3);
  return { t: nn.tensor(x, shape), x };
}

/** An int32 tensor 0, 1, 2, ... of the shape. */
function iotaInt(shape: number[]): nn.Tensor {
  return nn.tensor(
    Array.from({ length: sizeOf(shape) }, (_, i) => i - 3),
    shape,
    'int32',
  );
}

/** Runs f, checks that it leaves no tensor or byte behind besides what it returns, and returns that. */
function expectNoLeak<T>(f: () => T): T {
  const before = nn.memory();
  const out = f();
  const tensors = (Array.isArray(out) ? out : [out]).filter((v): v is nn.Tensor => v instanceof nn.Tensor);
  const after = nn.memory();
  expect(after.numTensors - before.numTensors).toBe(tensors.length);
  expect(after.numBytes - before.numBytes).toBe(tensors.reduce((s, t) => s + t.size * 4, 0));
  return out;
}

/** Expects f to throw `type` with a message matching `message`, leaving memory as it was. */
function expectFails(f: () => unknown, type: typeof nn.NeurasmError, message: RegExp): void {
  const before = nn.memory();
  expect(f).toThrow(type);
  expect(f).toThrow(message);
  const { numTensors, numBytes } = nn.memory();
  expect({ numTensors, numBytes }).toEqual({ numTensors: before.numTensors, numBytes: before.numBytes });
}

const SLICES: Array<[number[], number | number[], (number | number[])?]> = [
  [[7], 2, 3],
  [[7], [0], [-1]],
  [
    [4, 5],
    [1, 2],
    [2, 3],
  ],
  [[4, 5], [1], undefined],
  [[4, 5], 3, 1],
  [
    [3, 4, 5],
    [0, 1, 2],
    [-1, 2, -1],
  ],
  [
    [2, 3, 4, 5],
    [1, 0, 1, 4],
    [1, 3, 2, 1],
  ],
  [
    [2, 3, 2, 3, 2],
    [0, 1, 0, 1, 1],
    [2, 2, 2, 2, 1],
  ],
  [
    [2, 1, 3, 2, 2, 3],
    [1, 0, 1, 0, 1, 0],
    [-1, -1, 2, 2, 1, -1],
  ],
  [[], [], []],
  [
    [4, 5],
    [4, 1],
    [0, 2],
  ],
];

/** The complete begin and size of a slice argument list, as tf.slice reads them. */
function fullSlice(shape: number[], begin: number | number[], size?: number | number[]): [number[], number[]] {
  const b = typeof begin === 'number' ? [begin] : [...begin];
  while (b.length < shape.length) b.push(0);
  const s = size === undefined ? [] : typeof size === 'number' ? [size] : [...size];
  while (s.length < shape.length) s.push(-1);
  return [b, s.map((n, d) => (n === -1 ? shape[d] - b[d] : n))];
}

describe('slice', () => {
  it('matches the reference for float32 and int32, ranks 0 to 6, numbers and short arrays', () => {
    SLICES.forEach(([shape, begin, size], k) => {
      const { t, x } = randomTensor(shape, k + 1);
      const [b, s] = fullSlice(shape, begin, size);
      const want = sliceRef(x, shape, b, s);
      const y = expectNoLeak(() => nn.slice(t, begin, size));
      expect(y.shape).toEqual(want.shape);
      expectClose(y.dataSync(), want.values, 0, 0, `slice ${JSON.stringify([shape, begin, size])}`);
      const ti = iotaInt(shape);
      const yi = t.slice(begin, size);
      const yInt = nn.slice(ti, begin, size);
      expect(yInt.dtype).toBe('int32');
      expect(Array.from(yInt.dataSync<'int32'>())).toEqual(Array.from(sliceRef(ti.dataSync(), shape, b, s).values));
      expectClose(yi.dataSync(), want.values, 0, 0, 'method');
      nn.dispose([t, y, ti, yi, yInt]);
    });
  });

  it('has the gradient of a slice (dy in place, zeros elsewhere)', () => {
    for (const [shape, begin, size] of SLICES.slice(2, 9)) {
      const [b, s] = fullSlice(shape, begin, size);
      gradCheck({
        shapes: [shape],
        op: (t) => nn.slice(t, begin, size),
        forward64: ([x]) => sliceRef(x, shape, b, s).values,
      });
    }
  });

  it('rejects bad begin and size with clear errors', () => {
    const t = nn.zeros([4, 5]);
    expectFails(() => nn.slice(t, [-1, 0]), nn.ValueError, /slice: expected begin .*integers >= 0/);
    expectFails(() => nn.slice(t, [1, 1, 1]), nn.ValueError, /slice: expected begin to be an array of at most 2/);
    expectFails(
      () => nn.slice(t, [3, 0], [2, 1]),
      nn.ShapeError,
      /slice: begin \[3, 0\] with size \[2, 1\] reaches outside x of shape \[4, ?5\]/,
    );
    expectFails(() => nn.slice(t, [5, 0]), nn.ShapeError, /reaches outside/);
    expectFails(() => nn.slice(t, [0, 0], [-2, 1]), nn.ValueError, /size/);
    expectFails(() => nn.slice(t, [0.5]), nn.ValueError, /begin/);
    expectFails(() => nn.slice(t, 'a' as never), nn.ValueError, /begin/);
    const s = nn.scalar(1);
    expectFails(() => nn.slice(s, 0), nn.ValueError, /begin is a number, but x is a scalar/);
    expectFails(() => nn.slice([1, 2] as never, 0), nn.ValueError, /slice: expected x to be a Tensor/);
    nn.dispose([t, s]);
  });
});

const STRIDED: Array<{
  shape: number[];
  begin: number[];
  end: number[];
  strides?: number[];
  masks?: [number, number, number];
}> = [
  { shape: [9], begin: [1], end: [8], strides: [3] },
  { shape: [9], begin: [-2], end: [0], strides: [-2] },
  { shape: [9], begin: [0], end: [0], strides: [-1], masks: [1, 1, 0] },
  { shape: [9], begin: [20], end: [-20], strides: [-4] },
  { shape: [9], begin: [-20], end: [20], strides: [1] },
  { shape: [9], begin: [5], end: [2], strides: [1] },
  { shape: [4, 6], begin: [3, 1], end: [0, 6], strides: [-1, 2] },
  { shape: [4, 6], begin: [1, 5], end: [3, 0], strides: [1, -2], masks: [2, 1, 0] },
  { shape: [4, 6], begin: [2, 0], end: [0, 4], strides: [1, 1], masks: [0, 0, 1] },
  { shape: [4, 6], begin: [-1], end: [0], strides: [-1] },
  { shape: [3, 4, 5], begin: [0, -1, 1], end: [3, -5, 5], strides: [2, -1, 3] },
  { shape: [3, 4, 5], begin: [1, 2], end: [0, 0], masks: [0, 0, 3] },
  { shape: [2, 3, 2, 4, 3, 2], begin: [1, 2, 0, 3, 0, 1], end: [-3, 0, 2, 0, 3, 0], strides: [-1, -1, 1, -2, 2, -1] },
  { shape: [], begin: [], end: [] },
];

describe('stridedSlice', () => {
  it('matches the reference: negative strides and indices, clamping, masks, shrinking, float32 and int32', () => {
    STRIDED.forEach(({ shape, begin, end, strides, masks = [0, 0, 0] }, k) => {
      const { t, x } = randomTensor(shape, 50 + k);
      const [bm, em, sm] = masks;
      const want = stridedSliceRef(x, shape, begin, end, strides ?? begin.map(() => 1), bm, em, sm);
      const y = expectNoLeak(() => nn.stridedSlice(t, begin, end, strides, bm, em, 0, 0, sm));
      const label = JSON.stringify(STRIDED[k]);
      expect(y.shape, label).toEqual(want.shape);
      expectClose(y.dataSync(), want.values, 0, 0, label);
      const ti = iotaInt(shape);
      const yi = ti.stridedSlice(begin, end, strides, bm, em, 0, 0, sm);
      const wantInt = stridedSliceRef(ti.dataSync(), shape, begin, end, strides ?? begin.map(() => 1), bm, em, sm);
      expect(Array.from(yi.dataSync<'int32'>()), label).toEqual(Array.from(wantInt.values));
      nn.dispose([t, y, ti, yi]);
    });
  });

  it('agrees with tf.stridedSlice on hand-worked cases', () => {
    const x = nn.tensor([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(nn.stridedSlice(x, [-1], [0], [-3]).dataSync())).toEqual([7, 4, 1]);
    expect(Array.from(nn.stridedSlice(x, [0], [0], [-1], 1, 1).dataSync())).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
    expect(Array.from(nn.stridedSlice(x, [2], [0], [1], 0, 1).dataSync())).toEqual([2, 3, 4, 5, 6, 7]);
    // big sentinels for "to the end", as Python code writes them, are clamped
    expect(Array.from(nn.stridedSlice(x, [-(2 ** 40)], [2 ** 40], [3]).dataSync())).toEqual([0, 3, 6]);
    const m = nn.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const row = nn.stridedSlice(m, [1, 0], [2, 3], [1, 1], 0, 0, 0, 0, 1);
    expect(row.shape).toEqual([3]);
    expect(Array.from(row.dataSync())).toEqual([4, 5, 6]);
    nn.dispose([x, m, row]);
  });

  it('has the gradient of a strided slice', () => {
    for (const { shape, begin, end, strides, masks = [0, 0, 0] } of STRIDED.slice(0, 13)) {
      const [bm, em, sm] = masks;
      const ref = (x: ArrayLike<number>) =>
        stridedSliceRef(x, shape, begin, end, strides ?? begin.map(() => 1), bm, em, sm).values;
      if (ref(new Float64Array(sizeOf(shape))).length === 0) continue; // nothing to differentiate
      gradCheck({
        shapes: [shape],
        op: (t) => nn.stridedSlice(t, begin, end, strides, bm, em, 0, 0, sm),
        forward64: ([x]) => ref(x),
      });
    }
  });

  it('rejects bad arguments and the unsupported masks with clear errors', () => {
    const t = nn.zeros([4, 5]);
    expectFails(() => nn.stridedSlice(t, [0, 0], [1, 1], [1, 0]), nn.ValueError, /stridedSlice: strides\[1\] is 0/);
    expectFails(() => nn.stridedSlice(t, [0], [1, 1]), nn.ValueError, /expected end to be an array of 1 integers/);
    expectFails(() => nn.stridedSlice(t, [0, 0, 0], [1, 1, 1]), nn.ValueError, /begin .*at most 2/);
    expectFails(() => nn.stridedSlice(t, [0, 0], [1, 1], [1]), nn.ValueError, /strides/);
    expectFails(
      () => nn.stridedSlice(t, [0], [1], [1], 0, 0, 1),
      nn.ValueError,
      /ellipsisMask and newAxisMask are not supported/,
    );
    expectFails(() => nn.stridedSlice(t, [0], [1], [1], 0, 0, 0, 2), nn.ValueError, /not supported/);
    expectFails(() => nn.stridedSlice(t, [0], [1], [1], -1), nn.ValueError, /beginMask/);
    expectFails(
      () => nn.stridedSlice(t, [4], [5], [1], 0, 0, 0, 0, 1),
      nn.ShapeError,
      /begin\[0\] = 4 is outside dim 0 of size 4/,
    );
    expectFails(() => nn.stridedSlice(t, [1.5], [2]), nn.ValueError, /begin/);
    t.dispose();
  });
});

describe('split and unstack', () => {
  it('split matches slices of the reference, in equal parts or listed sizes (one -1)', () => {
    const cases: Array<[number[], number | number[], number]> = [
      [[6], 3, 0],
      [[4, 6], [1, -1, 2], 1],
      [[4, 6], [4], 0],
      [[2, 5, 3], [2, 0, 3], -2],
      [[3, 4, 2, 2, 1, 3], 2, 1],
    ];
    cases.forEach(([shape, splits, axis], k) => {
      const { t, x } = randomTensor(shape, 80 + k);
      const a = axis < 0 ? axis + shape.length : axis;
      const parts = expectNoLeak(() => nn.split(t, splits, axis));
      const sizes =
        typeof splits === 'number'
          ? new Array(splits).fill(shape[a] / splits)
          : splits.map((s) => (s === -1 ? shape[a] - splits.reduce((u, v) => (v === -1 ? u : u + v), 0) : s));
      expect(parts.length).toBe(sizes.length);
      let start = 0;
      sizes.forEach((size, i) => {
        const begin = shape.map((_, d) => (d === a ? start : 0));
        const extent = shape.map((n, d) => (d === a ? size : n));
        const want = sliceRef(x, shape, begin, extent);
        expect(parts[i].shape).toEqual(want.shape);
        expectClose(parts[i].dataSync(), want.values, 0, 0, `split part ${i}`);
        start += size;
      });
      const viaMethod = t.split(splits, axis);
      expect(viaMethod.length).toBe(sizes.length);
      nn.dispose([t, parts, viaMethod]);
    });
  });

  it('unstack gives each index along the axis, float32 and int32', () => {
    const { t, x } = randomTensor([3, 4, 2], 90);
    for (const axis of [0, 1, 2, -1]) {
      const a = (axis + 3) % 3;
      const parts = expectNoLeak(() => nn.unstack(t, axis));
      expect(parts.length).toBe(t.shape[a]);
      parts.forEach((p, i) => {
        const begin = [0, 0, 0];
        begin[a] = i;
        const size = [...t.shape];
        size[a] = 1;
        const want = sliceRef(x, t.shape as number[], begin, size);
        expect(p.shape).toEqual(want.shape.filter((_, d) => d !== a));
        expectClose(p.dataSync(), want.values, 0, 0, `unstack axis ${axis} part ${i}`);
      });
      nn.dispose(parts);
    }
    const ti = iotaInt([2, 3]);
    const cols = ti.unstack(1);
    expect(cols.map((c) => Array.from(c.dataSync<'int32'>()))).toEqual([
      [-3, 0],
      [-2, 1],
      [-1, 2],
    ]);
    nn.dispose([t, ti, cols]);
  });

  it('gradients flow back through every part of split and unstack', () => {
    const shape = [3, 5];
    // sum over parts of part_i · (i + 1): the gradient tells the parts apart
    const weightParts = (parts: nn.Tensor[]) =>
      nn.concat(
        parts.map((p, i) => nn.mul(p, i + 1)),
        1,
      );
    gradCheck({
      shapes: [shape],
      op: (t) => weightParts(nn.split(t, [2, -1, 1], 1)),
      forward64: ([x]) => x.map((v, i) => v * (i % 5 < 2 ? 1 : i % 5 < 4 ? 2 : 3)),
    });
    gradCheck({
      shapes: [shape],
      op: (t) =>
        nn.stack(
          nn.unstack(t, 1).map((p, i) => nn.mul(p, i + 1)),
          1,
        ),
      forward64: ([x]) => x.map((v, i) => v * ((i % 5) + 1)),
    });
  });

  it('rejects bad splits and axes with clear errors', () => {
    const t = nn.zeros([4, 6]);
    expectFails(
      () => nn.split(t, 4, 1),
      nn.ShapeError,
      /split: dim 1 of x \(size 6\) does not split into 4 equal parts/,
    );
    expectFails(() => nn.split(t, 0), nn.ValueError, /numOrSizeSplits/);
    expectFails(() => nn.split(t, [1, -1, -1], 1), nn.ValueError, /more than one -1/);
    expectFails(() => nn.split(t, [1, 2], 1), nn.ShapeError, /add up to 3, not to dim 1 of x \(size 6\)/);
    expectFails(() => nn.split(t, [7, -1], 1), nn.ShapeError, /add up to 7 plus -1/);
    expectFails(() => nn.split(t, [], 1), nn.ShapeError, /add up to 0/);
    expectFails(() => nn.split(t, [2, -2, 6], 1), nn.ValueError, /numOrSizeSplits/);
    expectFails(() => nn.split(t, 2, 2), nn.ValueError, /axis 2 is out of range/);
    const s = nn.scalar(1);
    expectFails(() => nn.split(s, 1), nn.ShapeError, /split: x is a scalar/);
    expectFails(() => nn.unstack(t, -3), nn.ValueError, /unstack: axis -3 is out of range/);
    expectFails(() => nn.unstack(s), nn.ShapeError, /unstack: x is a scalar/);
    nn.dispose([t, s]);
  });
});
