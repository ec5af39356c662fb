import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { randomArray } from '../helpers/random.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

/** A small regression problem and an oversized model that starts overfitting after a few epochs. */
function setup(seed = 1) {
  const x = nn.tensor(Array.from(randomArray(60 * 3, 5)), [60, 3]);
  const noise = randomArray(60, 6, -0.5, 0.5);
  const xs = x.dataSync();
  const y = nn.tensor(
    Array.from({ length: 60 }, (_, i) => xs[i * 3] - 2 * xs[i * 3 + 1] + noise[i]),
    [60, 1],
  );
  const xv = nn.tensor(Array.from(randomArray(20 * 3, 7)), [20, 3]);
  const xvs = xv.dataSync();
  const yv = nn.tensor(
    Array.from({ length: 20 }, (_, i) => xvs[i * 3] - 2 * xvs[i * 3 + 1]),
    [20, 1],
  );
  nn.setSeed(seed);
  const model = nn.sequential({
    layers: [
      nn.layers.dense({ units: 64, activation: 'relu', inputShape: [3] }),
      nn.layers.dense({ units: 64, activation: 'relu' }),
      nn.layers.dense({ units: 1 }),
    ],
  });
  model.compile({ optimizer: nn.train.adam(0.01), loss: 'mse' });
  const dispose = () => {
    nn.dispose([x, y, xv, yv]);
    model.dispose();
  };
  return { x, y, xv, yv, model, dispose };
}

/** Records a copy of the weights at each epoch end. */
function weightRecorder() {
  const snapshots: Float32Array[][] = [];
  let model: nn.Sequential | null = null;
  return {
    snapshots,
    setModel(m: unknown) {
      model = m as nn.Sequential;
    },
    onEpochEnd() {
      const ws = model!.getWeights();
      snapshots.push(ws.map((w) => w.dataSync()));
      nn.dispose(ws);
    },
  };
}

describe('earlyStopping', () => {
  it('stops patience epochs after the best val_loss and restores the best weights bit for bit', async () => {
    const { x, y, xv, yv, model, dispose } = setup();
    const recorder = weightRecorder();
    const stopper = nn.callbacks.earlyStopping({ monitor: 'val_loss', patience: 3, restoreBestWeights: true });
    const history = await model.fit(x, y, {
      epochs: 200,
      batchSize: 8,
      validationData: [xv, yv],
      seed: 2,
      verbose: 0,
      callbacks: [recorder, stopper],
    });
    const val = history.history.val_loss;
    const best = val.indexOf(Math.min(...val));
    expect(val.length).toBeLessThan(200);
    expect(stopper.bestEpoch).toBe(best);
    expect(stopper.stoppedEpoch).toBe(best + 3);
    expect(val.length).toBe(best + 4);
    const final = model.getWeights();
    final.forEach((w, i) => {
      expect(Array.from(w.dataSync())).toEqual(Array.from(recorder.snapshots[best][i]));
    });
    nn.dispose(final);
    dispose();
  });

  it('names the available keys when the monitored one is missing', async () => {
    const { x, y, model, dispose } = setup();
    await expect(
      model.fit(x, y, { epochs: 2, verbose: 0, callbacks: [nn.callbacks.earlyStopping({ monitor: 'val_loss' })] }),
    ).rejects.toThrow(/fit does not log "val_loss"; available keys: loss/);
    expect(() => nn.callbacks.earlyStopping({ mode: 'up' as never })).toThrow(/mode 'auto', 'min' or 'max'/);
    dispose();
  });
});

describe('reduceLROnPlateau', () => {
  it('multiplies the learning rate by factor after patience epochs without improvement', () => {
    const cb = nn.callbacks.reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 2, minLr: 0.1 });
    const fake = { optimizer: { learningRate: 1 }, stopTraining: false } as never;
    cb.setModel(fake);
    cb.onTrainBegin();
    const rates: number[] = [];
    for (const [epoch, loss] of [1, 0.5, 0.6, 0.6, 0.4, 0.45, 0.45, 0.45, 0.45, 0.45].entries()) {
      cb.onEpochEnd(epoch, { loss });
      rates.push((fake as { optimizer: { learningRate: number } }).optimizer.learningRate);
    }
    expect(rates).toEqual([1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125].map((r) => Math.max(r, 0.1)));
  });

  it('lowers the optimizer rate during fit and logs it', async () => {
    const { x, y, model, dispose } = setup();
    const history = await model.fit(x, y, {
      epochs: 6,
      verbose: 0,
      callbacks: [nn.callbacks.reduceLROnPlateau({ monitor: 'loss', patience: 0, minDelta: 10, factor: 0.5 })],
    });
    // the first epoch sets the best value; every later one lowers the rate (logged before lowering, as Keras)
    expect(history.history.learning_rate).toEqual([0.01, 0.01, 0.005, 0.0025, 0.00125, 0.000625]);
    expect(model.optimizer!.learningRate).toBeCloseTo(0.0003125, 12);
    dispose();
  });
});

