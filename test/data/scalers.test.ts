import { beforeAll, describe, expect, it } from 'vitest';
import { MinMaxScaler, minMaxScaler, StandardScaler, scalerFromJSON, standardScaler } from '../../src/data/index.js';
import { loadDataset } from '../../src/datasets/index.js';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const DATA = [
  [1, 10, 5],
  [3, 20, 5],
  [5, 60, 5],
];

function expectRowsClose(actual: nn.Tensor, expected: number[][], tol = 1e-6) {
  expect(actual.shape).toEqual([expected.length, expected[0].length]);
  const flat = actual.dataSync();
  expected.flat().forEach((v, i) => {
    expect(Math.abs(flat[i] - v)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(v)));
  });
}

describe('standardScaler', () => {
  it('matches hand-computed means and population standard deviations; a constant column gets scale 1', () => {
    const x = nn.tensor2d(DATA);
    const start = nn.memory().numTensors;
    const s = standardScaler();
    expect(s.isFitted).toBe(false);
    const z = s.fitTransform(x);
    const sd0 = Math.sqrt(8 / 3);
    const sd1 = Math.sqrt(1400 / 3);
    expect(s.mean).toEqual([3, 30, 5]);
    expect(s.scale?.[0]).toBeCloseTo(sd0, 12);
    expect(s.scale?.[1]).toBeCloseTo(sd1, 12);
    expect(s.scale?.[2]).toBe(1);
    expect(s.numFeatures).toBe(3);
    expectRowsClose(z, [
      [-2 / sd0, -20 / sd1, 0],
      [0, -10 / sd1, 0],
      [2 / sd0, 30 / sd1, 0],
    ]);
    expect(z.dtype).toBe('float32');
    const back = s.inverseTransform(z);
    expectRowsClose(back, DATA);
    expect(nn.memory().numTensors).toBe(start + 2);
    nn.dispose([x, z, back]);
  });

  it('standardizes a real data set to mean 0 and std 1 per column, and inverts it', async () => {
    const bc = await loadDataset('breast-cancer');
    const s = standardScaler();
    const z = s.fitTransform(bc.x);
    const [n, f] = z.shape;
    const v = z.dataSync();
    for (let j = 0; j < f; j++) {
      let mean = 0;
      let sq = 0;
      for (let i = 0; i < n; i++) mean += v[i * f + j] / n;
      for (let i = 0; i < n; i++) sq += (v[i * f + j] - mean) ** 2 / n;
      expect(Math.abs(mean)).toBeLessThan(1e-5);
      expect(Math.abs(Math.sqrt(sq) - 1)).toBeLessThan(1e-5);
    }
    const back = s.inverseTransform(z);
    const orig = bc.x.dataSync();
    const b = back.dataSync();
    for (let i = 0; i < orig.length; i++)
      expect(Math.abs(b[i] - orig[i])).toBeLessThanOrEqual(1e-5 * Math.abs(orig[i]) + 1e-6);
    nn.dispose([bc, z, back]);
  });

  it('honours withMean and withStd', () => {
    const x = nn.tensor2d(DATA);
    const onlyCenter = standardScaler({ withStd: false }).fitTransform(x);
    expectRowsClose(onlyCenter, [
      [-2, -20, 0],
      [0, -10, 0],
      [2, 30, 0],
    ]);
    const onlyScale = standardScaler({ withMean: false });
    const scaled = onlyScale.fitTransform(x);
    expect(onlyScale.mean).toEqual([0, 0, 0]);
    const sd = [Math.sqrt(8 / 3), Math.sqrt(1400 / 3), 1];
    expectRowsClose(
      scaled,
      DATA.map((row) => row.map((v, j) => v / sd[j])),
    );
    nn.dispose([x, onlyCenter, scaled]);
  });
});

