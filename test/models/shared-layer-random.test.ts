import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';

describe('a dropout layer shared by two models', () => {
  beforeAll(() => nn.ready());

  it('draws from the generator of the model that trains: fit({seed}) twice gives the same weights', async () => {
    nn.setSeed(31);
    const drop = nn.layers.dropout({ rate: 0.5 });
    const a = nn.sequential({
      layers: [nn.layers.dense({ units: 6, inputShape: [4] }), drop, nn.layers.dense({ units: 2 })],
    });
    // a second model takes the same layer after the first
    const b = nn.sequential({ layers: [nn.layers.dense({ units: 6, inputShape: [3] }), drop] });
    expect(b.layers.length).toBe(2);
    a.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const start = a.getWeights();
    const x = nn.randomNormal([16, 4]);
    const y = nn.randomNormal([16, 2]);
    const run = async () => {
      a.setWeights(start);
      await a.fit(x, y, { epochs: 2, batchSize: 8, seed: 5, verbose: 0 });
      return a.getWeights().map((w) => Array.from(w.dataSync()));
    };
    const first = await run();
    nn.randomNormal([7]).dispose(); // moves the global generator
    const second = await run();
    expect(second).toEqual(first);
  });
});
