// Review: "a failed call leaves the model and the Wasm memory as they were" (README, Design: Errors).
import { beforeAll, describe, expect, it } from 'vitest';
import { backend } from '../../src/backend/loader.js';
import * as nn from '../../src/index.js';

beforeAll(async () => {
  await nn.ready({ relaxedSimd: false });
  // warm: the shared scratch block is made on first use
  const m = nn.sequential({ layers: [nn.layers.dense({ units: 2, inputShape: [3] })] });
  nn.dispose(m.predict(nn.ones([2, 3])));
  m.dispose();
});

const state = () => ({ ...nn.memory(), live: backend().allocator.liveBytes });

describe('a failed call on a model not built yet', () => {
  it('fit with y of the wrong width leaves the model unbuilt and memory as it was', async () => {
    const x = nn.ones([10, 3]);
    const y = nn.ones([10, 5]);
    const m = nn.sequential({ layers: [nn.layers.dense({ units: 2 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const before = state();
    await expect(m.fit(x, y, { verbose: 0 })).rejects.toBeInstanceOf(nn.ShapeError);
    expect(m.layers[0].built).toBe(false);
    expect(state()).toEqual(before);
  });

  it('inputGradients with a class out of range leaves the model unbuilt and memory as it was', () => {
    const x = nn.ones([10, 3]);
    const m = nn.sequential({ layers: [nn.layers.dense({ units: 2 })] });
    const before = state();
    expect(() => m.inputGradients(x, { classes: 7 })).toThrow(nn.ValueError);
    expect(m.layers[0].built).toBe(false);
    expect(state()).toEqual(before);
  });
});

describe('a loss function that throws while the first batch is recorded', () => {
  it('leaves memory as it was (no step buffers left behind)', async () => {
    const x = nn.ones([10, 3]);
    const y = nn.ones([10, 2]);
    const m = nn.sequential({ layers: [nn.layers.dense({ units: 2, inputShape: [3] })] });
    m.compile({
      optimizer: 'sgd',
      loss: () => {
        throw new Error('boom');
      },
    });
    const before = state();
    await expect(m.fit(x, y, { batchSize: 4, verbose: 0 })).rejects.toThrow('boom');
    expect(() => m.evaluate(x, y, { batchSize: 4 })).toThrow('boom');
    expect(state()).toEqual(before);
    m.dispose();
  });
});
