// model.predictAsync({ workers }): the batches of predict shared by the main thread and worker
// threads (src/worker/predict-host.ts), with the bits of predict; faults, bad input, memory. Each
// call with workers starts its threads (each imports neurasm through tsx here), so the calls are few.
import os from 'node:os';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { batchTable } from '../../src/worker/predict-batches.js';
import { predictTesting, predictThreadStats } from '../../src/worker/predict-host.js';
import { replicaStall } from '../../src/worker/replica-layout.js';
import { liveReplicaThreads } from '../../src/worker/replica-threads.js';
import { settledMemory } from '../helpers/memory.js';
import { denseModel, embeddingModel, floatRows, idRows, take } from './predict-async-fixtures.js';

beforeAll(async () => {
  await nn.ready();
});

afterEach(() => {
  predictTesting.fault = undefined;
  predictTesting.mainIdle = undefined;
  predictTesting.autoMinWork = undefined;
});

describe('batchTable', () => {
  it("lists predict's batches of each segment, one segment after the other (a batch size clamped to the segment)", () => {
    expect(Array.from(batchTable([{ rows: 10, batchSize: 4 }]))).toEqual([0, 4, 4, 4, 8, 2]);
    expect(
      Array.from(
        batchTable([
          { rows: 5, batchSize: 8 },
          { rows: 7, batchSize: 3 },
          { rows: 3, batchSize: 3 },
        ]),
      ),
    ).toEqual([0, 5, 5, 3, 8, 3, 11, 1, 12, 3]);
  });
});

