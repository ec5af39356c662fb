import { beforeAll, describe, expect, it } from 'vitest';
import { RobustScaler, robustScaler, scalerFromJSON } from '../../src/data/index.js';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

// columns: an outlier (median 3, IQR 4 - 2), a spread (median 10, IQR 15 - 5),
// a constant (7, scale 1), mostly zeros (IQR 0, scale 1)
const DATA = [
  [1, 10, 7, 0],
  [2, 0, 7, 0],
  [3, 5, 7, 0],
  [4, 20, 7, 0],
  [100, 15, 7, 9],
];

function expectRowsClose(actual: nn.Tensor, expected: number[][], tol = 1e-6) {
  expect(actual.shape).toEqual([expected.length, expected[0].length]);
  const flat = actual.dataSync();
  expected.flat().forEach((v, i) => {
    expect(Math.abs(flat[i] - v)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(v)));
  });
}

describe('robustScaler', () => {
  it('centers on hand-computed medians and divides by the IQR; zero IQR gets scale 1', () => {
    const x = nn.tensor2d(DATA);
    const start = nn.memory().numTensors;
    const s = robustScaler();
    expect(s.isFitted).toBe(false);
    const z = s.fitTransform(x);
    expect(s.center).toEqual([3, 10, 7, 0]);
    expect(s.scale).toEqual([2, 10, 1, 1]);
    expectRowsClose(
      z,
      DATA.map((r) => [(r[0] - 3) / 2, (r[1] - 10) / 10, 0, r[3]]),
    );
    const back = s.inverseTransform(z);
    expectRowsClose(back, DATA);
    expect(nn.memory().numTensors).toBe(start + 2);
    nn.dispose([x, z, back]);
  });

  it('interpolates percentiles linearly between ranks (numpy default), with a custom quantile range', () => {
    const x = nn.tensor2d([[4], [1], [3], [2]]);
    const s = robustScaler().fit(x);
    // sorted 1 2 3 4: median at rank 1.5 = 2.5, q25 at 0.75 = 1.75, q75 at 2.25 = 3.25
    expect(s.center?.[0]).toBeCloseTo(2.5, 12);
    expect(s.scale?.[0]).toBeCloseTo(1.5, 12);
    const y = nn.tensor2d([[1], [2], [3], [4], [5]]);
    const q = robustScaler({ quantileRange: [10, 90] }).fit(y);
    expect(q.scale?.[0]).toBeCloseTo(4.6 - 1.4, 12);
    const nc = robustScaler({ withCentering: false, withScaling: true }).fit(y);
    expect(nc.center).toEqual([0]);
    expect(nc.scale).toEqual([2]);
    const ns = robustScaler({ withScaling: false }).fit(y);
    expect(ns.scale).toEqual([1]);
    expect(ns.center).toEqual([3]);
    nn.dispose([x, y]);
  });

  it('round-trips through JSON (object and text), fitted or not', () => {
    const x = nn.tensor2d(DATA);
    const s = robustScaler({ quantileRange: [20, 80] }).fit(x);
    const json = s.toJSON();
    expect(json).toEqual({
      className: 'RobustScaler',
      withCentering: true,
      withScaling: true,
      quantileRange: [20, 80],
      center: s.center,
      scale: s.scale,
    });
    const a = scalerFromJSON(JSON.stringify(json));
    expect(a).toBeInstanceOf(RobustScaler);
    const b = RobustScaler.fromJSON(json);
    const [za, zb, zs] = [a.transform(x), b.transform(x), s.transform(x)];
    expect(Array.from(za.dataSync())).toEqual(Array.from(zs.dataSync()));
    expect(Array.from(zb.dataSync())).toEqual(Array.from(zs.dataSync()));
    const empty = scalerFromJSON(robustScaler().toJSON());
    expect(empty.isFitted).toBe(false);
    expect(() => RobustScaler.fromJSON({ ...json, scale: [1, 0, 1, 1] })).toThrow(/scale to be positive/);
    expect(() => RobustScaler.fromJSON({ ...json, className: 'StandardScaler' })).toThrow(/className "RobustScaler"/);
    expect(() => scalerFromJSON({ className: 'Nope' })).toThrow(/"StandardScaler", "MinMaxScaler" or "RobustScaler"/);
    nn.dispose([x, za, zb, zs]);
  });

  it('errors: used before fit, wrong feature count, bad options, non-finite values', () => {
    const x = nn.tensor2d(DATA);
    const s = robustScaler();
    expect(() => s.transform(x)).toThrow(/RobustScaler.transform: the scaler is not fitted yet/);
    expect(() => s.inverseTransform(x)).toThrow(/RobustScaler.inverseTransform: the scaler is not fitted yet/);
    s.fit(x);
    const narrow = nn.tensor2d([[1, 2]]);
    expect(() => s.transform(narrow)).toThrow(/x has 2 features .* fitted on 4/);
    expect(() => robustScaler({ quantileRange: [75, 25] })).toThrow(/0 <= lo < hi <= 100/);
    expect(() => robustScaler({ quantileRange: [0, 101] })).toThrow(/0 <= lo < hi <= 100/);
    expect(() => robustScaler({ withCentering: 1 as unknown as boolean })).toThrow(/withCentering to be a boolean/);
    const bad = nn.tensor2d([[1, Number.NaN]]);
    expect(() => robustScaler().fit(bad)).toThrow(/NaN at row 1, column 1/);
    nn.dispose([x, narrow, bad]);
  });
});
