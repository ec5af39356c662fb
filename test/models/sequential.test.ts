import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { randomArray, rng } from '../helpers/random.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

/** The model of the request: 10 → 64 relu → 64 relu → 10 softmax. */
function requestModel(): nn.Sequential {
  return nn.sequential({
    layers: [
      nn.layers.dense({ units: 64, activation: 'relu', inputShape: [10] }),
      nn.layers.dense({ units: 64, activation: 'relu' }),
      nn.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

/** A learnable 10-class problem: the label is the argmax of the first 10 features. */
function toyData(n: number, seed: number): { x: Float32Array; y: Int32Array } {
  const x = randomArray(n * 10, seed);
  const y = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let j = 1; j < 10; j++) if (x[r * 10 + j] > x[r * 10 + best]) best = j;
    y[r] = best;
  }
  return { x, y };
}

function nested(flat: ArrayLike<number>, width: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < flat.length; i += width) out.push(Array.from(flat).slice(i, i + width));
  return out;
}

function weightsOf(model: nn.Sequential): Float32Array[] {
  const ws = model.getWeights();
  const out = ws.map((w) => w.dataSync().slice() as Float32Array);
  nn.dispose(ws);
  return out;
}

describe('the request program', () => {
  for (const loss of ['sparseCategoricalCrossentropy', 'sparse_categorical_crossentropy']) {
    it(`compile({ optimizer: 'adam', loss: '${loss}' }), fit 10 epochs, predict`, async () => {
      nn.setSeed(1);
      const model = requestModel();
      model.compile({ optimizer: 'adam', loss, metrics: ['accuracy'] });
      const { x, y } = toyData(256, 3);
      const xs = nn.tensor2d(x, [256, 10]);
      const ys = nn.tensor1d(y, 'int32');
      const history = await model.fit(xs, ys, { epochs: 10, verbose: 0 });
      expect(history.epoch).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(Object.keys(history.history).sort()).toEqual(['accuracy', 'loss']);
      const losses = history.history.loss;
      expect(losses).toHaveLength(10);
      expect(losses[9]).toBeLessThan(losses[0]);
      expect(history.history.accuracy[9]).toBeGreaterThan(history.history.accuracy[0]);
      const test = toyData(20, 4);
      const pred = model.predict(nn.tensor2d(test.x, [20, 10]));
      expect(pred.shape).toEqual([20, 10]);
      const p = pred.dataSync();
      for (let r = 0; r < 20; r++) {
        const rowSum = p.slice(r * 10, r * 10 + 10).reduce((a, b) => a + b, 0);
        expect(rowSum).toBeCloseTo(1, 5);
      }
      nn.dispose([xs, ys, pred]);
      model.dispose();
    });
  }

  it('takes x and y as tensors, nested arrays or typed arrays, with the same result', async () => {
    const { x, y } = toyData(40, 5);
    const inputs: Array<
      [string, () => [nn.Tensor | number[][] | Float32Array, nn.Tensor | number[] | Int32Array | number[][]]]
    > = [
      ['tensors', () => [nn.tensor2d(x, [40, 10]), nn.tensor1d(y, 'int32')]],
      ['nested arrays', () => [nested(x, 10), Array.from(y)]],
      ['typed arrays', () => [x, y]],
      ['float labels [n, 1]', () => [x, nested(Float32Array.from(y), 1)]],
    ];
    const results: Float32Array[][] = [];
    for (const [, make] of inputs) {
      nn.setSeed(7);
      const model = requestModel();
      model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
      const [xs, ys] = make();
      await model.fit(xs, ys, { epochs: 2, batchSize: 16, seed: 3, verbose: 0 });
      results.push(weightsOf(model));
      const pred = model.predict(xs);
      expect(pred.shape).toEqual([40, 10]);
      nn.dispose([pred]);
      if (xs instanceof nn.Tensor) xs.dispose();
      if (ys instanceof nn.Tensor) ys.dispose();
      model.dispose();
    }
    for (const r of results.slice(1)) {
      r.forEach((w, i) => {
        expect(Array.from(w)).toEqual(Array.from(results[0][i]));
      });
    }
  });
});
