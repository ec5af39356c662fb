import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { randomArray, rng } from '../helpers/random.js';
import { modelPair, type RefActivation } from './float64-model.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const ROWS = 37;
const IN = 4;
const x = randomArray(ROWS * IN, 41);

function argmax(v: ArrayLike<number>, off: number, n: number): number {
  let b = 0;
  for (let j = 1; j < n; j++) if (v[off + j] > v[off + b]) b = j;
  return b;
}

/** Hand-computed Keras metrics from predictions and labels. */
const hand = {
  sparseAccuracy(p: ArrayLike<number>, labels: ArrayLike<number>, w: number) {
    let hit = 0;
    for (let r = 0; r < labels.length; r++) if (argmax(p, r * w, w) === labels[r]) hit++;
    return hit / labels.length;
  },
  categoricalAccuracy(p: ArrayLike<number>, t: ArrayLike<number>, w: number) {
    const rows = t.length / w;
    let hit = 0;
    for (let r = 0; r < rows; r++) if (argmax(p, r * w, w) === argmax(t, r * w, w)) hit++;
    return hit / rows;
  },
  binaryAccuracy(p: ArrayLike<number>, t: ArrayLike<number>) {
    let hit = 0;
    for (let i = 0; i < t.length; i++) if (p[i] > 0.5 === t[i] > 0.5) hit++;
    return hit / t.length;
  },
  precision(p: ArrayLike<number>, t: ArrayLike<number>) {
    let tp = 0;
    let fp = 0;
    for (let i = 0; i < t.length; i++) {
      if (p[i] > 0.5 && t[i] === 1) tp++;
      if (p[i] > 0.5 && t[i] === 0) fp++;
    }
    return tp / (tp + fp);
  },
  recall(p: ArrayLike<number>, t: ArrayLike<number>) {
    let tp = 0;
    let fn = 0;
    for (let i = 0; i < t.length; i++) {
      if (p[i] > 0.5 && t[i] === 1) tp++;
      if (p[i] <= 0.5 && t[i] === 1) fn++;
    }
    return tp / (tp + fn);
  },
  mse(p: ArrayLike<number>, t: ArrayLike<number>) {
    let s = 0;
    for (let i = 0; i < t.length; i++) s += (p[i] - t[i]) ** 2;
    return s / t.length;
  },
  mae(p: ArrayLike<number>, t: ArrayLike<number>) {
    let s = 0;
    for (let i = 0; i < t.length; i++) s += Math.abs(p[i] - t[i]);
    return s / t.length;
  },
};

function sparseLabels(classes: number, seed: number): Int32Array {
  const r = rng(seed);
  return Int32Array.from({ length: ROWS }, () => Math.floor(r() * classes));
}
function binary(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (r() < 0.5 ? 0 : 1));
}
function oneHot(labels: Int32Array, classes: number): Float32Array {
  const out = new Float32Array(labels.length * classes);
  labels.forEach((l, i) => {
    out[i * classes + l] = 1;
  });
  return out;
}

function model(act: RefActivation, units: number, seed = 600) {
  return modelPair(IN, [{ units, act }], seed).model;
}

/** Predictions of the model and evaluate's values (loss first), with batches of 8 (a partial last one). */
function run(m: nn.Sequential, labels: ArrayLike<number>) {
  const pred = m.predict(x);
  const p = pred.dataSync().slice();
  pred.dispose();
  const ev = m.evaluate(x, labels, { batchSize: 8 }) as nn.Tensor[];
  const values = ev.map((t) => t.dataSync()[0]);
  nn.dispose(ev);
  return { p, values };
}

