import { beforeAll, describe, expect, it } from 'vitest';
import { backend } from '../../src/backend/loader.js';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

describe('training when Wasm memory grows in the middle of a call', () => {
  it('evaluate reads labels right although converting them grows memory', () => {
    const model = nn.sequential({ layers: [nn.layers.dense({ units: 2, activation: 'softmax', inputShape: [1] })] });
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    nn.tidy(() => model.setWeights([nn.tensor([[-10, 10]]), nn.tensor([0, 0])]));
    const x = nn.tensor([[1], [1], [1], [1]]);
    const labels = nn.tensor([1, 1, 1, 1]);
    // fill linear memory exactly, so that the next allocation must grow it
    const b = backend();
    const top = () => (b.allocator as unknown as { top: number }).top;
    const fillers: number[] = [];
    for (const size of [4096, 16]) {
      while (b.memory.buffer.byteLength - top() >= size) fillers.push(b.allocator.alloc(size));
    }
    const before = b.memory.buffer.byteLength;
    const [loss, acc] = model.evaluate(x, labels) as nn.Tensor[];
    expect(b.memory.buffer.byteLength).toBeGreaterThan(before);
    for (const p of fillers) b.allocator.free(p);
    expect(acc.dataSync()[0]).toBe(1);
    expect(loss.dataSync()[0]).toBeLessThan(1e-6);
    nn.dispose([x, labels, loss, acc]);
    model.dispose();
  });
});
