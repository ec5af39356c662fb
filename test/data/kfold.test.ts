import { beforeAll, describe, expect, it } from 'vitest';
import { type Fold, kFold, stratifiedKFold, takeRows } from '../../src/data/index.js';
import { loadDataset } from '../../src/datasets/index.js';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

/** Checks that the folds' test parts partition 0..n-1 and each train part is the complement. */
function expectPartition(folds: Fold[], n: number) {
  const seen = new Int32Array(n);
  for (const { train, test } of folds) {
    expect(train.length + test.length).toBe(n);
    const inTest = new Set(test);
    expect(inTest.size).toBe(test.length);
    for (const i of test) seen[i]++;
    for (const i of train) expect(inTest.has(i)).toBe(false);
    expect([...train]).toEqual([...train].sort((a, b) => a - b));
    expect([...test]).toEqual([...test].sort((a, b) => a - b));
  }
  expect([...seen].every((c) => c === 1)).toBe(true);
}

const sizes = (folds: Fold[]) => folds.map((f) => f.test.length);

describe('kFold', () => {
  it('without shuffle, cuts contiguous folds, the first n % k one larger (as scikit-learn)', () => {
    const folds = kFold(10, { k: 3 });
    expect(folds.map((f) => [...f.test])).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    expect([...folds[1].train]).toEqual([0, 1, 2, 3, 7, 8, 9]);
    expectPartition(folds, 10);
    expect(sizes(kFold(12))).toEqual([3, 3, 2, 2, 2]);
    expect(sizes(kFold(4, { k: 4 }))).toEqual([1, 1, 1, 1]);
  });

  it('with shuffle, partitions with balanced sizes and is reproducible with a seed', () => {
    for (const [n, k] of [
      [10, 3],
      [1797, 5],
      [7, 7],
      [101, 10],
    ]) {
      const folds = kFold(n, { k, shuffle: true, seed: 7 });
      expectPartition(folds, n);
      const s = sizes(folds);
      expect(Math.max(...s) - Math.min(...s)).toBeLessThanOrEqual(1);
    }
    const a = kFold(50, { k: 5, shuffle: true, seed: 3 });
    const b = kFold(50, { k: 5, shuffle: true, seed: 3 });
    const c = kFold(50, { k: 5, shuffle: true, seed: 4 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.map((f) => [...f.test])).not.toEqual(kFold(50, { k: 5 }).map((f) => [...f.test]));
  });

  it('rejects k < 2, k > n, and bad options with clear errors', () => {
    expect(() => kFold(10, { k: 1 })).toThrow(/kFold: expected k to be an integer >= 2, got 1/);
    expect(() => kFold(10, { k: 2.5 })).toThrow(/expected k to be an integer/);
    expect(() => kFold(3, { k: 5 })).toThrow(/kFold: k = 5 folds need at least 5 samples, got 3/);
    expect(() => kFold(-1)).toThrow(/expected n to be an integer >= 0/);
    expect(() => kFold(10, { shuffle: 'yes' as unknown as boolean })).toThrow(/shuffle to be a boolean/);
    expect(() => kFold(10, { shuffle: true, seed: Number.NaN })).toThrow(/seed to be a finite number/);
  });
});

describe('stratifiedKFold', () => {
  it('matches scikit-learn StratifiedKFold without shuffle', () => {
    // sklearn: StratifiedKFold(3).split(X, [0]*6 + [1]*4) tests [0 1 6 7], [2 3 8], [4 5 9]
    const folds = stratifiedKFold([0, 0, 0, 0, 0, 0, 1, 1, 1, 1], { k: 3 });
    expect(folds.map((f) => [...f.test])).toEqual([
      [0, 1, 6, 7],
      [2, 3, 8],
      [4, 5, 9],
    ]);
    expectPartition(folds, 10);
  });

  it('keeps class proportions in every fold (floor or ceil of count / k) on digits, with seeded shuffling', async () => {
    const ds = await loadDataset('digits');
    const labels = ds.y.dataSync<'int32'>();
    const n = labels.length;
    const k = 5;
    const folds = stratifiedKFold(ds.y, { k, shuffle: true, seed: 1 });
    expectPartition(folds, n);
    const s = sizes(folds);
    expect(Math.max(...s) - Math.min(...s)).toBeLessThanOrEqual(1);
    const total = new Array(10).fill(0);
    for (const l of labels) total[l]++;
    for (const { test } of folds) {
      const count = new Array(10).fill(0);
      for (const i of test) count[labels[i]]++;
      count.forEach((c, cls) => {
        expect(c).toBeGreaterThanOrEqual(Math.floor(total[cls] / k));
        expect(c).toBeLessThanOrEqual(Math.ceil(total[cls] / k));
      });
    }
    expect(stratifiedKFold(ds.y, { k, shuffle: true, seed: 1 })).toEqual(folds);
    expect(stratifiedKFold(ds.y, { k, shuffle: true, seed: 2 })).not.toEqual(folds);
    nn.dispose(ds);
  });

  it('reads string labels and one-hot rows', () => {
    const names = ['b', 'a', 'b', 'a', 'c', 'c', 'a', 'b', 'c'];
    const byName = stratifiedKFold(names, { k: 3 });
    expectPartition(byName, 9);
    for (const { test } of byName) expect(new Set([...test].map((i) => names[i])).size).toBe(3);
    const codes = names.map((c) => 'abc'.indexOf(c));
    const oneHot = nn.oneHot(codes, 3);
    expect(stratifiedKFold(oneHot, { k: 3 })).toEqual(byName);
    const y = nn.tensor1d(codes, 'int32');
    expect(stratifiedKFold(y, { k: 3 })).toEqual(byName);
    nn.dispose([oneHot, y]);
  });

  it('names a class with fewer members than k, and rejects bad labels', () => {
    expect(() => stratifiedKFold([0, 0, 0, 1, 1, 2, 2, 2], { k: 3 })).toThrow(
      /stratifiedKFold: class 1 has 2 members, fewer than k = 3, so some fold's test part would lack it; use k <= 2/,
    );
    expect(() => stratifiedKFold(['x', 'x', 'y'], { k: 2 })).toThrow(/class y has 1 member, fewer than k = 2/);
    expect(() => stratifiedKFold([0, 1], { k: 3 })).toThrow(/k = 3 folds need at least 3 samples, got 2/);
    expect(() => stratifiedKFold([0, Number.NaN, 1], { k: 2 })).toThrow(/label 1 is NaN/);
    expect(() => stratifiedKFold(5 as unknown as number[])).toThrow(/expected y to be a Tensor or an array/);
    const t = nn.zeros([2, 2, 2]);
    expect(() => stratifiedKFold(t)).toThrow(/expected y of shape \[samples\]/);
    t.dispose();
  });
});

describe('takeRows', () => {
  it('gathers rows of any rank and dtype, in the given order', () => {
    const x = nn.tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [3, 2, 2]);
    const y = nn.tensor1d([5, 6, 7], 'int32');
    const start = nn.memory().numTensors;
    const xr = takeRows(x, new Int32Array([2, 0, 2]));
    const yr = takeRows(y, [1, 0]);
    const none = takeRows(x, []);
    expect(xr.shape).toEqual([3, 2, 2]);
    expect(Array.from(xr.dataSync())).toEqual([8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11]);
    expect(yr.dtype).toBe('int32');
    expect(Array.from(yr.dataSync())).toEqual([6, 5]);
    expect(none.shape).toEqual([0, 2, 2]);
    expect(nn.memory().numTensors).toBe(start + 3);
    expect(() => takeRows(x, [0, 3])).toThrow(/takeRows: indices\[1\] = 3 is not a row of x \(shape \[3, 2, 2\]\)/);
    expect(() => takeRows(x, [0.5])).toThrow(/indices\[0\] = 0.5/);
    const s = nn.scalar(1);
    expect(() => takeRows(s, [0])).toThrow(/rank >= 1/);
    nn.dispose([x, y, xr, yr, none, s]);
  });
});
