// Training a model with an embedding: ids are checked before anything runs (a bad one is an error
// naming it, where it is and the layer, and nothing changes), the train step replays its trace, and
// repeated fits do not grow memory.
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { bits, weightValues } from '../helpers/eager-fit.js';
import { randomArray } from '../helpers/random.js';

beforeAll(() => nn.ready());

const VOCAB = 50;
const STEPS = 4;

function ids(rows: number, seed: number): Int32Array {
  return Int32Array.from(randomArray(rows * STEPS, seed, 0, VOCAB), (v) => Math.floor(v));
}

function model(optimizer: nn.Optimizer): nn.Sequential {
  nn.setSeed(3);
  const m = nn.sequential({
    layers: [
      nn.layers.embedding({ name: 'words', inputDim: VOCAB, outputDim: 6, inputLength: STEPS }),
      nn.layers.flatten(),
      nn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  m.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
  return m;
}

const labels = (rows: number) => Int32Array.from({ length: rows }, (_, i) => i % 3);

/** The model's weights and its optimizer's state and step count, as bits. */
function snapshot(m: nn.Sequential): unknown {
  const opt = m.optimizer!;
  const slots = m.weights.flatMap((w) => (opt.getSlots(w) ?? []).map((s) => bits(s.dataSync() as Float32Array)));
  return { weights: weightValues(m).map(bits), slots, iterations: opt.iterations };
}

describe('ids out of range', () => {
  it('fit, evaluate, predict and trainOnBatch name the bad id, where it is and the layer; nothing changes', async () => {
    const m = model(nn.train.adam(0.01));
    const x = ids(10, 1);
    await m.fit(x, labels(10), { epochs: 1, batchSize: 4, verbose: 0 });
    const before = snapshot(m);
    const bad = x.slice();
    bad[2 * STEPS + 3] = VOCAB;
    const message = /x\[2\]\[3\] \(row 2, position 3\) holds id 50; Embedding "words" takes integer ids in \[0, 50\)/;
    await expect(m.fit(bad, labels(10), { epochs: 1, batchSize: 4, verbose: 0 })).rejects.toThrow(message);
    expect(() => m.evaluate(bad, labels(10))).toThrow(/evaluate: x\[2\]\[3\].*id 50/);
    expect(() => m.predict(bad)).toThrow(/predict: x\[2\]\[3\].*id 50/);
    await expect(m.trainOnBatch(bad, labels(10))).rejects.toThrow(/id 50/);
    const negative = nn.tensor(Array.from(x), [10, STEPS], 'int32').clone();
    const negIds = Array.from(x);
    negIds[7] = -1;
    const negTensor = nn.tensor(negIds, [10, STEPS], 'int32');
    expect(() => m.predict(negTensor)).toThrow(/x\[1\]\[3\].*holds id -1/);
    // float ids: integers are fine, others are errors
    const floats = Array.from(x, (v) => v);
    expect(m.predict(nn.tensor(floats, [10, STEPS])).shape).toEqual([10, 3]);
    floats[5] = 2.5;
    expect(() => m.predict(nn.tensor(floats, [10, STEPS]))).toThrow(/x\[1\]\[1\].*holds 2.5, not an integer id/);
    // validation data is checked before the first epoch
    await expect(m.fit(x, labels(10), { epochs: 1, verbose: 0, validationData: [bad, labels(10)] })).rejects.toThrow(
      /id 50/,
    );
    expect(snapshot(m)).toEqual(before);
    // a layer used on its own checks its ids too
    const layer = nn.layers.embedding({ inputDim: 10, outputDim: 2 });
    const outOfRange = nn.tensor([[1, 20]], [1, 2], 'int32');
    expect(() => layer.apply(outOfRange)).toThrow(/apply: x\[0\]\[1\] \(row 0, position 1\) holds id 20/);
    outOfRange.dispose();
    nn.dispose([negative, negTensor]);
    m.dispose();
  });
});

describe('the train step replays its trace and memory stays flat', () => {
  const cases: Array<[string, () => nn.Optimizer, 'int32' | 'float32']> = [
    ['sgd, int32 ids', () => nn.train.sgd(0.1), 'int32'],
    ['adam, float32 ids', () => nn.train.adam(0.01), 'float32'],
    ['lazy adam, int32 ids', () => nn.train.adam({ learningRate: 0.01, lazy: true }), 'int32'],
    ['rmsprop, int32 ids', () => nn.train.rmsprop(0.01), 'int32'],
  ];
  for (const [name, make, dtype] of cases) {
    it(name, async () => {
      const m = model(make());
      const raw = ids(40, 2);
      const x = dtype === 'int32' ? raw : Float32Array.from(raw);
      const y = labels(40);
      // 40 rows in batches of 16: a smaller last batch, so two step shapes
      await m.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
      expect(m.step('train', 16, dtype).replays).toBe(true);
      const memory = nn.memory();
      const tableBefore = m.layers[0].weights[0].dataSync().slice();
      for (let i = 0; i < 3; i++) await m.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
      expect(nn.memory().numTensors).toBe(memory.numTensors);
      expect(nn.memory().numBytes).toBe(memory.numBytes);
      expect(m.layers[0].weights[0].dataSync()).not.toEqual(tableBefore);
      m.dispose();
    });
  }
});
