// fit(x, y, { workers }) on models with a trainable Embedding: each thread writes its row-sparse
// gradient densely into the shared gradient block (src/worker/replica-dense.ts) and the main thread
// applies the summed dense gradient, which the default (non-lazy) optimizers update from exactly as
// from the row-sparse one (test/optimizers/sparse-update.test.ts). Each fit starts threads, so the fits are few.
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { liveReplicaThreads } from '../../src/worker/replica-threads.js';
import { settledMemory } from '../helpers/memory.js';
import { randomArray } from '../helpers/random.js';
import { relativeDifference, sameBits, weightsOf } from '../helpers/weights.js';

await nn.ready({ relaxedSimd: false });

const N = 200;
const STEPS = 6;
const VOCAB = 40;

/** Token ids (0 is padding, some ids never used), labels from whether ids 1..5 occur. */
function tokenData(n: number, seed: number) {
  const r = randomArray(n * STEPS, seed, 0, 1);
  // ids 0..33: rows 34..39 of the table never get a gradient
  const ids = Int32Array.from(r, (v) => Math.floor(v * v * 34));
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < STEPS; s++) if (ids[i * STEPS + s] >= 1 && ids[i * STEPS + s] <= 5) y[i] = 1;
  }
  return { x: nn.tensor(ids, [n, STEPS], 'int32'), y: nn.tensor(y, [n, 1]) };
}