describe('lossThreshold, terminateOnNaN, stopTraining', () => {
  it('lossThreshold stops at the first epoch with loss under the threshold', async () => {
    const { x, y, model, dispose } = setup();
    const threshold = 0.3;
    const history = await model.fit(x, y, {
      epochs: 100,
      seed: 1,
      verbose: 0,
      callbacks: [nn.callbacks.lossThreshold({ threshold })],
    });
    const losses = history.history.loss;
    expect(losses[losses.length - 1]).toBeLessThan(threshold);
    expect(losses.slice(0, -1).every((l) => l >= threshold)).toBe(true);
    expect(losses.length).toBeLessThan(100);
    dispose();
  });

  it('terminateOnNaN ends a diverging fit without an error', async () => {
    const { x, y, model, dispose } = setup();
    model.compile({ optimizer: nn.train.sgd(1e10), loss: 'mse' });
    const history = await model.fit(x, y, { epochs: 5, verbose: 0, callbacks: [nn.callbacks.terminateOnNaN()] });
    const losses = history.history.loss;
    expect(Number.isFinite(losses[losses.length - 1])).toBe(false);
    expect(losses.length).toBeLessThanOrEqual(5);
    const weights = model.getWeights();
    expect(weights.every((w) => w.dataSync().every(Number.isFinite))).toBe(true);
    nn.dispose(weights);
    dispose();
  });
});

describe('learning-rate schedules', () => {
  it('exponentialDecay, cosineDecay and stepDecay follow their formulas', () => {
    const e = nn.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
    expect(e.at(20)).toBeCloseTo(0.025, 12);
    const es = nn.schedules.exponentialDecay({
      initialLearningRate: 0.1,
      decaySteps: 10,
      decayRate: 0.5,
      staircase: true,
    });
    expect(es.at(19)).toBeCloseTo(0.05, 12);
    const c = nn.schedules.cosineDecay({ initialLearningRate: 1, decaySteps: 100, alpha: 0.1 });
    expect(c.at(0)).toBeCloseTo(1, 12);
    expect(c.at(50)).toBeCloseTo(0.55, 12);
    expect(c.at(500)).toBeCloseTo(0.1, 12);
    const s = nn.schedules.stepDecay({ initialLearningRate: 0.8, dropRate: 0.5, epochsPerDrop: 3 });
    expect([0, 2, 3, 7].map((t) => s.at(t))).toEqual([0.8, 0.8, 0.4, 0.2]);
    expect(() => nn.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 })).toThrow(
      /decaySteps to be a positive number, got 0/,
    );
  });

  it('an optimizer with a per-step schedule sets the rate before each step', async () => {
    const { x, y, model, dispose } = setup();
    const schedule = nn.schedules.exponentialDecay({ initialLearningRate: 0.01, decaySteps: 4, decayRate: 0.5 });
    model.compile({ optimizer: nn.train.adam(schedule), loss: 'mse' });
    await model.fit(x, y, { epochs: 2, batchSize: 10, verbose: 0 }); // 12 steps, the last one is step 11
    expect(model.optimizer!.iterations).toBe(12);
    expect(model.optimizer!.learningRate).toBeCloseTo(0.01 * 0.5 ** (11 / 4), 12);
    dispose();
  });

  it('learningRateScheduler applies a function of the epoch, and a per-epoch schedule', async () => {
    const { x, y, model, dispose } = setup();
    const seen: number[] = [];
    await model.fit(x, y, {
      epochs: 3,
      verbose: 0,
      callbacks: [
        nn.callbacks.learningRateScheduler((epoch) => 0.1 / (epoch + 1)),
        { onEpochEnd: () => void seen.push(model.optimizer!.learningRate) },
      ],
    });
    expect(seen).toEqual([0.1, 0.05, 0.1 / 3]);
    await model.fit(x, y, {
      epochs: 3,
      verbose: 0,
      callbacks: [
        nn.callbacks.learningRateScheduler(nn.schedules.stepDecay({ initialLearningRate: 0.4, epochsPerDrop: 1 })),
      ],
    });
    expect(model.optimizer!.learningRate).toBeCloseTo(0.1, 12);
    expect(() => nn.callbacks.learningRateScheduler(3 as never)).toThrow(/expected a function/);
    dispose();
  });
});

