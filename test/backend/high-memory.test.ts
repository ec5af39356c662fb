// Tensors whose bytes lie above 2 GiB: a byte offset past 2^31 must not turn negative on its way
// to an array index (`ptr >>> 2`, not `ptr >> 2`). The 2 GiB gap is reserved, never written, so
// the pages stay untouched. Its own file: vitest gives it a process, whose memory stays this large.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend } from '../../src/backend/loader.js';
import * as nn from '../../src/index.js';

let gap = 0;

beforeAll(async () => {
  await nn.ready({ relaxedSimd: false });
  nn.ones([64, 64]).dispose(); // warm the scratch block below the gap
  gap = backend().allocator.alloc(2 ** 31);
});

afterAll(() => backend().allocator.free(gap));

describe('memory above 2 GiB', () => {
  it('tensors there are written, read and computed on correctly', () => {
    const x = nn.tensor([
      [1, 2],
      [3, -4],
    ]);
    expect(x.dataPtr).toBeGreaterThan(2 ** 31);
    expect(x.arraySync()).toEqual([
      [1, 2],
      [3, -4],
    ]);
    const y = nn.tidy(() => nn.relu(nn.add(nn.matMul(x, x), 1)));
    expect(Array.from(y.dataSync())).toEqual([8, 0, 0, 23]);
    const ints = nn.fill([3], 7, 'int32');
    expect(Array.from(ints.dataSync())).toEqual([7, 7, 7]);
    nn.dispose([x, y, ints]);
  });

  it('a model trains and predicts there, as it does below 2 GiB', async () => {
    const run = async () => {
      const model = nn.sequential({
        layers: [
          nn.layers.dense({ units: 8, inputShape: [4], activation: 'relu', kernelInitializer: 'glorotUniform' }),
          nn.layers.dropout({ rate: 0.25, seed: 3 }),
          nn.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      });
      model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      const xs = nn.randomNormal([32, 4], 0, 1, 'float32', 7);
      const ys = nn.tensor(
        Array.from({ length: 32 }, (_, i) => i % 3),
        undefined,
        'int32',
      );
      const history = await model.fit(xs, ys, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 });
      const pred = model.predict(xs) as nn.Tensor;
      const out = { loss: history.history.loss, pred: Array.from(pred.dataSync()) };
      nn.dispose([xs, ys, pred]);
      model.dispose();
      return out;
    };
    backend().allocator.free(gap);
    // A fresh module (fresh memory, nothing in the free lists): the reference run stays below 2 GiB.
    await nn.ready({ relaxedSimd: true });
    await nn.ready({ relaxedSimd: false });
    nn.setSeed(11);
    const below = await run();
    expect(backend().allocator.wasmBytes).toBeLessThan(2 ** 30);
    // Again after a fresh module and a 2 GiB gap: every block of the run lies above 2 GiB.
    await nn.ready({ relaxedSimd: true });
    await nn.ready({ relaxedSimd: false });
    nn.ones([64, 64]).dispose();
    gap = backend().allocator.alloc(2 ** 31);
    nn.setSeed(11);
    const above = await run();
    expect(above.pred.every(Number.isFinite)).toBe(true);
    expect(above).toEqual(below);
  });
});
