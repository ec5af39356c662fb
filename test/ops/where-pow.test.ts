import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { broadcastRef, powFn, whereRef } from '../../src/reference/select.js';
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

const BROADCASTS: Array<[number[], number[], number[]]> = [
  [
    [2, 3],
    [2, 3],
    [2, 3],
  ],
  [[3], [2, 3], []],
  [[2, 1], [1, 3], [3]],
  [[], [2, 3], [2, 1]],
  [
    [2, 1, 3],
    [4, 1],
    [1, 4, 3],
  ],
];

describe('where', () => {
  it('matches the reference with the condition, a and b broadcast together', () => {
    noLeak(() => {
      BROADCASTS.forEach(([cShape, aShape, bShape], k) => {
        const cv = Float64Array.from(
          randomArray(
            cShape.reduce((p, d) => p * d, 1),
            11 + k,
          ),
          (v) => (v > 0 ? 1 : 0),
        );
        const av = randomArray(
          aShape.reduce((p, d) => p * d, 1),
          21 + k,
        );
        const bv = randomArray(
          bShape.reduce((p, d) => p * d, 1),
          31 + k,
        );
        const c = nn.tensor(cv, cShape, 'bool');
        const y = nn.where(c, nn.tensor(av, aShape), nn.tensor(bv, bShape));
        const ref = whereRef(cv, cShape, av, aShape, bv, bShape);
        expect(y.shape).toEqual(ref.shape);
        expect(y.dtype).toBe('float32');
        expectClose(y.dataSync(), ref.values, 0, 0, `where [${cShape}] [${aShape}] [${bShape}]`);
      });
    });
  });

  it('takes numbers, arrays and booleans; x.where(condition, other) is where(condition, x, other)', () => {
    noLeak(() => {
      const x = nn.tensor([1, -2, 3]);
      expect([...nn.where(nn.greater(x, 0), x, 0).dataSync()]).toEqual([1, 0, 3]);
      expect([...nn.where([true, false, true], 5, [7, 8, 9]).dataSync()]).toEqual([5, 8, 5]);
      expect([...x.where(nn.less(x, 0), 10).dataSync()]).toEqual([10, -2, 10]);
      const i = nn.where(nn.tensor([false, true]), nn.tensor([1, 2], [2], 'int32'), nn.tensor([3, 4], [2], 'int32'));
      expect(i.dtype).toBe('int32');
      expect([...i.dataSync()]).toEqual([3, 2]);
    });
  });

  it('gradient: dy to a where the condition holds, to b elsewhere, summed over broadcast dims', () => {
    for (const [cShape, aShape, bShape] of BROADCASTS) {
      gradCheck({
        shapes: [cShape, aShape, bShape],
        constant: [0],
        op: (c, a, b) => nn.where(nn.greater(c, 0), a, b),
        forward64: ([c, a, b], [sc, sa, sb]) =>
          whereRef(
            c.map((v) => (v > 0 ? 1 : 0)),
            sc,
            a,
            sa,
            b,
            sb,
          ).values,
      });
    }
  });

  it('rejects a float32 condition (as tfjs), mismatched shapes and dtypes, leaving nothing allocated', () => {
    const f = nn.tensor([1, 0, 1]);
    const c = nn.tensor([true, false, true]);
    const before = nn.memory();
    expect(() => nn.where(f, f, f)).toThrow(nn.DTypeError);
    expect(() => nn.where(f, f, f)).toThrow(/^where: expected condition to be a bool tensor, got float32/);
    expect(() => nn.where([1, 0, 1] as never, f, f)).toThrow(
      /^where: expected condition to be a bool tensor, got float32/,
    );
    expect(() => nn.where(c, f, [1, 2])).toThrow(/^where: shapes \[3\] and \[2\] cannot be broadcast together/);
    expect(() => nn.where(c, f, 'x' as never)).toThrow(/^where: expected b to be a Tensor, a number or nested arrays/);
    expect(() => nn.where('x' as never, f, f)).toThrow(/^where: expected condition to be a bool Tensor or booleans/);
    const i = nn.tensor([1, 2, 3], [3], 'int32');
    const mid = nn.memory();
    expect(() => nn.where(c, i, f)).toThrow(/^where: expected a and b of one dtype, got int32 and float32/);
    expect(nn.memory()).toEqual(mid);
    i.dispose();
    expect(nn.memory()).toEqual(before);
    nn.dispose([f, c]);
  });
});