describe('modelCheckpoint and csvLogger', () => {
  it('modelCheckpoint saves only improving epochs with saveBestOnly', async () => {
    const { x, y, xv, yv, model, dispose } = setup();
    const saved: number[] = [];
    const handler = nn.io.withSaveHandler(async (artifacts) => {
      saved.push(artifacts.weightData ? 1 : 0);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } } as never;
    });
    const checkpoint = nn.callbacks.modelCheckpoint(handler, { monitor: 'val_loss', saveBestOnly: true });
    const history = await model.fit(x, y, {
      epochs: 12,
      validationData: [xv, yv],
      verbose: 0,
      callbacks: [checkpoint],
    });
    const val = history.history.val_loss;
    const improving = val.map((_, i) => i).filter((i) => val[i] < Math.min(...val.slice(0, i)) || i === 0);
    expect(checkpoint.savedEpochs).toEqual(improving);
    expect(saved.length).toBe(improving.length);
    dispose();
  });

  it("modelCheckpoint's file name takes {val_acc} for a model compiled with 'accuracy'", async () => {
    nn.setSeed(3);
    const x = nn.tensor(Array.from(randomArray(40 * 3, 8)), [40, 3]);
    const y = nn.tensor(
      Array.from({ length: 40 }, (_, i) => i % 2),
      [40],
    );
    const model = nn.sequential({ layers: [nn.layers.dense({ units: 2, activation: 'softmax', inputShape: [3] })] });
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const dir = mkdtempSync(join(tmpdir(), 'neurasm-checkpoint-'));
    const checkpoint = nn.callbacks.modelCheckpoint(`file://${dir}/e{epoch}-acc{val_acc}`, { monitor: 'val_acc' });
    const h = await model.fit(x, y, { epochs: 1, validationSplit: 0.25, verbose: 0, callbacks: [checkpoint] });
    expect(readdirSync(dir)).toEqual([`e1-acc${h.history.val_accuracy[0]}`]);
    nn.dispose([x, y]);
    model.dispose();
  });

  it('csvLogger writes a header and one row per epoch, and fails cleanly on a bad path', async () => {
    const { x, y, model, dispose } = setup();
    const dir = mkdtempSync(join(tmpdir(), 'neurasm-csv-'));
    const file = join(dir, 'log.csv');
    await model.fit(x, y, { epochs: 3, verbose: 0, callbacks: [nn.callbacks.csvLogger(file)] });
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('epoch,loss');
    expect(lines.length).toBe(4);
    expect(lines[3].startsWith('2,')).toBe(true);
    await model.fit(x, y, { epochs: 2, verbose: 0, callbacks: [nn.callbacks.csvLogger(file, { append: true })] });
    expect(readFileSync(file, 'utf8').trim().split('\n').length).toBe(6);
    const bad = join(dir, 'missing-dir', 'log.csv');
    await expect(model.fit(x, y, { epochs: 1, verbose: 0, callbacks: [nn.callbacks.csvLogger(bad)] })).rejects.toThrow(
      /csvLogger: cannot write/,
    );
    expect(existsSync(join(dir, 'missing-dir'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['log.csv']);
    dispose();
  });
});

