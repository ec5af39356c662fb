// fit(x, y, { workers }) on models with BatchNormalization: the threads add up their column sums in
// the middle of each step (src/worker/replica-exchange.ts), so each normalizes its rows by the
// statistics of the whole batch, and the weights and moving statistics are those of one thread.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { replicaFaults } from '../../src/worker/replica-start.js';
import { liveReplicaThreads } from '../../src/worker/replica-threads.js';
import { settledMemory } from '../helpers/memory.js';
import { hideSharedMemory, restoreSharedMemory } from '../helpers/shared-memory.js';
import { relativeDifference, sameBits, weightsOf } from '../helpers/weights.js';
import { clearReplicaFaults, D, FIT, shortStallFrom, x, y } from './fit-workers-fixtures.js';

await nn.ready({ relaxedSimd: false });

afterEach(() => {
  clearReplicaFaults();
  restoreSharedMemory();
});

/**
 * Dense → BatchNormalization → relu → dropout → dense → BatchNormalization without gamma and beta →
 * softmax. The first dense has no bias, as is usual before BatchNormalization: such a bias's gradient
 * is 0 but for rounding, which Adam scales up to steps of its learning rate, so its value would
 * depend on the order of the sums. RMSprop: see the Adam test below.
 */
function bnModel(optimizer: 'rmsprop' | 'adam' = 'rmsprop'): nn.Sequential {
  nn.setSeed(7);
  const model = nn.sequential({
    layers: [
      nn.layers.dense({
        units: 24,
        inputShape: [D],
        useBias: false,
        kernelRegularizer: nn.regularizers.l2({ l2: 1e-3 }),
      }),
      nn.layers.batchNormalization({ momentum: 0.9 }),
      nn.layers.activation({ activation: 'relu' }),
      nn.layers.dropout({ rate: 0.2 }),
      nn.layers.dense({ units: 16, activation: 'tanh' }),
      nn.layers.batchNormalization({ center: false, scale: false }),
      nn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** A fit of a fresh model (its weights, moving statistics included, and history), stopped after `steps` steps if given. */
async function fitBn(workers: number | 'auto', make = bnModel, steps?: number) {
  const model = make();
  let done = 0;
  try {
    const history = await model.fit(x, y, {
      ...FIT,
      workers,
      callbacks: {
        onBatchEnd: () => {
          if (++done === steps) model.stopTraining = true;
        },
      },
    });
    return { weights: weightsOf(model), history: history.history };
  } finally {
    model.dispose();
  }
}

describe('fit({ workers }) with BatchNormalization', () => {
  let single: Awaited<ReturnType<typeof fitBn>>;

  beforeAll(async () => {
    single = await fitBn(1);
  });

  it('gives the weights and moving statistics of one thread (within 1e-6), the same bits on a rerun, and its history', async () => {
    const runs: Array<Awaited<ReturnType<typeof fitBn>>> = [];
    for (const workers of [2, 2, 3]) {
      const run = await fitBn(workers);
      expect(liveReplicaThreads()).toBe(0);
      expect(relativeDifference(run.weights, single.weights)).toBeLessThan(1e-6);
      for (const key of ['loss', 'accuracy', 'val_loss', 'val_accuracy']) {
        run.history[key].forEach((v, i) => {
          expect(v).toBeCloseTo(single.history[key][i], 5);
        });
      }
      runs.push(run);
    }
    expect(sameBits(runs[0].weights, runs[1].weights)).toBe(true);
    // the moving statistics moved (they are compared above): the mean of the first layer is not its initial 0
    const movingMean = single.weights[3];
    expect(movingMean).toHaveLength(24);
    expect(movingMean.some((v) => Math.abs(v) > 1e-3)).toBe(true);
  });

  it('under Adam, gives the weights of one thread within 1e-5', async () => {
    // BatchNormalization makes the gradient of its input sum to 0 over the batch, so the gradients
    // of the layers before it are sums that nearly cancel, whose last bits depend on the order of
    // the sums; Adam's first steps scale a small gradient up to its learning rate (measured: 5.7e-6
    // after two epochs, from one weight of the first layer in the first step; RMSprop 2.9e-7, SGD 7e-8)
    const adam = () => bnModel('adam');
    const one = await fitBn(1, adam);
    const two = await fitBn(2, adam);
    expect(relativeDifference(two.weights, one.weights)).toBeLessThan(1e-5);
  });

  it('normalizes the inputs themselves (BatchNormalization first) as one thread does', async () => {
    const first = () => {
      nn.setSeed(8);
      const model = nn.sequential({
        layers: [
          nn.layers.batchNormalization({ inputShape: [D] }),
          nn.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      });
      model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
      return model;
    };
    const one = await fitBn(1, first);
    const two = await fitBn(2, first);
    expect(relativeDifference(two.weights, one.weights)).toBeLessThan(1e-6);
  });

  it('normalizes over the rows of every time step (TimeDistributed BatchNormalization) as one thread does', async () => {
    const timeDistributed = () => {
      nn.setSeed(9);
      const model = nn.sequential({
        layers: [
          nn.layers.reshape({ targetShape: [3, 4], inputShape: [D] }),
          nn.layers.timeDistributed({ layer: nn.layers.batchNormalization() }),
          nn.layers.flatten(),
          nn.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      });
      model.compile({ optimizer: 'rmsprop', loss: 'sparseCategoricalCrossentropy' });
      return model;
    };
    const one = await fitBn(1, timeDistributed);
    const three = await fitBn(3, timeDistributed);
    expect(relativeDifference(three.weights, one.weights)).toBeLessThan(1e-6);
  });

  it('leaves no memory behind over repeated fits', async () => {
    const model = bnModel();
    await model.fit(x, y, { ...FIT, epochs: 1, workers: 2 });
    const before = await settledMemory();
    for (let i = 0; i < 2; i++) await model.fit(x, y, { ...FIT, epochs: 1, workers: 2 });
    const after = await settledMemory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect(after.wasmBytes).toBe(before.wasmBytes);
    model.dispose();
  });

  it('where threads cannot share memory: a clear error for workers: 2, and one thread for workers: auto', async () => {
    hideSharedMemory();
    const model = bnModel();
    const before = weightsOf(model);
    await expect(model.fit(x, y, { ...FIT, workers: 2 })).rejects.toThrow(
      /fit: workers other than 1 trains a model with BatchNormalization only where the threads share memory.*Cross-Origin-Opener-Policy/,
    );
    expect(sameBits(weightsOf(model), before)).toBe(true);
    expect(liveReplicaThreads()).toBe(0);
    model.dispose();
    const auto = await fitBn('auto');
    restoreSharedMemory();
    expect(sameBits(auto.weights, single.weights)).toBe(true);
  });
});

describe('fit({ workers }) with BatchNormalization: faults', () => {
  it('rejects with the error a worker throws mid-fit and keeps the weights of the last completed step', async () => {
    replicaFaults.failAtStep = 4;
    const model = bnModel();
    await expect(model.fit(x, y, { ...FIT, workers: 2 })).rejects.toThrow(
      /fit \(worker thread 1\): fault injected in worker 1/,
    );
    expect(liveReplicaThreads()).toBe(0);
    const expected = await fitBn(1, bnModel, 3);
    expect(relativeDifference(weightsOf(model), expected.weights)).toBeLessThan(1e-6);
    model.dispose();
  });

  it('rejects with a WorkerError when a worker thread ends mid-fit, and ends the other threads', async () => {
    replicaFaults.exitAtStep = 2;
    const model = bnModel();
    const error = await model.fit(x, y, { ...FIT, workers: 3, callbacks: shortStallFrom(2) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(nn.WorkerError);
    expect((error as Error).message).toMatch(/fit \(worker thread 1\)/);
    expect(liveReplicaThreads()).toBe(0);
    const expected = await fitBn(1, bnModel, 1);
    expect(relativeDifference(weightsOf(model), expected.weights)).toBeLessThan(1e-6);
    model.dispose();
  });

  it('rejects with a WorkerError naming a worker that stops without a word at an exchange, and ends every thread', async () => {
    replicaFaults.hangAtStep = 3;
    const model = bnModel();
    const error = await model.fit(x, y, { ...FIT, workers: 2, callbacks: shortStallFrom(3) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(nn.WorkerError);
    expect((error as Error).message).toMatch(
      /fit \(worker thread 1\): did not reach the batch statistics exchange of BatchNormalization within [\d.]+ s; its thread may have ended without an error/,
    );
    expect(liveReplicaThreads()).toBe(0);
    const expected = await fitBn(1, bnModel, 2);
    expect(relativeDifference(weightsOf(model), expected.weights)).toBeLessThan(1e-6);
    model.dispose();
  });
});
