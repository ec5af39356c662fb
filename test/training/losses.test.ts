import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { randomArray, rng } from '../helpers/random.js';
import {
  expectWeights,
  gradients,
  modelPair,
  type RefActivation,
  type RefDense,
  type RefLoss,
  refOptimizer,
  syncWeights,
  trainReference,
  weightValues,
} from './float64-model.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const ROWS = 10;
const IN = 4;
const OUT = 3;
const x = randomArray(ROWS * IN, 21);

function sparseLabels(seed: number): Int32Array {
  const r = rng(seed);
  return Int32Array.from({ length: ROWS }, () => Math.floor(r() * OUT));
}
function oneHot(labels: Int32Array): Float32Array {
  const out = new Float32Array(ROWS * OUT);
  labels.forEach((l, i) => {
    out[i * OUT + l] = 1;
  });
  return out;
}
function softLabels(seed: number): Float32Array {
  const raw = randomArray(ROWS * OUT, seed, 0.1, 1);
  for (let r = 0; r < ROWS; r++) {
    let s = 0;
    for (let j = 0; j < OUT; j++) s += raw[r * OUT + j];
    for (let j = 0; j < OUT; j++) raw[r * OUT + j] /= s;
  }
  return raw;
}
function binaryLabels(seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: ROWS * OUT }, () => (r() < 0.5 ? 0 : 1));
}

/** Crossentropy from probabilities with tensor ops, as a custom loss: −mean(Σ t·log p). */
const crossentropyFn = (yt: nn.Tensor, yp: nn.Tensor) => nn.neg(nn.mean(nn.sum(nn.mul(yt, nn.log(yp)), -1)));

interface Case {
  name: string;
  loss: nn.LossIdentifier;
  ref: RefLoss;
  act: RefActivation;
  labels: ArrayLike<number>;
  /** Same loss as a custom function, given labels `customLabels` (default `labels`). */
  custom?: (yt: nn.Tensor, yp: nn.Tensor) => nn.Tensor;
  customLabels?: ArrayLike<number>;
  /** Adjusts the starting weights (e.g. to keep linear outputs inside (0, 1)). */
  tweak?: (ref: RefDense[]) => void;
}

const sparse = sparseLabels(31);
const targets = randomArray(ROWS * OUT, 32, -2, 2);

const CASES: Case[] = [
  {
    name: 'sparseCategoricalCrossentropy + softmax',
    loss: 'sparseCategoricalCrossentropy',
    ref: 'sparseCategoricalCrossentropy',
    act: 'softmax',
    labels: sparse,
    custom: crossentropyFn,
    customLabels: oneHot(sparse),
  },
  {
    name: 'sparse_categorical_crossentropy (Keras name) + softmax',
    loss: 'sparse_categorical_crossentropy',
    ref: 'sparseCategoricalCrossentropy',
    act: 'softmax',
    labels: sparse,
  },
  {
    name: 'categoricalCrossentropy + softmax, one-hot labels',
    loss: 'categoricalCrossentropy',
    ref: 'categoricalCrossentropy',
    act: 'softmax',
    labels: oneHot(sparse),
    custom: crossentropyFn,
  },
  {
    name: 'categorical_crossentropy + softmax, soft labels',
    loss: 'categorical_crossentropy',
    ref: 'categoricalCrossentropy',
    act: 'softmax',
    labels: softLabels(33),
    custom: crossentropyFn,
  },
  {
    name: 'categoricalCrossentropy + sigmoid output (probabilities)',
    loss: 'categoricalCrossentropy',
    ref: 'categoricalCrossentropy',
    act: 'sigmoid',
    labels: softLabels(34),
  },
  {
    name: 'sparseCategoricalCrossentropy + sigmoid output (probabilities)',
    loss: 'sparseCategoricalCrossentropy',
    ref: 'sparseCategoricalCrossentropy',
    act: 'sigmoid',
    labels: sparse,
  },
  {
    name: 'binaryCrossentropy + sigmoid (from logits)',
    loss: 'binaryCrossentropy',
    ref: 'binaryCrossentropy',
    act: 'sigmoid',
    labels: binaryLabels(35),
    custom: (yt, yp) => nn.losses.logLoss(yt, yp, { epsilon: 1e-7 }),
  },
  {
    name: 'binary_crossentropy + linear output inside (0, 1) (probabilities)',
    loss: 'binary_crossentropy',
    ref: 'binaryCrossentropy',
    act: 'linear',
    labels: binaryLabels(36),
    custom: (yt, yp) => nn.losses.logLoss(yt, yp, { epsilon: 1e-7 }),
    tweak: (ref) => {
      ref[0].w = ref[0].w.map((v) => v * 0.1);
      ref[0].b.fill(0.5);
    },
  },
  {
    name: 'binaryCrossentropy + linear output partly outside [0, 1] (clipped, zero gradient)',
    loss: 'binaryCrossentropy',
    ref: 'binaryCrossentropy',
    act: 'linear',
    labels: binaryLabels(37),
    custom: (yt, yp) => nn.losses.logLoss(yt, yp, { epsilon: 1e-7 }),
    tweak: (ref) => {
      ref[0].w = ref[0].w.map((v) => v * 0.4);
      ref[0].b.fill(0.5);
    },
  },
  {
    name: 'meanSquaredError',
    loss: 'meanSquaredError',
    ref: 'meanSquaredError',
    act: 'linear',
    labels: targets,
    custom: (yt, yp) => nn.losses.meanSquaredError(yt, yp),
  },
  { name: "'mse' + tanh", loss: 'mse', ref: 'meanSquaredError', act: 'tanh', labels: randomArray(30, 38) },
  {
    name: 'mean_absolute_error',
    loss: 'mean_absolute_error',
    ref: 'meanAbsoluteError',
    act: 'linear',
    labels: targets,
    custom: (yt, yp) => nn.losses.absoluteDifference(yt, yp),
  },
  {
    name: 'huber (both branches)',
    loss: 'huber',
    ref: 'huber',
    act: 'linear',
    labels: targets,
    custom: (yt, yp) => nn.losses.huberLoss(yt, yp),
  },
];