describe('callback factories reject what they cannot use', () => {
  // what a JavaScript caller (or a Keras habit: EarlyStopping('val_loss')) can pass
  const untyped = <T>(v: unknown) => v as T;

  it('a string instead of the options object', () => {
    const factories: Array<[string, () => unknown]> = [
      ['earlyStopping', () => nn.callbacks.earlyStopping(untyped('val_loss'))],
      ['reduceLROnPlateau', () => nn.callbacks.reduceLROnPlateau(untyped('val_loss'))],
      ['modelCheckpoint', () => nn.callbacks.modelCheckpoint('memory://m', untyped('val_loss'))],
    ];
    for (const [op, make] of factories) {
      expect(make).toThrow(nn.ValueError);
      expect(make).toThrow(`${op}: expected an options object like {monitor: 'val_loss'}, got "val_loss"`);
    }
    expect(() => nn.callbacks.lossThreshold(untyped(0.1))).toThrow(
      'lossThreshold: expected an options object like {threshold: 0.05}, got 0.1',
    );
    expect(() => nn.callbacks.csvLogger('log.csv', untyped(';'))).toThrow(
      `csvLogger: expected an options object like {separator: ';', append: true}, got ";"`,
    );
    expect(() => nn.callbacks.earlyStopping(untyped(null))).toThrow(/expected an options object/);
    expect(() => nn.callbacks.earlyStopping(untyped([]))).toThrow(/expected an options object/);
    expect(nn.callbacks.earlyStopping().monitor).toBe('val_loss');
  });

  it('options of the wrong type', () => {
    expect(() => nn.callbacks.earlyStopping(untyped({ monitor: 5 }))).toThrow(
      'earlyStopping: expected monitor to be a non-empty string, got 5',
    );
    expect(() => nn.callbacks.earlyStopping(untyped({ restoreBestWeights: 'true' }))).toThrow(
      'earlyStopping: expected restoreBestWeights to be true or false, got "true"',
    );
    expect(() => nn.callbacks.earlyStopping(untyped({ baseline: '0.5' }))).toThrow(
      'earlyStopping: expected baseline to be a finite number, got "0.5"',
    );
    expect(() => nn.callbacks.earlyStopping({ patience: 2.5 })).toThrow(
      'earlyStopping: expected patience to be a whole number of epochs >= 0, got 2.5',
    );
    expect(() => nn.callbacks.reduceLROnPlateau({ cooldown: -1 })).toThrow(/expected cooldown to be a whole number/);
    expect(() => nn.callbacks.lossThreshold(untyped({ threshold: 0.1, monitor: '' }))).toThrow(
      /lossThreshold: expected monitor to be a non-empty string, got ""/,
    );
    expect(() => nn.callbacks.modelCheckpoint('memory://m', untyped({ saveBestOnly: 1 }))).toThrow(
      'modelCheckpoint: expected saveBestOnly to be true or false, got 1',
    );
    expect(() => nn.callbacks.modelCheckpoint('memory://m', untyped({ saveConfig: 'yes' }))).toThrow(
      /modelCheckpoint saveConfig: expected an options object like {includeOptimizer: true}, got "yes"/,
    );
    expect(() => nn.callbacks.csvLogger('log.csv', untyped({ append: 'yes' }))).toThrow(
      'csvLogger: expected append to be true or false, got "yes"',
    );
    expect(() => nn.callbacks.csvLogger('log.csv', untyped({ separator: 1 }))).toThrow(
      'csvLogger: expected separator to be a non-empty string, got 1',
    );
    expect(nn.callbacks.earlyStopping({ baseline: 0.5, patience: 3, restoreBestWeights: true }).patience).toBe(3);
  });

  it('a misspelt or foreign option is an error naming the near one, not ignored', () => {
    expect(() => nn.callbacks.earlyStopping(untyped({ patiance: 3 }))).toThrow(
      'earlyStopping: unknown option "patiance"; did you mean patience?',
    );
    expect(() => nn.callbacks.earlyStopping(untyped({ restore_best_weights: true }))).toThrow(
      'earlyStopping: unknown option "restore_best_weights"; did you mean restoreBestWeights?',
    );
    expect(() => nn.callbacks.reduceLROnPlateau(untyped({ min_lr: 1e-5 }))).toThrow(/did you mean minLr\?/);
    expect(() => nn.callbacks.modelCheckpoint('memory://m', untyped({ saveWeightsOnly: true }))).toThrow(
      /modelCheckpoint: unknown option "saveWeightsOnly"/,
    );
    expect(() => nn.callbacks.lossThreshold(untyped({ threshold: 1, mode: 'min' }))).toThrow(/unknown option "mode"/);
    expect(() => nn.callbacks.csvLogger('log.csv', untyped({ sep: ';' }))).toThrow(/unknown option "sep"/);
    // Keras's verbose is taken (these callbacks print nothing)
    expect(nn.callbacks.earlyStopping(untyped({ verbose: 1 })).monitor).toBe('val_loss');
  });
});
