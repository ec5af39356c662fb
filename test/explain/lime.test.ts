// LIME for tabular data (lime's LimeTabularExplainer): the kernel, the weighted ridge against a
// closed-form float64 solve, feature selection, the discretizer, and explanations of trained models.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/datasets/index.js';
import { binOf, featureBins } from '../../src/explain/discretizer.js';
import { lime } from '../../src/explain/lime.js';
import { exponentialKernel, localLinearModel, ridgeFit, weightedMoments } from '../../src/explain/lime-base.js';
import { truncatedNormal } from '../../src/explain/truncated-normal.js';
import * as nn from '../../src/index.js';
import { Random } from '../../src/random.js';

beforeAll(async () => {
  await nn.ready();
});

/** Solves A x = b (n×n, row-major) in float64 by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x;
}

/** Random rows, labels y = x·coef + noise and positive weights. */
function problem(rows: number, features: number, coef: number[], seed: number) {
  const random = new Random(seed);
  const data = new Float64Array(rows * features);
  const labels = new Float64Array(rows);
  const weights = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let y = 0.5;
    for (let j = 0; j < features; j++) {
      const v = random.normal();
      data[r * features + j] = v;
      y += v * (coef[j] ?? 0);
    }
    labels[r] = y + 0.1 * random.normal();
    weights[r] = 0.1 + random.uniform();
  }
  return { data, labels, weights };
}

