// fit(x, y, { workers }) where the threads cannot share memory (a browser page that is not
// cross-origin isolated), forced here in Node: each step posts every worker a parcel of buffers
// (src/worker/replica-parcel.ts), transferred, that comes back with its results. The same step
// runs on them, so the weights are those of the shared-memory path, bit for bit.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { replicaDataLimit, replicaFaults } from '../../src/worker/replica-start.js';
import { liveReplicaThreads } from '../../src/worker/replica-threads.js';
import { settledMemory } from '../helpers/memory.js';
import { randomArray } from '../helpers/random.js';
import { hideSharedMemory, restoreSharedMemory } from '../helpers/shared-memory.js';
import { relativeDifference, sameBits, weightsOf } from '../helpers/weights.js';
import { clearReplicaFaults, FIT, makeModel, N, shortStallFrom, stoppedAfter, x, y } from './fit-workers-fixtures.js';

await nn.ready({ relaxedSimd: false });

afterEach(() => {
  clearReplicaFaults();
  restoreSharedMemory();
});

/** A fit of a fresh model with `workers`, transferring buffers or (`transfer` false) sharing memory. */
async function fitWith(workers: number, transfer: boolean) {
  const model = makeModel();
  if (transfer) hideSharedMemory();
  try {
    const history = await model.fit(x, y, { ...FIT, workers });
    return { weights: weightsOf(model), history: history.history };
  } finally {
    restoreSharedMemory();
    model.dispose();
  }
}

describe('fit({ workers }) transferring buffers', () => {
  let single: Awaited<ReturnType<typeof fitWith>>;

  beforeAll(async () => {
    single = await fitWith(1, false);
  });

  it('gives the bits of the shared-memory path for the same workers, within 1e-6 of one thread, with the same history', async () => {
    for (const workers of [2, 3]) {
      const shared = await fitWith(workers, false);
      const transferred = await fitWith(workers, true);
      expect(liveReplicaThreads()).toBe(0);
      expect(sameBits(transferred.weights, shared.weights)).toBe(true);
      expect(relativeDifference(transferred.weights, single.weights)).toBeLessThan(1e-6);
      expect(transferred.history).toEqual(shared.history);
      for (const key of ['loss', 'accuracy', 'val_loss', 'val_accuracy']) {
        transferred.history[key].forEach((v, i) => {
          expect(v).toBeCloseTo(single.history[key][i], 5);
        });
      }
    }
  });

  it('gives the same bits when the training set is too large to send once and each step posts the rows', async () => {
    const limit = replicaDataLimit.sharedBytes;
    try {
      const sent = await fitWith(3, true);
      replicaDataLimit.sharedBytes = 0;
      const posted = await fitWith(3, true);
      expect(sameBits(posted.weights, sent.weights)).toBe(true);
    } finally {
      replicaDataLimit.sharedBytes = limit;
    }
  });

  it('trains a trainable Embedding on int token ids (dense gradients, float labels) with the bits of the shared-memory path', async () => {
    const ids = nn.tensor(
      Int32Array.from(randomArray(N * 6, 3, 0, 1), (v) => Math.floor(v * 30)),
      [N, 6],
      'int32',
    );
    const labels = nn.tensor(
      Float32Array.from({ length: N }, (_, r) => (r % 3 === 0 ? 1 : 0)),
      [N, 1],
    );
    const run = async (transfer: boolean) => {
      nn.setSeed(7);
      const model = nn.sequential({
        layers: [
          nn.layers.embedding({ inputDim: 30, outputDim: 8, inputLength: 6 }),
          nn.layers.globalAveragePooling1d(),
          nn.layers.dense({ units: 1, activation: 'sigmoid' }),
        ],
      });
      model.compile({ optimizer: nn.train.adam(0.05), loss: 'binaryCrossentropy' });
      if (transfer) hideSharedMemory();
      try {
        await model.fit(ids, labels, { epochs: 1, batchSize: 48, seed: 4, verbose: 0, workers: 2 });
      } finally {
        restoreSharedMemory();
      }
      const w = weightsOf(model);
      model.dispose();
      return w;
    };
    expect(sameBits(await run(true), await run(false))).toBe(true);
    nn.dispose([ids, labels]);
  });

  it('leaves no memory behind over repeated fits', async () => {
    const model = makeModel();
    hideSharedMemory();
    await model.fit(x, y, { ...FIT, epochs: 1, workers: 2 });
    const before = await settledMemory();
    for (let i = 0; i < 2; i++) await model.fit(x, y, { ...FIT, epochs: 1, workers: 2 });
    const after = await settledMemory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect(after.wasmBytes).toBe(before.wasmBytes);
    expect(liveReplicaThreads()).toBe(0);
    model.dispose();
  });
});

describe('fit({ workers }) transferring buffers: faults', () => {
  it('rejects with the error a worker throws, keeps the weights of the last completed step and ends every thread', async () => {
    replicaFaults.failAtStep = 4;
    const model = makeModel();
    hideSharedMemory();
    await expect(model.fit(x, y, { ...FIT, workers: 3 })).rejects.toThrow(
      /fit \(worker thread 1\): fault injected in worker 1/,
    );
    expect(liveReplicaThreads()).toBe(0);
    restoreSharedMemory();
    expect(relativeDifference(weightsOf(model), await stoppedAfter(3))).toBeLessThan(1e-6);
    // the model trains on afterwards
    replicaFaults.failAtStep = undefined;
    hideSharedMemory();
    await model.fit(x, y, { ...FIT, epochs: 1, workers: 2 });
    expect(liveReplicaThreads()).toBe(0);
    model.dispose();
  });

  it('rejects with a WorkerError when a worker thread dies mid-fit', async () => {
    replicaFaults.exitAtStep = 2;
    const model = makeModel();
    hideSharedMemory();
    const error = await model.fit(x, y, { ...FIT, workers: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(nn.WorkerError);
    expect((error as Error).message).toMatch(
      /fit \(worker thread 1\): a worker thread exited \(code 1\) during the fit/,
    );
    expect(liveReplicaThreads()).toBe(0);
    restoreSharedMemory();
    expect(relativeDifference(weightsOf(model), await stoppedAfter(1))).toBeLessThan(1e-6);
    model.dispose();
  });

  it('rejects with a WorkerError naming a worker that stops without a word', async () => {
    replicaFaults.hangAtStep = 2;
    const model = makeModel();
    hideSharedMemory();
    const error = await model.fit(x, y, { ...FIT, workers: 2, callbacks: shortStallFrom(2) }).catch((e: unknown) => e);
    restoreSharedMemory();
    expect(error).toBeInstanceOf(nn.WorkerError);
    expect((error as Error).message).toMatch(/fit \(worker thread 1\): no word from it for [\d.]+ s/);
    expect(liveReplicaThreads()).toBe(0);
    expect(relativeDifference(weightsOf(model), await stoppedAfter(1))).toBeLessThan(1e-6);
    model.dispose();
  });
});
