// integratedGradients({ workers }): the explained rows split over worker threads (src/explain/ig-threads.ts),
// with the attributions, deltas and steps of one thread to the bit (under tolerance too); faults,
// bad input, memory. Each call with workers starts its threads (each imports neurasm through tsx
// here), so the calls are few.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mainShare } from '../../src/explain/block-threads.js';
import { igFaults, igThreadsStarted, threadCount } from '../../src/explain/ig-threads.js';
import {
  type IntegratedGradientsOptions,
  type IntegratedGradientsResult,
  integratedGradients,
} from '../../src/explain/integrated-gradients.js';
import * as nn from '../../src/index.js';
import { coreCount, liveReplicaThreads } from '../../src/worker/replica-threads.js';
import { settledMemory } from '../helpers/memory.js';
import { restoreSharedMemory, transferring } from '../helpers/shared-memory.js';
import { smallCase } from './threads-fixtures.js';
import { trainedReluNetwork } from './trained-relu.js';

beforeAll(async () => {
  await nn.ready();
});

afterEach(() => {
  igFaults.fault = undefined;
  restoreSharedMemory();
});

/** A result with the attributions read out (and disposed), comparable with toEqual. */
interface Values extends Omit<IntegratedGradientsResult, 'attributions'> {
  attributions: Float32Array;
}

async function valuesOf(model: nn.Sequential, x: nn.Tensor, options: IntegratedGradientsOptions): Promise<Values> {
  const result = await integratedGradients(model, x, options);
  const attributions = Float32Array.from(result.attributions.dataSync() as Float32Array);
  result.attributions.dispose();
  return { ...result, attributions };
}

