// kernelShap({ workers }) where the threads cannot share memory (a browser page that is not
// cross-origin isolated), forced here in Node with SharedArrayBuffer taken from this thread during
// the calls: each worker thread explains its block of rows and posts the values back, transferred
// (src/explain/shap-threads.ts), with the bits of one thread and of the shared-memory path.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KernelShapOptions } from '../../src/explain/kernel-shap.js';
import { shapFaults, shapThreadsStarted } from '../../src/explain/shap-threads.js';
import * as nn from '../../src/index.js';
import { liveReplicaThreads } from '../../src/worker/replica-threads.js';
import { settledMemory } from '../helpers/memory.js';
import { hideSharedMemory, restoreSharedMemory } from '../helpers/shared-memory.js';
import { F, makeModel, valuesOf } from './threads-fixtures.js';

beforeAll(async () => {
  await nn.ready();
});

afterEach(() => {
  shapFaults.fault = undefined;
  restoreSharedMemory();
});

/**
 * `valuesOf` on the transferring path, with SharedArrayBuffer taken away from this thread as a page
 * that is not cross-origin isolated does (a use of it on the main thread then fails the test).
 */
async function transferredValuesOf(model: nn.Sequential, options: Partial<KernelShapOptions>): Promise<Float32Array> {
  hideSharedMemory();
  try {
    return await valuesOf(model, options);
  } finally {
    restoreSharedMemory();
  }
}

describe('kernelShap with workers, transferring buffers', () => {
  it('2 and 3 threads give the values of one thread and of the shared-memory path to the bit; no thread is left', async () => {
    const model = makeModel();
    const one = await valuesOf(model, {});
    expect(one.some((v) => v !== 0)).toBe(true);
    // the rows' values differ, so a block put in the wrong place fails the comparisons below
    expect(one.subarray(0, F * 3)).not.toEqual(one.subarray(F * 3 * 6));
    expect(await valuesOf(model, { workers: 2 })).toEqual(one);
    const started = shapThreadsStarted.count;
    expect(await transferredValuesOf(model, { workers: 2 })).toEqual(one);
    expect(liveReplicaThreads()).toBe(0);
    expect(await transferredValuesOf(model, { workers: 3 })).toEqual(one);
    expect(liveReplicaThreads()).toBe(0);
    expect(shapThreadsStarted.count - started).toBe(3);
  }, 60_000);

  it('a model that does not start with a Dense layer, one output, l1Reg, small batches: the same bits on 3 threads', async () => {
    const model = makeModel(true);
    const options = { output: 1, l1Reg: 'num_features(4)' as const, batchSize: 50 };
    const one = await valuesOf(model, options);
    expect(one.filter((v) => v !== 0).length).toBeGreaterThan(7);
    expect(await transferredValuesOf(model, { ...options, workers: 3 })).toEqual(one);
  }, 60_000);

  it('a worker thread that throws or exits rejects the call with a BackendError naming it; no thread is left', async () => {
    const model = makeModel();
    const weights = model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
    shapFaults.fault = 'throw';
    await expect(transferredValuesOf(model, { workers: 2 })).rejects.toThrow(
      /kernelShap: worker thread 1 failed: .*fault injected/,
    );
    expect(liveReplicaThreads()).toBe(0);
    await expect(transferredValuesOf(model, { workers: 2 })).rejects.toThrow(nn.BackendError);
    shapFaults.fault = 'exit';
    await expect(transferredValuesOf(model, { workers: 3 })).rejects.toThrow(
      /kernelShap: worker thread 2 failed: .*exited/,
    );
    expect(liveReplicaThreads()).toBe(0);
    expect(model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array))).toEqual(weights);
    shapFaults.fault = undefined;
    expect(await transferredValuesOf(model, { workers: 2 })).toEqual(await valuesOf(model, {}));
  }, 60_000);

  it("'auto' stays on one thread for a small job (same values, no thread started)", async () => {
    const model = makeModel();
    const one = await valuesOf(model, {});
    const started = shapThreadsStarted.count;
    expect(await transferredValuesOf(model, { workers: 'auto' })).toEqual(one);
    expect(shapThreadsStarted.count).toBe(started);
  });

  it('does not leak tensors over repeated calls, failed ones included', async () => {
    const model = makeModel();
    await transferredValuesOf(model, { workers: 2 });
    const before = await settledMemory();
    for (let i = 0; i < 3; i++) await transferredValuesOf(model, { workers: 2 });
    shapFaults.fault = 'throw';
    await expect(transferredValuesOf(model, { workers: 2 })).rejects.toThrow();
    const after = await settledMemory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  }, 60_000);
});
