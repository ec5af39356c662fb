import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/datasets/index.js';
import * as nn from '../../src/index.js';
import { crossValidate, type FoldResult } from '../../src/selection/data-namespace.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

/** The classic Keras example model: hidden layers with relu, a softmax output, adam, sparse cross-entropy, accuracy. */
function mlp(
  features: number,
  classes: number,
  hidden: number[],
  lr = 0.001,
  metrics: nn.MetricIdentifier[] = ['accuracy'],
) {
  return () => {
    const model = nn.sequential({
      layers: [
        ...hidden.map((units, i) =>
          nn.layers.dense({ units, activation: 'relu', ...(i === 0 ? { inputShape: [features] } : {}) }),
        ),
        nn.layers.dense({ units: classes, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: nn.train.adam(lr), loss: 'sparseCategoricalCrossentropy', metrics });
    return model;
  };
}

describe('crossValidate', () => {
  it('returns per-fold scores with histories and their mean and population std on iris, freeing every fold', async () => {
    const iris = await loadDataset('iris');
    const before = nn.memory();
    const seen: Array<[number, number, FoldResult]> = [];
    const cv = await crossValidate(mlp(4, 3, [16], 0.01), iris.x, iris.y, {
      k: 3,
      stratified: true,
      epochs: 20,
      batchSize: 16,
      preprocess: 'standard',
      validationSplit: 0.1,
      seed: 5,
      onFold: (f, k, r) => {
        seen.push([f, k, r]);
      },
    });
    const after = nn.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);

    expect(cv.folds).toHaveLength(3);
    expect(seen.map(([f, k]) => [f, k])).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
    ]);
    expect(seen.map(([, , r]) => r)).toEqual(cv.folds);
    for (const fold of cv.folds) {
      expect(Object.keys(fold)).toEqual(['loss', 'accuracy', 'history']);
      expect(fold.history).toBeInstanceOf(nn.History);
      expect(fold.history.epoch).toHaveLength(20);
      expect(Object.keys(fold.history.history)).toEqual(['loss', 'accuracy', 'val_loss', 'val_accuracy']);
      expect(fold.accuracy).toBeGreaterThan(0.6);
      expect(fold.accuracy).toBeLessThanOrEqual(1);
      // iris has 50 per class: stratified test folds hold 50 rows, so accuracy is a multiple of 1/50
      expect(Math.abs(fold.accuracy * 50 - Math.round(fold.accuracy * 50))).toBeLessThan(1e-4);
    }
    expect(Object.keys(cv.mean)).toEqual(['loss', 'accuracy']);
    expect(Object.keys(cv.std)).toEqual(['loss', 'accuracy']);
    const acc = cv.folds.map((f) => f.accuracy);
    const mean = (acc[0] + acc[1] + acc[2]) / 3;
    expect(cv.mean.accuracy).toBeCloseTo(mean, 12);
    expect(cv.std.accuracy).toBeCloseTo(Math.sqrt(acc.reduce((s, a) => s + (a - mean) ** 2, 0) / 3), 12);
    expect(cv.mean.accuracy).toBeGreaterThan(0.8);
    nn.dispose(iris);
  });

  it('is reproducible with a seed, and keys metrics as compile named them', async () => {
    const iris = await loadDataset('iris');
    const run = (seed: number) =>
      crossValidate(mlp(4, 3, [8], 0.01, ['acc']), iris.x, iris.y, { k: 3, epochs: 3, preprocess: 'minmax', seed });
    const a = await run(1);
    const b = await run(1);
    const c = await run(2);
    expect(Object.keys(a.mean)).toEqual(['loss', 'acc']);
    expect(a.folds.map((f) => f.loss)).toEqual(b.folds.map((f) => f.loss));
    expect(a.folds.map((f) => f.history.history.loss)).toEqual(b.folds.map((f) => f.history.history.loss));
    expect(a.folds.map((f) => f.loss)).not.toEqual(c.folds.map((f) => f.loss));
    nn.dispose(iris);
  });

  it('fits the preprocessing on each fold training part only', async () => {
    // one feature: 0..9; a scaler fitted on all rows would see max 9, a fold's training part sees less
    const x = nn.tensor2d(Array.from({ length: 10 }, (_, i) => [i]));
    const y = nn.tensor1d(
      Array.from({ length: 10 }, (_, i) => i % 2),
      'int32',
    );
    const fitted: number[][] = [];
    await crossValidate(mlp(1, 2, [2]), x, y, {
      k: 2,
      shuffle: false,
      epochs: 1,
      preprocess: () => {
        const s = nn.data.minMaxScaler();
        const original = s.fit.bind(s);
        s.fit = (t) => {
          fitted.push(Array.from(t.dataSync()));
          return original(t);
        };
        return s;
      },
    });
    expect(fitted).toEqual([
      [5, 6, 7, 8, 9],
      [0, 1, 2, 3, 4],
    ]);
    nn.dispose([x, y]);
  });

  it('rejects bad input clearly and leaks nothing when a fold fails', async () => {
    const iris = await loadDataset('iris');
    const build = mlp(4, 3, [4]);
    const short = nn.data.takeRows(iris.y, [0, 1, 2]);
    const before = nn.memory().numTensors;
    await expect(crossValidate(build, iris.x, short)).rejects.toThrow(
      /crossValidate: x and y must have the same number of rows, got x \[150, 4\] and y \[3\]/,
    );
    await expect(crossValidate(build, iris.x, iris.y, { k: 1 })).rejects.toThrow(/expected k to be an integer >= 2/);
    await expect(crossValidate(build, iris.x, iris.y, { k: 151 })).rejects.toThrow(/k = 151 folds need at least 151/);
    const x = nn.data.takeRows(iris.x, [0, 1, 2, 50, 51, 100, 101, 102]);
    const y = nn.data.takeRows(iris.y, [0, 1, 2, 50, 51, 100, 101, 102]);
    await expect(crossValidate(build, x, y, { k: 3, stratified: true })).rejects.toThrow(
      /class 1 has 2 members, fewer than k = 3/,
    );
    await expect(crossValidate(build, iris.x, iris.y, { preprocess: 'zscore' as 'standard' })).rejects.toThrow(
      /expected preprocess to be 'standard', 'minmax', 'robust', 'none' or a function/,
    );
    await expect(crossValidate('model' as unknown as () => nn.Sequential, iris.x, iris.y)).rejects.toThrow(
      /expected buildModel to be a function/,
    );
    const start = nn.memory().numTensors;
    await expect(crossValidate(() => null as unknown as nn.Sequential, iris.x, iris.y, { k: 2 })).rejects.toThrow(
      /buildModel\(0\) must return a compiled Sequential model, got null/,
    );
    await expect(
      crossValidate(() => nn.sequential({ layers: [nn.layers.dense({ units: 3, inputShape: [4] })] }), iris.x, iris.y, {
        k: 2,
      }),
    ).rejects.toThrow(/buildModel\(0\) must return a compiled Sequential model, got one that was not compiled/);
    expect(nn.memory().numTensors).toBe(start);
    nn.dispose([x, y]);
    expect(nn.memory().numTensors).toBe(before);
    nn.dispose([iris, short]);
  });
});