async function irisModel() {
  nn.setSeed(7);
  const { x, y } = await loadDataset('iris');
  const model = nn.sequential({
    layers: [
      nn.layers.dense({ units: 16, activation: 'relu', inputShape: [4] }),
      nn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: nn.train.adam(0.02), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(x, y, { epochs: 100, batchSize: 16, seed: 7, verbose: 0 });
  return { model, x, y };
}

describe('lime: the parts', () => {
  it('the kernel is sqrt(exp(-d²/w²))', () => {
    expect(exponentialKernel(0, 1.5)).toBe(1);
    expect(exponentialKernel(1.5, 1.5)).toBeCloseTo(0.6065306597126334, 15);
    expect(exponentialKernel(2, 25)).toBeCloseTo(Math.sqrt(Math.exp(-4 / 625)), 15);
    expect(exponentialKernel(100, 1)).toBe(0);
  });

  it('the weighted ridge (α = 1, intercept unpenalized) matches the closed-form float64 solve', () => {
    const features = 5;
    const rows = 200;
    const { data, labels, weights } = problem(rows, features, [1, -2, 0, 0.5, 3], 1);
    const m = weightedMoments(data, rows, features, labels, weights);
    for (const used of [[0, 1, 2, 3, 4], [3, 1], [2]]) {
      const fit = ridgeFit(m, used, 1);
      // [1 X]ᵀ W [1 X] + diag(0, α…) on the chosen columns, plus the intercept column
      const p = used.length + 1;
      const a = Array.from({ length: p }, () => new Array<number>(p).fill(0));
      const b = new Array<number>(p).fill(0);
      for (let r = 0; r < rows; r++) {
        const row = [1, ...used.map((j) => data[r * features + j])];
        for (let i = 0; i < p; i++) {
          b[i] += weights[r] * row[i] * labels[r];
          for (let k = 0; k < p; k++) a[i][k] += weights[r] * row[i] * row[k];
        }
      }
      for (let i = 1; i < p; i++) a[i][i] += 1;
      const expected = solve(a, b);
      expect(fit.intercept).toBeCloseTo(expected[0], 10);
      expect(
        Array.from(fit.coef)
          .map((c, i) => c - expected[i + 1])
          .every((d) => Math.abs(d) < 1e-10),
      ).toBe(true);
      // weighted R² from the residuals
      let sw = 0;
      let ybar = 0;
      for (let r = 0; r < rows; r++) [sw, ybar] = [sw + weights[r], ybar + weights[r] * labels[r]];
      ybar /= sw;
      let sse = 0;
      let sst = 0;
      for (let r = 0; r < rows; r++) {
        const pred = expected[0] + used.reduce((s, j, i) => s + expected[i + 1] * data[r * features + j], 0);
        sse += weights[r] * (labels[r] - pred) ** 2;
        sst += weights[r] * (labels[r] - ybar) ** 2;
      }
      expect(fit.score).toBeCloseTo(1 - sse / sst, 10);
    }
  });

  it("'auto' feature selection finds the informative features (forward selection ≤ 6, else highest weights)", () => {
    const features = 10;
    const rows = 500;
    const { data, labels, weights } = problem(rows, features, [0, 4, 0, 0, -3, 0, 0, 0, 2, 0], 2);
    const forward = localLinearModel(data, rows, features, labels, weights, 3);
    expect(forward.features).toEqual([1, 4, 8]);
    expect(forward.weights.filter((w) => w !== 0)).toHaveLength(3);
    expect(forward.score).toBeGreaterThan(0.99);
    const highest = localLinearModel(data, rows, features, labels, weights, 7);
    expect(highest.features).toHaveLength(7);
    expect(highest.features.slice(0, 3)).toEqual([1, 4, 8]);
    expect(highest.localPrediction).toBeCloseTo(
      highest.intercept + highest.weights.reduce((s, w, j) => s + w * data[j], 0),
      12,
    );
  });

  it("the quartile discretizer's borders are numpy's percentiles and bins are searchsorted's (left)", () => {
    const bins = featureBins(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), [25, 50, 75]);
    expect(bins.borders).toEqual([3.25, 5.5, 7.75]);
    expect([3.25, 3.26, 1, 11].map((v) => binOf(bins.borders, v))).toEqual([0, 1, 0, 3]);
    expect(bins.frequencies).toEqual([0.3, 0.2, 0.2, 0.3]);
    expect(bins.means[0]).toBe(2);
    expect(bins.mins).toEqual([1, 3.25, 5.5, 7.75]);
    expect(bins.maxs).toEqual([3.25, 5.5, 7.75, 10]);
    // repeated borders collapse: a column mostly of one value has fewer bins
    expect(featureBins(Float64Array.from([0, 0, 0, 0, 0, 0, 0, 1]), [25, 50, 75]).borders).toEqual([0]);
  });

  it('truncated normal draws stay in their interval, with the truncated mean', () => {
    const random = new Random(3);
    let sum = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const z = truncatedNormal(random, 0, Number.POSITIVE_INFINITY);
      expect(z).toBeGreaterThanOrEqual(0);
      sum += z;
    }
    expect(sum / n).toBeCloseTo(Math.sqrt(2 / Math.PI), 2);
    for (const [lo, hi] of [
      [1, 1.5],
      [-3, -2.5],
      [4, 9],
      [-1e12, 0],
    ]) {
      for (let i = 0; i < 200; i++) {
        const z = truncatedNormal(random, lo, hi);
        expect(z).toBeGreaterThanOrEqual(lo);
        expect(z).toBeLessThanOrEqual(hi);
      }
    }
  });
});

describe('lime on models', () => {
  it('on iris the petal features come out on top', async () => {
    const { model, x } = await irisModel();
    const rows = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140];
    const xs = nn.tensor(
      rows.flatMap((r) => Array.from(x.dataSync().slice(r * 4, r * 4 + 4))),
      [rows.length, 4],
    );
    const explanations = await lime(model, xs, { trainingData: x, seed: 1 });
    const predicted = model.predictClasses(xs).dataSync();
    explanations.forEach((e, i) => {
      expect(e.output).toBe(predicted[i]);
      expect(e.features).toHaveLength(4);
      // petal length and width (features 2 and 3) carry the explanation
      expect([2, 3]).toContain(e.features[0]);
      expect(Math.abs(e.weights[0]) + Math.abs(e.weights[1])).toBeLessThan(
        Math.abs(e.weights[2]) + Math.abs(e.weights[3]),
      );
      expect(e.conditions).toHaveLength(4);
    });
    const setosa = explanations[0];
    expect(setosa.conditions![2]).toMatch(/^x\[2\] <= 1\.60$/);
    xs.dispose();
    model.dispose();
  });

  it('a fixed seed reproduces the explanations exactly; another seed gives others', async () => {
    const { model, x } = await irisModel();
    const row = nn.tensor([[5.9, 3.0, 4.2, 1.5]]);
    for (const discretize of ['quartile', 'decile', false] as const) {
      const a = await lime(model, row, { trainingData: x, seed: 5, numSamples: 1000, discretize });
      const b = await lime(model, row, { trainingData: x, seed: 5, numSamples: 1000, discretize });
      const c = await lime(model, row, { trainingData: x, seed: 6, numSamples: 1000, discretize });
      expect(b).toEqual(a);
      expect(c[0].weights).not.toEqual(a[0].weights);
    }
    // the first call at a batch size records the model's pass for it (kept for the next calls)
    await lime(model, row, { trainingData: x, seed: 9, numSamples: 500 });
    const before = nn.memory().numTensors;
    for (let i = 0; i < 3; i++) await lime(model, row, { trainingData: x, seed: i, numSamples: 500 });
    expect(nn.memory().numTensors).toBe(before);
    row.dispose();
    model.dispose();
  });

  it('continuous features on a linear model recover its weights times the features’ standard deviations', async () => {
    const { x } = await loadDataset('iris');
    const model = nn.sequential({ layers: [nn.layers.dense({ units: 1, inputShape: [4] })] });
    const w = [0.5, -1, 2, 0.25];
    model.setWeights([nn.tensor(w, [4, 1]), nn.tensor([0.1])]);
    const values = x.dataSync();
    const sd = [0, 1, 2, 3].map((j) => {
      const c = Array.from({ length: 150 }, (_, r) => values[r * 4 + j]);
      const mean = c.reduce((a, b) => a + b, 0) / 150;
      return Math.sqrt(c.reduce((a, b) => a + (b - mean) ** 2, 0) / 150);
    });
    const [e] = await lime(model, nn.tensor([[5, 3, 4, 1]]), {
      trainingData: x,
      discretize: false,
      kernelWidth: 100,
      seed: 2,
    });
    expect(e.output).toBe(0);
    expect(e.score).toBeGreaterThan(0.9999);
    // ridge α = 1 over 5000 nearly equally weighted rows shrinks by well under 1%
    e.weights.forEach((v, j) => {
      expect(v).toBeCloseTo(w[j] * sd[j], 2);
    });
    expect(e.localPrediction).toBeCloseTo(e.prediction, 3);
    model.dispose();
  });

  it('rejects bad input with clear errors and leaves the model as it was', async () => {
    const { model, x } = await irisModel();
    const weights = model.getWeights().map((t) => Array.from(t.dataSync()));
    const row = nn.tensor([[5, 3, 4, 1]]);
    await expect(lime(model, row, { trainingData: nn.zeros([10, 3]) })).rejects.toThrow(/trainingData.*\[\*, 4\]|4/);
    await expect(lime(model, nn.zeros([1, 5]), { trainingData: x })).rejects.toThrow(nn.NeurasmError);
    await expect(lime(model, row, { trainingData: x, numSamples: 0 })).rejects.toThrow(/numSamples/);
    await expect(lime(model, row, { trainingData: x, numSamples: 2.5 })).rejects.toThrow(/numSamples/);
    await expect(lime(model, row, { trainingData: x, kernelWidth: -1 })).rejects.toThrow(/kernelWidth/);
    await expect(lime(model, row, { trainingData: x, numFeatures: 0 })).rejects.toThrow(/numFeatures/);
    await expect(lime(model, row, { trainingData: x, output: 3 })).rejects.toThrow(/output/);
    await expect(lime(model, row, { trainingData: x, discretize: 'entropy' as never })).rejects.toThrow(/discretize/);
    await expect(lime(model, row, { trainingData: x, sampels: 10 } as never)).rejects.toThrow(/unknown option/);
    await expect(lime(model, row, {} as never)).rejects.toThrow(/trainingData/);
    await expect(lime(model, row, undefined as never)).rejects.toThrow(/trainingData/);
    await expect(lime({} as never, row, { trainingData: x })).rejects.toThrow(/Sequential/);
    expect(model.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(weights);
    row.dispose();
    model.dispose();
  });
});
