import { beforeAll, describe, expect, it } from 'vitest';
import { recordTrace } from '../../src/backend/trace.js';
import { loadDataset } from '../../src/datasets/index.js';
import * as nn from '../../src/index.js';
import type { BatchNormalization } from '../../src/layers/batch-normalization.js';
import {
  batchNormBackwardReference,
  batchNormReference,
  batchNormTrainReference,
  columnMomentsReference,
  movingUpdateReference,
} from '../../src/reference/normalization.js';
import { expectClose } from '../helpers/close.js';
import { eagerFit } from '../helpers/eager-fit.js';
import { randomArray } from '../helpers/random.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const ROWS = 10;
const COLS = 5;
const EPS = 1e-3;
const x = randomArray(ROWS * COLS, 301, -2, 3);
const gammaValues = randomArray(COLS, 302, 0.5, 1.5);
const betaValues = randomArray(COLS, 303, -1, 1);
const movingMeanValues = randomArray(COLS, 304, -1, 1);
const movingVarianceValues = randomArray(COLS, 305, 0.2, 2);
const dy = randomArray(ROWS * COLS, 306, -1, 1);

/** A built layer whose four weights hold the values above. */
function makeLayer(args: Parameters<typeof nn.layers.batchNormalization>[0] = {}): BatchNormalization {
  const layer = nn.layers.batchNormalization(args);
  layer.build([null, COLS]);
  const values = [
    ...(layer.scale ? [gammaValues] : []),
    ...(layer.center ? [betaValues] : []),
    movingMeanValues,
    movingVarianceValues,
  ];
  nn.tidy(() => layer.setWeights(values.map((v) => nn.tensor(v))));
  return layer;
}

/**
 * The layer's output and the gradients (of L = Σ y·dy) for x (if `withX`) and its trainable weights,
 * from a trace of the computation recorded once and then replayed.
 */
function replayedGradients(layer: BatchNormalization, training: boolean, withX = true) {
  const xv = nn.tidy(() => nn.variable(nn.tensor(x, [ROWS, COLS])));
  const weights = nn.tensor(dy, [ROWS, COLS]);
  const vars = [...(withX ? [xv] : []), ...layer.trainableWeights];
  const { trace, result } = recordTrace(() =>
    nn.tidy(() => {
      let out: nn.Tensor | null = null;
      const { grads } = nn.variableGrads(() => {
        out = nn.keep(layer.call(xv, training));
        return nn.sum(nn.mul(out, weights));
      }, vars);
      return { y: out! as nn.Tensor, grads: vars.map((v) => grads[v.name]) };
    }),
  );
  expect(trace.replayable).toBe(true);
  trace.replay();
  const out = { y: result.y.dataSync().slice(), grads: result.grads.map((g) => g.dataSync().slice()) };
  trace.dispose();
  nn.dispose([xv, weights]);
  return out;
}

const ones = new Float64Array(COLS).fill(1);
const zeros = new Float64Array(COLS);

/** The eager output and gradients (of L = Σ y·dy) for x, gamma and beta. */
function eagerGradients(layer: BatchNormalization, training: boolean) {
  const xv = nn.tidy(() => nn.variable(nn.tensor(x, [ROWS, COLS])));
  const vars = [xv, layer.gamma!, layer.beta!];
  const result = nn.tidy(() => {
    let y: Float32Array | null = null;
    const { grads } = nn.variableGrads(() => {
      const out = layer.call(xv, training);
      y = out.dataSync();
      return nn.sum(nn.mul(out, nn.tensor(dy, [ROWS, COLS])));
    }, vars);
    return { y: y!, grads: vars.map((v) => grads[v.name].dataSync()) };
  });
  xv.dispose();
  return result;
}

/** Central differences of L = Σ w·f(x, gamma, beta) in float64, for each of the three inputs. */
function finiteDifferences(f: (x: Float64Array, g: Float64Array, b: Float64Array) => Float64Array) {
  const inputs = [Float64Array.from(x), Float64Array.from(gammaValues), Float64Array.from(betaValues)];
  const loss = (xs: Float64Array[]) => f(xs[0], xs[1], xs[2]).reduce((s, v, i) => s + v * dy[i], 0);
  return inputs.map((input, k) =>
    input.map((v, j) => {
      const h = 1e-6 * Math.max(1, Math.abs(v));
      const plus = inputs.map((a) => Float64Array.from(a));
      const minus = inputs.map((a) => Float64Array.from(a));
      plus[k][j] = v + h;
      minus[k][j] = v - h;
      return (loss(plus) - loss(minus)) / (2 * h);
    }),
  );
}