describe('crossValidate: bad arguments', () => {
  it('a factory returning something else than a model is a ValueError naming it, and memory is unchanged', async () => {
    const iris = await loadDataset('iris');
    const before = nn.memory();
    const notModels: Array<[unknown, string]> = [
      [5, '5'],
      ['model', '"model"'],
      [{ fit: () => null }, 'object'],
      [undefined, 'undefined'],
    ];
    for (const [value, shown] of notModels) {
      const call = crossValidate((() => value) as unknown as () => nn.Sequential, iris.x, iris.y, { k: 2 });
      await expect(call).rejects.toThrow(nn.ValueError);
      await expect(
        crossValidate((() => value) as unknown as () => nn.Sequential, iris.x, iris.y, { k: 2 }),
      ).rejects.toThrow(`crossValidate: buildModel(0) must return a compiled Sequential model, got ${shown}`);
    }
    // an async factory too
    await expect(
      crossValidate((async () => 5) as unknown as () => Promise<nn.Sequential>, iris.x, iris.y, { k: 2 }),
    ).rejects.toThrow(/must return a compiled Sequential model, got 5/);
    expect(nn.memory()).toEqual(before);
    nn.dispose(iris);
  });

  it('fit options are checked before any fold starts', async () => {
    const iris = await loadDataset('iris');
    let built = 0;
    const build = () => {
      built++;
      return mlp(4, 3, [4])();
    };
    const before = nn.memory();
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ epochs: 0 }, /crossValidate: expected epochs to be an integer >= 1, got 0/],
      [{ batchSize: 2.5 }, /crossValidate: expected batchSize to be an integer >= 1, got 2.5/],
      [{ validationSplit: 1 }, /crossValidate: expected validationSplit in \[0, 1\) \(0: no validation\), got 1/],
      [{ verbose: 2 }, /crossValidate: expected verbose to be 0 or 1, got 2/],
      [{ shuffle: 'yes' }, /crossValidate: expected shuffle to be a boolean, got "yes"/],
      [{ callbacks: ['log'] }, /crossValidate: expected callbacks to be callback objects, got "log"/],
      [{ folds: 3 }, /crossValidate: unknown option "folds"; the options are k, stratified, shuffle/],
      [{ batch_size: 8 }, /crossValidate: unknown option "batch_size"; did you mean batchSize\?/],
    ];
    for (const [options, message] of bad) {
      await expect(crossValidate(build, iris.x, iris.y, { k: 2, ...options })).rejects.toThrow(message);
    }
    expect(built).toBe(0);
    expect(nn.memory()).toEqual(before);
    nn.dispose(iris);
  });
});

describe('crossValidate: the classic Keras example model on digits', () => {
  it('5-fold stratified cross-validation of dense 64-64-10 (adam, standardized) reaches a mean accuracy >= 96%', async () => {
    const digits = await loadDataset('digits');
    const before = nn.memory().numTensors;
    const cv = await crossValidate(mlp(64, 10, [64, 64]), digits.x, digits.y, {
      k: 5,
      stratified: true,
      epochs: 50,
      batchSize: 32,
      preprocess: 'standard',
      seed: 42,
    });
    expect(nn.memory().numTensors).toBe(before);
    expect(cv.mean.accuracy).toBeGreaterThanOrEqual(0.96);
    expect(cv.std.accuracy).toBeGreaterThan(0);
    expect(cv.std.accuracy).toBeLessThan(0.03);
    nn.dispose(digits);
  });
});
