// nn.explain through the public API: each method's body comes from the chunk loaded on first use.
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';

beforeAll(async () => {
  await nn.ready();
});

describe('nn.explain', () => {
  it('loads each method on first use and runs it on a small model', async () => {
    nn.setSeed(1);
    const model = nn.sequential({
      layers: [
        nn.layers.dense({ units: 8, activation: 'relu', inputShape: [4] }),
        nn.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const x = nn.tensor([
      [0.1, 0.5, -0.3, 0.9],
      [1, -1, 0.5, 0.2],
    ]);
    const saliency = await nn.explain.saliency(model, x);
    expect(saliency.shape).toEqual([2, 4]);
    const gxi = await nn.explain.gradientTimesInput(model, x);
    expect(gxi.shape).toEqual([2, 4]);
    const ig = await nn.explain.integratedGradients(model, x);
    expect(ig.attributions.shape).toEqual([2, 4]);
    expect(ig.delta).toHaveLength(2);
    const trainingData = nn.randomNormal([50, 4], 0, 1, 'float32', 3);
    const lime = await nn.explain.lime(model, x, { trainingData, seed: 2, numSamples: 500 });
    expect(lime).toHaveLength(2);
    expect(Number.isFinite(lime[0].intercept)).toBe(true);
    const y = nn.tensor([0, 2], [2], 'int32');
    const importance = await nn.explain.permutationImportance(model, x, y, { seed: 3, nRepeats: 2 });
    expect(importance.importancesMean).toHaveLength(4);
    y.dispose();
    const background = await nn.explain.kmeans(trainingData, 5, { seed: 1 });
    const shap = await nn.explain.kernelShap(model, x, { background, seed: 4 });
    expect(shap.values.shape).toEqual([2, 4, 3]);
    expect(shap.baseValues).toHaveLength(3);
    shap.values.dispose();
    nn.dispose([saliency, gxi, ig.attributions, x, trainingData]);
    model.dispose();
  });

  it('rejects a call with a bad model before any work', async () => {
    await expect(nn.explain.saliency({} as never, [[1, 2]])).rejects.toThrow(nn.NeurasmError);
  });

  it('nn.surrogate loads on first use: a tree and a rule list of a model, and the tree back from JSON', async () => {
    nn.setSeed(2);
    const model = nn.sequential({
      layers: [
        nn.layers.dense({ units: 8, activation: 'relu', inputShape: [3] }),
        nn.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    const x = nn.randomNormal([200, 3], 0, 1, 'float32', 5);
    const tree = await nn.surrogate.tree(model, x, { maxDepth: 3 });
    expect(tree.fidelity(model, x)).toBeGreaterThan(0.8);
    const again = await nn.surrogate.treeFromJSON(tree.toJSON());
    expect(again.predict(x)).toEqual(tree.predict(x));
    const rules = await nn.surrogate.ruleList(model, x, { maxRules: 4 });
    expect(rules.fidelity(model, x)).toBeGreaterThan(0.5);
    x.dispose();
    model.dispose();
  });
});