describe('BatchNormalization forward', () => {
  it('training: batch statistics (biased variance), eagerly and replayed from a trace', () => {
    const ref = batchNormTrainReference(x, ROWS, COLS, gammaValues, betaValues, EPS);
    const eagerLayer = makeLayer();
    const eager = nn.tidy(() => eagerLayer.apply(nn.tensor(x, [ROWS, COLS]), { training: true }).dataSync());
    expectClose(eager, ref.y, 1e-5, 1e-5, 'eager');
    const tracedLayer = makeLayer();
    expectClose(replayedGradients(tracedLayer, true).y, ref.y, 1e-5, 1e-5, 'replayed');
    // moving·0.99 + batch·0.01: once for the eager call; at the recording and again at the replay
    const mm = Float64Array.from(movingMeanValues);
    const mv = Float64Array.from(movingVarianceValues);
    movingUpdateReference(mm, ref.mean, 0.99);
    movingUpdateReference(mv, ref.variance, 0.99);
    expectClose(eagerLayer.movingMean!.dataSync(), mm, 1e-6, 1e-7, 'moving mean');
    expectClose(eagerLayer.movingVariance!.dataSync(), mv, 1e-6, 1e-7, 'moving variance');
    movingUpdateReference(mm, ref.mean, 0.99);
    movingUpdateReference(mv, ref.variance, 0.99);
    expectClose(tracedLayer.movingMean!.dataSync(), mm, 1e-6, 1e-7, 'moving mean (replayed)');
    expectClose(tracedLayer.movingVariance!.dataSync(), mv, 1e-6, 1e-7, 'moving variance (replayed)');
    eagerLayer.dispose();
    tracedLayer.dispose();
  });

  it('inference: moving statistics, nothing updated, eagerly and replayed from a trace', () => {
    const ref = batchNormReference(x, ROWS, COLS, movingMeanValues, movingVarianceValues, gammaValues, betaValues, EPS);
    const layer = makeLayer();
    const eager = nn.tidy(() => layer.apply(nn.tensor(x, [ROWS, COLS])).dataSync());
    expectClose(eager, ref, 1e-5, 1e-5, 'eager');
    expectClose(replayedGradients(layer, false).y, ref, 1e-5, 1e-5, 'replayed');
    expect(layer.movingMean!.dataSync()).toEqual(movingMeanValues);
    expect(layer.movingVariance!.dataSync()).toEqual(movingVarianceValues);
    layer.dispose();
  });

  it('center = false and scale = false drop beta and gamma', () => {
    const layer = makeLayer({ center: false, scale: false, epsilon: 0.01 });
    expect(layer.weights.map((w) => w.shape)).toEqual([[COLS], [COLS]]);
    expect(layer.trainableWeights).toHaveLength(0);
    const ref = batchNormTrainReference(x, ROWS, COLS, ones, zeros, 0.01);
    const eager = nn.tidy(() => layer.apply(nn.tensor(x, [ROWS, COLS]), { training: true }).dataSync());
    expectClose(eager, ref.y, 1e-5, 1e-5, 'eager');
    const { y, grads } = replayedGradients(layer, true);
    expectClose(y, ref.y, 1e-5, 1e-5, 'replayed');
    expect(grads).toHaveLength(1); // x only
    layer.dispose();
  });

  it('a frozen layer (trainable = false) runs in inference mode even in training, as in Keras', () => {
    const layer = makeLayer();
    layer.trainable = false;
    const ref = batchNormReference(x, ROWS, COLS, movingMeanValues, movingVarianceValues, gammaValues, betaValues, EPS);
    const eager = nn.tidy(() => layer.apply(nn.tensor(x, [ROWS, COLS]), { training: true }).dataSync());
    expectClose(eager, ref, 1e-5, 1e-5, 'eager');
    const { y, grads } = replayedGradients(layer, true);
    expectClose(y, ref, 1e-5, 1e-5, 'replayed');
    // the statistics are constants: dx = dy · gamma / √(moving variance + ε)
    const want = Float64Array.from(
      dy,
      (g, i) => (g * gammaValues[i % COLS]) / Math.sqrt(movingVarianceValues[i % COLS] + EPS),
    );
    expect(grads).toHaveLength(1);
    expectClose(grads[0], want, 1e-5, 1e-6, 'frozen dx');
    expect(layer.movingMean!.dataSync()).toEqual(movingMeanValues);
    expect(layer.trainableWeights).toHaveLength(0);
    layer.dispose();
  });
});

