// surrogate.tree: fidelity to trained neurasm networks, the tree's methods, JSON, augmentation,
// regression and binary models, and bad input.
import { beforeAll, describe, expect, it } from 'vitest';
import { type NeurasmError, ShapeError, ValueError } from '../../src/errors.js';
import * as nn from '../../src/index.js';
import type { Sequential } from '../../src/models/sequential.js';
import { pythonFixed } from '../../src/surrogate/export-text.js';
import { augmentRows, augmentSamples, networkLabels } from '../../src/surrogate/network.js';
import { meets } from '../../src/surrogate/rule.js';
import { type TreeOptions, tree, treeFromJSON } from '../../src/surrogate/tree.js';
import { type SurrogateFixture, testRows, trainRows, useFixtures } from './fixtures.js';
import { splitNetwork } from './split-networks.js';

const fixtures = useFixtures();

describe('fidelity to trained networks on held-out rows', () => {
  it.each(['iris', 'breast-cancer'])('%s: >= 0.95 at depth <= 5', async (name) => {
    const f = fixtures.get(name)!;
    const surrogate = await tree(f.network, trainRows(f), { maxDepth: 5 });
    const fidelity = surrogate.fidelity(f.network, testRows(f));
    console.log(
      `${name}: depth ${surrogate.depth}, ${surrogate.leafCount} leaves, held-out fidelity ${fidelity.toFixed(3)}`,
    );
    expect(surrogate.depth).toBeLessThanOrEqual(5);
    expect(fidelity).toBeGreaterThanOrEqual(0.95);
  });

  // wine's 53 held-out rows are too few to judge one fit (one row is 0.019), so the network is
  // trained as the fixture's on ten seeded splits and the held-out rows are pooled. Measured (seed
  // 0): 0.904 without augmentation, 0.953 with augment 'auto' and entropy; over seeds 0-2 the mean
  // is 0.94-0.95 and a single split ranges 0.87-1.0, so 0.95 is not asserted: the floor below
  // keeps a margin, and the gain over the unaugmented trees must show.
  it("wine: augment 'auto' + entropy lifts held-out fidelity at depth 5 (10 splits pooled)", async () => {
    const [plain, augmented] = [[] as number[], [] as number[]];
    for (const split of [2026, 1, 2, 3, 4, 5, 6, 7, 8, 9]) {
      const s = await splitNetwork('wine', split);
      const grow = (augment?: 'auto') => tree(s.network, s.xTrain, { maxDepth: 5, criterion: 'entropy', augment });
      const [a, b] = [await grow(), await grow('auto')];
      expect(b.depth).toBeLessThanOrEqual(5);
      plain.push(a.fidelity(s.network, s.xTest));
      augmented.push(b.fidelity(s.network, s.xTest));
      s.dispose();
    }
    const mean = (v: number[]) => v.reduce((x, y) => x + y, 0) / v.length;
    console.log(
      `wine, 10 splits: held-out fidelity at depth 5 ${mean(plain).toFixed(3)} without augmentation, ${mean(augmented).toFixed(3)} with augment 'auto' (per split ${augmented.map((v) => v.toFixed(3)).join(' ')})`,
    );
    expect(mean(augmented)).toBeGreaterThanOrEqual(0.92);
    expect(mean(augmented) - mean(plain)).toBeGreaterThanOrEqual(0.02);
  }, 120_000);

  it('digits: reported at depth 5, 8 and unlimited (no depth-5 target), rising with depth', async () => {
    const f = fixtures.get('digits')!;
    const results: string[] = [];
    let previous = 0;
    for (const maxDepth of [5, 8, null]) {
      const surrogate = await tree(f.network, trainRows(f), { maxDepth });
      const fidelity = surrogate.fidelity(f.network, testRows(f));
      results.push(`maxDepth ${maxDepth}: depth ${surrogate.depth}, fidelity ${fidelity.toFixed(3)}`);
      expect(fidelity).toBeGreaterThan(previous - 0.05);
      previous = fidelity;
    }
    const augmented = await tree(f.network, trainRows(f), { maxDepth: 8, augment: 5000, seed: 1 });
    results.push(
      `maxDepth 8 + 5000 augmented points: fidelity ${augmented.fidelity(f.network, testRows(f)).toFixed(3)}`,
    );
    console.log(`digits: ${results.join('; ')}`);
    expect(previous).toBeGreaterThan(0.6);
  });
});

