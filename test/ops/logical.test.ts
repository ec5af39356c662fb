import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { boolFns, broadcastRef } from '../../src/reference/select.js';
import { randomArray } from '../helpers/random.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

/** Runs `fn` inside a tidy and checks that nothing outlives it (memory.test for ops is tfjs-ops-memory.test.ts). */
function noLeak(fn: () => void): void {
  const before = nn.memory();
  nn.tidy(fn);
  expect(nn.memory().numTensors).toBe(before.numTensors);
  expect(nn.memory().numBytes).toBe(before.numBytes);
}

const COMPARISONS = [
  ['equal', nn.equal],
  ['notEqual', nn.notEqual],
  ['greater', nn.greater],
  ['greaterEqual', nn.greaterEqual],
  ['less', nn.less],
  ['lessEqual', nn.lessEqual],
] as const;

describe('bool dtype', () => {
  it('stores 0/1, reads back as a Uint8Array, prints true/false', () => {
    noLeak(() => {
      const b = nn.tensor([[true, false, true]]);
      expect(b.dtype).toBe('bool');
      expect(b.shape).toEqual([1, 3]);
      const data = b.dataSync<'bool'>();
      expect(data).toBeInstanceOf(Uint8Array);
      expect([...data]).toEqual([1, 0, 1]);
      expect(b.arraySync()).toEqual([[1, 0, 1]]);
      expect(b.toString()).toContain('[[true, false, true]]');
      expect(b.toString()).toContain('Tensor bool [1, 3]');
      b.dispose();
    });
  });

  it('tensor() with dtype bool rounds first, as tfjs (0.3 false, 0.7 true, NaN true)', () => {
    noLeak(() => {
      const b = nn.tensor([0, 0.3, 0.7, -2, Number.NaN], [5], 'bool');
      expect([...b.dataSync()]).toEqual([0, 0, 1, 1, 1]);
      const t = nn.scalar(true);
      expect(t.dtype).toBe('bool');
      expect(t.arraySync()).toBe(1);
      expect(() => nn.scalar('1' as never)).toThrow(/^scalar: expected a number or a boolean, got "1"/);
      const z = nn.zeros([2], 'bool');
      const o = nn.ones([2], 'bool');
      expect([...z.dataSync(), ...o.dataSync()]).toEqual([0, 0, 1, 1]);
      nn.dispose([b, z, o]);
    });
  });

  it('cast to and from bool', () => {
    noLeak(() => {
      const f = nn.tensor([1.5, 0, -0, Number.NaN, -3]);
      const b = nn.cast(f, 'bool');
      expect(b.dtype).toBe('bool');
      expect([...b.dataSync()]).toEqual([1, 0, 0, 1, 1]);
      const i = nn.cast(nn.tensor([0, 7, -1], [3], 'int32'), 'bool');
      expect([...i.dataSync()]).toEqual([0, 1, 1]);
      const back = b.cast('float32');
      expect(back.dtype).toBe('float32');
      expect([...back.dataSync()]).toEqual([1, 0, 0, 1, 1]);
      const asInt = b.cast('int32');
      expect(asInt.dataSync()).toBeInstanceOf(Int32Array);
      expect([...asInt.dataSync()]).toEqual([1, 0, 0, 1, 1]);
      const trunc = nn.cast(nn.tensor([1.9, -1.9, Number.NaN, 3e9]), 'int32');
      expect([...trunc.dataSync()]).toEqual([1, -1, 0, 3e9 | 0]);
      nn.dispose([f, b, i, back, asInt, trunc]);
      nn.dispose(nn.tensor([1], [1], 'int32'));
    });
  });

  it('rejects a mix of booleans and numbers, and unknown dtypes', () => {
    noLeak(() => {
      expect(() => nn.tensor([true, 1] as never)).toThrow(/^tensor: expected a boolean at \[1\], got 1/);
      expect(() => nn.tensor([1, true] as never)).toThrow(/^tensor: expected a number at \[1\], got boolean/);
      expect(() => nn.cast(nn.scalar(1), 'string' as never)).toThrow(
        /cast: expected dtype 'float32', 'int32' or 'bool'/,
      );
      expect(() => nn.randomNormal([2], 0, 1, 'bool' as never)).toThrow(
        /randomNormal: expected dtype 'float32' or 'int32'/,
      );
    });
  });
});