describe('minMaxScaler', () => {
  it('maps each column to [0, 1] by default and to a given range; a constant column maps to the low end', () => {
    const x = nn.tensor2d(DATA);
    const m = minMaxScaler();
    const u = m.fitTransform(x);
    expect(m.dataMin).toEqual([1, 10, 5]);
    expect(m.dataMax).toEqual([5, 60, 5]);
    expectRowsClose(u, [
      [0, 0, 0],
      [0.5, 0.2, 0],
      [1, 1, 0],
    ]);
    const r = minMaxScaler({ range: [-1, 1] });
    const w = r.fitTransform(x);
    expectRowsClose(w, [
      [-1, -1, -1],
      [0, -0.6, -1],
      [1, 1, -1],
    ]);
    // values outside the training range extrapolate, and the inverse returns them
    const fresh = nn.tensor2d([[9, 35, 7]]);
    const t = r.transform(fresh);
    expectRowsClose(t, [[3, 0, 3]]); // the constant column counts as range 1: -1 + 2 * (7 - 5)
    const back = r.inverseTransform(t);
    expectRowsClose(back, [[9, 35, 7]]);
    nn.dispose([x, u, w, fresh, t, back]);
  });

  it('rejects a bad range', () => {
    expect(() => minMaxScaler({ range: [1, 1] })).toThrow(/must be smaller than maximum; got range \[1, 1\]/);
    expect(() => minMaxScaler({ range: [0] as never })).toThrow(nn.ValueError);
  });
});

