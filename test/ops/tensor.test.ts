import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

describe('creating and reading tensors', () => {
  it('infers shapes from nested arrays and reads them back', () => {
    const t = nn.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.rank).toBe(2);
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.arraySync()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    t.dispose();
  });

  it('makes scalars, 1-d, 2-d, flat-with-shape and int32 tensors', async () => {
    const s = nn.scalar(3.5);
    expect(s.shape).toEqual([]);
    expect(s.arraySync()).toBe(3.5);
    const v = nn.tensor1d([1, 2, 3], 'int32');
    expect(v.dataSync()).toBeInstanceOf(Int32Array);
    const m = nn.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    expect(m.arraySync()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const i = nn.tensor(new Int32Array([7, 8]));
    expect(i.dtype).toBe('int32');
    expect(Array.from(await i.data())).toEqual([7, 8]);
    expect(await m.array()).toEqual(m.arraySync());
    nn.dispose([s, v, m, i]);
  });

  it('fills, zeros, ones, likes, clone', () => {
    const z = nn.zeros([2, 65]);
    const o = nn.ones([3], 'int32');
    const f = nn.fill([5], 2.5);
    const zl = nn.zerosLike(f);
    const ol = nn.onesLike(f);
    const c = nn.clone(f);
    expect(z.dataSync().every((v) => v === 0)).toBe(true);
    expect(Array.from(o.dataSync())).toEqual([1, 1, 1]);
    expect(Array.from(f.dataSync())).toEqual([2.5, 2.5, 2.5, 2.5, 2.5]);
    expect(Array.from(zl.dataSync())).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(ol.dataSync())).toEqual([1, 1, 1, 1, 1]);
    expect(c.id).not.toBe(f.id);
    expect(Array.from(c.dataSync())).toEqual(Array.from(f.dataSync()));
    nn.dispose([z, o, f, zl, ol, c]);
  });

  it('random tensors are reproducible with a seed and have the right moments', () => {
    const a = nn.randomNormal([10000], 2, 3, 'float32', 5);
    const b = nn.randomNormal([10000], 2, 3, 'float32', 5);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    const data = a.dataSync();
    const mean = data.reduce((s, v) => s + v, 0) / data.length;
    const sd = Math.sqrt(data.reduce((s, v) => s + (v - mean) ** 2, 0) / data.length);
    expect(mean).toBeCloseTo(2, 1);
    expect(sd).toBeCloseTo(3, 1);
    const u = nn.randomUniform([1000], -1, 4, 'float32', 1);
    const ud = u.dataSync();
    expect(Math.min(...ud)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...ud)).toBeLessThan(4);
    nn.setSeed(9);
    const g1 = nn.randomUniform([4]).dataSync();
    nn.setSeed(9);
    const g2 = nn.randomUniform([4]).dataSync();
    expect(Array.from(g1)).toEqual(Array.from(g2));
    nn.dispose([a, b, u]);
  });

  it('oneHot', () => {
    const idx = nn.tensor1d([2, 0, 1], 'int32');
    const h = nn.oneHot(idx, 3);
    expect(h.arraySync()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(() => nn.oneHot([0, 3], 3)).toThrow(/index 1 is 3, expected an integer in \[0, 3\)/);
    nn.dispose([idx, h]);
  });

  it('toString and print show shape, dtype and values', () => {
    const t = nn.tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(t.toString()).toContain('float32 [2, 2]');
    expect(t.toString()).toContain('[[1, 2],');
    const long = nn.zeros([100]);
    expect(long.toString()).toContain('...');
    t.dispose();
    expect(t.toString()).toContain('disposed');
    long.dispose();
  });
});