describe('metrics against hand computation (evaluate)', () => {
  it("'accuracy' with a sparse loss is sparse categorical accuracy", () => {
    const m = model('softmax', 3);
    const labels = sparseLabels(3, 1);
    m.compile({
      optimizer: 'sgd',
      loss: 'sparseCategoricalCrossentropy',
      metrics: ['accuracy', 'sparse_categorical_accuracy'],
    });
    const { p, values } = run(m, labels);
    const want = hand.sparseAccuracy(p, labels, 3);
    expect(want).toBeGreaterThan(0);
    expect(want).toBeLessThan(1);
    expect(values[1]).toBeCloseTo(want, 6);
    expect(values[2]).toBeCloseTo(want, 6);
    m.dispose();
  });

  it("'accuracy' with categorical labels is categorical accuracy", () => {
    const m = model('softmax', 3);
    const labels = oneHot(sparseLabels(3, 2), 3);
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['acc', 'categoricalAccuracy'] });
    const { p, values } = run(m, labels);
    const want = hand.categoricalAccuracy(p, labels, 3);
    expect(values[1]).toBeCloseTo(want, 6);
    expect(values[2]).toBeCloseTo(want, 6);
    m.dispose();
  });

  it("'accuracy' with one output is binary accuracy; precision and recall at 0.5", () => {
    const m = model('sigmoid', 1);
    const labels = binary(ROWS, 3);
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy', 'precision', 'recall'] });
    const { p, values } = run(m, labels);
    expect(values[1]).toBeCloseTo(hand.binaryAccuracy(p, labels), 6);
    expect(values[2]).toBeCloseTo(hand.precision(p, labels), 6);
    expect(values[3]).toBeCloseTo(hand.recall(p, labels), 6);
    m.dispose();
  });

  it('binary accuracy, precision and recall over several outputs (multi-label)', () => {
    const m = model('sigmoid', 3, 601);
    const labels = binary(ROWS * 3, 4);
    m.compile({
      optimizer: 'sgd',
      loss: 'binary_crossentropy',
      metrics: ['binary_accuracy', 'precision', 'recall'],
    });
    const { p, values } = run(m, labels);
    expect(values[1]).toBeCloseTo(hand.binaryAccuracy(p, labels), 6);
    expect(values[2]).toBeCloseTo(hand.precision(p, labels), 6);
    expect(values[3]).toBeCloseTo(hand.recall(p, labels), 6);
    m.dispose();
  });

  it('mse and mae metrics (mean over outputs, then examples)', () => {
    const m = model('linear', 2);
    const labels = randomArray(ROWS * 2, 5);
    m.compile({ optimizer: 'sgd', loss: 'huber', metrics: ['mse', 'mae', 'mean_squared_error'] });
    const { p, values } = run(m, labels);
    expect(values[1]).toBeCloseTo(hand.mse(p, labels), 5);
    expect(values[2]).toBeCloseTo(hand.mae(p, labels), 5);
    expect(values[3]).toBeCloseTo(hand.mse(p, labels), 5);
    m.dispose();
  });

  it('metrics with a custom loss match those with the built-in loss', async () => {
    const labels = randomArray(ROWS * 2, 6);
    const a = model('linear', 2, 602);
    const b = model('linear', 2, 602);
    a.compile({ optimizer: nn.train.sgd(0.05), loss: 'mse', metrics: ['mae', 'mse'] });
    b.compile({
      optimizer: nn.train.sgd(0.05),
      loss: (yt, yp) => nn.losses.meanSquaredError(yt, yp),
      metrics: ['mae', 'mse'],
    });
    const ha = await a.fit(x, labels, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 });
    const hb = await b.fit(x, labels, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 });
    for (const k of ['loss', 'mae', 'mse']) {
      ha.history[k].forEach((v, i) => {
        expect(hb.history[k][i], k).toBeCloseTo(v, 5);
      });
    }
    const ea = a.evaluate(x, labels) as nn.Tensor[];
    const eb = b.evaluate(x, labels) as nn.Tensor[];
    ea.forEach((t, i) => {
      expect(eb[i].dataSync()[0]).toBeCloseTo(t.dataSync()[0], 5);
    });
    nn.dispose([ea, eb]);
    a.dispose();
    b.dispose();
  });
});

describe('metric names and history keys', () => {
  it('history has loss, the metric under the name given, val_ versions, and epoch indices', async () => {
    const m = model('softmax', 3);
    const labels = sparseLabels(3, 7);
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['acc'] });
    const h = await m.fit(x, labels, { epochs: 3, batchSize: 8, validationSplit: 0.25, verbose: 0 });
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(Object.keys(h.history).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
    for (const v of Object.values(h.history)) expect(v).toHaveLength(3);
    const h2 = await m.fit(x, labels, {
      epochs: 5,
      initialEpoch: 3,
      validationData: [x, labels],
      verbose: 0,
    });
    expect(h2.epoch).toEqual([3, 4]);
    expect(Object.keys(h2.history).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
    const h3 = await m.fit(x, labels, { epochs: 1, verbose: 0 });
    expect(Object.keys(h3.history).sort()).toEqual(['acc', 'loss']);
    m.dispose();
  });

  it("evaluate equals fit's last-epoch logs when nothing changes (frozen weights)", async () => {
    const m = model('softmax', 3, 603);
    const labels = sparseLabels(3, 8);
    for (const l of m.layers) l.trainable = false;
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const h = await m.fit(x, labels, { epochs: 2, batchSize: 8, validationData: [x, labels], verbose: 0 });
    const [loss, acc] = (m.evaluate(x, labels, { batchSize: 5 }) as nn.Tensor[]).map((t) => {
      const v = t.dataSync()[0];
      t.dispose();
      return v;
    });
    expect(h.history.loss[1]).toBeCloseTo(loss, 6);
    expect(h.history.accuracy[1]).toBeCloseTo(acc, 6);
    expect(h.history.val_loss[1]).toBeCloseTo(loss, 6);
    expect(h.history.val_accuracy[1]).toBeCloseTo(acc, 6);
    m.dispose();
  });

  it('evaluate without metrics returns a scalar tensor', () => {
    const m = model('linear', 2);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const labels = randomArray(ROWS * 2, 9);
    const ev = m.evaluate(x, labels);
    expect(ev).toBeInstanceOf(nn.Tensor);
    const pred = m.predict(x);
    const want = hand.mse(pred.dataSync(), labels);
    expect((ev as nn.Tensor).rank).toBe(0);
    expect((ev as nn.Tensor).dataSync()[0]).toBeCloseTo(want, 5);
    nn.dispose([ev as nn.Tensor, pred]);
    m.dispose();
  });

  it('rejects unknown metrics (listing the valid ones), duplicates and metrics that do not fit the labels', () => {
    const m = model('softmax', 3);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['acuracy' as never] })).toThrow(
      /unknown metric "acuracy".*accuracy, binaryAccuracy, categoricalAccuracy, sparseCategoricalAccuracy, precision, recall, mse, mae/,
    );
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mse', 'mse'] })).toThrow(/twice/);
    expect(() =>
      m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['precision'] }),
    ).toThrow(/does not fit/);
    expect(() =>
      m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['sparseCategoricalAccuracy'] }),
    ).toThrow(/does not fit/);
    expect(m.compiled).toBeNull();
    m.dispose();
  });
});
