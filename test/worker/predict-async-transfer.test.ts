// predictAsync({ workers }) where the threads cannot share memory (a browser page that is not
// cross-origin isolated), forced here in Node with SharedArrayBuffer taken from this thread during
// the calls: each worker thread is posted the rows of its block of batches and posts its predictions
// back (src/worker/predict-blocks.ts), with the bits of predict and of the shared-memory path.
// lime and permutationImportance go through the same blocks.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lime } from '../../src/explain/lime.js';
import { permutationImportance } from '../../src/explain/permutation.js';
import * as nn from '../../src/index.js';
import { batchTable } from '../../src/worker/predict-batches.js';
import { blockBatches, blockOf } from '../../src/worker/predict-blocks.js';
import { predictTesting, predictThreadStats } from '../../src/worker/predict-host.js';
import { replicaStall } from '../../src/worker/replica-layout.js';
import { liveReplicaThreads } from '../../src/worker/replica-threads.js';
import { settledMemory } from '../helpers/memory.js';
import { randomArray } from '../helpers/random.js';
import { restoreSharedMemory, transferring } from '../helpers/shared-memory.js';
import { denseModel, embeddingModel, F, floatRows, idRows, take } from './predict-async-fixtures.js';

beforeAll(async () => {
  await nn.ready();
});

afterEach(() => {
  predictTesting.fault = undefined;
  predictTesting.mainIdle = undefined;
  predictTesting.autoMinWork = undefined;
  restoreSharedMemory();
});

describe('blocks of batches', () => {
  it('split the batches contiguously (none for an idle main thread) and count each block from its first example', () => {
    expect(blockBatches(13, 2, false)).toEqual([7, 6]);
    expect(blockBatches(13, 3, true)).toEqual([0, 7, 6]);
    const job = {
      count: 203,
      width: F,
      outWidth: 12,
      inputDType: 'float32' as const,
      batches: batchTable([{ rows: 203, batchSize: 16 }]),
    };
    const last = blockOf(job, 7, 6);
    expect(last.start).toBe(112);
    expect(last.job.count).toBe(91);
    expect(Array.from(last.job.batches)).toEqual([0, 16, 16, 16, 32, 16, 48, 16, 64, 16, 80, 11]);
    expect(blockOf(job, 0, 7).job.count).toBe(112);
  });
});

