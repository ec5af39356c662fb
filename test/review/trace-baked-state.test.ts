// Review: what a train trace bakes in must be in its step's key, and ops that draw random numbers
// in JavaScript must draw again at every replay.
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

describe('a frozen BatchNormalization without trainable weights', () => {
  it('stops using batch statistics and updating its moving statistics, also on a cached train step', async () => {
    const x = nn.randomNormal([8, 3], 0, 1, 'float32', 11);
    const y = nn.randomNormal([8, 1], 0, 1, 'float32', 12);
    const model = () => {
      nn.setSeed(2);
      const m = nn.sequential({
        layers: [
          nn.layers.dense({ units: 4, inputShape: [3] }),
          nn.layers.batchNormalization({ center: false, scale: false, momentum: 0.5 }),
          nn.layers.dense({ units: 1 }),
        ],
      });
      m.compile({ optimizer: 'sgd', loss: 'mse' });
      return m;
    };
    const args = { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 as const };
    const warm = model();
    await warm.fit(x, y, args); // records and caches the train step
    const movingMean = Array.from(warm.layers[1].getWeights()[0].dataSync());
    warm.layers[1].trainable = false;
    const h = await warm.fit(x, y, args);
    // Keras: a frozen BatchNormalization normalizes with, and keeps, its moving statistics
    expect(Array.from(warm.layers[1].getWeights()[0].dataSync())).toEqual(movingMean);
    // the same as a model that never had a trace of the unfrozen layer
    const fresh = model();
    await fresh.fit(x, y, args);
    fresh.layers[1].trainable = false;
    for (const s of (fresh as unknown as { steps: Map<string, { dispose(): void }> }).steps.values()) s.dispose();
    (fresh as unknown as { steps: Map<string, unknown> }).steps.clear();
    const hFresh = await fresh.fit(x, y, args);
    expect(h.history.loss).toEqual(hFresh.history.loss);
    warm.dispose();
    fresh.dispose();
  });
});

describe("random ops in a user's layer", () => {
  it('draw fresh numbers at every step, as an eager loop does', async () => {
    class Noise extends nn.layers.Layer {
      static readonly className = 'ReviewNoise';
      computeOutputShape(s: Array<number | null>) {
        return s;
      }
      call(x: nn.Tensor, training: boolean) {
        return training ? nn.add(x, nn.randomNormal([...x.shape])) : nn.mul(x, 1);
      }
    }
    nn.setSeed(1);
    const m = nn.sequential({ layers: [nn.layers.dense({ units: 2, inputShape: [3] }), new Noise({})] });
    m.compile({ optimizer: nn.train.sgd(1e-30), loss: 'mse' }); // the weights do not move in float32
    const x = nn.ones([4, 3]);
    const y = nn.zeros([4, 2]);
    nn.setSeed(5);
    const fast: number[] = [];
    for (let i = 0; i < 4; i++) fast.push((await m.trainOnBatch(x, y)) as number);
    nn.setSeed(5);
    const eager = [0, 1, 2, 3].map(() => nn.tidy(() => nn.losses.meanSquaredError(y, m.call(x, true)).dataSync()[0]));
    expect(new Set(fast).size).toBe(4);
    expect(fast).toEqual(eager);
    m.dispose();
  });
});