describe('integratedGradients with workers', () => {
  it('2 and 3 threads give the values of one thread to the bit, under tolerance too; no thread is left', async () => {
    const { net, xs } = await trainedReluNetwork('iris', [32], 60);
    const x = xs.slice([0, 0], [40, 4]);
    try {
      const options: IntegratedGradientsOptions = { steps: 50, tolerance: 0.001, maxSteps: 200 };
      const one = await valuesOf(net, x, options);
      // rows at 50, 100 and 200 points, and rows that stop at maxSteps unconverged, in every block of
      // 2 and 3 threads (a small call: the main thread takes 1.5 equal shares, rows [0, 30) of 2
      // threads and [0, 20) of 3; the others share the rest)
      for (const s of [50, 100, 200]) expect(one.steps).toContain(s);
      const unconverged = one.converged?.flatMap((c, r) => (c ? [] : [r])) ?? [];
      for (const [from, to] of [
        [0, 20],
        [20, 30],
        [30, 40],
      ]) {
        expect(unconverged.some((r) => r >= from && r < to)).toBe(true);
      }
      // other steps give other values, so the comparisons below can fail
      expect((await valuesOf(net, x, { steps: 49 })).attributions).not.toEqual(one.attributions);
      const started = igThreadsStarted.count;
      expect(await valuesOf(net, x, { ...options, workers: 2 })).toEqual(one);
      expect(liveReplicaThreads()).toBe(0);
      expect(await valuesOf(net, x, { ...options, workers: 3 })).toEqual(one);
      expect(liveReplicaThreads()).toBe(0);
      expect(igThreadsStarted.count - started).toBe(3);
      // without tolerance: no `converged`, the same bits
      const plain = await valuesOf(net, x, { steps: 20 });
      expect(plain.converged).toBeUndefined();
      expect(await valuesOf(net, x, { steps: 20, workers: 2 })).toEqual(plain);
    } finally {
      nn.dispose([x, xs]);
      net.dispose();
    }
  }, 60_000);

  it('a conv1d/LSTM model, a baseline per row, an output per row, a Riemann rule, small batches: the same bits on 2 threads', async () => {
    nn.setSeed(4);
    const model = nn.sequential({
      layers: [
        nn.layers.conv1d({ filters: 5, kernelSize: 3, activation: 'relu', inputShape: [8, 3] }),
        nn.layers.lstm({ units: 6 }),
        nn.layers.dense({ units: 4, activation: 'softmax' }),
      ],
    });
    const x = nn.randomNormal([7, 8, 3], 0, 1, 'float32', 5);
    const baseline = nn.randomNormal([7, 8, 3], 0, 0.3, 'float32', 6);
    try {
      const options: IntegratedGradientsOptions = {
        baseline,
        output: [0, 1, 2, 3, 3, 2, 1],
        method: 'riemann_trapezoid',
        steps: 9,
        batchSize: 10,
      };
      const one = await valuesOf(model, x, options);
      expect(one.attributions.some((v) => v !== 0)).toBe(true);
      expect(await valuesOf(model, x, { ...options, workers: 2 })).toEqual(one);
    } finally {
      nn.dispose([x, baseline]);
      model.dispose();
    }
  }, 60_000);

  it('a worker thread that throws or exits rejects the call with its error, leaves no thread running and the model unchanged', async () => {
    const { model, x } = smallCase(9);
    const weights = model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
    try {
      igFaults.fault = 'throw';
      await expect(valuesOf(model, x, { workers: 2 })).rejects.toThrow(
        /integratedGradients: worker thread 1 failed: .*fault injected/,
      );
      expect(liveReplicaThreads()).toBe(0);
      igFaults.fault = 'exit';
      await expect(valuesOf(model, x, { workers: 3 })).rejects.toThrow(
        /integratedGradients: worker thread 2 failed: .*exited/,
      );
      expect(liveReplicaThreads()).toBe(0);
      expect(model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array))).toEqual(weights);
      igFaults.fault = undefined;
      expect(await valuesOf(model, x, { workers: 2 })).toEqual(await valuesOf(model, x, {}));
    } finally {
      x.dispose();
      model.dispose();
    }
  }, 60_000);

  it('threads that share no memory (a page without isolation) post their results back: the same bits under tolerance; faults', async () => {
    const { net, xs } = await trainedReluNetwork('iris', [32], 60);
    const x = xs.slice([0, 0], [40, 4]);
    try {
      const options: IntegratedGradientsOptions = { steps: 50, tolerance: 0.001, maxSteps: 200 };
      const one = await valuesOf(net, x, options);
      expect(one.steps).toContain(200);
      const started = igThreadsStarted.count;
      expect(await transferring(() => valuesOf(net, x, { ...options, workers: 2 }))).toEqual(one);
      expect(await transferring(() => valuesOf(net, x, { ...options, workers: 3 }))).toEqual(one);
      expect(igThreadsStarted.count - started).toBe(3);
      expect(liveReplicaThreads()).toBe(0);
      igFaults.fault = 'throw';
      await expect(transferring(() => valuesOf(net, x, { workers: 2 }))).rejects.toThrow(
        /integratedGradients: worker thread 1 failed: .*fault injected/,
      );
      expect(liveReplicaThreads()).toBe(0);
    } finally {
      nn.dispose([x, xs]);
      net.dispose();
    }
  }, 60_000);

  it('more threads than rows: one thread per row', async () => {
    const { model, x } = smallCase(9);
    const two = x.slice([0, 0], [2, 12]);
    try {
      const single = await valuesOf(model, two, {});
      const started = igThreadsStarted.count;
      expect(await valuesOf(model, two, { workers: 5 })).toEqual(single);
      expect(igThreadsStarted.count - started).toBe(1);
    } finally {
      nn.dispose([x, two]);
      model.dispose();
    }
  }, 60_000);

  it('rejects bad workers values with clear errors', async () => {
    const { model, x } = smallCase(9);
    try {
      for (const workers of [0, -1, 17, 1.5, 'two', true]) {
        await expect(valuesOf(model, x, { workers: workers as number })).rejects.toThrow(
          /integratedGradients: expected workers to be an integer from 1 to 16 \(threads, the main one included\) or 'auto', got/,
        );
      }
    } finally {
      x.dispose();
      model.dispose();
    }
  });

  it("'auto' stays on one thread for a small job (same values, no thread started)", async () => {
    const { model, x } = smallCase(9);
    try {
      const one = await valuesOf(model, x, {});
      const started = igThreadsStarted.count;
      expect(await valuesOf(model, x, { workers: 'auto' })).toEqual(one);
      expect(igThreadsStarted.count).toBe(started);
    } finally {
      x.dispose();
      model.dispose();
    }
  });

  it("'auto' counts weights × steps × rows: a thread per 10^10, up to the cores", async () => {
    nn.setSeed(1);
    // 784·512 + 512 + 512·512 + 512 + 512·10 + 10 = 669,706 weights
    const model = nn.sequential({
      layers: [
        nn.layers.dense({ units: 512, activation: 'relu', inputShape: [784] }),
        nn.layers.dense({ units: 512, activation: 'relu' }),
        nn.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    try {
      const cores = await coreCount();
      expect(await threadCount(model, 'auto', 100, 50)).toBe(1);
      // 669,706 × 50 × 600 ≈ 2.0·10^10; × 1200 ≈ 4.0·10^10
      expect(await threadCount(model, 'auto', 600, 50)).toBe(Math.min(2, cores));
      expect(await threadCount(model, 'auto', 1200, 50)).toBe(Math.min(4, cores));
      expect(await threadCount(model, 'auto', 3, 100_000)).toBe(Math.min(3, cores));
      expect(await threadCount(model, 2, 1, 50)).toBe(1);
    } finally {
      model.dispose();
    }
  });

  it('the main thread takes more rows while the workers start: 1 + start · (threads − 1) / time, at most 1.5', () => {
    expect(mainShare(2.8, 2)).toBeCloseTo(1.125, 10);
    expect(mainShare(2.8, 3)).toBeCloseTo(1.25, 10);
    expect(mainShare(350, 2)).toBeCloseTo(1.001, 10);
    expect(mainShare(0.01, 2)).toBe(1.5);
  });

  it('does not leak tensors over repeated calls with workers', async () => {
    const { model, x } = smallCase(9);
    try {
      await valuesOf(model, x, { workers: 2, tolerance: 0.01 });
      const before = await settledMemory();
      for (let i = 0; i < 3; i++) await valuesOf(model, x, { workers: 2, tolerance: 0.01 });
      const after = await settledMemory();
      expect(after.numTensors).toBe(before.numTensors);
      expect(after.numBytes).toBe(before.numBytes);
    } finally {
      x.dispose();
      model.dispose();
    }
  }, 60_000);
});
