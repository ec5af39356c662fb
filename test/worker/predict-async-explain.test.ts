// lime and permutationImportance with { workers }: their large predictions shared by worker threads
// (src/worker/predict-host.ts's predictRowsOnThreads), with the results of one thread to the bit.
// With `mainIdle` every batch runs on a worker thread, so the comparisons test the threads' bits.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lime } from '../../src/explain/lime.js';
import { permutationImportance } from '../../src/explain/permutation.js';
import * as nn from '../../src/index.js';
import { predictTesting, predictThreadStats } from '../../src/worker/predict-host.js';
import { liveReplicaThreads } from '../../src/worker/replica-threads.js';
import { settledMemory } from '../helpers/memory.js';
import { randomArray } from '../helpers/random.js';

const F = 6;

beforeAll(async () => {
  await nn.ready();
});

afterEach(() => {
  predictTesting.mainIdle = undefined;
});

function makeModel(): nn.Sequential {
  nn.setSeed(3);
  return nn.sequential({
    layers: [
      nn.layers.dense({ units: 16, activation: 'relu', inputShape: [F] }),
      nn.layers.dense({ units: 8, activation: 'tanh' }),
      nn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
}

const rows = (n: number, seed: number) => nn.tensor(randomArray(n * F, seed), [n, F]);

describe('lime with workers', () => {
  it('gives the explanations of one thread to the bit (binned and continuous sampling, several examples in one prediction); no thread is left', async () => {
    const model = makeModel();
    const x = rows(5, 1);
    const trainingData = rows(60, 2);
    try {
      for (const discretize of ['quartile', false] as const) {
        const options = { trainingData, numSamples: 300, seed: 4, discretize };
        const one = await lime(model, x, options);
        expect(await lime(model, x, { ...options, seed: 5 })).not.toEqual(one);
        predictTesting.mainIdle = true;
        const before = { ...predictThreadStats };
        expect(await lime(model, x, { ...options, workers: 2 })).toEqual(one);
        // one prediction for the 5 neighbourhoods: one thread, one batch each
        expect(predictThreadStats.started - before.started).toBe(1);
        expect(predictThreadStats.workerBatches - before.workerBatches).toBe(5);
        expect(liveReplicaThreads()).toBe(0);
        predictTesting.mainIdle = false;
        expect(await lime(model, x, { ...options, workers: 3 })).toEqual(one);
        expect(liveReplicaThreads()).toBe(0);
      }
    } finally {
      nn.dispose([x, trainingData]);
    }
  }, 60_000);

  it('neighbourhoods larger than a batch (8192 rows): one prediction per example, the same bits', async () => {
    const model = makeModel();
    const x = rows(2, 1);
    const trainingData = rows(60, 2);
    try {
      const options = { trainingData, numSamples: 9000, seed: 4 };
      const one = await lime(model, x, options);
      predictTesting.mainIdle = true;
      const before = { ...predictThreadStats };
      expect(await lime(model, x, { ...options, workers: 2 })).toEqual(one);
      // each example: batches of 8192 and 808 rows
      expect(predictThreadStats.started - before.started).toBe(2);
      expect(predictThreadStats.workerBatches - before.workerBatches).toBe(4);
    } finally {
      nn.dispose([x, trainingData]);
    }
  }, 60_000);

  it('starts no thread by default or for a small job with workers: auto; rejects bad workers values', async () => {
    const model = makeModel();
    const x = rows(2, 1);
    const trainingData = rows(60, 2);
    try {
      const options = { trainingData, numSamples: 200, seed: 4 };
      const started = predictThreadStats.started;
      const one = await lime(model, x, options);
      expect(await lime(model, x, { ...options, workers: 'auto' })).toEqual(one);
      expect(predictThreadStats.started).toBe(started);
      for (const workers of [0, 17, 2.5, 'all']) {
        await expect(lime(model, x, { ...options, workers: workers as number })).rejects.toThrow(
          /lime: expected workers to be an integer from 1 to 16 \(threads, the main one included\) or 'auto', got/,
        );
      }
    } finally {
      nn.dispose([x, trainingData]);
    }
  });
});

describe('permutationImportance with workers', () => {
  const labels = (n: number) =>
    nn.tensor(
      Int32Array.from({ length: n }, (_, i) => (i * 7) % 3),
      [n],
      'int32',
    );

  it('gives the importances of one thread to the bit (accuracy, a score function; every feature in one prediction); no thread is left', async () => {
    const model = makeModel();
    const x = rows(100, 1);
    const y = labels(100);
    // a score of the predictions' values: any changed bit changes it
    const meanOfFirst = (_: nn.Tensor, p: nn.Tensor) =>
      (p.dataSync() as Float32Array).reduce((a, v, i) => (i % 3 === 0 ? a + v : a), 0);
    try {
      for (const metric of ['accuracy', meanOfFirst] as const) {
        const options = { metric, nRepeats: 5, seed: 0, batchSize: 128 };
        const one = await permutationImportance(model, x, y, options);
        expect(one.importances.flat().some((v) => v !== 0)).toBe(true);
        expect(await permutationImportance(model, x, y, { ...options, seed: 1 })).not.toEqual(one);
        predictTesting.mainIdle = true;
        const before = { ...predictThreadStats };
        expect(await permutationImportance(model, x, y, { ...options, workers: 2 })).toEqual(one);
        // the 6 features' copies (500 rows each, batches of 128: 3 of 128 and one of 116) in one prediction
        expect(predictThreadStats.started - before.started).toBe(1);
        expect(predictThreadStats.workerBatches - before.workerBatches).toBe(6 * 4);
        expect(liveReplicaThreads()).toBe(0);
        predictTesting.mainIdle = false;
        expect(await permutationImportance(model, x, y, { ...options, workers: 3 })).toEqual(one);
        expect(liveReplicaThreads()).toBe(0);
      }
    } finally {
      nn.dispose([x, y]);
    }
  }, 60_000);

  it("metric 'loss' and workers: auto on a small job start no thread; rejects bad workers values", async () => {
    const model = makeModel();
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const x = rows(40, 1);
    const y = labels(40);
    try {
      const started = predictThreadStats.started;
      const loss = await permutationImportance(model, x, y, { metric: 'loss', seed: 0 });
      expect(await permutationImportance(model, x, y, { metric: 'loss', seed: 0, workers: 2 })).toEqual(loss);
      const accuracy = await permutationImportance(model, x, y, { seed: 0 });
      expect(await permutationImportance(model, x, y, { seed: 0, workers: 'auto' })).toEqual(accuracy);
      expect(predictThreadStats.started).toBe(started);
      for (const workers of [0, 17, 2.5, 'all']) {
        await expect(permutationImportance(model, x, y, { workers: workers as number })).rejects.toThrow(
          /permutationImportance: expected workers to be an integer from 1 to 16 \(threads, the main one included\) or 'auto', got/,
        );
      }
    } finally {
      nn.dispose([x, y]);
    }
  });

  it('does not leak tensors over repeated calls with workers', async () => {
    const model = makeModel();
    const x = rows(50, 1);
    const y = labels(50);
    const explained = rows(1, 3);
    const trainingData = rows(30, 2);
    try {
      const run = async () => {
        await permutationImportance(model, x, y, { nRepeats: 2, seed: 0, workers: 2 });
        await lime(model, explained, { trainingData, numSamples: 100, seed: 0, workers: 2 });
      };
      await run();
      const before = await settledMemory();
      for (let i = 0; i < 2; i++) await run();
      const after = await settledMemory();
      expect(after.numTensors).toBe(before.numTensors);
      expect(after.numBytes).toBe(before.numBytes);
    } finally {
      nn.dispose([x, y, explained, trainingData]);
    }
  }, 60_000);
});