describe('bad input when creating tensors', () => {
  it('names what was expected and what came', () => {
    expect(() => nn.tensor([[1, 2], [3]])).toThrow(nn.ShapeError);
    expect(() => nn.tensor([[1, 2], [3]])).toThrow(/ragged nested array: expected length 2 at \[1\]/);
    expect(() => nn.tensor([1, 'a' as never])).toThrow(/expected a number at \[1\], got "a"/);
    expect(() => nn.tensor([1, 2, 3], [2, 2])).toThrow(/shape \[2, 2\] needs 4 values, got 3/);
    expect(() => nn.tensor([1.5], [1], 'int32')).toThrow(/int32 values must be integers/);
    expect(() => nn.tensor([1], [1], 'float64' as never)).toThrow(/dtype 'float32', 'int32' or 'bool', got "float64"/);
    expect(() => nn.tensor1d([[1]])).toThrow(/expected values of rank 1, got shape \[1, 1\]/);
    expect(() => nn.zeros([2, -1])).toThrow(/non-negative integers/);
    expect(() => nn.randomNormal([2], Number.NaN)).toThrow(/mean to be a finite number, got NaN/);
    expect(() => nn.randomUniform([2], 3, 1)).toThrow(/minval <= maxval/);
  });

  it('a disposed tensor cannot be used again', () => {
    const t = nn.tensor([1, 2]);
    t.dispose();
    t.dispose(); // harmless
    expect(t.isDisposed).toBe(true);
    expect(() => t.dataSync()).toThrow(nn.DisposedError);
    expect(() => nn.add(t, 1)).toThrow(/add \(a\): tensor \d+ \[2\] was disposed/);
    expect(() => nn.relu(t)).toThrow(nn.DisposedError);
  });

  it('ops name dtype and shape problems', () => {
    const i = nn.tensor1d([1, 2], 'int32');
    const a = nn.zeros([2, 3]);
    const b = nn.zeros([4, 5]);
    expect(() => nn.exp(i)).toThrow(/exp: expected x to be float32, got int32/);
    expect(() => nn.add(a, b)).toThrow(/add: shapes \[2, 3\] and \[4, 5\] cannot be broadcast together/);
    expect(() => nn.matMul(a, b)).toThrow(/matMul: inner dimensions differ/);
    expect(() => nn.matMul(a, nn.zeros([3]))).toThrow(/expected rank-2 a and b/);
    expect(() => nn.sum(a, 2)).toThrow(/sum: axis 2 is out of range for a tensor of rank 2/);
    expect(() => nn.sum(a, [0, 0])).toThrow(/repeats an axis/);
    expect(() => nn.reshape(a, [4])).toThrow(/cannot reshape \[2, 3\] \(6 values\) into \[4\]/);
    expect(() => nn.transpose(a, [0, 0])).toThrow(/not a permutation/);
    expect(() => nn.clipByValue(a, 1, 0)).toThrow(/clipValueMin <= clipValueMax/);
    expect(() => nn.clipByValue(a, Number.NaN, 0)).toThrow(/clipValueMin to be a finite number, got NaN/);
    expect(() => nn.add(a, 'x' as never)).toThrow(
      /add: expected b to be a Tensor, a number or nested arrays of numbers, got "x"/,
    );
    expect(() => nn.softmax(a, 0)).toThrow(/only the last axis/);
    expect(() => nn.losses.sparseSoftmaxCrossEntropy(nn.tensor1d([0, 3], 'int32'), a)).toThrow(
      /label 1 is 3; expected an integer class index in \[0, 3\)/,
    );
    expect(() => nn.losses.meanSquaredError(a, b)).toThrow(/same shape, got \[2, 3\] and \[4, 5\]/);
    nn.dispose([i, a, b]);
  });

  it('a failed op leaves existing tensors intact and allocates nothing', () => {
    const a = nn.tensor([1, 2, 3]);
    const before = nn.memory();
    expect(() =>
      nn.add(
        a,
        nn.tidy(() => nn.keep(nn.zeros([2]))),
      ),
    ).toThrow();
    const after = nn.memory();
    expect(after.numTensors).toBe(before.numTensors + 1); // the kept zeros
    expect(Array.from(a.dataSync())).toEqual([1, 2, 3]);
    a.dispose();
  });
});
