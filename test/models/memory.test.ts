import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { randomArray, rng } from '../helpers/random.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const ROWS = 40;
const x = randomArray(ROWS * 10, 81);
const r = rng(82);
const y = Int32Array.from({ length: ROWS }, () => Math.floor(r() * 10));
const oneHot = new Float32Array(ROWS * 10);
y.forEach((l, i) => {
  oneHot[i * 10 + l] = 1;
});

function classicModel(): nn.Sequential {
  nn.setSeed(8);
  return nn.sequential({
    layers: [
      nn.layers.dense({ units: 64, activation: 'relu', inputShape: [10] }),
      nn.layers.dropout({ rate: 0.1 }),
      nn.layers.dense({ units: 64, activation: 'relu' }),
      nn.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

/** Memory seen at the end of each epoch. */
function sampler() {
  const samples: nn.MemoryInfo[] = [];
  return { samples, callback: { onEpochEnd: () => void samples.push(nn.memory()) } };
}

describe('no memory growth', () => {
  it('built-in loss: memory after epoch 1 equals memory after epoch 100 (with validation)', async () => {
    const m = classicModel();
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const { samples, callback } = sampler();
    await m.fit(x, y, {
      epochs: 100,
      batchSize: 16,
      validationData: [x, y],
      callbacks: [callback, { onBatchEnd: () => {} }],
      verbose: 0,
    });
    expect(samples).toHaveLength(100);
    expect(samples[99]).toEqual(samples[0]);
    m.dispose();
  });

  it('custom loss: memory after epoch 1 equals memory after epoch 40', async () => {
    const m = classicModel();
    m.compile({
      optimizer: 'rmsprop',
      loss: (yt, yp) => nn.neg(nn.mean(nn.sum(nn.mul(yt, nn.log(yp)), -1))),
      metrics: ['accuracy'],
    });
    const { samples, callback } = sampler();
    await m.fit(x, oneHot, { epochs: 40, batchSize: 16, validationSplit: 0.2, callbacks: callback, verbose: 0 });
    expect(samples[39]).toEqual(samples[0]);
    m.dispose();
  });

  it('repeated fit, evaluate and predict return memory to where it was', async () => {
    const m = classicModel();
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    await m.fit(x, y, { epochs: 1, verbose: 0 });
    const warm = (() => {
      const p = m.predict(x);
      p.dispose();
      nn.dispose(m.evaluate(x, y) as nn.Tensor[]);
      return nn.memory();
    })();
    for (let i = 0; i < 100; i++) {
      const p = m.predict(x);
      p.dispose();
    }
    expect(nn.memory()).toEqual(warm);
    for (let i = 0; i < 20; i++) nn.dispose(m.evaluate(x, y) as nn.Tensor[]);
    expect(nn.memory()).toEqual(warm);
    for (let i = 0; i < 5; i++) await m.fit(x, y, { epochs: 1, verbose: 0 });
    expect(nn.memory()).toEqual(warm);
    // predictClasses too
    for (let i = 0; i < 20; i++) m.predictClasses(x).dispose();
    expect(nn.memory()).toEqual(warm);
    m.dispose();
  });

  it('compiling again frees the state of an optimizer compile made from a name', async () => {
    const m = classicModel();
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await m.fit(x, y, { epochs: 1, verbose: 0 });
    const warm = nn.memory();
    for (let i = 0; i < 3; i++) {
      m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      await m.fit(x, y, { epochs: 1, verbose: 0 });
    }
    expect(nn.memory()).toEqual(warm);
    // an optimizer the user made stays the user's: it keeps its state when replaced
    const own = nn.train.adam(0.01);
    m.compile({ optimizer: own, loss: 'sparseCategoricalCrossentropy' });
    await m.fit(x, y, { epochs: 1, verbose: 0 });
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    expect(own.getSlots(m.trainableWeights[0])?.[0].isDisposed).toBe(false);
    own.dispose();
    m.dispose();
  });

  it('dispose frees the weights, optimizer state and buffers; a failed fit frees its copies', async () => {
    const start = nn.memory();
    const m = classicModel();
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await m.fit(x, y, { epochs: 1, verbose: 0 });
    const p = m.predict(x);
    p.dispose();
    await expect(m.fit(x, y.slice(1), { verbose: 0 })).rejects.toThrow();
    m.dispose();
    const end = nn.memory();
    expect(end.numTensors).toBe(start.numTensors);
    expect(end.numBytes).toBe(start.numBytes);
  });
});