describe('pow', () => {
  it('matches Math.pow under broadcasting, negative bases and special cases included', () => {
    noLeak(() => {
      const cases: Array<[number[], number[]]> = [
        [
          [2, 3],
          [2, 3],
        ],
        [[2, 3], [3]],
        [[3], []],
        [
          [2, 1],
          [1, 4],
        ],
      ];
      cases.forEach(([aShape, bShape], k) => {
        const a = randomArray(
          aShape.reduce((p, d) => p * d, 1),
          40 + k,
          -3,
          3,
        ).map((v) => Math.round(v * 2) / 2);
        const b = randomArray(
          bShape.reduce((p, d) => p * d, 1),
          50 + k,
          -3,
          3,
        ).map((v) => Math.round(v * 2) / 2);
        const y = nn.pow(nn.tensor(a, aShape), nn.tensor(b, bShape));
        const ref = broadcastRef(powFn, a, aShape, b, bShape);
        expect(y.shape).toEqual(ref.shape);
        expectClose(y.dataSync(), Float32Array.from(ref.values), 1e-6, 0, `pow [${aShape}] [${bShape}]`);
      });
      const special = nn.pow(nn.tensor([-8, 0, 0, 2, -2]), [1 / 3, -1, 0, 0.5, 3]);
      expectClose(special.dataSync(), [Number.NaN, Infinity, 1, Math.SQRT2, -8], 1e-6, 0, 'special');
      expectClose(nn.tensor([1, 2, 3]).pow(2).dataSync(), [1, 4, 9], 0, 0, 'x.pow(2)');
      expectClose(nn.pow(2, [1, 2, 3]).dataSync(), [2, 4, 8], 0, 0, 'pow(2, [1, 2, 3])');
    });
  });

  it('gradients to base and exponent match finite differences (positive bases, broadcasting)', () => {
    const cases: Array<[number[], number[]]> = [
      [
        [2, 3],
        [2, 3],
      ],
      [[2, 3], [3]],
      [[3], [2, 1]],
      [[], [4]],
    ];
    for (const shapes of cases) {
      gradCheck({
        shapes,
        domain: [
          [0.5, 2],
          [-2, 2],
        ],
        op: (a, b) => nn.pow(a, b),
        forward64: ([a, b], [sa, sb]) => broadcastRef(powFn, a, sa, b, sb).values,
      });
    }
  });

  it("follows tfjs's rule for base <= 0: the gradient to exp is 0 there, the one to base exp·base^(exp-1)", () => {
    noLeak(() => {
      const base = nn.tensor([-2, 0, 3]);
      const exp = nn.tensor([3, 2, 2]);
      const [gb, ge] = nn.grads((b: nn.Tensor, e: nn.Tensor) => nn.sum(nn.pow(b, e)))([base, exp]);
      expectClose(gb.dataSync(), [12, 0, 6], 1e-6, 0, 'd base');
      expectClose(ge.dataSync(), [0, 0, 9 * Math.log(3)], 1e-6, 0, 'd exp');
    });
  });

  it('rejects bad operands and non-float32 tensors, leaving nothing allocated', () => {
    const x = nn.tensor([1, 2]);
    const i = nn.tensor([1, 2], [2], 'int32');
    const before = nn.memory();
    expect(() => nn.pow(x, [1, 2, 3])).toThrow(/^pow: shapes \[2\] and \[3\] cannot be broadcast together/);
    expect(() => nn.pow(i, 2)).toThrow(nn.DTypeError);
    expect(() => nn.pow(x, null as never)).toThrow(/^pow: expected exp to be a Tensor, a number or nested arrays/);
    expect(() => nn.pow([[1], [2, 3]], x)).toThrow(/^pow: base: ragged nested array/);
    expect(nn.memory()).toEqual(before);
    nn.dispose([x, i]);
  });
});

describe('arrays as operands', () => {
  it('nested arrays convert to float32 tensors in the arithmetic ops, as tfjs', () => {
    noLeak(() => {
      const x = nn.tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      expect([...nn.add(x, [1, 2, 3]).dataSync()]).toEqual([2, 4, 6, 5, 7, 9]);
      expect([...nn.mul([[2], [3]], x).dataSync()]).toEqual([2, 4, 6, 12, 15, 18]);
      expect([...x.sub(new Float32Array([1, 1, 1])).dataSync()]).toEqual([0, 1, 2, 3, 4, 5]);
      const g = nn.grad((p: nn.Tensor) => nn.sum(nn.mul(p, [1, 2, 3])))(x);
      expect([...g.dataSync()]).toEqual([1, 2, 3, 1, 2, 3]);
    });
  });
});
