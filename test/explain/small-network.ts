// The gradient tests' small network, 6 → 12 tanh → 8 relu → 4 softmax, with its float64 reference.
import * as nn from '../../src/index.js';
import { type Dense64, denseLayers } from './mlp64.js';

/** The network built with `seed` (untrained) and its layers for the float64 reference. */
export function smallNetwork(seed: number): { model: nn.Sequential; layers: Dense64[] } {
  nn.setSeed(seed);
  const model = nn.sequential({
    layers: [
      nn.layers.dense({ units: 12, activation: 'tanh', inputShape: [6] }),
      nn.layers.dense({ units: 8, activation: 'relu' }),
      nn.layers.dense({ units: 4, activation: 'softmax' }),
    ],
  });
  const layers = denseLayers(
    model.getWeights().map((w) => w.dataSync()),
    ['tanh', 'relu', 'softmax'],
  );
  return { model, layers };
}
