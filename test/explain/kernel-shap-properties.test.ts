// KernelSHAP's properties without python: a null model gives zeros, a linear model its closed form
// (x − E[x])·w, local accuracy with a weighted (kmeans) background, seeds reproduce, bad input fails clearly.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ShapeError, ValueError } from '../../src/errors.js';
import { kernelShap } from '../../src/explain/kernel-shap.js';
import { kmeans } from '../../src/explain/kmeans.js';
import * as nn from '../../src/index.js';
import { Random } from '../../src/random.js';

beforeAll(async () => {
  await nn.ready();
});

afterEach(() => {
  vi.restoreAllMocks();
});

function randomRows(rows: number, width: number, seed: number): number[][] {
  const random = new Random(seed);
  return Array.from({ length: rows }, () => Array.from({ length: width }, () => random.normal()));
}

/** A Dense model (no activation) with the given kernel [features][outputs] and bias. */
function linearModel(kernel: number[][], bias: number[]): nn.Sequential {
  const model = nn.sequential({
    layers: [nn.layers.dense({ units: bias.length, inputShape: [kernel.length] })],
  });
  model.setWeights([nn.tensor(kernel), nn.tensor(bias)]);
  return model;
}

function mlp(features: number, outputs: number): nn.Sequential {
  nn.setSeed(7);
  return nn.sequential({
    layers: [
      nn.layers.dense({ units: 16, activation: 'relu', inputShape: [features] }),
      nn.layers.dense({ units: outputs, activation: 'softmax' }),
    ],
  });
}

