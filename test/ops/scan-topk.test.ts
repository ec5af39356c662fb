import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { cumsumRef, topkRef } from '../../src/reference/select.js';
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

/** cumsum's float64 forward over `axis` of `shape`. */
function cumsum64(x: ArrayLike<number>, shape: number[], axis: number, exclusive: boolean, reverse: boolean) {
  return cumsumRef(x, size(shape.slice(0, axis)), shape[axis], size(shape.slice(axis + 1)), exclusive, reverse);
}

describe('cumsum', () => {
  const CASES: Array<[number[], number]> = [
    [[7], 0],
    [[3, 4], 0],
    [[3, 4], 1],
    [[3, 4], -1],
    [[2, 3, 4], 1],
    [[2, 1, 5], 2],
  ];

  it('matches the float64 reference on every axis, exclusive and reverse; int32 stays int32', () => {
    noLeak(() => {
      CASES.forEach(([shape, axis], k) => {
        const a = axis < 0 ? axis + shape.length : axis;
        const v = randomArray(size(shape), 3 + k);
        const x = nn.tensor(v, shape);
        for (const exclusive of [false, true]) {
          for (const reverse of [false, true]) {
            const y = nn.cumsum(x, axis, exclusive, reverse);
            expect(y.shape).toEqual(shape);
            expectClose(y.dataSync(), cumsum64(v, shape, a, exclusive, reverse), 1e-5, 1e-6, `[${shape}] ${axis}`);
          }
        }
        const xi = nn.tensor(
          Int32Array.from(v, (t) => Math.round(t * 50)),
          shape,
          'int32',
        );
        const yi = xi.cumsum(axis, true);
        expect(yi.dtype).toBe('int32');
        expect([...yi.dataSync()]).toEqual([...cumsum64(xi.dataSync(), shape, a, true, false)]);
      });
      expect([...nn.cumsum(nn.tensor([1, 2, 3])).dataSync()]).toEqual([1, 3, 6]);
      expect([...nn.cumsum(nn.scalar(4)).dataSync()]).toEqual([4]);
      expect(nn.cumsum(nn.zeros([0, 3]), 1).shape).toEqual([0, 3]);
    });
  });

  it('gradient (the cumulative sum of dy the other way) matches finite differences', () => {
    for (const [shape, axis] of CASES) {
      for (const exclusive of [false, true]) {
        for (const reverse of [false, true]) {
          const a = axis < 0 ? axis + shape.length : axis;
          gradCheck({
            shapes: [shape],
            op: (x) => nn.cumsum(x, axis, exclusive, reverse),
            forward64: ([x]) => cumsum64(x, shape, a, exclusive, reverse),
          });
        }
      }
    }
  });

  it('rejects bad arguments, leaving nothing allocated', () => {
    const x = nn.tensor([1, 2, 3]);
    const b = nn.tensor([true]);
    const before = nn.memory();
    expect(() => nn.cumsum(x, 1)).toThrow(/^cumsum: axis 1 is out of range for a tensor of rank 1/);
    expect(() => nn.cumsum(x, 0.5)).toThrow(/^cumsum: expected axis to be an integer/);
    expect(() => nn.cumsum(x, 0, 1 as never)).toThrow(/^cumsum: expected exclusive to be a boolean, got 1/);
    expect(() => nn.cumsum(b)).toThrow(nn.DTypeError);
    expect(() => nn.cumsum([1, 2] as never)).toThrow(/^cumsum: expected x to be a Tensor/);
    expect(nn.memory()).toEqual(before);
    nn.dispose([x, b]);
  });
});

describe('topk', () => {
  it('returns the k largest along the last axis with int32 indices, ties by index', () => {
    noLeak(() => {
      const cases: Array<[number[], number]> = [
        [[6], 1],
        [[6], 6],
        [[3, 8], 3],
        [[2, 2, 5], 2],
        [[4, 0], 0],
        [[2, 3], 0],
      ];
      cases.forEach(([shape, k], c) => {
        const v = randomArray(size(shape), 9 + c, -2, 2).map((t) => Math.round(t * 2) / 2);
        const x = nn.tensor(v, shape);
        const n = shape[shape.length - 1];
        const rows = n === 0 ? 0 : size(shape) / n;
        const { values, indices } = nn.topk(x, k);
        const ref = topkRef(v, rows, n, k);
        expect(values.shape).toEqual([...shape.slice(0, -1), k]);
        expect(indices.dtype).toBe('int32');
        expectClose(values.dataSync(), ref.values, 0, 0, `values [${shape}] k ${k}`);
        expect([...indices.dataSync()], `indices [${shape}] k ${k}`).toEqual([...ref.indices]);
      });
      const { values, indices } = nn.tensor([3, 1, 3, 2]).topk(2);
      expect([...values.dataSync()]).toEqual([3, 3]);
      expect([...indices.dataSync()]).toEqual([0, 2]);
      const d = nn.topk(nn.tensor([1, 5, 2]));
      expect([...d.values.dataSync(), ...d.indices.dataSync()]).toEqual([5, 1]);
      const iv = nn.topk(nn.tensor([4, -1, 9], [3], 'int32'), 2);
      expect(iv.values.dtype).toBe('int32');
      expect([...iv.values.dataSync(), ...iv.indices.dataSync()]).toEqual([9, 4, 2, 0]);
    });
  });

  it('gradient of values scatters dy back to the indices (finite differences)', () => {
    for (const [shape, k] of [
      [[7], 3],
      [[3, 5], 2],
      [[2, 2, 4], 4],
    ] as Array<[number[], number]>) {
      const n = shape[shape.length - 1];
      gradCheck({
        shapes: [shape],
        op: (x) => nn.topk(x, k).values,
        forward64: ([x]) => topkRef(x, x.length / n, n, k).values,
      });
    }
  });

  it('its backward survives the caller disposing the returned indices', () => {
    noLeak(() => {
      const x = nn.tensor([0.5, 3, -1, 2]);
      const g = nn.grad((p: nn.Tensor) => {
        const { values, indices } = nn.topk(p, 2);
        indices.dispose();
        return nn.sum(nn.mul(values, [10, 1]));
      })(x);
      expect([...g.dataSync()]).toEqual([0, 10, 0, 1]);
    });
  });

  it('rejects bad arguments, leaving nothing allocated', () => {
    const x = nn.tensor([1, 2, 3]);
    const before = nn.memory();
    expect(() => nn.topk(x, 4)).toThrow(/^topk: expected k to be an integer in \[0, 3\], got 4/);
    expect(() => nn.topk(x, -1)).toThrow(/^topk: expected k to be an integer in \[0, 3\]/);
    expect(() => nn.topk(x, 1.5)).toThrow(/^topk: expected k/);
    expect(() => nn.topk(nn.scalar(1))).toThrow(/^topk: expected x of rank 1 or more, got a scalar/);
    expect(() => nn.topk(x, 1, 'yes' as never)).toThrow(/^topk: expected sorted to be a boolean/);
    expect(() => nn.topk('x' as never)).toThrow(/^topk: expected x to be a Tensor/);
    expect(nn.memory().numBytes).toBe(before.numBytes + 4); // the scalar above
    x.dispose();
  });
});
