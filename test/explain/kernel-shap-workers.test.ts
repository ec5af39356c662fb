// kernelShap({ workers }): the explained rows split over worker threads (src/explain/shap-threads.ts),
// with the values of one thread to the bit; faults, bad input, memory. Each call with workers starts
// its threads (each imports neurasm through tsx here), so the calls are few.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kernelShap } from '../../src/explain/kernel-shap.js';
import { shapFaults, shapThreadsStarted } from '../../src/explain/shap-threads.js';
import * as nn from '../../src/index.js';
import { replicaStall } from '../../src/worker/replica-layout.js';
import { liveReplicaThreads } from '../../src/worker/replica-threads.js';
import { settledMemory } from '../helpers/memory.js';
import { data, F, makeModel, valuesOf } from './threads-fixtures.js';

beforeAll(async () => {
  await nn.ready();
});

afterEach(() => {
  shapFaults.fault = undefined;
});

describe('kernelShap with workers', () => {
  it('2 and 3 threads give the values of one thread to the bit (dense first layer, sampled coalitions); no thread is left', async () => {
    const model = makeModel();
    const one = await valuesOf(model, {});
    expect(one.some((v) => v !== 0)).toBe(true);
    // the rows' coalitions come from the seed: another seed gives other values, so the comparison can fail
    expect(await valuesOf(model, { seed: 5 })).not.toEqual(one);
    const started = shapThreadsStarted.count;
    expect(await valuesOf(model, { workers: 2 })).toEqual(one);
    expect(liveReplicaThreads()).toBe(0);
    expect(await valuesOf(model, { workers: 3 })).toEqual(one);
    expect(liveReplicaThreads()).toBe(0);
    // 1 + 2 worker threads explained rows (7 rows: blocks of 4 and 3, then 2, 3 and 2)
    expect(shapThreadsStarted.count - started).toBe(3);
  }, 60_000);

  it('a model that does not start with a Dense layer (every masked row through predict), one output, l1Reg, small batches: the same bits on 2 threads', async () => {
    const model = makeModel(true);
    // batches of 50 rows cut through coalitions of 20 background rows
    const options = { output: 1, l1Reg: 'num_features(4)' as const, batchSize: 50 };
    const one = await valuesOf(model, options);
    expect(one.filter((v) => v !== 0).length).toBeGreaterThan(7);
    expect(await valuesOf(model, { ...options, workers: 2 })).toEqual(one);
  }, 60_000);

  it('the global generator (no seed) advances as with one thread', async () => {
    const model = makeModel();
    nn.setSeed(9);
    const one = await valuesOf(model, { seed: undefined });
    const next = await valuesOf(model, { seed: undefined });
    nn.setSeed(9);
    expect(await valuesOf(model, { seed: undefined, workers: 2 })).toEqual(one);
    expect(await valuesOf(model, { seed: undefined })).toEqual(next);
  }, 60_000);

  it('a worker thread that throws or exits rejects the call with its error and leaves no thread running', async () => {
    const model = makeModel();
    shapFaults.fault = 'throw';
    await expect(valuesOf(model, { workers: 2 })).rejects.toThrow(
      /kernelShap: worker thread 1 failed: .*fault injected/,
    );
    expect(liveReplicaThreads()).toBe(0);
    shapFaults.fault = 'exit';
    await expect(valuesOf(model, { workers: 3 })).rejects.toThrow(/kernelShap: worker thread 2 failed: .*exited/);
    expect(liveReplicaThreads()).toBe(0);
    const stall = replicaStall.minMs;
    replicaStall.minMs = 3000;
    shapFaults.fault = 'hang';
    try {
      await expect(valuesOf(model, { workers: 3 })).rejects.toThrow(
        /kernelShap: no word from worker threads? (1, )?2 for [\d.]+ s after this thread's share \([\d.]+ s\); its thread may have ended without an error/,
      );
    } finally {
      replicaStall.minMs = stall;
    }
    expect(liveReplicaThreads()).toBe(0);
    shapFaults.fault = undefined;
    expect(await valuesOf(model, { workers: 2 })).toEqual(await valuesOf(model, {}));
  }, 60_000);

  it('more threads than rows: one thread per row', async () => {
    const model = makeModel();
    const { x, background } = data();
    const one = x.slice([0, 0], [1, F]);
    try {
      const single = await kernelShap(model, one, { background, nsamples: 300, seed: 4 });
      const started = shapThreadsStarted.count;
      const threaded = await kernelShap(model, one, { background, nsamples: 300, seed: 4, workers: 4 });
      expect(shapThreadsStarted.count).toBe(started);
      expect(threaded.values.dataSync()).toEqual(single.values.dataSync());
      nn.dispose([single.values, threaded.values]);
    } finally {
      nn.dispose([x, background, one]);
    }
  });

  it('rejects bad workers values with clear errors', async () => {
    const model = makeModel();
    for (const workers of [0, -1, 17, 1.5, 'two', true]) {
      await expect(valuesOf(model, { workers: workers as number })).rejects.toThrow(
        /kernelShap: expected workers to be an integer from 1 to 16 \(threads, the main one included\) or 'auto', got/,
      );
    }
  });

  it("'auto' stays on one thread for a small job (same values, no thread started)", async () => {
    const model = makeModel();
    const one = await valuesOf(model, {});
    const started = shapThreadsStarted.count;
    expect(await valuesOf(model, { workers: 'auto' })).toEqual(one);
    expect(shapThreadsStarted.count).toBe(started);
  });

  it('does not leak tensors over repeated calls with workers', async () => {
    const model = makeModel();
    await valuesOf(model, { workers: 2 });
    const before = await settledMemory();
    for (let i = 0; i < 3; i++) await valuesOf(model, { workers: 2 });
    const after = await settledMemory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  }, 60_000);
});
