// Review: a model dropped without dispose() gives its weights back when JavaScript collects it
// (the tensors' FinalizationRegistry); its steps' traces must go too.
import { beforeAll, describe, expect, it } from 'vitest';
import { backend } from '../../src/backend/loader.js';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const gc = (globalThis as { gc?: () => void }).gc;

async function collect(): Promise<void> {
  for (let i = 0; i < 6; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a model dropped without dispose', () => {
  it.skipIf(!gc)('frees the memory of its traces once collected', async () => {
    const x = nn.randomNormal([64, 20]);
    const y = nn.randomNormal([64, 4]);
    const train = async () => {
      const m = nn.sequential({
        layers: [nn.layers.dense({ units: 64, inputShape: [20], activation: 'relu' }), nn.layers.dense({ units: 4 })],
      });
      m.compile({ optimizer: 'adam', loss: 'mse' });
      await m.fit(x, y, { batchSize: 16, epochs: 1, verbose: 0 });
    };
    await train(); // warm: the scratch block, the generator
    await collect();
    const before = { live: backend().allocator.liveBytes, tensors: nn.memory().numTensors };
    for (let i = 0; i < 5; i++) await train();
    await collect();
    // at most one model may still be reachable (the last one, from the closure's frame)
    expect(nn.memory().numTensors - before.tensors).toBeLessThanOrEqual(0);
    expect(backend().allocator.liveBytes - before.live).toBeLessThan(30_000);
  });
});
