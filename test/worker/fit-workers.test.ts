// fit(x, y, { workers }): data-parallel training in Node worker threads (src/worker/replica-*.ts).
// Each fit with workers starts its threads (each imports neurasm through tsx here), so the fits are few.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { replicaDataLimit, replicaFaults } from '../../src/worker/replica-start.js';
import { liveReplicaThreads } from '../../src/worker/replica-threads.js';
import { settledMemory } from '../helpers/memory.js';
import { relativeDifference, sameBits, weightsOf } from '../helpers/weights.js';
import { clearReplicaFaults, D, FIT, makeModel, shortStallFrom, stoppedAfter, x, y } from './fit-workers-fixtures.js';

await nn.ready({ relaxedSimd: false });
afterEach(clearReplicaFaults);

describe('fit({ workers })', () => {
  let single: { weights: Float32Array[]; history: nn.History };

  beforeAll(async () => {
    const model = makeModel();
    const history = await model.fit(x, y, FIT);
    single = { weights: weightsOf(model), history };
    model.dispose();
  });

  it('gives the weights of a single-threaded fit (within 1e-6) with dropout, noise and L2, and the same bits on a rerun', async () => {
    const runs: Float32Array[][] = [];
    for (const workers of [2, 2, 3]) {
      const model = makeModel();
      const history = await model.fit(x, y, { ...FIT, workers });
      expect(relativeDifference(weightsOf(model), single.weights)).toBeLessThan(1e-6);
      for (const key of ['loss', 'accuracy', 'val_loss', 'val_accuracy']) {
        expect(history.history[key]).toHaveLength(2);
        history.history[key].forEach((v, i) => {
          expect(v).toBeCloseTo(single.history.history[key][i], 5);
        });
      }
      runs.push(weightsOf(model));
      model.dispose();
      expect(liveReplicaThreads()).toBe(0);
    }
    expect(sameBits(runs[0], runs[1])).toBe(true);
  });

  it('hands over weights and gradients larger than a shared piece (32768 values) as a single-threaded fit would', async () => {
    const wide = () => {
      nn.setSeed(6);
      const model = nn.sequential({
        layers: [
          nn.layers.dense({ units: 3000, activation: 'relu', inputShape: [D] }),
          nn.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      });
      model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      return model;
    };
    const runs: Float32Array[][] = [];
    for (const workers of [1, 2, 2]) {
      const model = wide();
      await model.fit(x, y, { epochs: 1, batchSize: 64, seed: 3, verbose: 0, workers });
      runs.push(weightsOf(model));
      model.dispose();
    }
    expect(runs[0][0].length).toBeGreaterThan(32768);
    expect(relativeDifference(runs[1], runs[0])).toBeLessThan(1e-6);
    expect(sameBits(runs[1], runs[2])).toBe(true);
  });

  it('gives the same bits when the training set is too large to share and the main thread writes the rows every step', async () => {
    const limit = replicaDataLimit.sharedBytes;
    const runs: Float32Array[][] = [];
    try {
      for (const sharedBytes of [limit, 0]) {
        replicaDataLimit.sharedBytes = sharedBytes;
        const model = makeModel();
        await model.fit(x, y, { ...FIT, workers: 3 });
        runs.push(weightsOf(model));
        model.dispose();
      }
    } finally {
      replicaDataLimit.sharedBytes = limit;
    }
    expect(relativeDifference(runs[0], single.weights)).toBeLessThan(1e-6);
    expect(sameBits(runs[0], runs[1])).toBe(true);
  });

  it('runs callbacks, early stopping and stopTraining on the main thread as a single-threaded fit does', async () => {
    const run = async (workers: number) => {
      const model = makeModel();
      const events: string[] = [];
      const history = await model.fit(x, y, {
        ...FIT,
        epochs: 6,
        workers,
        callbacks: [
          nn.callbacks.earlyStopping({ monitor: 'loss', patience: 0, minDelta: 0.05 }),
          {
            onEpochBegin: (epoch) => {
              events.push(`begin ${epoch}`);
            },
            onBatchEnd: (batch, logs) => {
              events.push(`batch ${batch} ${logs!.size}`);
              if (batch === 2 && events.filter((e) => e.startsWith('begin')).length === 3) model.stopTraining = true;
            },
          },
        ],
      });
      const out = { events, epochs: history.epoch, weights: weightsOf(model) };
      model.dispose();
      return out;
    };
    const one = await run(1);
    const two = await run(2);
    expect(two.events).toEqual(one.events);
    expect(two.epochs).toEqual(one.epochs);
    expect(one.events.at(-1)).toBe('batch 2 64');
    expect(relativeDifference(two.weights, one.weights)).toBeLessThan(1e-6);
  });

  it('trains on weights a callback changed between steps (the workers take them again), as one thread does', async () => {
    const run = async (workers: number) => {
      const model = makeModel();
      let batches = 0;
      await model.fit(x, y, {
        ...FIT,
        workers,
        callbacks: {
          onBatchEnd: () => {
            if (++batches % 2 !== 0) return;
            // shrink the first kernel, as a weight constraint would
            const weights = model.getWeights();
            const shrunk = nn.mul(weights[0], 0.9);
            model.setWeights([shrunk, ...weights.slice(1)]);
            nn.dispose([shrunk, ...weights]);
          },
        },
      });
      const out = weightsOf(model);
      model.dispose();
      return out;
    };
    const one = await run(1);
    for (const workers of [2, 3]) expect(relativeDifference(await run(workers), one)).toBeLessThan(1e-6);
    // without the callback's changes the weights would be far apart
    expect(relativeDifference(single.weights, one)).toBeGreaterThan(1e-2);
  });

  it('trains on float labels (categorical crossentropy, with metrics) as a single-threaded fit does', async () => {
    const oneHot = nn.oneHot(y, 3).cast('float32');
    const run = async (workers: number) => {
      const model = makeModel({ noise: false, loss: 'categoricalCrossentropy' });
      const history = await model.fit(x, oneHot, { epochs: 1, batchSize: 50, seed: 2, verbose: 0, workers });
      const out = { weights: weightsOf(model), accuracy: history.history.accuracy[0] };
      model.dispose();
      return out;
    };
    const one = await run(1);
    const two = await run(2);
    expect(relativeDifference(two.weights, one.weights)).toBeLessThan(1e-6);
    expect(two.accuracy).toBe(one.accuracy);
    oneHot.dispose();
  });

  it("'auto' trains a small model on this thread alone", async () => {
    const model = makeModel();
    const threads: number[] = [];
    await model.fit(x, y, {
      ...FIT,
      workers: 'auto',
      callbacks: { onBatchEnd: () => void threads.push(liveReplicaThreads()) },
    });
    expect(threads.length).toBeGreaterThan(0);
    expect(threads.every((n) => n === 0)).toBe(true);
    expect(sameBits(weightsOf(model), single.weights)).toBe(true);
    model.dispose();
  });

  it("'auto' picks more threads only for enough weights × rows, and at least 32 rows a thread", async () => {
    const { chooseThreads } = await import('../../src/worker/replica-auto.js');
    const mlp = 784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10;
    expect(chooseThreads(mlp, 256, 2)).toBe(2);
    expect(chooseThreads(mlp, 128, 2)).toBe(2);
    expect(chooseThreads(mlp, 32, 2)).toBe(1);
    expect(chooseThreads(mlp, 256, 1)).toBe(1);
    expect(chooseThreads(mlp, 256, 64)).toBe(4);
    expect(chooseThreads(10 * 64 + 64 + 64 * 64 + 64 + 64 * 10 + 10, 256, 2)).toBe(1);
    // embedding(20000, 64) on 200 ids → pooling → dense(1): the whole table is copied and summed, a row reads 200 × 64
    const table = 20000 * 64 + 64 + 1;
    expect(chooseThreads(table, 64, 2, 200 * 64 + 65)).toBe(1);
    expect(chooseThreads(table, 256, 2, 200 * 64 + 65)).toBe(1);
    // a row that computes with as many weights as it syncs: the old rule
    expect(chooseThreads(mlp, 256, 2, mlp)).toBe(2);
  });

  it('leaves no memory behind over repeated fits', async () => {
    const model = makeModel({ noise: false });
    await model.fit(x, y, { ...FIT, epochs: 1, workers: 2 });
    const before = await settledMemory();
    for (let i = 0; i < 2; i++) await model.fit(x, y, { ...FIT, epochs: 1, workers: 2 });
    const after = await settledMemory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect(after.wasmBytes).toBe(before.wasmBytes);
    model.dispose();
  });
});

describe('fit({ workers }) faults', () => {
  it('rejects with the error a worker throws and keeps the weights of the last completed step', async () => {
    replicaFaults.failAtStep = 4;
    const model = makeModel();
    await expect(model.fit(x, y, { ...FIT, workers: 2 })).rejects.toThrow(
      /fit \(worker thread 1\): fault injected in worker 1/,
    );
    expect(liveReplicaThreads()).toBe(0);
    expect(relativeDifference(weightsOf(model), await stoppedAfter(3))).toBeLessThan(1e-6);
    // the model trains on afterwards
    replicaFaults.failAtStep = undefined;
    await model.fit(x, y, { ...FIT, epochs: 1, workers: 2 });
    model.dispose();
  });

  it('rejects with a WorkerError when a worker thread dies mid-fit, and ends the other threads', async () => {
    replicaFaults.exitAtStep = 2;
    const model = makeModel();
    const error = await model.fit(x, y, { ...FIT, workers: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(nn.WorkerError);
    expect((error as Error).message).toMatch(
      /fit \(worker thread 1\): a worker thread exited \(code 1\) during the fit/,
    );
    expect(liveReplicaThreads()).toBe(0);
    expect(relativeDifference(weightsOf(model), await stoppedAfter(1))).toBeLessThan(1e-6);
    model.dispose();
  });

  it('rejects with a WorkerError naming a worker that stops without a word, and ends every thread', async () => {
    replicaFaults.hangAtStep = 3;
    const model = makeModel();
    const error = await model.fit(x, y, { ...FIT, workers: 3, callbacks: shortStallFrom(3) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(nn.WorkerError);
    expect((error as Error).message).toMatch(
      /fit \(worker thread 1\): no word from it for [\d.]+ s \(this thread's share of a step takes [\d.]+ s\); its thread may have ended without an error/,
    );
    expect(liveReplicaThreads()).toBe(0);
    expect(relativeDifference(weightsOf(model), await stoppedAfter(2))).toBeLessThan(1e-6);
    model.dispose();
  });

  it('rejects bad workers values and custom losses with clear errors, starting no thread', async () => {
    const model = makeModel({ noise: false });
    const before = weightsOf(model);
    for (const workers of [0, -1, 17, 1.5, Number.NaN, '2']) {
      await expect(model.fit(x, y, { ...FIT, workers: workers as number })).rejects.toThrow(
        /fit: expected workers to be an integer from 1 to 16 \(threads, the main one included\) or 'auto', got/,
      );
    }
    expect(sameBits(weightsOf(model), before)).toBe(true);
    model.dispose();

    const custom = makeModel({ noise: false, loss: (yTrue, yPred) => nn.mean(nn.square(nn.sub(yTrue, yPred))) });
    await expect(custom.fit(x, nn.oneHot(y, 3), { epochs: 1, verbose: 0, workers: 2 })).rejects.toThrow(
      /a custom loss function cannot be sent to worker threads/,
    );
    custom.dispose();
    expect(liveReplicaThreads()).toBe(0);
  });
});

describe('a replica’s slice of the batch', () => {
  it('splitRows gives every row to one thread, in order, the main thread at least one', async () => {
    const { splitRows } = await import('../../src/worker/replica-layout.js');
    for (const [rows, threads] of [
      [64, 2],
      [44, 3],
      [1, 4],
      [5, 16],
    ]) {
      const { starts, counts } = splitRows(rows, threads);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(rows);
      expect(counts[0]).toBeGreaterThanOrEqual(1);
      for (let t = 1; t < threads; t++) expect(starts[t]).toBe(starts[t - 1] + counts[t - 1]);
      expect(starts[0]).toBe(0);
    }
  });

  it('fillNormal over a window writes the values of the whole fill at those places', async () => {
    const { fillNormal } = await import('../../src/layers/gaussian-noise.js');
    const uniform = (seed: number) => {
      const r = new nn.Random(seed);
      return () => r.uniform();
    };
    for (const [total, from, n] of [
      [12, 0, 5],
      [12, 3, 4],
      [11, 5, 6],
      [9, 8, 1],
    ]) {
      const whole = new Float32Array(total);
      fillNormal(whole, 0, total, 0.5, uniform(3));
      const part = new Float32Array(n + 2);
      fillNormal(part, 1, n, 0.5, uniform(3), from, total);
      expect([...part.subarray(1, 1 + n)]).toEqual([...whole.subarray(from, from + n)]);
      expect([part[0], part[n + 1]]).toEqual([0, 0]);
    }
  });
});