describe('losses against the float64 Keras losses', () => {
  for (const c of CASES) {
    it(`${c.name}: loss value and three SGD steps`, async () => {
      const spec = [
        { units: 5, act: 'relu' as const },
        { units: OUT, act: c.act },
      ];
      const make = () => {
        const pair = modelPair(IN, spec, 500);
        if (c.tweak) {
          c.tweak(pair.ref.slice(1));
          syncWeights(pair.model, pair.ref);
        }
        return pair;
      };
      const { model, ref } = make();
      model.compile({ optimizer: nn.train.sgd(0.1), loss: c.loss });
      // the loss before any update: evaluate and the first batch of a one-batch fit
      const want = gradients(ref, x, c.labels, ROWS, c.ref).loss;
      const ev = model.evaluate(x, c.labels) as nn.Tensor;
      expect(ev.dataSync()[0]).toBeCloseTo(want, 5);
      ev.dispose();
      const h = await model.fit(x, c.labels, { batchSize: ROWS, shuffle: false, verbose: 0 });
      expect(h.history.loss[0]).toBeCloseTo(want, 5);
      await model.fit(x, c.labels, { batchSize: 4, shuffle: false, verbose: 0 });
      const opt = refOptimizer({ kind: 'sgd', lr: 0.1 });
      trainReference(ref, x, c.labels, ROWS, c.ref, opt, ROWS);
      trainReference(ref, x, c.labels, ROWS, c.ref, opt, 4);
      expectWeights(model, ref, 1e-5, 1e-5, c.name);
      if (c.custom) {
        const custom = make();
        custom.model.compile({ optimizer: nn.train.sgd(0.1), loss: c.custom });
        const labels = c.customLabels ?? c.labels;
        const th = await custom.model.fit(x, labels, { batchSize: ROWS, shuffle: false, verbose: 0 });
        expect(th.history.loss[0]).toBeCloseTo(want, 5);
        await custom.model.fit(x, labels, { batchSize: 4, shuffle: false, verbose: 0 });
        const a = weightValues(model);
        const b = weightValues(custom.model);
        a.forEach((w, i) => {
          for (let j = 0; j < w.length; j++) expect(Math.abs(w[j] - b[i][j]), `weight ${i}[${j}]`).toBeLessThan(1e-5);
        });
        custom.model.dispose();
      }
      model.dispose();
    });
  }
});

describe('loss names', () => {
  it('unknown loss names are rejected with the valid ones listed', () => {
    const model = nn.sequential({ layers: [nn.layers.dense({ units: 2, inputShape: [2] })] });
    expect(() => model.compile({ optimizer: 'sgd', loss: 'meanSquaredErr' as never })).toThrow(
      /unknown loss "meanSquaredErr".*sparseCategoricalCrossentropy, categoricalCrossentropy, binaryCrossentropy, meanSquaredError, meanAbsoluteError, huber/,
    );
    expect(() => model.compile({ optimizer: 'sgd', loss: 42 as never })).toThrow(nn.ValueError);
    for (const name of [
      'mse',
      'MSE',
      'mean_squared_error',
      'mae',
      'mean_absolute_error',
      'huber_loss',
      'huber',
    ] as const) {
      expect(() => model.compile({ optimizer: 'sgd', loss: name })).not.toThrow();
    }
    model.dispose();
  });
});