describe('predictAsync with workers', () => {
  it('gives the bits of predict: float32 inputs, multi-dimensional outputs, a last partial batch; the worker threads ran batches; no thread is left', async () => {
    const model = denseModel();
    const x = floatRows(203);
    try {
      const one = take(model.predict(x, { batchSize: 16 }));
      expect(one.shape).toEqual([203, 4, 3]);
      // another batch size gives other bits somewhere? not needed: the comparison below can fail on any value
      predictTesting.mainIdle = true;
      const before = { ...predictThreadStats };
      // every batch (12 of 16 rows and one of 11) on the worker threads
      expect(take(await model.predictAsync(x, { batchSize: 16, workers: 2 }))).toEqual(one);
      expect(liveReplicaThreads()).toBe(0);
      expect(take(await model.predictAsync(x, { batchSize: 16, workers: 3 }))).toEqual(one);
      expect(liveReplicaThreads()).toBe(0);
      expect(predictThreadStats.started - before.started).toBe(3);
      expect(predictThreadStats.workerBatches - before.workerBatches).toBe(2 * 13);
      // main and workers together
      predictTesting.mainIdle = false;
      expect(take(await model.predictAsync(x, { batchSize: 16, workers: 2 }))).toEqual(one);
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
      predictTesting.mainIdle = true;
      expect(take(await model.predictAsync(x, { batchSize: 8, workers: 2 }))).toEqual(one);
      const nested = x.arraySync() as number[][];
      expect(take(await model.predictAsync(nested, { batchSize: 8, workers: 2 }))).toEqual(
        take(model.predict(nested, { batchSize: 8 })),
      );
      expect(liveReplicaThreads()).toBe(0);
    } finally {
      x.dispose();
    }
  }, 60_000);

  it('a model that takes strings (textVectorization first) gives the bits of predict', async () => {
    nn.setSeed(11);
    const words = ['free', 'money', 'now', 'meeting', 'at', 'noon', 'win', 'a', 'prize', 'lunch'];
    const texts = Array.from({ length: 45 }, (_, i) =>
      Array.from({ length: 1 + (i % 6) }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(' '),
    );
    const vectorizer = nn.layers.textVectorization({ maxTokens: 20, outputSequenceLength: 5 });
    vectorizer.adapt(texts);
    const model = nn.sequential({
      layers: [
        vectorizer,
        nn.layers.embedding({ inputDim: vectorizer.vocabularySize(), outputDim: 6, maskZero: true }),
        nn.layers.globalAveragePooling1d(),
        nn.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    const one = take(model.predict(texts, { batchSize: 8 }));
    predictTesting.mainIdle = true;
    expect(take(await model.predictAsync(texts, { batchSize: 8, workers: 2 }))).toEqual(one);
  }, 60_000);

  it('a quantized copy (nn.quantize) gives the bits of its predict on the worker threads', async () => {
    const model = denseModel();
    const x = floatRows(50);
    const quantized = await nn.quantize(model);
    try {
      const one = take(quantized.predict(x, { batchSize: 16 }));
      expect(one.values).not.toEqual(take(model.predict(x, { batchSize: 16 })).values);
      predictTesting.mainIdle = true;
      expect(take(await quantized.predictAsync(x, { batchSize: 16, workers: 2 }))).toEqual(one);
    } finally {
      x.dispose();
      quantized.dispose();
    }
  }, 60_000);

  it('a worker thread that throws or exits before the batches are written rejects with its error; no thread is left and the model is unchanged', async () => {
    const model = denseModel();
    const x = floatRows(40);
    try {
      const one = take(model.predict(x, { batchSize: 8 }));
      const weights = model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
      // the batches left to the one worker thread, which fails
      predictTesting.mainIdle = true;
      predictTesting.fault = 'throw';
      await expect(model.predictAsync(x, { batchSize: 8, workers: 2 })).rejects.toThrow(
        /predictAsync: worker thread 1 failed: .*fault injected/,
      );
      expect(liveReplicaThreads()).toBe(0);
      predictTesting.fault = 'exit';
      await expect(model.predictAsync(x, { batchSize: 8, workers: 2 })).rejects.toThrow(
        /predictAsync: worker thread 1 failed: .*exited/,
      );
      expect(liveReplicaThreads()).toBe(0);
      // one that stops without a word
      const stall = replicaStall.minMs;
      replicaStall.minMs = 3000;
      predictTesting.fault = 'hang';
      try {
        await expect(model.predictAsync(x, { batchSize: 8, workers: 2 })).rejects.toThrow(
          /predictAsync: no word from the worker threads for [\d.]+ s after this thread's share \([\d.]+ s\); its thread may have ended without an error/,
        );
      } finally {
        replicaStall.minMs = stall;
      }
      expect(liveReplicaThreads()).toBe(0);
      expect(model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array))).toEqual(weights);
      predictTesting.fault = undefined;
      expect(take(await model.predictAsync(x, { batchSize: 8, workers: 2 }))).toEqual(one);
    } finally {
      x.dispose();
    }
  }, 60_000);

  it('rejects bad options with clear errors', async () => {
    const model = denseModel();
    const x = floatRows(4);
    try {
      for (const workers of [0, -1, 17, 1.5, 'two', true]) {
        await expect(model.predictAsync(x, { workers: workers as number })).rejects.toThrow(
          /predictAsync: expected workers to be an integer from 1 to 16 \(threads, the main one included\) or 'auto', got/,
        );
      }
      await expect(model.predictAsync(x, { batchSize: 0 })).rejects.toThrow(/predictAsync: .*batchSize/);
      await expect(model.predictAsync(x, { batchSize: 4, thread: 2 } as never)).rejects.toThrow(/predictAsync.*thread/);
      await expect(model.predictAsync(nn.zeros([3, 5]), { workers: 2 })).rejects.toThrow(/predictAsync/);
    } finally {
      x.dispose();
    }
  });

  it("'auto' (the default) and workers: 1 stay on this thread for a small input, with the bits of predict; more threads than batches: one per batch", async () => {
    const model = denseModel();
    const x = floatRows(30);
    try {
      const one = take(model.predict(x));
      const started = predictThreadStats.started;
      expect(take(await model.predictAsync(x))).toEqual(one);
      expect(take(await model.predictAsync(x, { workers: 'auto' }))).toEqual(one);
      expect(take(await model.predictAsync(x, { workers: 1 }))).toEqual(one);
      // 30 rows at batch 32: one batch, so no thread
      expect(take(await model.predictAsync(x, { workers: 4 }))).toEqual(one);
      expect(predictThreadStats.started).toBe(started);
    } finally {
      x.dispose();
    }
  });

  it("'auto' above its threshold (lowered here) uses the cores (at most 4 threads, one per batch), with the bits of predict", async () => {
    const model = denseModel();
    const x = floatRows(100);
    try {
      const one = take(model.predict(x, { batchSize: 10 }));
      const work = model.countParams() * 100;
      predictTesting.mainIdle = true;
      for (const [perThread, threads] of [
        [work / 2, 2],
        [work / 8, 4],
      ] as const) {
        predictTesting.autoMinWork = perThread;
        const started = predictThreadStats.started;
        expect(take(await model.predictAsync(x, { batchSize: 10 }))).toEqual(one);
        expect(predictThreadStats.started - started).toBe(Math.min(threads, os.availableParallelism()) - 1);
      }
      // just below two threads' worth: this thread alone
      predictTesting.autoMinWork = work / 2 + 1;
      const started = predictThreadStats.started;
      expect(take(await model.predictAsync(x, { batchSize: 10 }))).toEqual(one);
      expect(predictThreadStats.started).toBe(started);
    } finally {
      x.dispose();
    }
  }, 60_000);

  it('while the model is in fit (from a callback) predicts on this thread, with the bits of predict', async () => {
    const model = embeddingModel();
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = idRows(40);
    const y = nn.zeros([40, 5]);
    try {
      const started = predictThreadStats.started;
      const seen: boolean[] = [];
      await model.fit(x, y, {
        epochs: 1,
        batchSize: 20,
        callbacks: {
          onEpochEnd: async () => {
            const one = take(model.predict(x, { batchSize: 8 }));
            seen.push(
              JSON.stringify(take(await model.predictAsync(x, { batchSize: 8, workers: 2 }))) === JSON.stringify(one),
            );
          },
        },
      });
      expect(seen).toEqual([true]);
      expect(predictThreadStats.started).toBe(started);
    } finally {
      nn.dispose([x, y]);
    }
  });

  it('does not leak tensors over repeated calls with workers', async () => {
    const model = denseModel();
    const x = floatRows(64);
    try {
      take(await model.predictAsync(x, { batchSize: 16, workers: 2 }));
      const before = await settledMemory();
      for (let i = 0; i < 3; i++) take(await model.predictAsync(x, { batchSize: 16, workers: 2 }));
      const after = await settledMemory();
      expect(after.numTensors).toBe(before.numTensors);
      expect(after.numBytes).toBe(before.numBytes);
    } finally {
      x.dispose();
    }
  }, 60_000);
});