describe('scaler errors and JSON', () => {
  it('refuses transform before fit, and names both widths on a mismatch', () => {
    const x = nn.tensor2d(DATA);
    const narrow = nn.tensor2d([[1, 2]]);
    const start = nn.memory().numTensors;
    expect(() => standardScaler().transform(x)).toThrow(
      /StandardScaler.transform: the scaler is not fitted yet; call fit/,
    );
    expect(() => minMaxScaler().inverseTransform(x)).toThrow(/MinMaxScaler.inverseTransform: the scaler is not fitted/);
    const s = standardScaler().fit(x);
    expect(() => s.transform(narrow)).toThrow(nn.ShapeError);
    expect(() => s.transform(narrow)).toThrow(/x has 2 features \(shape \[1, 2\]\), but the scaler was fitted on 3/);
    const v = nn.tensor1d([1, 2, 3]);
    expect(() => s.transform(v)).toThrow(/expected x of shape \[samples, features\].*got \[3\]/);
    const bad = nn.tensor2d([
      [1, Number.NaN],
      [2, 3],
    ]);
    expect(() => standardScaler().fit(bad)).toThrow(/holds NaN at row 1, column 1/);
    // a failed fit leaves a fitted scaler as it was
    expect(() => s.fit(bad)).toThrow();
    expect(s.mean).toEqual([3, 30, 5]);
    expect(() => standardScaler().fit('x' as never)).toThrow(/expected x to be a Tensor/);
    expect(nn.memory().numTensors).toBe(start + 2);
    nn.dispose([x, narrow, v, bad]);
  });

  it('round-trips through toJSON / JSON text / scalerFromJSON and transforms the same', () => {
    const x = nn.tensor2d(DATA);
    for (const scaler of [standardScaler().fit(x), minMaxScaler({ range: [-2, 3] }).fit(x)]) {
      const json = scaler.toJSON();
      const restored = scalerFromJSON(JSON.stringify(json));
      expect(restored).toBeInstanceOf(scaler.constructor);
      expect(restored.toJSON()).toEqual(json);
      const a = scaler.transform(x);
      const b = restored.transform(x);
      expect(b.dataSync()).toEqual(a.dataSync());
      nn.dispose([a, b]);
    }
    expect(StandardScaler.fromJSON(standardScaler({ withStd: false }).toJSON()).isFitted).toBe(false);
    expect(MinMaxScaler.fromJSON(minMaxScaler().toJSON()).range).toEqual([0, 1]);
    nn.dispose(x);
  });

  it('rejects damaged JSON clearly', () => {
    expect(() => scalerFromJSON({ className: 'MaxAbsScaler' })).toThrow(
      /"StandardScaler", "MinMaxScaler" or "RobustScaler", got "MaxAbsScaler"/,
    );
    expect(() => scalerFromJSON('{oops')).toThrow(/not valid JSON/);
    expect(() => scalerFromJSON(null)).toThrow(/expected a scaler's JSON object, got null/);
    expect(() => scalerFromJSON({ className: 'StandardScaler', mean: [1], scale: null })).toThrow(
      /scale to be a non-empty array/,
    );
    expect(() => scalerFromJSON({ className: 'StandardScaler', mean: [1, 2], scale: [1] })).toThrow(
      /mean has 2 entries but scale has 1/,
    );
    expect(() => scalerFromJSON({ className: 'StandardScaler', mean: [1], scale: [0] })).toThrow(
      /scale to be positive/,
    );
    expect(() => scalerFromJSON({ className: 'MinMaxScaler', range: [0, 1], dataMin: [2], dataMax: [1] })).toThrow(
      /dataMin <= dataMax/,
    );
    expect(() => StandardScaler.fromJSON({ className: 'MinMaxScaler' })).toThrow(/expected className "StandardScaler"/);
  });
});

describe('scaler, split and fold options', () => {
  it('minMaxScaler takes featureRange (scikit-learn feature_range) and rejects lo >= hi as scikit-learn does', () => {
    expect(() => nn.data.minMaxScaler({ featureRange: [1, 0] })).toThrow(nn.ValueError);
    expect(() => nn.data.minMaxScaler({ featureRange: [1, 0] })).toThrow(
      /minMaxScaler: minimum of desired feature range must be smaller than maximum; got featureRange \[1, 0\]/i,
    );
    expect(() => nn.data.minMaxScaler({ range: [2, 2] })).toThrow(/smaller than maximum; got range \[2, 2\]/);
    expect(() => nn.data.minMaxScaler({ range: [0, 1], featureRange: [0, 1] })).toThrow(/both range and featureRange/);
    expect(() => nn.data.minMaxScaler({ featureRange: [0, Number.NaN] as never })).toThrow(
      /two finite numbers, got \[0, NaN\]/,
    );
    expect(() => nn.data.robustScaler({ quantileRange: [50, Number.NaN] as never })).toThrow(/got \[50, NaN\]/);
    const scaler = nn.data.minMaxScaler({ featureRange: [-1, 1] });
    expect(scaler.range).toEqual([-1, 1]);
    const x = nn.tensor2d([
      [0, 10],
      [2, 30],
    ]);
    const out = scaler.fitTransform(x);
    expect(out.arraySync()).toEqual([
      [-1, -1],
      [1, 1],
    ]);
    nn.dispose([x, out]);
  });

  it('rejects unknown option names instead of ignoring them, with the near name when there is one', () => {
    expect(() => nn.data.minMaxScaler({ feature_range: [1, 0] } as never)).toThrow(
      /minMaxScaler: unknown option "feature_range"; did you mean featureRange\?/,
    );
    expect(() => nn.data.standardScaler({ with_mean: false } as never)).toThrow(/did you mean withMean\?/);
    expect(() => nn.data.robustScaler({ unitVariance: true } as never)).toThrow(
      /robustScaler: unknown option "unitVariance"; the options are withCentering, withScaling, quantileRange/,
    );
    const x = nn.zeros([4, 1]);
    const y = nn.zeros([4], 'int32');
    expect(() => nn.data.trainTestSplit(x, y, { test_size: 0.5 } as never)).toThrow(/did you mean testSize\?/);
    expect(() => nn.data.kFold(4, { nSplits: 2 } as never)).toThrow(/kFold: unknown option "nSplits"/);
    expect(() => nn.data.parseCsv('a,b\n1,2\n', { Label: 'b' } as never)).toThrow(/did you mean label\?/);
    expect(() => nn.data.standardScaler([] as never)).toThrow(/expected options to be an object/);
    nn.dispose([x, y]);
  });
});