describe('BatchNormalization gradients', () => {
  it('training: eager gradients of x, gamma, beta match finite differences and the float64 formula', () => {
    const layer = makeLayer();
    const { grads } = eagerGradients(layer, true);
    const fd = finiteDifferences((xs, g, b) => batchNormTrainReference(xs, ROWS, COLS, g, b, EPS).y);
    const ref = batchNormBackwardReference(x, dy, ROWS, COLS, gammaValues, EPS);
    ['x', 'gamma', 'beta'].forEach((name, k) => {
      expectClose(grads[k], fd[k], 2e-3, 2e-4, `${name} vs finite differences`);
    });
    expectClose(grads[0], ref.dx, 1e-4, 1e-5, 'dx');
    expectClose(grads[1], ref.dgamma, 1e-4, 1e-5, 'dgamma');
    expectClose(grads[2], ref.dbeta, 1e-4, 1e-5, 'dbeta');
    layer.dispose();
  });

  it('training: a replayed trace gives the same gradients', () => {
    const layer = makeLayer();
    const ref = batchNormBackwardReference(x, dy, ROWS, COLS, gammaValues, EPS);
    expect(layer.trainableWeights).toEqual([layer.gamma, layer.beta]);
    const { grads } = replayedGradients(layer, true);
    expectClose(grads[0], ref.dx, 1e-5, 1e-5, 'dx');
    expectClose(grads[1], ref.dgamma, 1e-5, 1e-5, 'dgamma');
    expectClose(grads[2], ref.dbeta, 1e-5, 1e-5, 'dbeta');
    // as the first layer of a model (no input gradient wanted)
    const first = replayedGradients(layer, true, false);
    expect(first.grads).toHaveLength(2);
    expectClose(first.grads[0], ref.dgamma, 1e-5, 1e-5, 'dgamma (first layer)');
    expectClose(first.grads[1], ref.dbeta, 1e-5, 1e-5, 'dbeta (first layer)');
    layer.dispose();
  });

  it('inference: eager gradients match finite differences', () => {
    const layer = makeLayer();
    const { grads } = eagerGradients(layer, false);
    const fd = finiteDifferences((xs, g, b) =>
      batchNormReference(xs, ROWS, COLS, movingMeanValues, movingVarianceValues, g, b, EPS),
    );
    ['x', 'gamma', 'beta'].forEach((name, k) => {
      expectClose(grads[k], fd[k], 2e-3, 2e-4, `${name} vs finite differences`);
    });
    layer.dispose();
  });
});

describe('BatchNormalization weights and config', () => {
  it('has Keras weights in Keras order, the moving statistics not trainable', () => {
    const layer = nn.layers.batchNormalization({ name: 'bn_cfg', momentum: 0.9, epsilon: 1e-4 });
    layer.build([null, 3]);
    expect(layer.namedWeights.map((w) => [w.name, w.trainable])).toEqual([
      ['bn_cfg/gamma', true],
      ['bn_cfg/beta', true],
      ['bn_cfg/moving_mean', false],
      ['bn_cfg/moving_variance', false],
    ]);
    expect(layer.trainableWeights).toEqual([layer.gamma, layer.beta]);
    expect(layer.weights.map((w) => Array.from(w.dataSync()))).toEqual([
      [1, 1, 1],
      [0, 0, 0],
      [0, 0, 0],
      [1, 1, 1],
    ]);
    expect(layer.countParams()).toBe(12);
    const config = layer.getConfig();
    expect(config).toMatchObject({
      name: 'bn_cfg',
      trainable: true,
      axis: -1,
      momentum: 0.9,
      epsilon: 1e-4,
      center: true,
      scale: true,
      beta_initializer: { class_name: 'Zeros', config: {} },
      gamma_initializer: { class_name: 'Ones', config: {} },
      moving_mean_initializer: { class_name: 'Zeros', config: {} },
      moving_variance_initializer: { class_name: 'Ones', config: {} },
      beta_regularizer: null,
      gamma_regularizer: null,
    });
    // freezing and unfreezing never makes the moving statistics trainable
    layer.trainable = false;
    layer.trainable = true;
    expect(layer.movingMean!.trainable).toBe(false);
    expect(layer.gamma!.trainable).toBe(true);
    layer.dispose();
  });

  it('writes its regularizers in the Keras config', () => {
    const layer = nn.layers.batchNormalization({
      gammaRegularizer: nn.regularizers.l2({ l2: 0.05 }),
      betaRegularizer: 'l1',
    });
    expect(layer.getConfig()).toMatchObject({
      gamma_regularizer: { class_name: 'L2', config: { l2: 0.05 } },
      beta_regularizer: { class_name: 'L1', config: { l1: 0.01 } },
    });
  });

  it('a model summary counts the moving statistics as non-trainable', () => {
    const model = nn.sequential({
      layers: [nn.layers.dense({ units: 4, inputShape: [3] }), nn.layers.batchNormalization()],
    });
    const lines: string[] = [];
    model.summary((l) => lines.push(l));
    expect(lines).toContain('Trainable params: 24');
    expect(lines).toContain('Non-trainable params: 8');
    model.dispose();
  });
});

