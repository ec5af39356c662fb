import { beforeAll, describe, expect, it } from 'vitest';
import { trainTestIndices, trainTestSplit } from '../../src/data/index.js';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const counts = (values: ArrayLike<number>) => {
  const m: Record<number, number> = {};
  for (const v of Array.from(values)) m[v] = (m[v] ?? 0) + 1;
  return m;
};

/** The rows trainTestSplit puts in each part, read back from x = [0, 1, ..., n-1]. */
function splitRows(labels: number[], options: Parameters<typeof trainTestSplit>[2]) {
  const x = nn.tensor1d(labels.map((_, r) => r));
  const y = nn.tensor1d(labels, 'int32');
  const s = trainTestSplit(x, y, options);
  const rows = { train: Array.from(s.xTrain.dataSync()), test: Array.from(s.xTest.dataSync()) };
  nn.dispose([s, x, y]);
  return rows;
}

describe('trainTestIndices', () => {
  // 13 of class 0, 7 of class 2, 5 of class 1, interleaved
  const labels = Array.from({ length: 25 }, (_, r) => (r % 5 === 0 ? 1 : r % 3 === 0 ? 2 : 0));

  it('gives the rows trainTestSplit takes, for every combination of options', () => {
    for (const stratify of [false, true]) {
      for (const shuffle of [false, true]) {
        for (const testSize of [0.2, 7]) {
          const options = { stratify, shuffle, testSize, seed: 4 };
          const expected = splitRows(labels, options);
          const fromArray = trainTestIndices(labels, options);
          expect(fromArray.train).toBeInstanceOf(Int32Array);
          expect({ train: Array.from(fromArray.train), test: Array.from(fromArray.test) }).toEqual(expected);
          const fromTyped = trainTestIndices(Int32Array.from(labels), options);
          expect(Array.from(fromTyped.test)).toEqual(expected.test);
          const y = nn.tensor1d(labels, 'int32');
          expect(Array.from(trainTestIndices(y, options).test)).toEqual(expected.test);
          y.dispose();
          if (!stratify) expect(Array.from(trainTestIndices(labels.length, options).test)).toEqual(expected.test);
        }
      }
    }
  });

  it('stratifies: each class keeps its share, and the parts cover every row once', () => {
    const { train, test } = trainTestIndices(labels, { testSize: 0.2, stratify: true, seed: 1 });
    expect(test).toHaveLength(5);
    expect(counts(Array.from(test, (r) => labels[r]))).toEqual({ 0: 3, 1: 1, 2: 1 });
    expect(counts(Array.from(train, (r) => labels[r]))).toEqual({ 0: 10, 1: 4, 2: 6 });
    expect([...train, ...test].sort((a, b) => a - b)).toEqual([...Array(25).keys()]);
  });

  it('takes string labels (as their sorted codes) and one-hot rows', () => {
    const names = ['ham', 'spam', 'eggs'];
    const strings = labels.map((c) => names[c]); // sorted codes: eggs 0, ham 1, spam 2
    const codes = strings.map((s) => [...names].sort().indexOf(s));
    const options = { testSize: 0.2, stratify: true, seed: 9 };
    expect(Array.from(trainTestIndices(strings, options).test)).toEqual(splitRows(codes, options).test);
    const y = nn.tensor1d(labels, 'int32');
    const oneHot = nn.oneHot(y, 3);
    expect(Array.from(trainTestIndices(oneHot, options).test)).toEqual(splitRows(labels, options).test);
    nn.dispose([y, oneHot]);
  });

  it('is reproducible with a seed and differs across seeds', () => {
    const a = trainTestIndices(labels, { stratify: true, seed: 3 });
    expect(trainTestIndices(labels, { stratify: true, seed: 3 })).toEqual(a);
    expect(trainTestIndices(labels, { stratify: true, seed: 5 })).not.toEqual(a);
  });

  it('validates its arguments with clear errors', () => {
    expect(() => trainTestIndices(10, { stratify: true })).toThrow(nn.ValueError);
    expect(() => trainTestIndices(10, { stratify: true })).toThrow(
      /trainTestIndices: stratify needs the class label of each row in y, got only the number of rows 10/,
    );
    expect(() => trainTestIndices(2.5)).toThrow(/expected y to be an integer >= 0, got 2.5/);
    expect(() => trainTestIndices(1)).toThrow(/at least 2 rows to split, got 1/);
    expect(() => trainTestIndices(null as never)).toThrow(
      /expected y to be a number of rows, a Tensor or an array of class labels, got null/,
    );
    expect(() => trainTestIndices('abc' as never)).toThrow(/got "abc"/);
    expect(() => trainTestIndices([0, 0.5, 1], { stratify: true })).toThrow(
      /trainTestIndices: stratify needs integer class labels in y; row 2 is 0.5/,
    );
    expect(() => trainTestIndices([0, 'a', 1] as never, { stratify: true })).toThrow(/row 2 is "a"/);
    expect(() => trainTestIndices(labels, { testSize: 25 })).toThrow(/leaves no rows for training out of 25/);
    expect(() => trainTestIndices(labels, { stratify: 1 as never })).toThrow(/stratify to be a boolean/);
    expect(() => trainTestIndices(labels, { seeds: 1 } as never)).toThrow(/seeds/);
    const s = nn.scalar(1);
    expect(() => trainTestIndices(s)).toThrow(/rank >= 1/);
    s.dispose();
  });
});
