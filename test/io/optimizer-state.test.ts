// includeOptimizer: a model saved mid-training and loaded again continues exactly as an
// uninterrupted run (same losses, bit for bit), for every optimizer; interop with tfjs's files.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { randomArray } from '../helpers/random.js';
import { tfjsReady } from './helpers.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));
beforeAll(tfjsReady);

const N = 48;
const x = randomArray(N * 6, 11, -1, 1);
const labels = Int32Array.from(
  { length: N },
  (_, i) => (x[i * 6] + x[i * 6 + 1] > 0 ? 1 : 0) + (x[i * 6 + 2] > 0.3 ? 1 : 0),
);

function makeModel(): nn.Sequential {
  nn.setSeed(5);
  return nn.sequential({
    layers: [
      nn.layers.dense({ units: 10, activation: 'relu', inputShape: [6] }),
      nn.layers.dropout({ rate: 0.25 }),
      nn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
}

async function epochs(model: nn.Sequential, from: number, to: number): Promise<number[]> {
  const xs = nn.tensor2d(x, [N, 6]);
  const ys = nn.tensor1d(labels, 'int32');
  const losses: number[] = [];
  // one fit per epoch, each with its own seed (shuffling, dropout): a resumed run can replay it
  for (let e = from; e < to; e++) {
    const h = await model.fit(xs, ys, { epochs: 1, batchSize: 16, seed: 100 + e, verbose: 0 });
    losses.push(h.history.loss[0]);
  }
  nn.dispose([xs, ys]);
  return losses;
}

async function roundTrip(model: nn.Sequential, config: nn.io.SaveConfig): Promise<nn.io.ModelArtifacts> {
  let saved: nn.io.ModelArtifacts | undefined;
  await model.save(
    nn.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    config,
  );
  return saved!;
}

const OPTIMIZERS: Array<[string, () => nn.Optimizer | nn.OptimizerName]> = [
  ['sgd', () => nn.train.sgd(0.1)],
  ['momentum', () => nn.train.momentum(0.05, 0.9)],
  ['nesterov', () => nn.train.momentum(0.05, 0.8, true)],
  ['adam', () => 'adam'],
  ['adamw', () => nn.train.adamw(0.01, 0.01)],
  ['rmsprop', () => nn.train.rmsprop(0.01, 0.9, 0.5)],
  ['rmsprop centered', () => nn.train.rmsprop(0.01, 0.9, 0.0, 1e-7, true)],
  ['adagrad', () => nn.train.adagrad(0.1)],
  [
    'adam, exponential decay',
    () => nn.train.adam(nn.schedules.exponentialDecay({ initialLearningRate: 0.05, decaySteps: 2, decayRate: 0.8 })),
  ],
  [
    'sgd, cosine decay',
    () => nn.train.sgd(nn.schedules.cosineDecay({ initialLearningRate: 0.2, decaySteps: 12, alpha: 0.1 })),
  ],
];

describe('includeOptimizer: fit resumes where it stopped', () => {
  for (const [name, make] of OPTIMIZERS) {
    it(`${name}: 3 + 3 epochs through a saved file equal 6 epochs`, async () => {
      const straight = makeModel();
      straight.compile({ optimizer: make(), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      const all = await epochs(straight, 0, 6);

      const first = makeModel();
      first.compile({ optimizer: make(), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      const before = await epochs(first, 0, 3);
      const artifacts = await roundTrip(first, { includeOptimizer: true });
      first.dispose();
      const resumed = await nn.loadLayersModel(nn.io.fromMemory(artifacts));
      expect(resumed.compiled?.metricNames).toEqual(['accuracy']);
      expect(resumed.optimizer?.iterations).toBe(9);
      const after = await epochs(resumed, 3, 6);
      expect([...before, ...after]).toEqual(all);
      straight.dispose();
      resumed.dispose();
    });
  }

  it('without includeOptimizer the optimizer restarts (and the losses differ)', async () => {
    const straight = makeModel();
    straight.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const all = await epochs(straight, 0, 4);
    const first = makeModel();
    first.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await epochs(first, 0, 2);
    const artifacts = await roundTrip(first, {});
    expect(artifacts.weightSpecs!.some((s) => s.group === 'optimizer')).toBe(false);
    const loaded = await nn.loadLayersModel(nn.io.fromMemory(artifacts));
    expect(loaded.compiled).toBeNull();
    loaded.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const after = await epochs(loaded, 2, 4);
    expect(after).not.toEqual(all.slice(2));
    for (const m of [straight, first, loaded]) m.dispose();
  });

  it('writes tfjs trainingConfig and state names tfjs reads; tfjs continues training from it', async () => {
    const model = makeModel();
    model.compile({ optimizer: nn.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    await epochs(model, 0, 2);
    const a = await roundTrip(model, { includeOptimizer: true });
    expect(a.trainingConfig).toEqual({
      loss: 'sparse_categorical_crossentropy',
      metrics: ['accuracy'],
      optimizer_config: { class_name: 'Adam', config: { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } },
    });
    const names = a.weightSpecs!.filter((s) => s.group === 'optimizer').map((s) => s.name);
    expect(names).toEqual([
      'iter',
      ...['m', 'v'].flatMap((k) => model.layers.flatMap((l) => l.namedWeights.map((w) => `${w.name}/${k}`))),
    ]);
    const m = await tfl.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
    expect(m.optimizer.getClassName()).toBe('Adam');
    expect(m.optimizer.iterations).toBe(6);
    const weights = await m.optimizer.getWeights();
    expect(weights.length).toBe(names.length);
    const h = await m.fit(tf.tensor2d(x, [N, 6]), tf.tensor1d(labels, 'float32'), { epochs: 1, verbose: 0 });
    expect(Number.isFinite(h.history.loss[0] as number)).toBe(true);
    m.dispose();
    model.dispose();
  });

  for (const [name, make, tfjsClass] of [
    ['sgd', () => nn.train.sgd(0.1), 'SGD'],
    ['rmsprop', () => nn.train.rmsprop(0.01, 0.9, 0.3), 'RMSProp'],
    ['rmsprop centered', () => nn.train.rmsprop(0.01, 0.9, 0, 1e-7, true), 'RMSProp'],
    ['adagrad', () => nn.train.adagrad(0.1), 'Adagrad'],
  ] as const) {
    it(`${name}: tfjs restores the state neurasm saved and trains on`, async () => {
      const model = makeModel();
      model.compile({ optimizer: make(), loss: 'sparseCategoricalCrossentropy' });
      await epochs(model, 0, 1);
      const a = await roundTrip(model, { includeOptimizer: true });
      const m = await tfl.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
      expect(m.optimizer.getClassName()).toBe(tfjsClass);
      expect(m.optimizer.iterations).toBe(3);
      const theirs = await m.optimizer.getWeights();
      const ours = a.weightSpecs!.filter((s) => s.group === 'optimizer');
      expect(theirs.map((w) => w.name)).toEqual(ours.map((s) => s.name));
      const h = await m.fit(tf.tensor2d(x, [N, 6]), tf.tensor1d(labels, 'float32'), { epochs: 1, verbose: 0 });
      expect(Number.isFinite(h.history.loss[0] as number)).toBe(true);
      m.dispose();
      model.dispose();
    });
  }

  it("momentum (no tfjs equivalent state) keeps its config in neurasm's block only; tfjs still loads the model", async () => {
    const model = makeModel();
    model.compile({ optimizer: nn.train.momentum(0.05, 0.9), loss: 'sparseCategoricalCrossentropy' });
    await epochs(model, 0, 1);
    const a = await roundTrip(model, { includeOptimizer: true });
    expect(a.trainingConfig).toBeUndefined();
    expect(a.neurasm?.training?.optimizer.className).toBe('Momentum');
    const m = await tfl.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
    expect(m.optimizer).toBeUndefined();
    m.dispose();
    model.dispose();
  });

  it('reads tfjs files saved with includeOptimizer: Adam state, iterations, loss and metrics', async () => {
    const m = tfl.sequential();
    m.add(tfl.layers.dense({ units: 5, inputShape: [6], activation: 'relu' }));
    m.add(tfl.layers.dense({ units: 3, activation: 'softmax' }));
    m.compile({ optimizer: tf.train.adam(0.02), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    await m.fit(tf.tensor2d(x, [N, 6]), tf.tensor1d(labels, 'float32'), { epochs: 2, batchSize: 16, verbose: 0 });
    let a: tf.io.ModelArtifacts | undefined;
    await m.save(
      tf.io.withSaveHandler(async (art) => {
        a = art;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
      { includeOptimizer: true },
    );
    const model = await nn.loadLayersModel(nn.io.fromMemory(a as nn.io.ModelArtifacts));
    const o = model.optimizer as nn.Optimizer & { beta1: number };
    expect(o.className).toBe('Adam');
    expect(o.learningRate).toBe(0.02);
    expect(o.iterations).toBe(6);
    expect(model.compiled?.loss.name).toBe('sparseCategoricalCrossentropy');
    const tfState = await m.optimizer.getWeights();
    const kernel = model.layers[0].namedWeights[0];
    const mSlot = model.optimizer!.getSlots(kernel.variable)![0].dataSync();
    const theirs = tfState.find((w) => w.name.endsWith('/kernel/m') && w.tensor.shape[1] === 5)!.tensor.dataSync();
    expect(Array.from(mSlot)).toEqual(Array.from(theirs));
    await epochs(model, 0, 1);
    model.dispose();
    m.dispose();
  });

  it('tfjs Momentum state (accumulated gradients) becomes Keras velocity -lr·a', async () => {
    const m = tfl.sequential();
    m.add(tfl.layers.dense({ units: 3, inputShape: [6], activation: 'softmax' }));
    m.compile({ optimizer: tf.train.momentum(0.1, 0.9), loss: 'sparseCategoricalCrossentropy' });
    await m.fit(tf.tensor2d(x, [N, 6]), tf.tensor1d(labels, 'float32'), { epochs: 1, batchSize: 16, verbose: 0 });
    let a: tf.io.ModelArtifacts | undefined;
    await m.save(
      tf.io.withSaveHandler(async (art) => {
        a = art;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
      { includeOptimizer: true },
    );
    const model = await nn.loadLayersModel(nn.io.fromMemory(a as nn.io.ModelArtifacts));
    expect(model.optimizer?.getConfig()).toEqual({ learning_rate: 0.1, momentum: 0.9, nesterov: false });
    const accum = (await m.optimizer.getWeights())[1].tensor.dataSync();
    const v = model.optimizer!.getSlots(model.layers[0].namedWeights[0].variable)![0].dataSync();
    expect(Array.from(v)).toEqual(Array.from(accum, (g) => Math.fround(-0.1 * g)));
    model.dispose();
    m.dispose();
  });
});