describe('BatchNormalization bad input', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['momentum -0.1', { momentum: -0.1 }, /momentum in \[0, 1\), got -0.1/],
    ['momentum 1', { momentum: 1 }, /momentum in \[0, 1\), got 1/],
    ['momentum NaN', { momentum: Number.NaN }, /momentum in \[0, 1\)/],
    ['momentum as a string', { momentum: '0.9' }, /momentum in \[0, 1\)/],
    ['epsilon 0', { epsilon: 0 }, /epsilon > 0, got 0/],
    ['epsilon -1e-3', { epsilon: -1e-3 }, /epsilon > 0/],
    ['epsilon Infinity', { epsilon: Number.POSITIVE_INFINITY }, /epsilon > 0/],
    ['axis 0', { axis: 0 }, /axis -1/],
    ['center as a string', { center: 'yes' }, /center to be true or false/],
    ['unknown initializer', { gammaInitializer: 'twos' }, /unknown initializer/],
  ];
  for (const [name, args, message] of cases) {
    it(`rejects ${name} with a ValueError naming the layer`, () => {
      const make = () => nn.layers.batchNormalization({ name: 'bn_bad', ...(args as object) });
      expect(make).toThrow(nn.ValueError);
      expect(make).toThrow(/BatchNormalization "bn_bad"/);
      expect(make).toThrow(message);
    });
  }

  it('rejects rank-3 input with a ShapeError, and leaves the layer unbuilt', () => {
    const layer = nn.layers.batchNormalization({ name: 'bn_rank3' });
    const t = nn.zeros([2, 3, 4]);
    expect(() => layer.apply(t)).toThrow(nn.ShapeError);
    expect(() => layer.apply(t)).toThrow(
      /BatchNormalization "bn_rank3": expected input of shape \[batch, features\], got \[\*, 3, 4\]/,
    );
    expect(layer.built).toBe(false);
    expect(() => nn.sequential({ layers: [nn.layers.batchNormalization({ inputShape: [3, 4] })] })).toThrow(
      nn.ShapeError,
    );
    t.dispose();
  });

  it('rejects input of another width once built', () => {
    const layer = nn.layers.batchNormalization({ name: 'bn_width' });
    layer.build([null, 3]);
    const t = nn.zeros([2, 4]);
    expect(() => layer.apply(t)).toThrow(nn.ShapeError);
    t.dispose();
    layer.dispose();
  });
});

/** Weights of a model as flat arrays. */
function weightValues(model: nn.Sequential): Float32Array[] {
  return model.weights.map((w) => w.dataSync());
}

const xFit = randomArray(ROWS * COLS, 311, -1, 2);
const yFit = randomArray(ROWS * 3, 312, -1, 1);