describe('predictAsync with workers, transferring buffers', () => {
  it('gives the bits of predict and of the shared-memory path: float32 inputs, a last partial batch, 2 and 3 threads; no thread is left', async () => {
    const model = denseModel(false);
    const x = floatRows(203);
    try {
      const one = take(model.predict(x, { batchSize: 16 }));
      // the examples' predictions differ, so a block put in the wrong place fails the comparisons below
      expect(one.values.subarray(0, 12)).not.toEqual(one.values.subarray(12 * 202));
      const shared = take(await model.predictAsync(x, { batchSize: 16, workers: 2 }));
      expect(shared).toEqual(one);
      for (const workers of [2, 3]) {
        const before = { ...predictThreadStats };
        expect(take(await transferring(() => model.predictAsync(x, { batchSize: 16, workers })))).toEqual(one);
        expect(liveReplicaThreads()).toBe(0);
        expect(predictThreadStats.started - before.started).toBe(workers - 1);
        // 13 batches: the main thread's block first (7, or 4 of 3 threads), the rest on the workers
        expect(predictThreadStats.workerBatches - before.workerBatches).toBe(workers === 2 ? 6 : 9);
      }
      // every batch, the partial last one too, on the worker threads
      predictTesting.mainIdle = true;
      const before = { ...predictThreadStats };
      expect(take(await transferring(() => model.predictAsync(x, { batchSize: 16, workers: 3 })))).toEqual(one);
      expect(predictThreadStats.workerBatches - before.workerBatches).toBe(13);
      expect(liveReplicaThreads()).toBe(0);
    } finally {
      x.dispose();
    }
  }, 60_000);

  it('int32 inputs (an embedding) and nested arrays give the bits of predict', async () => {
    const model = embeddingModel();
    const x = idRows(70);
    try {
      const one = take(model.predict(x, { batchSize: 8 }));
      expect(take(await transferring(() => model.predictAsync(x, { batchSize: 8, workers: 2 })))).toEqual(one);
      predictTesting.mainIdle = true;
      expect(take(await transferring(() => model.predictAsync(x, { batchSize: 8, workers: 3 })))).toEqual(one);
      const nested = x.arraySync() as number[][];
      expect(take(await transferring(() => model.predictAsync(nested, { batchSize: 8, workers: 2 })))).toEqual(
        take(model.predict(nested, { batchSize: 8 })),
      );
      expect(liveReplicaThreads()).toBe(0);
    } finally {
      x.dispose();
    }
  }, 60_000);

  it("'auto' above its threshold (lowered here) starts threads by the same rule, with the bits of predict", async () => {
    const model = denseModel(false);
    const x = floatRows(100);
    try {
      const one = take(model.predict(x, { batchSize: 10 }));
      predictTesting.autoMinWork = (model.countParams() * 100) / 2;
      const started = predictThreadStats.started;
      expect(take(await transferring(() => model.predictAsync(x, { batchSize: 10 })))).toEqual(one);
      expect(predictThreadStats.started - started).toBe(1);
      predictTesting.autoMinWork = (model.countParams() * 100) / 2 + 1;
      expect(take(await transferring(() => model.predictAsync(x, { batchSize: 10 })))).toEqual(one);
      expect(predictThreadStats.started - started).toBe(1);
    } finally {
      x.dispose();
    }
  }, 60_000);

  it('a worker thread that throws or exits rejects with its error naming the thread; no thread is left, the model is unchanged', async () => {
    const model = denseModel(false);
    const x = floatRows(40);
    try {
      const one = take(model.predict(x, { batchSize: 8 }));
      const weights = model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
      predictTesting.fault = 'throw';
      await expect(transferring(() => model.predictAsync(x, { batchSize: 8, workers: 2 }))).rejects.toThrow(
        /predictAsync: worker thread 1 failed: .*fault injected/,
      );
      expect(liveReplicaThreads()).toBe(0);
      predictTesting.fault = 'exit';
      await expect(transferring(() => model.predictAsync(x, { batchSize: 8, workers: 3 }))).rejects.toThrow(
        /predictAsync: worker thread 2 failed: .*exited/,
      );
      expect(liveReplicaThreads()).toBe(0);
      await expect(transferring(() => model.predictAsync(x, { batchSize: 8, workers: 2 }))).rejects.toThrow(
        nn.BackendError,
      );
      const stall = replicaStall.minMs;
      replicaStall.minMs = 3000;
      predictTesting.fault = 'hang';
      try {
        await expect(transferring(() => model.predictAsync(x, { batchSize: 8, workers: 3 }))).rejects.toThrow(
          /predictAsync: no word from worker threads? (1, )?2 for [\d.]+ s after this thread's share/,
        );
      } finally {
        replicaStall.minMs = stall;
      }
      expect(liveReplicaThreads()).toBe(0);
      expect(model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array))).toEqual(weights);
      predictTesting.fault = undefined;
      expect(take(await transferring(() => model.predictAsync(x, { batchSize: 8, workers: 2 })))).toEqual(one);
    } finally {
      x.dispose();
    }
  }, 60_000);

  it('does not leak tensors over repeated calls, failed ones included', async () => {
    const model = denseModel(false);
    const x = floatRows(64);
    try {
      take(await transferring(() => model.predictAsync(x, { batchSize: 16, workers: 2 })));
      const before = await settledMemory();
      for (let i = 0; i < 3; i++) take(await transferring(() => model.predictAsync(x, { batchSize: 16, workers: 2 })));
      predictTesting.fault = 'throw';
      await expect(transferring(() => model.predictAsync(x, { batchSize: 16, workers: 2 }))).rejects.toThrow();
      const after = await settledMemory();
      expect(after.numTensors).toBe(before.numTensors);
      expect(after.numBytes).toBe(before.numBytes);
    } finally {
      x.dispose();
    }
  }, 60_000);
});

describe('lime and permutationImportance with workers, transferring buffers', () => {
  const explainModel = () => {
    nn.setSeed(3);
    return nn.sequential({
      layers: [
        nn.layers.dense({ units: 16, activation: 'relu', inputShape: [6] }),
        nn.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
  };

  it('give the results of one thread to the bit', async () => {
    const model = explainModel();
    const x = nn.tensor(randomArray(5 * 6, 1), [5, 6]);
    const trainingData = nn.tensor(randomArray(60 * 6, 2), [60, 6]);
    const y = nn.tensor(
      Int32Array.from({ length: 60 }, (_, i) => (i * 7) % 3),
      [60],
      'int32',
    );
    try {
      predictTesting.mainIdle = true;
      const options = { trainingData, numSamples: 300, seed: 4 };
      const oneLime = await lime(model, x, options);
      expect(await transferring(() => lime(model, x, { ...options, workers: 2 }))).toEqual(oneLime);
      const permutation = { metric: 'accuracy' as const, nRepeats: 3, seed: 2, batchSize: 32 };
      const onePermutation = await permutationImportance(model, trainingData, y, permutation);
      expect(onePermutation.importances.flat().some((v) => v !== 0)).toBe(true);
      expect(
        await transferring(() => permutationImportance(model, trainingData, y, { ...permutation, workers: 2 })),
      ).toEqual(onePermutation);
      expect(liveReplicaThreads()).toBe(0);
    } finally {
      nn.dispose([x, trainingData, y]);
    }
  }, 60_000);
});
