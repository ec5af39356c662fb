import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';

function model(): nn.Sequential {
  nn.setSeed(12);
  const m = nn.sequential({
    layers: [
      nn.layers.dense({ units: 6, activation: 'relu', inputShape: [4], name: 'hidden' }),
      nn.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ],
  });
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

describe('trainOnBatch and getLayer', () => {
  beforeAll(() => nn.ready());

  it('trainOnBatch is one fit step on the whole batch: the same weights and the loss evaluate saw before it', async () => {
    const x = nn.randomNormal([8, 4]);
    const y = nn.tensor([0, 1, 2, 0, 1, 2, 0, 1], [8], 'int32');
    const a = model();
    const b = model();
    const [lossBefore] = (b.evaluate(x, y, { batchSize: 8 }) as nn.Tensor[]).map((t) => t.dataSync()[0]);
    await a.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 });
    const result = await b.trainOnBatch(x, y);
    expect(Array.isArray(result)).toBe(true);
    const [loss, accuracy] = result as number[];
    expect(loss).toBeCloseTo(lossBefore, 5);
    expect(accuracy).toBeGreaterThanOrEqual(0);
    expect(accuracy).toBeLessThanOrEqual(1);
    const wa = a.getWeights().map((w) => Array.from(w.dataSync()));
    const wb = b.getWeights().map((w) => Array.from(w.dataSync()));
    expect(wb).toEqual(wa);
    // repeated calls replay the same trace: memory stays put
    await b.trainOnBatch(x, y);
    const before = nn.memory();
    for (let i = 0; i < 20; i++) await b.trainOnBatch(x, y);
    expect(nn.memory().numTensors).toBe(before.numTensors);
    expect(nn.memory().wasmBytes).toBe(before.wasmBytes);
  });

  it('trainOnBatch without metrics resolves to the loss; bad input is a clear error that changes nothing', async () => {
    const m = model();
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const x = nn.randomNormal([2, 4]);
    expect(typeof (await m.trainOnBatch(x, nn.tensor([0, 1], [2], 'int32')))).toBe('number');
    const weights = m.getWeights().map((w) => Array.from(w.dataSync()));
    await expect(m.trainOnBatch(x, nn.tensor([0, 5], [2], 'int32'))).rejects.toThrow(/label/);
    await expect(m.trainOnBatch(nn.randomNormal([2, 5]), nn.tensor([0, 1], [2], 'int32'))).rejects.toThrow(/shape/);
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(weights);
    const unCompiled = nn.sequential({ layers: [nn.layers.dense({ units: 1, inputShape: [1] })] });
    await expect(unCompiled.trainOnBatch(nn.ones([1, 1]), nn.ones([1, 1]))).rejects.toThrow(/compiled/);
  });

  it('getLayer finds a layer by name or index, and names what there is when it cannot', () => {
    const m = model();
    expect(m.getLayer('out')).toBe(m.layers[1]);
    expect(m.getLayer(0)).toBe(m.layers[0]);
    expect(() => m.getLayer('nope')).toThrow(/no layer named "nope"; its layers: hidden, out/);
    expect(() => m.getLayer(2)).toThrow(/index in \[0, 2\)/);
  });
});