describe('kernelShap properties', () => {
  it('a model with a constant output gets zero values and that constant as base value', async () => {
    const model = linearModel(
      randomRows(6, 2, 1).map((row) => row.map(() => 0)),
      [0.7, -2],
    );
    const { values, baseValues } = await kernelShap(model, randomRows(3, 6, 2), { background: randomRows(10, 6, 3) });
    expect(Array.from(values.dataSync()).every((v) => v === 0)).toBe(true);
    expect(baseValues[0]).toBeCloseTo(0.7, 6);
    expect(baseValues[1]).toBeCloseTo(-2, 6);
    values.dispose();
    model.dispose();
  });

  it('a linear model (12 features, sampled coalitions, 40 examples: two groups) gets (x − mean)·w within 1e-3', async () => {
    const kernel = randomRows(12, 2, 4);
    const model = linearModel(kernel, [0.5, -1]);
    const x = randomRows(40, 12, 5);
    const background = randomRows(40, 12, 6);
    const { values } = await kernelShap(model, x, { background, seed: 1 });
    const v = values.dataSync();
    const mean = kernel.map((_, j) => background.reduce((s, row) => s + row[j], 0) / background.length);
    let worst = 0;
    x.forEach((row, e) => {
      row.forEach((xj, j) => {
        for (let d = 0; d < 2; d++)
          worst = Math.max(worst, Math.abs(v[(e * 12 + j) * 2 + d] - (xj - mean[j]) * kernel[j][d]));
      });
    });
    expect(worst).toBeLessThan(1e-3);
    values.dispose();
    model.dispose();
  });

  it('a kmeans background: weighted base value, local accuracy within 1e-5, features equal to the background get 0', async () => {
    const model = mlp(5, 3);
    const data = randomRows(60, 5, 8);
    const summary = await kmeans(data, 6);
    const total = summary.weights.reduce((a, b) => a + b, 0);
    // feature 4 is 2 in every background row and in the first two examples: it cannot matter to them
    const background = { data: summary.data.map((row) => [...row.slice(0, 4), 2]), weights: summary.weights };
    const x = [...randomRows(2, 4, 9).map((row) => [...row, 2]), [1, 2, 3, 4, 5]];
    const { values, baseValues } = await kernelShap(model, x, { background, output: 1, seed: 2 });
    expect(values.shape).toEqual([3, 5, 1]);
    const fB = model.predict(nn.tensor(background.data)).dataSync();
    const base = background.weights.reduce((s, w, r) => s + w * fB[r * 3 + 1], 0) / total;
    expect(baseValues).toHaveLength(1);
    expect(baseValues[0]).toBeCloseTo(base, 6);
    const fx = model.predict(nn.tensor(x)).dataSync();
    const v = values.dataSync();
    for (let e = 0; e < 3; e++) {
      let sum = baseValues[0];
      for (let j = 0; j < 5; j++) sum += v[e * 5 + j];
      expect(Math.abs(sum - fx[e * 3 + 1])).toBeLessThan(1e-5);
    }
    expect(v[0 * 5 + 4]).toBe(0);
    expect(v[1 * 5 + 4]).toBe(0);
    expect(v[2 * 5 + 4]).not.toBe(0);
    values.dispose();
    model.dispose();
  });

  it('the same seed reproduces sampled values exactly; another seed differs', async () => {
    const model = mlp(14, 2);
    const x = randomRows(2, 14, 10);
    const background = randomRows(20, 14, 11);
    const run = async (seed: number) => {
      const { values } = await kernelShap(model, x, { background, seed, nsamples: 300 });
      const v = Array.from(values.dataSync());
      values.dispose();
      return v;
    };
    const a = await run(5);
    expect(await run(5)).toEqual(a);
    expect(await run(6)).not.toEqual(a);
    model.dispose();
  });

  it('batches that split the background rows of a coalition give the same values', async () => {
    const model = mlp(6, 2);
    const x = randomRows(3, 6, 18);
    const background = randomRows(10, 6, 19);
    const run = async (batchSize: number) => {
      const { values } = await kernelShap(model, x, { background, seed: 4, batchSize });
      const v = Array.from(values.dataSync());
      values.dispose();
      return v;
    };
    const whole = await run(1024);
    const split = await run(7);
    for (const [i, v] of split.entries()) expect(v).toBeCloseTo(whole[i], 6);
    model.dispose();
  });

  it('a dense first layer (masked rows summed from pre-activations) gives the values of the plain evaluation within float32 rounding', async () => {
    // the same function twice: the second model starts with a linear Activation layer, so its masked
    // rows go through predict as they are; sampled coalitions (14 features), a feature equal to the
    // background (0 for it), a first layer without bias, two rows per group of examples
    nn.setSeed(3);
    const layers = () => [
      nn.layers.dense({ units: 24, activation: 'tanh', useBias: false }),
      nn.layers.dense({ units: 8, activation: 'relu' }),
      nn.layers.dense({ units: 3, activation: 'softmax' }),
    ];
    const factored = nn.sequential({ layers: layers() });
    factored.build([null, 14]);
    const plain = nn.sequential({
      layers: [nn.layers.activation({ activation: 'linear', inputShape: [14] }), ...layers()],
    });
    plain.build([null, 14]);
    plain.setWeights(factored.getWeights());
    const x = randomRows(3, 14, 30);
    // 100 background rows: the factored path takes them in slices of 45 (table blocks of 30 rows × 24 units)
    const background = randomRows(100, 14, 31);
    for (const row of [x[1], ...background]) row[5] = 0.25;
    const weights = background.map((_, r) => 1 + (r % 7));
    const run = async (model: nn.Sequential, batchSize: number) => {
      const { values, baseValues } = await kernelShap(model, x, {
        background: { data: background, weights },
        seed: 9,
        nsamples: 500,
        batchSize,
      });
      const v = Array.from(values.dataSync());
      values.dispose();
      return { v, baseValues };
    };
    const a = await run(factored, 1024);
    const b = await run(plain, 1024);
    const split = await run(plain, 7);
    const oneCoalition = await run(factored, 7);
    const largest = Math.max(...b.v.map(Math.abs));
    expect(largest).toBeGreaterThan(1e-2);
    for (const [i, v] of a.v.entries()) expect(Math.abs(v - b.v[i])).toBeLessThan(1e-5 * largest);
    for (const [i, v] of split.v.entries()) expect(v).toBeCloseTo(b.v[i], 6);
    for (const [i, v] of oneCoalition.v.entries()) expect(v).toBeCloseTo(a.v[i], 6);
    expect(a.baseValues).toEqual(b.baseValues);
    for (let d = 0; d < 3; d++) expect(a.v[(1 * 14 + 5) * 3 + d]).toBe(0);
    factored.dispose();
    plain.dispose();
  });

  it('warns once (not an error) for a background over 100 rows', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const model = mlp(3, 2);
    const { values } = await kernelShap(model, randomRows(2, 3, 12), { background: randomRows(101, 3, 13) });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/101 background rows.*kmeans/);
    values.dispose();
    model.dispose();
  });

  it('rejects bad input with clear errors and leaves the model unchanged', async () => {
    const model = mlp(4, 3);
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const x = randomRows(2, 4, 14);
    const background = randomRows(10, 4, 15);
    await expect(kernelShap(model, x, { background: randomRows(10, 3, 1) })).rejects.toThrow(ShapeError);
    await expect(kernelShap(model, x, { background: randomRows(10, 3, 1) })).rejects.toThrow(
      /background.*\[\*, 4\].*\[10, 3\]/,
    );
    await expect(kernelShap(model, randomRows(2, 5, 1), { background })).rejects.toThrow(/x.*\[\*, 4\].*\[2, 5\]/);
    await expect(kernelShap(model, x, { background, nsamples: 3 })).rejects.toThrow(
      /nsamples 3 is below the number of features \(4\)/,
    );
    await expect(kernelShap(model, x, { background, nsamples: 2.5 })).rejects.toThrow(ValueError);
    await expect(kernelShap(model, x, { background, output: 3 })).rejects.toThrow(/output.*\[0, 2\].*3/);
    await expect(kernelShap(model, x, { background, output: -1 })).rejects.toThrow(ValueError);
    await expect(kernelShap(model, x, {} as never)).rejects.toThrow(/background option is required/);
    await expect(kernelShap(model, x, { background, l1Reg: 'aic' } as never)).rejects.toThrow(
      /l1Reg.*num_features.*"aic"/,
    );
    await expect(kernelShap(model, x, { background, nsamplez: 10 } as never)).rejects.toThrow(/did you mean nsamples/);
    await expect(kernelShap({} as never, x, { background })).rejects.toThrow(/Sequential/);
    await expect(kernelShap(model, x, { background: { data: background, weights: [1, 2] } })).rejects.toThrow(
      /10 rows but 2 weights/,
    );
    await expect(kmeans(background, 11)).rejects.toThrow(/k.*\[1, 10\].*11/);
    await expect(kmeans([1, 2, 3], 1)).rejects.toThrow(ShapeError);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    model.dispose();
  });

  it('does not leak tensors over repeated calls', async () => {
    const model = mlp(4, 2);
    const x = randomRows(3, 4, 16);
    const background = randomRows(10, 4, 17);
    const once = async () => (await kernelShap(model, x, { background, seed: 1 })).values.dispose();
    await once();
    const tensors = nn.memory().numTensors;
    for (let i = 0; i < 3; i++) await once();
    expect(nn.memory().numTensors).toBe(tensors);
    model.dispose();
  });
});