/** embedding (maskZero) → global average pooling → dense: the spam model on token ids. */
function tokenModel(optimizer: () => nn.Optimizer = () => nn.train.adam(0.05)): nn.Sequential {
  nn.setSeed(7);
  const model = nn.sequential({
    layers: [
      nn.layers.embedding({ inputDim: VOCAB, outputDim: 8, inputLength: STEPS, maskZero: true }),
      nn.layers.globalAveragePooling1d(),
      nn.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  model.compile({ optimizer: optimizer(), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return model;
}

const WORDS = ['free', 'money', 'now', 'meeting', 'today', 'lunch', 'offer', 'win', 'report', 'call', 'cash', 'team'];

/** Short texts of the words above; spam when "free", "money" or "win" occurs. */
function texts(n: number, seed: number): { texts: string[]; y: Float32Array } {
  const r = randomArray(n * 5, seed, 0, 1);
  const out: string[] = [];
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const words = Array.from(r.subarray(i * 5, i * 5 + 1 + Math.floor(r[i * 5] * 4)), (v) => WORDS[Math.floor(v * 12)]);
    out.push(words.join(' '));
    y[i] = words.some((w) => w === 'free' || w === 'money' || w === 'win') ? 1 : 0;
  }
  return { texts: out, y };
}

/** textVectorization → embedding → pooling → dense (src/cli/spam.ts's model, small). */
function textModel(train: string[]): nn.Sequential {
  nn.setSeed(11);
  const vectorizer = nn.layers.textVectorization({ maxTokens: 20, outputSequenceLength: 5 });
  vectorizer.adapt(train);
  const model = nn.sequential({
    layers: [
      vectorizer,
      nn.layers.embedding({ inputDim: vectorizer.vocabularySize(), outputDim: 6, maskZero: true }),
      nn.layers.globalAveragePooling1d(),
      nn.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  model.compile({ optimizer: nn.train.adam(0.05), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return model;
}

const { x, y } = tokenData(N, 1);
// 200 examples in batches of 48: four full batches and a last one of 8
const FIT = { epochs: 1, batchSize: 48, seed: 4, verbose: 0 as const };

describe('fit({ workers }) with a trainable Embedding', () => {
  let single: { weights: Float32Array[]; loss: number[] };

  beforeAll(async () => {
    const model = tokenModel();
    const history = await model.fit(x, y, FIT);
    single = { weights: weightsOf(model), loss: history.history.loss as number[] };
    model.dispose();
  });

  it('gives the weights of a single-threaded fit (within 1e-6) on int token ids, and the same bits on a rerun', async () => {
    const runs: Float32Array[][] = [];
    for (const workers of [2, 2]) {
      const model = tokenModel();
      const before = weightsOf(model)[0];
      const history = await model.fit(x, y, { ...FIT, workers });
      const after = weightsOf(model);
      // the table moved (the test would pass vacuously if it did not)
      expect(relativeDifference([after[0]], [before])).toBeGreaterThan(1e-2);
      expect(relativeDifference(after, single.weights)).toBeLessThan(1e-6);
      expect(history.history.loss[0]).toBeCloseTo(single.loss[0], 5);
      runs.push(after);
      model.dispose();
      expect(liveReplicaThreads()).toBe(0);
    }
    expect(sameBits(runs[0], runs[1])).toBe(true);
  });

  it('updates as a single-threaded fit with SGD with momentum too', async () => {
    const make = () => nn.train.momentum(0.3, 0.9);
    const weights: Float32Array[][] = [];
    for (const workers of [1, 3]) {
      const model = tokenModel(make);
      await model.fit(x, y, { ...FIT, workers });
      weights.push(weightsOf(model));
      model.dispose();
    }
    expect(relativeDifference(weights[1], weights[0])).toBeLessThan(1e-6);
  });

  it('trains a text model (textVectorization in the model) on strings as a single-threaded fit does', async () => {
    const train = texts(160, 3);
    const weights: Float32Array[][] = [];
    for (const workers of [1, 2]) {
      const model = textModel(train.texts);
      await model.fit(train.texts, train.y, { epochs: 1, batchSize: 40, seed: 2, verbose: 0, workers });
      weights.push(weightsOf(model));
      model.dispose();
    }
    expect(relativeDifference(weights[1], weights[0])).toBeLessThan(1e-6);
    expect(liveReplicaThreads()).toBe(0);
  });

  it('leaves no memory behind over repeated fits', async () => {
    const model = tokenModel();
    await model.fit(x, y, { ...FIT, workers: 2 });
    const before = await settledMemory();
    for (let i = 0; i < 2; i++) await model.fit(x, y, { ...FIT, workers: 2 });
    const after = await settledMemory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect(after.wasmBytes).toBe(before.wasmBytes);
    model.dispose();
  });

  it('refuses a lazy optimizer (adam({ lazy: true })) clearly, leaving the weights and no thread', async () => {
    const model = tokenModel(() => nn.train.adam({ learningRate: 0.05, lazy: true }));
    const before = weightsOf(model);
    await expect(model.fit(x, y, { ...FIT, workers: 2 })).rejects.toThrow(
      /cannot train a model with a trainable Embedding under a lazy optimizer.*use workers: 1 or lazy: false/,
    );
    expect(sameBits(weightsOf(model), before)).toBe(true);
    expect(liveReplicaThreads()).toBe(0);
    // one thread trains it
    await model.fit(x, y, FIT);
    expect(sameBits(weightsOf(model), before)).toBe(false);
    model.dispose();
  });
  it("'auto' counts what a row reads of a large table, not the table: one thread where copying it would not pay", async () => {
    // 100,000 × 64 values copied and summed each step, but a row reads 6 × 64 of them
    nn.setSeed(3);
    const model = nn.sequential({
      layers: [
        nn.layers.embedding({ inputDim: 100_000, outputDim: 64, inputLength: STEPS }),
        nn.layers.globalAveragePooling1d(),
        nn.layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    model.compile({ optimizer: nn.train.sgd(0.1), loss: 'binaryCrossentropy' });
    const threads: number[] = [];
    await model.fit(x, y, {
      epochs: 1,
      batchSize: 128,
      seed: 1,
      verbose: 0,
      workers: 'auto',
      callbacks: { onBatchEnd: () => void threads.push(liveReplicaThreads()) },
    });
    expect(threads.length).toBeGreaterThan(0);
    expect(threads.every((n) => n === 0)).toBe(true);
    model.dispose();
  });
});
