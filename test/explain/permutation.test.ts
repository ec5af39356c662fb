import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../src/errors.js';
import { permutationImportance } from '../../src/explain/permutation.js';
import * as nn from '../../src/index.js';

// iris standardized, a 4-16-3 relu/softmax network trained by scikit-learn, and scikit-learn's
// permutation_importance of the same network (a numpy forward of these weights) at 50 repeats
const { iris } = JSON.parse(readFileSync(new URL('../fixtures/explain/gradients.json', import.meta.url), 'utf8'));

describe('permutationImportance', () => {
  let model: nn.Sequential;
  let x: nn.Tensor;
  let y: nn.Tensor;
  beforeAll(async () => {
    await nn.ready();
    model = nn.sequential({
      layers: [
        nn.layers.dense({ units: 16, activation: 'relu', inputShape: [4] }),
        nn.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    model.setWeights(iris.weights.map((w: number[] | number[][]) => nn.tensor(w)));
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    x = nn.tensor2d(iris.x);
    y = nn.tensor1d(iris.y, 'int32');
  });

  /**
   * The RNGs differ, so the two results are independent estimates: each mean over R repeats has
   * standard error σ/√R, their difference sqrt(σ₁² + σ₂²)/√R. Allow 4 of those (a chance of about
   * 6e-5 per feature of failing by luck), plus `slack` for predictions that float32 and float64
   * round to different classes.
   */
  function expectAgrees(
    ours: { importancesMean: number[]; importancesStd: number[] },
    theirs: { importancesMean: number[]; importancesStd: number[] },
    repeats: number,
    slack: number,
  ) {
    for (let f = 0; f < 4; f++) {
      const se = Math.sqrt((ours.importancesStd[f] ** 2 + theirs.importancesStd[f] ** 2) / repeats);
      expect(Math.abs(ours.importancesMean[f] - theirs.importancesMean[f]), `feature ${f}`).toBeLessThanOrEqual(
        4 * se + slack,
      );
      // a standard deviation from 50 draws is within about 10% (one standard error) of the true one
      expect(ours.importancesStd[f] / theirs.importancesStd[f], `std of feature ${f}`).toBeGreaterThan(0.6);
      expect(ours.importancesStd[f] / theirs.importancesStd[f], `std of feature ${f}`).toBeLessThan(1.4);
    }
  }

  it('the model is scikit-learn’s (same accuracy)', () => {
    const predicted = model.predictClasses(x).dataSync();
    const labels = y.dataSync();
    expect(predicted.filter((c, i) => c === labels[i]).length / 150).toBeCloseTo(iris.accuracy, 10);
  });

  it('agrees with scikit-learn’s permutation_importance (accuracy) at 50 repeats', async () => {
    const result = await permutationImportance(model, x, y, { nRepeats: iris.nRepeats, seed: 0 });
    expect(result.importances).toHaveLength(4);
    for (const row of result.importances) expect(row).toHaveLength(iris.nRepeats);
    expectAgrees(result, iris.permutation.accuracy, iris.nRepeats, 1 / 150);
    // the petal features (2, 3) matter most, as scikit-learn finds
    const order = [0, 1, 2, 3].sort((a, b) => result.importancesMean[b] - result.importancesMean[a]);
    expect(order.slice(0, 2).sort()).toEqual([2, 3]);
  });

  it('agrees with scikit-learn’s neg_log_loss scoring when scoring with the compiled loss', async () => {
    const result = await permutationImportance(model, x, y, { metric: 'loss', nRepeats: iris.nRepeats, seed: 1 });
    expectAgrees(result, iris.permutation.neg_log_loss, iris.nRepeats, 1e-4);
  });

  it('mean and std are numpy’s mean and population std of the importances', async () => {
    const { importances, importancesMean, importancesStd } = await permutationImportance(model, x, y, {
      nRepeats: 4,
      seed: 2,
    });
    for (let f = 0; f < 4; f++) {
      const mean = importances[f].reduce((a, b) => a + b, 0) / 4;
      expect(importancesMean[f]).toBeCloseTo(mean, 12);
      expect(importancesStd[f]).toBeCloseTo(Math.sqrt(importances[f].reduce((a, v) => a + (v - mean) ** 2, 0) / 4), 12);
    }
  });

  it('gives exactly 0 to a feature the model ignores', async () => {
    const ignoring = nn.sequential({
      layers: [
        nn.layers.dense({ units: 16, activation: 'relu', inputShape: [4] }),
        nn.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const weights = iris.weights.map((w: number[] | number[][]) => nn.tensor(w));
    const kernel = (iris.weights[0] as number[][]).map((row, i) => (i === 1 ? row.map(() => 0) : row));
    weights[0] = nn.tensor(kernel);
    ignoring.setWeights(weights);
    ignoring.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    for (const metric of ['accuracy', 'loss'] as const) {
      const { importances } = await permutationImportance(ignoring, x, y, { metric, nRepeats: 10, seed: 3 });
      expect(importances[1]).toEqual(new Array(10).fill(0));
      expect(importances[3].some((v) => v !== 0)).toBe(true);
    }
    ignoring.dispose();
  });

  it('scores a one-output sigmoid model by p > 0.5 against 0/1 labels', async () => {
    // p = sigmoid(4·x₀): the class is the sign of feature 0, and nothing else matters
    const binary = nn.sequential({ layers: [nn.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [4] })] });
    binary.setWeights([nn.tensor2d([[4], [0], [0], [0]]), nn.tensor1d([0])]);
    const labels = (iris.x as number[][]).map((row) => (row[0] > 0 ? 1 : 0));
    const { importancesMean, importances } = await permutationImportance(binary, x, labels, { nRepeats: 20, seed: 4 });
    // shuffling feature 0 leaves about half the rows right: a drop near 0.5 from 1
    expect(importancesMean[0]).toBeGreaterThan(0.35);
    expect(importancesMean[0]).toBeLessThan(0.65);
    for (const f of [1, 2, 3]) expect(importances[f]).toEqual(new Array(20).fill(0));
    await expect(
      permutationImportance(
        binary,
        x,
        labels.map((v) => v * 2),
      ),
    ).rejects.toThrow(/\[0, 2\)/);
    binary.dispose();
  });

  it('a seed reproduces the result exactly; another seed gives another', async () => {
    const a = await permutationImportance(model, x, y, { nRepeats: 5, seed: 7 });
    const b = await permutationImportance(model, x, y, { nRepeats: 5, seed: 7 });
    const c = await permutationImportance(model, x, y, { nRepeats: 5, seed: 8 });
    expect(b).toEqual(a);
    expect(c.importances).not.toEqual(a.importances);
  });

  it('takes a score function, one-hot labels and nested arrays, with the same permutations for a seed', async () => {
    const accuracy = (yTrue: nn.Tensor, yPred: nn.Tensor) => {
      const labels = yTrue.dataSync();
      const predicted = yPred.argMax(-1);
      const classes = predicted.dataSync();
      predicted.dispose();
      return classes.filter((c, i) => c === labels[i]).length / labels.length;
    };
    const reference = await permutationImportance(model, x, y, { nRepeats: 6, seed: 9 });
    const byFunction = await permutationImportance(model, x, y, { metric: accuracy, nRepeats: 6, seed: 9 });
    expect(byFunction).toEqual(reference);
    const oneHot = nn.oneHot(y, 3);
    expect(await permutationImportance(model, iris.x, oneHot, { nRepeats: 6, seed: 9 })).toEqual(reference);
    expect(await permutationImportance(model, iris.x, iris.y, { nRepeats: 6, seed: 9 })).toEqual(reference);
    oneHot.dispose();
  });

  it('rejects bad labels, metrics and options clearly, leaving no tensors behind', async () => {
    await permutationImportance(model, x, y, { nRepeats: 2, seed: 0, metric: 'loss' });
    const wide = nn.zeros([150, 5]);
    const before = nn.memory().numTensors;
    await expect(permutationImportance(model, x, iris.y.slice(0, 10))).rejects.toThrow(/one row per row of x \(150\)/);
    await expect(
      permutationImportance(
        model,
        x,
        iris.y.map((v: number) => v + 1),
      ),
    ).rejects.toThrow(/y\[\d+\] is 3; expected a class index in \[0, 3\)/);
    await expect(permutationImportance(model, x, y, { metric: 'f1' as never })).rejects.toThrow(ValueError);
    await expect(permutationImportance(model, x, y, { nRepeats: 0 })).rejects.toThrow(/nRepeats/);
    await expect(permutationImportance(model, x, y, { nrepeats: 3 } as never)).rejects.toThrow(/did you mean nRepeats/);
    await expect(permutationImportance(model, wide, y)).rejects.toThrow(ShapeError);
    await expect(permutationImportance(model, x, y, { metric: () => Number.NaN })).rejects.toThrow(/return a number/);
    const uncompiled = nn.sequential({ layers: [nn.layers.dense({ units: 3, inputShape: [4] })] });
    await expect(permutationImportance(uncompiled, x, y, { metric: 'loss' })).rejects.toThrow(/compiled/);
    uncompiled.dispose();
    await permutationImportance(model, x, y, { nRepeats: 2, seed: 0, metric: 'loss' });
    expect(nn.memory().numTensors).toBe(before);
    wide.dispose();
  });
});