describe('BatchNormalization in models: fit and an eager run', () => {
  type Build = () => nn.layers.Layer[];
  const models: Array<[string, Build, () => nn.OptimizerName | nn.Optimizer]> = [
    [
      'dense → batchNorm → dense, sgd',
      () => [
        nn.layers.dense({ units: 4, activation: 'tanh', inputShape: [COLS] }),
        nn.layers.batchNormalization({ momentum: 0.8 }),
        nn.layers.dense({ units: 3 }),
      ],
      () => nn.train.sgd(0.1),
    ],
    [
      'batchNorm first (no input gradient), adam',
      () => [nn.layers.batchNormalization({ inputShape: [COLS], momentum: 0.5 }), nn.layers.dense({ units: 3 })],
      () => nn.train.adam(0.05),
    ],
    [
      'center = false, scale = false, between two dense layers',
      () => [
        nn.layers.dense({ units: 4, activation: 'relu', inputShape: [COLS] }),
        nn.layers.batchNormalization({ center: false, scale: false, epsilon: 0.01 }),
        nn.layers.dense({ units: 3 }),
      ],
      () => nn.train.sgd(0.1),
    ],
    [
      'gamma, beta and activity regularizers',
      () => [
        nn.layers.dense({ units: 4, activation: 'tanh', inputShape: [COLS] }),
        nn.layers.batchNormalization({
          gammaRegularizer: nn.regularizers.l2({ l2: 0.05 }),
          betaRegularizer: nn.regularizers.l1({ l1: 0.02 }),
          activityRegularizer: nn.regularizers.l2({ l2: 0.01 }),
        }),
        nn.layers.dense({ units: 3 }),
      ],
      () => nn.train.sgd(0.1),
    ],
    [
      'a frozen batchNorm',
      () => [
        nn.layers.dense({ units: 4, activation: 'tanh', inputShape: [COLS] }),
        nn.layers.batchNormalization({ trainable: false }),
        nn.layers.dense({ units: 3 }),
      ],
      () => nn.train.sgd(0.1),
    ],
  ];
  for (const [name, build, optimizer] of models) {
    it(`${name}: fit gives the weights of an eager run after 6 steps, bit for bit`, async () => {
      nn.setSeed(21);
      const fitted = nn.sequential({ layers: build() });
      fitted.compile({ optimizer: optimizer(), loss: 'meanSquaredError' });
      nn.setSeed(21);
      const eager = nn.sequential({ layers: build() });
      const before = weightValues(fitted).map((w) => w.slice());
      const history = await fitted.fit(xFit, yFit, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
      const eagerOptimizer = optimizer();
      if (typeof eagerOptimizer === 'string') throw new Error('expected an optimizer object');
      const losses = eagerFit(eager, eagerOptimizer, xFit, [COLS], yFit, [3], {
        epochs: 2,
        batchSize: 4,
        loss: (yt, yp) => nn.losses.meanSquaredError(yt, yp),
      });
      expect(history.history.loss).toEqual(losses);
      const a = weightValues(fitted);
      const b = weightValues(eager);
      a.forEach((w, i) => {
        expect(w, fitted.weights[i].name).toEqual(b[i]);
      });
      // what training changed: every trainable weight; the moving statistics unless frozen
      const bn = fitted.layers.find((l) => l.className === 'BatchNormalization') as BatchNormalization;
      fitted.weights.forEach((w, i) => {
        if (!bn.trainable && bn.weights.includes(w)) expect(a[i], w.name).toEqual(before[i]);
        else expect(a[i], w.name).not.toEqual(before[i]);
      });
      fitted.dispose();
      eager.dispose();
      eagerOptimizer.dispose();
    });
  }

  for (const path of ['built-in', 'custom'] as const) {
    it(`${path} loss: moving statistics after fit match a hand computation; predict uses them`, async () => {
      const model = nn.sequential({
        layers: [nn.layers.batchNormalization({ inputShape: [COLS], momentum: 0.9 })],
      });
      model.compile({
        optimizer: nn.train.sgd(0.05),
        loss: path === 'built-in' ? 'meanSquaredError' : (yt, yp) => nn.losses.meanSquaredError(yt, yp),
      });
      const yBn = randomArray(ROWS * COLS, 313, -1, 1);
      await model.fit(xFit, yBn, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
      // the layer sees the raw inputs, so its statistics do not depend on the weight updates
      const mm = new Float64Array(COLS);
      const mv = new Float64Array(COLS).fill(1);
      for (let epoch = 0; epoch < 2; epoch++) {
        for (let start = 0; start < ROWS; start += 4) {
          const rows = Math.min(4, ROWS - start);
          const batch = xFit.subarray(start * COLS, (start + rows) * COLS);
          const { mean, variance } = columnMomentsReference(batch, rows, COLS);
          movingUpdateReference(mm, mean, 0.9);
          movingUpdateReference(mv, variance, 0.9);
        }
      }
      const bn = model.layers[0] as BatchNormalization;
      expectClose(bn.movingMean!.dataSync(), mm, 1e-5, 1e-6, 'moving mean');
      expectClose(bn.movingVariance!.dataSync(), mv, 1e-5, 1e-6, 'moving variance');
      const [gamma, beta] = [bn.gamma!.dataSync(), bn.beta!.dataSync()];
      const want = batchNormReference(xFit, ROWS, COLS, mm, mv, gamma, beta, EPS);
      const pred = model.predict(xFit);
      expectClose(pred.dataSync(), want, 1e-5, 1e-5, 'predict');
      // and not the batch's own statistics
      const trainingMode = batchNormTrainReference(xFit, ROWS, COLS, gamma, beta, EPS).y;
      expect(Math.max(...pred.dataSync().map((v, i) => Math.abs(v - trainingMode[i])))).toBeGreaterThan(0.05);
      // evaluate uses them too, and changes nothing
      const loss = model.evaluate(xFit, yBn) as nn.Tensor;
      const mse = want.reduce((s, v, i) => s + (v - yBn[i]) ** 2, 0) / want.length;
      expect(loss.dataSync()[0]).toBeCloseTo(mse, 5);
      expectClose(bn.movingMean!.dataSync(), mm, 1e-5, 1e-6, 'moving mean after evaluate');
      nn.dispose([pred, loss]);
      model.dispose();
    });
  }

  it('memory does not grow over epochs, with a built-in or a custom loss', async () => {
    const labels = Int32Array.from({ length: ROWS }, (_, i) => i % 3);
    const oneHot = new Float32Array(ROWS * 3);
    labels.forEach((l, i) => {
      oneHot[i * 3 + l] = 1;
    });
    for (const path of ['built-in', 'custom'] as const) {
      nn.setSeed(3);
      const model = nn.sequential({
        layers: [
          nn.layers.dense({ units: 8, activation: 'relu', inputShape: [COLS] }),
          nn.layers.batchNormalization(),
          nn.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      });
      const samples: nn.MemoryInfo[] = [];
      const callbacks = { onEpochEnd: () => void samples.push(nn.memory()) };
      if (path === 'built-in') {
        model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
        await model.fit(xFit, labels, { epochs: 30, batchSize: 4, validationSplit: 0.2, callbacks, verbose: 0 });
      } else {
        model.compile({
          optimizer: 'adam',
          loss: (yt, yp) => nn.neg(nn.mean(nn.sum(nn.mul(yt, nn.log(yp)), -1))),
          metrics: ['accuracy'],
        });
        await model.fit(xFit, oneHot, { epochs: 30, batchSize: 4, validationSplit: 0.2, callbacks, verbose: 0 });
      }
      expect(samples[29], path).toEqual(samples[0]);
      model.dispose();
    }
  });
});

describe('BatchNormalization on iris', () => {
  // Over initializer seeds 1-10 this model gets 42-45 of 45 test examples right (93.3-100%). A
  // dense(relu) → batchNorm → softmax model trained at a constant adam(0.01) is far less steady
  // (69-98%): its dense layer keeps moving and the moving statistics (momentum 0.99) lag behind it,
  // as they do in Keras.
  it('batchNorm → dense → batchNorm → dense reaches at least 93% test accuracy on unscaled features', async () => {
    const iris = await loadDataset('iris');
    const { xTrain, xTest, yTrain, yTest } = nn.data.trainTestSplit(iris.x, iris.y, {
      testSize: 0.3,
      stratify: true,
      seed: 6,
    });
    nn.setSeed(1);
    const model = nn.sequential({
      layers: [
        nn.layers.batchNormalization({ inputShape: [4] }),
        nn.layers.dense({ units: 32, activation: 'relu' }),
        nn.layers.batchNormalization(),
        nn.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: nn.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    await model.fit(xTrain, yTrain, { epochs: 60, batchSize: 16, seed: 1, verbose: 0 });
    const [loss, acc] = model.evaluate(xTest, yTest) as nn.Tensor[];
    expect(acc.dataSync()[0]).toBeGreaterThanOrEqual(0.93);
    expect(loss.dataSync()[0]).toBeLessThan(0.3);
    nn.dispose([iris.x, iris.y, xTrain, xTest, yTrain, yTest, loss, acc]);
    model.dispose();
  });
});
