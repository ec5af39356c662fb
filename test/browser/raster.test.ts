// The demo pad's down-sampling (examples/browser/raster.js), in Node: strokes become the 64
// features the way the digits data set was made, and digits drawn as people draw them are read
// right by the model the demo trains.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, fitArgs, prepareData, SETTINGS } from '../../examples/browser/experiment.js';
import { FINE, GRID, INK_PIXELS, rasterize } from '../../examples/browser/raster.js';
import { loadDataset } from '../../src/datasets/index.js';
import * as nn from '../../src/index.js';
import { DIGIT_STROKES, padStrokes, type Stroke } from './digit-strokes.js';

const sum = (f: Float32Array) => f.reduce((a, b) => a + b, 0);
/** The feature grid as 8 rows. */
const rows = (f: Float32Array) =>
  Array.from({ length: GRID }, (_, r) => Array.from(f.subarray(r * GRID, r * GRID + GRID)));

describe('rasterize', () => {
  it('gives 64 zeros for no strokes', () => {
    expect(Array.from(rasterize([]))).toEqual(new Array(64).fill(0));
    expect(FINE / GRID).toBe(4);
  });

  it('counts inked pixels of 4x4 blocks (0..16), inking as many pixels as the data set does', () => {
    for (const strokes of DIGIT_STROKES) {
      const f = rasterize(padStrokes(strokes));
      expect(f.length).toBe(64);
      expect(f.every((v) => Number.isInteger(v) && v >= 0 && v <= 16)).toBe(true);
      expect(Math.abs(sum(f) - INK_PIXELS)).toBeLessThanOrEqual(4);
    }
  });

  it('normalises size and position: the same digit drawn small in a corner or large in the middle gives the same features', () => {
    const zero: Stroke = Array.from({ length: 41 }, (_, i) => [
      0.5 + 0.3 * Math.cos((i / 40) * 2 * Math.PI),
      0.5 + 0.4 * Math.sin((i / 40) * 2 * Math.PI),
    ]);
    const small: Stroke = zero.map(([x, y]) => [0.1 + x * 0.25, 0.6 + y * 0.25]);
    const a = rasterize(padStrokes([small]));
    const b = rasterize(padStrokes([zero]));
    // equal up to pixels at exactly the pen's radius, which rounding may put on either side
    expect(a.reduce((d, v, i) => d + Math.abs(v - b[i]), 0)).toBeLessThanOrEqual(8);
    expect(rows(a)[0][3]).toBeGreaterThan(8);
  });

  it('makes a clean vertical "1" a broad bar down the middle, as the data set\'s ones are', () => {
    const one = rasterize(
      padStrokes([
        [
          [0.5, 0.3],
          [0.5, 0.6],
        ],
      ]),
    );
    for (const row of rows(one)) {
      expect(row[3]).toBeGreaterThanOrEqual(12);
      expect(row[4]).toBeGreaterThanOrEqual(12);
      expect(row[0] + row[1] + row[6] + row[7]).toBe(0);
    }
  });

  it('fills the height and narrows a digit wider than 3/4 of it: a round "0" becomes the data set\'s oval', () => {
    const ring: Stroke = Array.from({ length: 41 }, (_, i) => [
      0.5 + 0.3 * Math.cos((i / 40) * 2 * Math.PI),
      0.5 + 0.3 * Math.sin((i / 40) * 2 * Math.PI),
    ]);
    const f = rows(rasterize(padStrokes([ring])));
    expect(Math.min(f[0][3], f[0][4], f[7][3], f[7][4])).toBeGreaterThanOrEqual(8);
    expect(Math.min(f[3][1], f[4][1], f[3][6], f[4][6])).toBeGreaterThanOrEqual(12);
    expect(f[3][3] + f[3][4] + f[4][3] + f[4][4]).toBe(0);
    expect(f.every((row) => row[0] === 0 && row[7] === 0)).toBe(true);
  });

  it('draws a tap (one point) as a dot in the middle', () => {
    const f = rows(rasterize(padStrokes([[[0.2, 0.9]]])));
    expect(f[3][3]).toBe(16);
    expect(f[0][0]).toBe(0);
  });
});

describe('the pad with the model the demo trains', () => {
  let model: nn.Sequential;
  let scaler: nn.data.StandardScaler;

  beforeAll(async () => {
    await nn.ready({ relaxedSimd: false });
    const digits = await loadDataset('digits');
    const data = prepareData(nn, digits.x, digits.y, SETTINGS.seed);
    model = buildModel(nn, SETTINGS.seed);
    await model.fit(data.xTrain, data.yTrain, fitArgs(SETTINGS.seed));
    scaler = data.scaler;
    nn.dispose([digits.x, digits.y, data.xTrain, data.yTrain, data.xTest, data.yTest]);
    return () => model.dispose();
  });

  it('reads at least 8 of the digits 0-9 drawn as people draw them (off-centre, at various sizes)', () => {
    const read = DIGIT_STROKES.map((strokes) => {
      const features = rasterize(padStrokes(strokes));
      const p = nn.tidy(() => Array.from(model.predict(scaler.transform(nn.tensor2d(features, [1, 64]))).dataSync()));
      return p.indexOf(Math.max(...p));
    });
    const right = read.filter((digit, k) => digit === k).length;
    expect(right, `read ${read.join(', ')} for 0-9`).toBeGreaterThanOrEqual(8);
    // a round 0 and a plain vertical 1, the shapes that are easiest to misread as 4
    expect(read[0]).toBe(0);
    expect(read[1]).toBe(1);
  });
});
