// saliency / gradientTimesInput({ workers }): the rows split over worker threads
// (src/explain/gradient-threads.ts), with the values of one thread to the bit; faults, bad input,
// memory. Each call with workers starts its threads (each imports neurasm through tsx here).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gradientFaults, gradientThreadsStarted, threadCount } from '../../src/explain/gradient-threads.js';
import { type GradientOptions, gradientTimesInput, saliency } from '../../src/explain/gradients.js';
import * as nn from '../../src/index.js';
import { coreCount, liveReplicaThreads } from '../../src/worker/replica-threads.js';
import { settledMemory } from '../helpers/memory.js';
import { restoreSharedMemory, transferring } from '../helpers/shared-memory.js';
import { smallCase } from './threads-fixtures.js';

beforeAll(async () => {
  await nn.ready();
});

afterEach(() => {
  gradientFaults.fault = undefined;
  restoreSharedMemory();
});

type Method = typeof saliency;

async function valuesOf(method: Method, model: nn.Sequential, x: nn.Tensor, options: GradientOptions) {
  const t = await method(model, x, options);
  const v = Float32Array.from(t.dataSync() as Float32Array);
  expect(t.shape).toEqual(x.shape);
  t.dispose();
  return v;
}

describe('saliency and gradientTimesInput with workers', () => {
  it('2 and 3 threads give the values of one thread to the bit (predicted classes, one output per row); no thread is left', async () => {
    const { model, x } = smallCase(11);
    try {
      const perRow = [0, 1, 2, 2, 1, 0, 0, 1, 2, 2, 1];
      for (const method of [saliency, gradientTimesInput]) {
        for (const options of [{}, { output: perRow, batchSize: 4 }]) {
          const one = await valuesOf(method, model, x, options);
          expect(one.some((v) => v !== 0)).toBe(true);
          const started = gradientThreadsStarted.count;
          expect(await valuesOf(method, model, x, { ...options, workers: 2 })).toEqual(one);
          expect(await valuesOf(method, model, x, { ...options, workers: 3 })).toEqual(one);
          expect(gradientThreadsStarted.count - started).toBe(3);
          expect(liveReplicaThreads()).toBe(0);
        }
      }
      // the predicted classes are not all the same, so a block that took another row's class would differ
      const p = model.predict(x);
      const classes = nn.argMax(p, -1);
      expect(new Set(classes.dataSync()).size).toBeGreaterThan(1);
      nn.dispose([p, classes]);
      expect(await valuesOf(saliency, model, x, { output: 0 })).not.toEqual(await valuesOf(saliency, model, x, {}));
    } finally {
      x.dispose();
      model.dispose();
    }
  }, 60_000);

  it('threads that share no memory (a page without isolation) post their rows back: the same bits; faults', async () => {
    const { model, x } = smallCase(11);
    try {
      for (const method of [saliency, gradientTimesInput]) {
        const one = await valuesOf(method, model, x, {});
        expect(await transferring(() => valuesOf(method, model, x, { workers: 2 }))).toEqual(one);
        expect(await transferring(() => valuesOf(method, model, x, { workers: 3 }))).toEqual(one);
        expect(liveReplicaThreads()).toBe(0);
      }
      gradientFaults.fault = 'exit';
      await expect(transferring(() => valuesOf(saliency, model, x, { workers: 2 }))).rejects.toThrow(
        /saliency: worker thread 1 failed: .*exited/,
      );
      expect(liveReplicaThreads()).toBe(0);
    } finally {
      x.dispose();
      model.dispose();
    }
  }, 60_000);

  it('a worker thread that throws or exits rejects the call with its error and leaves no thread running', async () => {
    const { model, x } = smallCase(11);
    try {
      gradientFaults.fault = 'throw';
      await expect(valuesOf(saliency, model, x, { workers: 2 })).rejects.toThrow(
        /saliency: worker thread 1 failed: .*fault injected/,
      );
      expect(liveReplicaThreads()).toBe(0);
      gradientFaults.fault = 'exit';
      await expect(valuesOf(gradientTimesInput, model, x, { workers: 3 })).rejects.toThrow(
        /gradientTimesInput: worker thread 2 failed: .*exited/,
      );
      expect(liveReplicaThreads()).toBe(0);
    } finally {
      x.dispose();
      model.dispose();
    }
  }, 60_000);

  it('rejects bad workers values with clear errors', async () => {
    const { model, x } = smallCase(11);
    try {
      for (const workers of [0, -1, 17, 1.5, 'two', true]) {
        await expect(valuesOf(saliency, model, x, { workers: workers as number })).rejects.toThrow(
          /saliency: expected workers to be an integer from 1 to 16 \(threads, the main one included\) or 'auto', got/,
        );
      }
      // a bad output is reported before any thread starts
      const started = gradientThreadsStarted.count;
      await expect(valuesOf(saliency, model, x, { workers: 2, output: 3 })).rejects.toThrow(/output/);
      expect(gradientThreadsStarted.count).toBe(started);
    } finally {
      x.dispose();
      model.dispose();
    }
  });

  it("'auto': one thread for a small input (same values, no thread started), a thread per 10^10 weights × rows", async () => {
    const { model, x } = smallCase(11);
    try {
      const one = await valuesOf(saliency, model, x, {});
      const started = gradientThreadsStarted.count;
      expect(await valuesOf(saliency, model, x, { workers: 'auto' })).toEqual(one);
      expect(gradientThreadsStarted.count).toBe(started);
      // 12·16 + 16 + 16·8 + 8 + 8·3 + 3 = 371 weights
      const cores = await coreCount();
      expect(await threadCount('saliency', model, 'auto', 10_000_000)).toBe(1);
      expect(await threadCount('saliency', model, 'auto', 60_000_000)).toBe(Math.min(2, cores));
    } finally {
      x.dispose();
      model.dispose();
    }
  });

  it('does not leak tensors over repeated calls with workers', async () => {
    const { model, x } = smallCase(11);
    try {
      await valuesOf(saliency, model, x, { workers: 2 });
      const before = await settledMemory();
      for (let i = 0; i < 3; i++) await valuesOf(saliency, model, x, { workers: 2 });
      const after = await settledMemory();
      expect(after.numTensors).toBe(before.numTensors);
      expect(after.numBytes).toBe(before.numBytes);
    } finally {
      x.dispose();
      model.dispose();
    }
  }, 60_000);
});
