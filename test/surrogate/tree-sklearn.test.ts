// Surrogate trees against scikit-learn 1.9 (DecisionTreeClassifier / DecisionTreeRegressor,
// random_state = 0 unless the case gives a seed) fitted to the same rows and the same network labels.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { networkLabels } from '../../src/surrogate/network.js';
import { type TreeOptions, tree } from '../../src/surrogate/tree.js';
import { loadFixture, type SurrogateFixture } from './fixtures.js';

const NAMES = ['iris', 'wine', 'breast-cancer', 'digits', 'wine-regression'];
const fixtures = new Map<string, SurrogateFixture>();

beforeAll(async () => {
  await nn.ready();
  for (const name of NAMES) fixtures.set(name, await loadFixture(name));
});
afterAll(() => {
  for (const f of fixtures.values()) f.network.dispose();
});

describe('surrogate.tree against scikit-learn', () => {
  it.each(NAMES)('%s: the rebuilt network gives the labels the fixture was made with', (name) => {
    const f = fixtures.get(name)!;
    const train = networkLabels(f.network, { x: f.xTrain, n: f.model.train.length, d: f.d }).labels;
    const test = networkLabels(f.network, { x: f.xTest, n: f.model.test.length, d: f.d }).labels;
    if (f.kind === 'classification') {
      expect(Array.from(train)).toEqual(f.model.labelsTrain);
      expect(Array.from(test)).toEqual(f.model.labelsTest);
    } else {
      // outputs: the relaxed-SIMD kernels (fused multiply-add) may round the last bit differently
      const gaps = Array.from(train, (v, k) => Math.abs(v - f.model.labelsTrain[k]));
      expect(Math.max(...gaps)).toBeLessThanOrEqual(1e-5);
    }
  });

  for (const name of NAMES) {
    describe(name, () => {
      const cases = () => fixtures.get(name)!.cases;
      it.each([0, 1, 2, 3, 4, 5, 6].filter((i) => !name.endsWith('regression') || i < 4))('case %i', async (i) => {
        const f = fixtures.get(name)!;
        const c = cases()[i];
        const options = { ...c.options, featureNames: Array.from({ length: f.d }, (_, k) => `f${k}`) } as TreeOptions;
        const surrogate = await tree(f.network, nn.tensor(f.xTrain, [f.model.train.length, f.d]), options);
        const predicted = surrogate.predict(nn.tensor(f.xTest, [f.model.test.length, f.d]));
        const close = (a: number, b: number) =>
          f.kind === 'regression' ? Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)) : a === b;
        const agree = predicted.filter((p, k) => close(p, c.predictions[k])).length / predicted.length;
        expect(agree).toBeGreaterThanOrEqual(0.99);
        if (c.stable) {
          expect(surrogate.depth).toBe(c.depth);
          expect(surrogate.leafCount).toBe(c.leaves);
        }
        const nodes = surrogate.toJSON();
        const same =
          JSON.stringify(nodes.left) === JSON.stringify(c.nodes.left) &&
          JSON.stringify(nodes.feature.map((v) => Math.max(v, -2))) === JSON.stringify(c.nodes.feature) &&
          nodes.threshold.every((t, k) => t === c.nodes.threshold[k]);
        if (same) {
          expect(surrogate.depth).toBe(c.depth);
          expect(surrogate.leafCount).toBe(c.leaves);
          const gaps = surrogate.featureImportances.map((v, k) => Math.abs(v - c.importances[k]));
          expect(Math.max(...gaps)).toBeLessThanOrEqual(1e-6);
          if (c.text) {
            expect(surrogate.toText()).toBe(c.text);
            textsCompared += 1;
          }
          if (c.textWeights) expect(surrogate.toText({ showWeights: true, decimals: 3 })).toBe(c.textWeights);
          if (c.textTruncated) expect(surrogate.toText({ maxDepth: 1, spacing: 2 })).toBe(c.textTruncated);
        }
        // record how many cases grow exactly sklearn's tree (reported, and asserted below)
        exact.push({ name, i, same });
      });
    });
  }

  const exact: { name: string; i: number; same: boolean }[] = [];
  let textsCompared = 0;
  it("grows exactly sklearn's tree (same nodes, thresholds, importances) in every case", () => {
    expect(exact).toHaveLength(4 * 7 + 4);
    expect(exact.filter((e) => !e.same)).toEqual([]);
    expect(textsCompared).toBeGreaterThanOrEqual(10);
  });
});
