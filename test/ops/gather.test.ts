import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { sizeOf } from '../../src/reference/elementwise.js';
import { gatherRef, scatterAddRef } from '../../src/reference/indexing.js';
import { expectClose } from '../helpers/close.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { randomArray } from '../helpers/random.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

/** Expects f to throw `type` with a message matching `message`, leaving memory as it was. */
function expectFails(f: () => unknown, type: typeof nn.NeurasmError, message: RegExp): void {
  const before = nn.memory();
  expect(f).toThrow(type);
  expect(f).toThrow(message);
  const { numTensors, numBytes } = nn.memory();
  expect({ numTensors, numBytes }).toEqual({ numTensors: before.numTensors, numBytes: before.numBytes });
}

const CASES: Array<{ shape: number[]; indices: number[]; indicesShape: number[]; axis: number }> = [
  { shape: [5], indices: [4, 0, 0, 2], indicesShape: [4], axis: 0 },
  { shape: [4, 3], indices: [3, 1], indicesShape: [2], axis: 0 },
  { shape: [4, 3], indices: [2, 0, 1, 1, 0, 2], indicesShape: [2, 3], axis: 1 },
  { shape: [4, 3], indices: [1], indicesShape: [], axis: -1 },
  { shape: [2, 3, 5], indices: [4, 4, 0], indicesShape: [3, 1], axis: 2 },
  { shape: [2, 3, 4], indices: [], indicesShape: [0], axis: 1 },
  { shape: [2, 1, 3, 2, 2, 3], indices: [2, 0, 1, 2], indicesShape: [2, 2], axis: 2 },
];

describe('gather', () => {
  it('matches the reference for float32 and int32, indices of rank 0 to 2, every axis', () => {
    CASES.forEach(({ shape, indices, indicesShape, axis }, k) => {
      const a = axis < 0 ? axis + shape.length : axis;
      const x = randomArray(sizeOf(shape), 10 + k, -3, 3);
      const t = nn.tensor(x, shape);
      const idx = nn.tensor(indices, indicesShape, 'int32');
      const want = gatherRef(x, shape, indices, indicesShape, a);
      const before = nn.memory();
      const y = nn.gather(t, idx, axis);
      expect(nn.memory().numTensors).toBe(before.numTensors + 1);
      expect(nn.memory().numBytes).toBe(before.numBytes + y.size * 4);
      const label = JSON.stringify(CASES[k]);
      expect(y.shape, label).toEqual(want.shape);
      expectClose(y.dataSync(), want.values, 0, 0, label);
      const ti = nn.tensor(
        Array.from(x, (v) => Math.round(v * 100)),
        shape,
        'int32',
      );
      const yi = ti.gather(idx, axis);
      expect(yi.dtype).toBe('int32');
      const wantInt = gatherRef(ti.dataSync(), shape, indices, indicesShape, a);
      expect(Array.from(yi.dataSync<'int32'>()), label).toEqual(Array.from(wantInt.values));
      nn.dispose([t, idx, y, ti, yi]);
    });
  });

  it('takes a plain array of indices and frees the tensor it makes for them', () => {
    const t = nn.tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const before = nn.memory();
    const y = nn.gather(t, [2, 0]);
    expect(nn.memory().numTensors).toBe(before.numTensors + 1);
    expect(y.arraySync()).toEqual([
      [5, 6],
      [1, 2],
    ]);
    const g = nn.grad((u: nn.Tensor) => nn.sum(nn.gather(u, [2, 2, 0])))(t);
    expect(g.arraySync()).toEqual([
      [1, 1],
      [0, 0],
      [2, 2],
    ]);
    expect(nn.memory().numTensors).toBe(before.numTensors + 2);
    const nested = nn.gather(t, [[1], [0]], 1);
    expect(nested.arraySync()).toEqual([
      [[2], [1]],
      [[4], [3]],
      [[6], [5]],
    ]);
    nn.dispose([t, y, g, nested]);
  });

  it('gives zeros for indices outside [0, dim), negative ones and int32 extremes included', () => {
    const t = nn.tensor([
      [1, 2],
      [3, 4],
    ]);
    const idx = nn.tensor([1, -1, 2, 2147483647, -2147483648, 0], undefined, 'int32');
    const y = nn.gather(t, idx);
    expect(y.arraySync()).toEqual([
      [3, 4],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [1, 2],
    ]);
    const cols = nn.gather(t, [5, 1], 1);
    expect(cols.arraySync()).toEqual([
      [0, 2],
      [0, 4],
    ]);
    nn.dispose([t, idx, y, cols]);
  });

  it('has the gradient of a gather: a scatter-add (repeated indices sum, out-of-range ones dropped)', () => {
    for (const { shape, indices, indicesShape, axis } of CASES.filter((c) => c.indices.length > 0)) {
      const a = axis < 0 ? axis + shape.length : axis;
      gradCheck({
        shapes: [shape],
        op: (t) => nn.gather(t, nn.tensor(indices, indicesShape, 'int32'), axis),
        forward64: ([x]) => gatherRef(x, shape, indices, indicesShape, a).values,
      });
    }
    const shape = [3, 4];
    const indices = [3, -2, 1, 1, 9, 3];
    gradCheck({
      shapes: [shape],
      op: (t) => nn.gather(t, indices, 1),
      forward64: ([x]) => gatherRef(x, shape, indices, [6], 1).values,
    });
  });

  it('the gradient for x equals the scatter-add reference exactly for a known dy', () => {
    const shape = [2, 5, 3];
    const indices = [4, 0, 4, 4, -3, 2];
    const x = nn.tensor(randomArray(30, 3), shape);
    const dyValues = randomArray(2 * 6 * 3, 4);
    const dy = nn.tensor(dyValues, [2, 6, 3]);
    const g = nn.grad((t: nn.Tensor) => nn.gather(t, indices, 1))(x, dy);
    expectClose(g.dataSync(), scatterAddRef(dyValues, shape, indices, [6], 1), 1e-6, 1e-7, 'scatter-add');
    nn.dispose([x, dy, g]);
  });

  it('rejects bad indices, axes and batchDims with clear errors', () => {
    const t = nn.zeros([3, 2]);
    const fIdx = nn.tensor([0, 1]);
    const s = nn.scalar(1);
    expectFails(() => nn.gather(t, fIdx), nn.DTypeError, /gather: expected indices to be int32, got float32/);
    expectFails(
      () => nn.gather(t, [0.5]),
      nn.ValueError,
      /gather: expected indices to be \(nested\) arrays of int32 integers: .*0\.5/,
    );
    expectFails(() => nn.gather(t, [2 ** 31]), nn.ValueError, /indices/);
    expectFails(() => nn.gather(t, 1 as never), nn.ValueError, /expected indices to be an int32 Tensor or an array/);
    expectFails(() => nn.gather(t, [0], 2), nn.ValueError, /gather: axis 2 is out of range/);
    expectFails(() => nn.gather(t, [0], 0, 1), nn.ValueError, /gather: only batchDims 0 is supported, got 1/);
    expectFails(() => nn.gather(s, [0]), nn.ValueError, /gather: x is a scalar/);
    expectFails(() => nn.gather(t, [[0], [1, 2]]), nn.ShapeError, /gather: expected indices to be \(nested\) arrays/);
    nn.dispose([t, fIdx, s]);
  });
});