describe('comparisons', () => {
  it('return bool and match the reference under broadcasting, with numbers and arrays as operands', () => {
    noLeak(() => {
      const av = randomArray(12, 3, -2, 2).map((v) => Math.round(v * 2) / 2);
      const bv = randomArray(4, 4, -2, 2).map((v) => Math.round(v * 2) / 2);
      av[0] = Number.NaN;
      const a = nn.tensor(av, [3, 4]);
      const b = nn.tensor(bv, [4]);
      for (const [name, f] of COMPARISONS) {
        const y = f(a, b);
        expect(y.dtype, name).toBe('bool');
        expect(y.shape).toEqual([3, 4]);
        expect([...y.dataSync()], name).toEqual([...broadcastRef(boolFns[name], av, [3, 4], bv, [4]).values]);
        const z = f(a, [...bv]);
        expect([...z.dataSync()], `${name} with an array`).toEqual([...y.dataSync()]);
        const s = f(0.5, a);
        expect([...s.dataSync()], `${name} with a number`).toEqual([
          ...broadcastRef(boolFns[name], [0.5], [], av, [3, 4]).values,
        ]);
        nn.dispose([y, z, s]);
      }
      nn.dispose([a, b]);
    });
  });

  it('compare int32 and bool tensors as integers, and int32 with float32 as float32', () => {
    noLeak(() => {
      const i = nn.tensor([16777217, 3, -4], [3], 'int32');
      const j = nn.tensor([16777216, 3, 5], [3], 'int32');
      const e = nn.equal(i, j);
      expect([...e.dataSync()]).toEqual([0, 1, 0]);
      const g = nn.greater(i, nn.tensor([1, 3, -5]));
      expect([...g.dataSync()]).toEqual([1, 0, 1]);
      const bb = nn.equal(nn.greater(i, 0), nn.tensor([true, true, true]));
      expect([...bb.dataSync()]).toEqual([1, 1, 0]);
      nn.dispose([i, j, e, g, bb]);
    });
  });

  it('chained methods give the same results', () => {
    noLeak(() => {
      const x = nn.tensor([1, 2, 3]);
      const outs = [x.equal(2), x.notEqual(2), x.greater(2), x.greaterEqual(2), x.less(2), x.lessEqual(2)];
      expect(outs.map((t) => [...t.dataSync()])).toEqual([
        [0, 1, 0],
        [1, 0, 1],
        [0, 0, 1],
        [0, 1, 1],
        [1, 0, 0],
        [1, 1, 0],
      ]);
      nn.dispose([x, outs]);
    });
  });

  it('keep internal float masks working: gradients of maximum, minimum, max', () => {
    noLeak(() => {
      const a = nn.tensor([1, 5, 3]);
      const b = nn.tensor([2, 5, 1]);
      const [ga, gb] = nn.grads((p: nn.Tensor, q: nn.Tensor) => nn.sum(nn.maximum(p, q)))([a, b]);
      expect([...ga.dataSync()]).toEqual([0, 1, 1]);
      expect([...gb.dataSync()]).toEqual([1, 0, 0]);
      const gmax = nn.grad((p: nn.Tensor) => nn.max(p))(a);
      expect([...gmax.dataSync()]).toEqual([0, 1, 0]);
      nn.dispose([a, b, ga, gb, gmax]);
    });
  });

  it('have no gradient: a loss through a comparison is not differentiable', () => {
    noLeak(() => {
      const x = nn.tensor([1, -1]);
      const g = nn.grad((p: nn.Tensor) => nn.sum(nn.mul(p, nn.cast(nn.greater(p, 0), 'float32'))))(x);
      expect([...g.dataSync()]).toEqual([1, 0]);
      nn.dispose([x, g]);
    });
  });

  it('reject bad operands with the op and argument named, leaving nothing allocated', () => {
    const x = nn.tensor([1, 2, 3]);
    noLeak(() => {
      expect(() => nn.greater(x, 'a' as never)).toThrow(
        /^greater: expected b to be a Tensor, a number or nested arrays/,
      );
      expect(() => nn.less(x, [1, 2])).toThrow(/^less: shapes \[3\] and \[2\] cannot be broadcast together/);
      expect(() => nn.equal([[1], [1, 2]], x)).toThrow(/^equal: a: ragged nested array/);
      expect(() => nn.notEqual(x, [1, 'x'] as never)).toThrow(/^notEqual: b: expected a number at \[1\]/);
    });
    const d = nn.tensor([1]);
    d.dispose();
    expect(() => nn.equal(d, 1)).toThrow(nn.DisposedError);
    x.dispose();
  });
});

describe('logical ops', () => {
  const A = [true, true, false, false];
  const B = [true, false, true, false];

  it('and, or, xor, not on bool tensors, with broadcasting and booleans as operands', () => {
    noLeak(() => {
      const a = nn.tensor(A);
      const b = nn.tensor(B);
      expect([...nn.logicalAnd(a, b).dataSync()]).toEqual([1, 0, 0, 0]);
      expect([...nn.logicalOr(a, b).dataSync()]).toEqual([1, 1, 1, 0]);
      expect([...nn.logicalXor(a, b).dataSync()]).toEqual([0, 1, 1, 0]);
      expect([...nn.logicalNot(a).dataSync()]).toEqual([0, 0, 1, 1]);
      expect([...a.logicalAnd(true).dataSync()]).toEqual([1, 1, 0, 0]);
      expect([...a.logicalOr([false]).dataSync()]).toEqual([1, 1, 0, 0]);
      expect([...a.logicalXor(b).dataSync()]).toEqual([0, 1, 1, 0]);
      expect([...a.logicalNot().dataSync()]).toEqual([0, 0, 1, 1]);
      const col = nn.tensor([[true], [false]]);
      const grid = nn.logicalAnd(col, a);
      expect(grid.shape).toEqual([2, 4]);
      expect(grid.dtype).toBe('bool');
      expect([...grid.dataSync()]).toEqual([1, 1, 0, 0, 0, 0, 0, 0]);
      nn.dispose([a, b, col]);
    });
  });

  it('reject non-bool tensors (as tfjs) and bad operands, leaving nothing allocated', () => {
    const f = nn.tensor([1, 0]);
    const b = nn.tensor([true, false]);
    noLeak(() => {
      expect(() => nn.logicalAnd(f, b)).toThrow(nn.DTypeError);
      expect(() => nn.logicalAnd(f, b)).toThrow(/^logicalAnd: expected a to be a bool tensor, got float32/);
      expect(() => nn.logicalOr(b, [1, 0])).toThrow(/^logicalOr: expected b to be a bool tensor, got float32/);
      expect(() => nn.logicalNot(3 as never)).toThrow(/^logicalNot: expected x to be a bool Tensor or booleans, got 3/);
      expect(() => nn.logicalXor(b, [true, false, true])).toThrow(
        /^logicalXor: shapes \[2\] and \[3\] cannot be broadcast/,
      );
    });
    nn.dispose([f, b]);
  });
});
