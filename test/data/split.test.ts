import { beforeAll, describe, expect, it } from 'vitest';
import { trainTestSplit } from '../../src/data/index.js';
import { loadDataset } from '../../src/datasets/index.js';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

/** x [n, 2] with row r = [r, 10 r], y [n] labels from `labels`. */
function table(labels: number[]) {
  const n = labels.length;
  const x = nn.tensor2d(
    Array.from({ length: n }, (_, r) => [r, 10 * r]),
    undefined,
  );
  const y = nn.tensor1d(labels, 'int32');
  return { x, y };
}

const counts = (values: ArrayLike<number>) => {
  const m = new Map<number, number>();
  for (const v of Array.from(values)) m.set(v, (m.get(v) ?? 0) + 1);
  return Object.fromEntries([...m.entries()].sort((a, b) => a[0] - b[0]));
};

describe('trainTestSplit', () => {
  it('splits sizes with a fraction (rounded up) or a count, keeping rows of x and y together', () => {
    const { x, y } = table(Array.from({ length: 10 }, (_, r) => r % 3));
    const start = nn.memory().numTensors;
    const s = trainTestSplit(x, y, { seed: 3 });
    expect(s.xTrain.shape).toEqual([7, 2]);
    expect(s.xTest.shape).toEqual([3, 2]);
    expect(s.yTrain.shape).toEqual([7]);
    expect(s.yTest.shape).toEqual([3]);
    expect(s.yTest.dtype).toBe('int32');
    // every row appears exactly once, and x and y rows still match
    const seen: number[] = [];
    for (const [xs, ys] of [
      [s.xTrain, s.yTrain],
      [s.xTest, s.yTest],
    ] as const) {
      const xv = xs.dataSync();
      const yv = ys.dataSync();
      for (let i = 0; i < yv.length; i++) {
        const r = xv[2 * i];
        expect(xv[2 * i + 1]).toBe(10 * r);
        expect(yv[i]).toBe(r % 3);
        seen.push(r);
      }
    }
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect(nn.memory().numTensors).toBe(start + 4);
    nn.dispose(s);
    const byCount = trainTestSplit(x, y, { testSize: 4, seed: 3 });
    expect(byCount.xTest.shape).toEqual([4, 2]);
    const fraction = trainTestSplit(x, y, { testSize: 0.01, seed: 3 });
    expect(fraction.xTest.shape).toEqual([1, 2]);
    nn.dispose([byCount, fraction, x, y]);
    expect(nn.memory().numTensors).toBe(start - 2);
  });

  it('is reproducible with a seed, differs across seeds, and follows the global seed otherwise', () => {
    const { x, y } = table(Array.from({ length: 50 }, (_, r) => r % 2));
    const order = (seed?: number) => {
      const s = trainTestSplit(x, y, { seed });
      const v = Array.from(s.xTest.dataSync());
      nn.dispose(s);
      return v;
    };
    expect(order(7)).toEqual(order(7));
    expect(order(7)).not.toEqual(order(8));
    nn.setSeed(5);
    const a = order();
    nn.setSeed(5);
    expect(order()).toEqual(a);
    nn.dispose([x, y]);
  });

  it('without shuffle takes the last rows as the test part', () => {
    const { x, y } = table([0, 1, 0, 1, 0, 1, 0, 1]);
    const s = trainTestSplit(x, y, { shuffle: false, testSize: 0.25 });
    expect(Array.from(s.yTest.dataSync())).toEqual([0, 1]);
    expect(s.xTest.arraySync()).toEqual([
      [6, 60],
      [7, 70],
    ]);
    expect(s.xTrain.shape).toEqual([6, 2]);
    nn.dispose([s, x, y]);
  });

  it('stratify keeps each class proportion in both parts', () => {
    // 60 of class 0, 30 of class 1, 10 of class 2
    const labels = [...Array(60).fill(0), ...Array(30).fill(1), ...Array(10).fill(2)];
    const { x, y } = table(labels);
    const s = trainTestSplit(x, y, { testSize: 0.2, stratify: true, seed: 11 });
    expect(counts(s.yTest.dataSync())).toEqual({ 0: 12, 1: 6, 2: 2 });
    expect(counts(s.yTrain.dataSync())).toEqual({ 0: 48, 1: 24, 2: 8 });
    // without stratify, an unlucky seed can drift; with it the counts are exact for every seed
    for (const seed of [1, 2, 3]) {
      const t = trainTestSplit(x, y, { testSize: 0.2, stratify: true, seed });
      expect(counts(t.yTest.dataSync())).toEqual({ 0: 12, 1: 6, 2: 2 });
      nn.dispose(t);
    }
    // unshuffled stratified: the last rows of each class, in the original order
    const u = trainTestSplit(x, y, { testSize: 0.2, stratify: true, shuffle: false });
    expect(Array.from(u.xTest.dataSync()).filter((_, i) => i % 2 === 0)).toEqual([
      48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 84, 85, 86, 87, 88, 89, 98, 99,
    ]);
    nn.dispose([s, u, x, y]);
  });

  it('stratify hands rounding leftovers to the largest remainders and reads one-hot y', () => {
    // 5 / 3 / 2 rows, 3 test rows: exact shares 1.5, 0.9, 0.6 -> floors 1, 0, 0 -> +1 to class 1 and class 2
    const labels = [0, 0, 0, 0, 0, 1, 1, 1, 2, 2];
    const { x, y } = table(labels);
    const oneHot = nn.oneHot(y, 3);
    const s = trainTestSplit(x, oneHot, { testSize: 3, stratify: true, seed: 1 });
    expect(s.yTest.shape).toEqual([3, 3]);
    const classes = (s.yTest.arraySync() as number[][]).map((row) => row.indexOf(1));
    expect(counts(classes)).toEqual({ 0: 1, 1: 1, 2: 1 });
    nn.dispose([s, x, y, oneHot]);
  });

  it('keeps the class balance of a real data set (wine)', async () => {
    const wine = await loadDataset('wine');
    const s = trainTestSplit(wine.x, wine.y, { testSize: 0.25, stratify: true, seed: 0 });
    const all = counts(wine.y.dataSync()); // 59, 71, 48
    const test = counts(s.yTest.dataSync());
    expect(s.xTest.shape).toEqual([45, 13]);
    for (const c of [0, 1, 2]) expect(Math.abs(test[c] - (all[c] * 45) / 178)).toBeLessThan(1);
    nn.dispose([s, wine]);
  });

  it('validates its arguments with clear errors and leaks nothing', () => {
    const { x, y } = table([0, 1, 0, 1]);
    const start = nn.memory().numTensors;
    const short = nn.tensor1d([0, 1, 0], 'int32');
    expect(() => trainTestSplit(x, short)).toThrow(nn.ShapeError);
    expect(() => trainTestSplit(x, short)).toThrow(/same number of rows, got x \[4, 2\] and y \[3\]/);
    expect(() => trainTestSplit(x, y, { testSize: 0 })).toThrow(/fraction in \(0, 1\) or an integer count >= 1, got 0/);
    expect(() => trainTestSplit(x, y, { testSize: 1.5 })).toThrow(/testSize/);
    expect(() => trainTestSplit(x, y, { testSize: 4 })).toThrow(/leaves no rows for training out of 4/);
    expect(() => trainTestSplit(x, y, { testSize: Number.NaN })).toThrow(/finite number/);
    expect(() => trainTestSplit(x, y, { shuffle: 'yes' as never })).toThrow(/shuffle to be a boolean/);
    expect(() => trainTestSplit(x, y, { seed: Number.POSITIVE_INFINITY })).toThrow(/seed/);
    expect(() => trainTestSplit(x, 3 as never)).toThrow(/expected y to be a Tensor, got 3/);
    const halves = nn.tensor1d([0.5, 1, 0, 1]);
    expect(() => trainTestSplit(x, halves, { stratify: true })).toThrow(/integer class labels in y; row 1 is 0.5/);
    const one = nn.tensor2d([[1, 2]]);
    const oneY = nn.tensor1d([0]);
    expect(() => trainTestSplit(one, oneY)).toThrow(/at least 2 rows/);
    const s = nn.scalar(1);
    expect(() => trainTestSplit(s, y)).toThrow(/rank >= 1/);
    expect(nn.memory().numTensors).toBe(start + 5);
    nn.dispose([x, y, short, halves, one, oneY, s]);
  });
});