describe('the fitted tree', () => {
  it('predicts what its rules say, and its rules cover each row exactly once', async () => {
    const f = fixtures.get('wine')!;
    const surrogate = await tree(f.network, trainRows(f), { maxDepth: 3 });
    const predicted = surrogate.predict(testRows(f));
    const rules = surrogate.toRules();
    expect(rules).toHaveLength(surrogate.leafCount);
    for (let i = 0; i < f.model.test.length; i++) {
      const matching = rules.filter((r) => meets(r.conditions, f.xTest, i, f.d));
      expect(matching).toHaveLength(1);
      expect(matching[0].prediction).toBe(predicted[i]);
    }
    expect(rules.reduce((s, r) => s + r.samples, 0)).toBe(f.model.train.length);
    expect(rules.reduce((s, r) => s + r.support, 0)).toBeCloseTo(1, 12);
    for (const rule of rules) {
      expect(rule.precision).toBeGreaterThan(0);
      expect(rule.text.startsWith('IF ')).toBe(true);
    }
  });

  it('predictProba: leaf class fractions whose argmax is predict; on training rows the tree of no limit agrees fully', async () => {
    const f = fixtures.get('iris')!;
    const surrogate = await tree(f.network, trainRows(f));
    const proba = surrogate.predictProba(trainRows(f));
    const predicted = surrogate.predict(trainRows(f));
    proba.forEach((p, i) => {
      expect(p).toHaveLength(3);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(p.indexOf(Math.max(...p))).toBe(predicted[i]);
    });
    expect(surrogate.fidelity(f.network, trainRows(f))).toBe(1);
    expect(surrogate.featureImportances.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('toJSON and treeFromJSON give the same tree (object and JSON text)', async () => {
    const f = fixtures.get('breast-cancer')!;
    const names = Array.from({ length: f.d }, (_, i) => `x${i}`);
    const surrogate = await tree(f.network, trainRows(f), {
      maxDepth: 4,
      featureNames: names,
      classNames: ['malignant', 'benign'],
    });
    for (const json of [surrogate.toJSON(), JSON.stringify(surrogate)]) {
      const again = await treeFromJSON(json);
      expect(again.predict(testRows(f))).toEqual(surrogate.predict(testRows(f)));
      expect(again.toText()).toBe(surrogate.toText());
      expect(again.featureImportances).toEqual(surrogate.featureImportances);
      expect([again.depth, again.leafCount]).toEqual([surrogate.depth, surrogate.leafCount]);
    }
    expect(surrogate.toText()).toContain('class: benign');
    const broken = { ...surrogate.toJSON(), left: surrogate.toJSON().left.map(() => -1) };
    broken.right = broken.left;
    await expect(treeFromJSON(broken)).rejects.toThrow(/do not form one tree/);
    await expect(treeFromJSON('{oops')).rejects.toThrow(ValueError);
    await expect(treeFromJSON({ ...surrogate.toJSON(), feature: [99] })).rejects.toThrow(/feature/);
  });

  it("augment 'auto': 50 points per row at scale 0.3, seeded; capped for wide inputs", async () => {
    const f = fixtures.get('wine')!;
    const n = f.model.train.length;
    const grow = (augment: TreeOptions['augment'], seed = 0) =>
      tree(f.network, trainRows(f), { maxDepth: 5, augment, seed });
    const [auto, explicit, again, other] = await Promise.all([
      grow('auto'),
      grow({ samples: 50 * n, scale: 0.3 }),
      grow({}),
      grow('auto', 1),
    ]);
    expect(auto.toJSON().samples[0]).toBe(51 * n);
    expect(auto.toJSON()).toEqual(explicit.toJSON());
    expect(auto.toJSON()).toEqual(again.toJSON());
    expect(auto.toJSON()).not.toEqual(other.toJSON());
    expect((await grow(0)).toJSON()).toEqual((await grow(undefined)).toJSON());
    expect(augmentSamples({ samples: null, scale: 0.3 }, 1000, 13)).toBe(50_000);
    expect(augmentSamples({ samples: null, scale: 0.3 }, 1000, 784)).toBe(Math.floor(10_000_000 / 784));
    expect(augmentSamples({ samples: 7, scale: 0.3 }, 1000, 784)).toBe(7);
  });

  it('augment: the points are rows plus noise of scale × the feature standard deviation', () => {
    const rows = { x: Float32Array.from([0, 10, 2, 30, 4, 50]), n: 3, d: 2 };
    const std = [Math.sqrt(8 / 3), Math.sqrt(800 / 3)];
    const out = augmentRows(rows, { samples: 20_000, scale: 0.5 }, 9);
    expect(out.n).toBe(20_003);
    expect(Array.from(out.x.subarray(0, 6))).toEqual([0, 10, 2, 30, 4, 50]);
    // a row drawn uniformly plus N(0, (0.5 std)²) noise has variance std² (1 + 0.25) per feature
    for (let f = 0; f < 2; f++) {
      let sum = 0;
      let sumSq = 0;
      for (let k = 3; k < out.n; k++) {
        sum += out.x[k * 2 + f];
        sumSq += out.x[k * 2 + f] ** 2;
      }
      const variance = sumSq / 20_000 - (sum / 20_000) ** 2;
      expect(Math.abs(variance / (std[f] ** 2 * 1.25) - 1)).toBeLessThan(0.05);
    }
    expect(augmentRows(rows, { samples: 0, scale: 0.5 }, 9)).toBe(rows);
  });

  it('augment: a seed reproduces the tree exactly, another seed gives other points', async () => {
    const f = fixtures.get('wine')!;
    const grow = (seed: number) => tree(f.network, trainRows(f), { augment: { samples: 2000, scale: 0.3 }, seed });
    const [a, b, c] = await Promise.all([grow(3), grow(3), grow(4)]);
    expect(a.toJSON()).toEqual(b.toJSON());
    expect(a.toJSON()).not.toEqual(c.toJSON());
    expect(a.toJSON().samples[0]).toBe(f.model.train.length + 2000);
  });

  it('ccpAlpha prunes to a subtree of the unpruned tree', async () => {
    const f = fixtures.get('breast-cancer')!;
    const full = await tree(f.network, trainRows(f));
    const pruned = await tree(f.network, trainRows(f), { ccpAlpha: 0.01 });
    expect(pruned.leafCount).toBeLessThan(full.leafCount);
    expect(pruned.toJSON().feature[0]).toBe(full.toJSON().feature[0]);
  });

  it('a regression model (one linear output) gives a regression tree; fidelity is R²', async () => {
    const f = fixtures.get('wine-regression')!;
    const shallow = await tree(f.network, trainRows(f), { maxDepth: 2 });
    const deep = await tree(f.network, trainRows(f), { maxDepth: 8 });
    expect(shallow.kind).toBe('regression');
    expect(shallow.classNames).toBeNull();
    const [r2Shallow, r2Deep] = [shallow.fidelity(f.network, trainRows(f)), deep.fidelity(f.network, trainRows(f))];
    expect(r2Deep).toBeGreaterThan(r2Shallow);
    expect(r2Deep).toBeGreaterThan(0.95);
    console.log(
      `wine regression network: R² on held-out rows ${shallow.fidelity(f.network, testRows(f)).toFixed(3)} (depth 2), ${deep.fidelity(f.network, testRows(f)).toFixed(3)} (depth 8)`,
    );
    expect(shallow.fidelity(f.network, testRows(f))).toBeGreaterThan(0.3);
    expect(shallow.toText()).toMatch(/value: \[/);
    expect(() => shallow.predictProba(testRows(f))).toThrow(/regression/);
    await expect(tree(f.network, trainRows(f), { classNames: ['a'] })).rejects.toThrow(/regression model/);
  });

  it('a binary model with one sigmoid output is a classifier of 0/1 (output > 0.5)', async () => {
    nn.setSeed(3);
    const model = nn.sequential({ layers: [nn.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [2] })] });
    const x = nn.tensor(
      Float32Array.from({ length: 400 }, (_, i) => Math.sin(i * 1.7) * 3),
      [200, 2],
    );
    const surrogate = await tree(model, x, { maxDepth: 6 });
    expect(surrogate.kind).toBe('classification');
    expect(surrogate.classNames).toEqual(['0', '1']);
    const labels = networkLabels(model, { x: x.dataSync<'float32'>(), n: 200, d: 2 }).labels;
    expect(new Set(labels).size).toBe(2);
    expect(surrogate.fidelity(model, x)).toBeGreaterThan(0.9);
    model.dispose();
  });

  it('does not keep tensors alive over repeated fits and predictions', async () => {
    const f = fixtures.get('iris')!;
    const xTrain = trainRows(f);
    const xTest = testRows(f);
    const round = async () => {
      const t = await tree(f.network, xTrain, { maxDepth: 3, augment: 100 });
      t.fidelity(f.network, xTest);
      t.predict(xTest);
      t.predict([[0, 0, 0, 0]]);
    };
    await round(); // the first round may compile and keep the model's traces for these batch sizes
    const before = nn.memory().numTensors;
    for (let k = 0; k < 3; k++) await round();
    expect(nn.memory().numTensors).toBe(before);
  });

  it('pythonFixed rounds exact halves to even as Python, everything else as toFixed', () => {
    expect([0.125, 0.375, 2.5, -0.125, 1.005, 0.1].map((v) => pythonFixed(v, 2))).toEqual([
      '0.12',
      '0.38',
      '2.50',
      '-0.12',
      '1.00',
      '0.10',
    ]);
    expect(pythonFixed(0.5, 0)).toBe('0');
    expect(pythonFixed(1.5, 0)).toBe('2');
  });
});

describe('bad input: clear errors, the model unchanged', () => {
  let f: SurrogateFixture;
  let model: Sequential;
  beforeAll(() => {
    f = fixtures.get('iris')!;
    model = f.network;
  });
  const cases: [string, () => Promise<unknown>, RegExp, typeof NeurasmError][] = [
    ['maxDepth 0', () => tree(model, trainRows(f), { maxDepth: 0 }), /maxDepth/, ValueError],
    ['maxDepth 1.5', () => tree(model, trainRows(f), { maxDepth: 1.5 }), /maxDepth/, ValueError],
    [
      'a feature name that is an object',
      () => tree(model, trainRows(f), { featureNames: ['a', 'b', {} as never, 'd'] }),
      /featureNames\[2\]/,
      ValueError,
    ],
    [
      'too few feature names',
      () => tree(model, trainRows(f), { featureNames: ['a'] }),
      /featureNames.*4 names/,
      ShapeError,
    ],
    [
      'too many class names',
      () => tree(model, trainRows(f), { classNames: ['a', 'b', 'c', 'd'] }),
      /classNames/,
      ShapeError,
    ],
    ['x of the wrong width', () => tree(model, nn.zeros([5, 3])), /\[\*, 4\]|4/, ShapeError],
    ['an unknown criterion', () => tree(model, trainRows(f), { criterion: 'mse' as never }), /criterion/, ValueError],
    ['a misspelt option', () => tree(model, trainRows(f), { maxdepht: 3 } as never), /maxDepth/, ValueError],
    ['minSamplesLeaf 0', () => tree(model, trainRows(f), { minSamplesLeaf: 0 }), /minSamplesLeaf/, ValueError],
    ['a negative ccpAlpha', () => tree(model, trainRows(f), { ccpAlpha: -1 }), /ccpAlpha/, ValueError],
    ['a bad augment', () => tree(model, trainRows(f), { augment: -3 }), /augment/, ValueError],
    [
      'an augment word other than auto',
      () => tree(model, trainRows(f), { augment: 'full' as never }),
      /'auto'/,
      ValueError,
    ],
    [
      'augment.samples 1.5',
      () => tree(model, trainRows(f), { augment: { samples: 1.5 } }),
      /augment.samples/,
      ValueError,
    ],
    [
      'a negative augment.scale',
      () => tree(model, trainRows(f), { augment: { scale: -1 } }),
      /augment.scale/,
      ValueError,
    ],
    [
      'an unknown augment key',
      () => tree(model, trainRows(f), { augment: { noise: 1 } as never }),
      /noise/,
      ValueError,
    ],
    ['a model that is not one', () => tree({}, trainRows(f)), /model/, ValueError],
    ['NaN in x', () => tree(model, [[Number.NaN, 0, 0, 0]]), /NaN|finite/i, ValueError],
  ];
  it.each(cases)('%s', async (_, call, message, type) => {
    const before = model.getWeights().map((w) => {
      const values = Array.from(w.dataSync());
      w.dispose();
      return values;
    });
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toMatch(message);
    const after = model.getWeights().map((w) => {
      const values = Array.from(w.dataSync());
      w.dispose();
      return values;
    });
    expect(after).toEqual(before);
  });

  it('predict and fidelity check the width of x', async () => {
    const surrogate = await tree(model, trainRows(f), { maxDepth: 2 });
    expect(() => surrogate.predict([[1, 2, 3]])).toThrow(ShapeError);
    expect(() => surrogate.fidelity(fixtures.get('wine')!.network, testRows(fixtures.get('wine')!))).toThrow(
      ShapeError,
    );
    expect(() => surrogate.toText({ decimals: -1 })).toThrow(/decimals/);
  });
});
