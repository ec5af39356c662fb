import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { randomArray } from '../helpers/random.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

/** The model of the request: 10 → 64 relu → 64 relu → 10 softmax. */
function classicModel(): nn.Sequential {
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

describe('the classic Keras example program', () => {
  for (const loss of ['sparseCategoricalCrossentropy', 'sparse_categorical_crossentropy'] as const) {
    it(`compile({ optimizer: 'adam', loss: '${loss}' }), fit 10 epochs, predict`, async () => {
      nn.setSeed(1);
      const model = classicModel();
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
      const model = classicModel();
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

describe('summary and weights', () => {
  it('summary lists layers, output shapes and parameter counts (5514 for the classic Keras example model)', () => {
    const model = classicModel();
    const lines: string[] = [];
    model.summary((l) => lines.push(l));
    const text = lines.join('\n');
    const [d1, d2, d3] = model.layers.map((l) => l.name);
    expect(lines[0]).toMatch(/^Model: "sequential_\d+"$/);
    expect(text).toMatch(new RegExp(`${d1} \\(Dense\\)\\s+\\[null,64\\]\\s+704`));
    expect(text).toMatch(new RegExp(`${d2} \\(Dense\\)\\s+\\[null,64\\]\\s+4160`));
    expect(text).toMatch(new RegExp(`${d3} \\(Dense\\)\\s+\\[null,10\\]\\s+650`));
    expect(text).toContain('Total params: 5514');
    expect(text).toContain('Trainable params: 5514');
    expect(text).toContain('Non-trainable params: 0');
    expect(model.countParams()).toBe(5514);
    model.layers[0].trainable = false;
    const frozen: string[] = [];
    model.summary((l) => frozen.push(l));
    expect(frozen).toContain('Trainable params: 4810');
    expect(frozen).toContain('Non-trainable params: 704');
    model.dispose();
  });

  it('getWeights/setWeights round trip; getWeights returns copies', async () => {
    nn.setSeed(21);
    const a = classicModel();
    nn.setSeed(22);
    const b = classicModel();
    const ws = a.getWeights();
    expect(ws.map((w) => w.shape)).toEqual([[10, 64], [64], [64, 64], [64], [64, 10], [10]]);
    const { x } = toyData(16, 9);
    // predict before setWeights (its step is recorded) then after: the replay reads the new weights
    nn.dispose(b.predict(x));
    b.setWeights(ws);
    const pa = a.predict(x);
    const pb = b.predict(x);
    expect(pb.dataSync()).toEqual(pa.dataSync());
    // training a does not change the copies, nor b
    const saved = weightsOf(b);
    a.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    await a.fit(x, toyData(16, 9).y, { verbose: 0 });
    ws.forEach((w, i) => {
      expect(w.dataSync()).toEqual(saved[i]);
    });
    expect(weightsOf(b)).toEqual(saved);
    nn.dispose([...ws, pa, pb]);
    a.dispose();
    b.dispose();
  });

  it('predictClasses: argmax for several outputs, > 0.5 for one', async () => {
    nn.setSeed(23);
    const multi = classicModel();
    const { x } = toyData(8, 10);
    const p = multi.predict(x);
    const c = multi.predictClasses(x);
    expect(c.dtype).toBe('int32');
    const pv = p.dataSync();
    Array.from(c.dataSync()).forEach((k, r) => {
      const row = Array.from(pv.slice(r * 10, r * 10 + 10));
      expect(k).toBe(row.indexOf(Math.max(...row)));
    });
    const binary = nn.sequential({ layers: [nn.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [10] })] });
    const pb = binary.predict(x).dataSync();
    const cb = binary.predictClasses(x);
    expect(cb.shape).toEqual([8, 1]);
    expect(Array.from(cb.dataSync())).toEqual(Array.from(pb).map((v) => (v > 0.5 ? 1 : 0)));
    nn.dispose([p, c, cb]);
    multi.dispose();
    binary.dispose();
  });

  it('binary classification with 1-D labels trains the same with binaryCrossentropy and a custom log loss', async () => {
    const { x } = toyData(24, 11);
    const y = Array.from({ length: 24 }, (_, i) => (x[i * 10] > 0 ? 1 : 0));
    const make = () => {
      nn.setSeed(24);
      return nn.sequential({
        layers: [
          nn.layers.dense({ units: 8, activation: 'relu', inputShape: [10] }),
          nn.layers.dense({ units: 1, activation: 'sigmoid' }),
        ],
      });
    };
    const a = make();
    a.compile({ optimizer: nn.train.sgd(0.5), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const b = make();
    b.compile({
      optimizer: nn.train.sgd(0.5),
      loss: (yt, yp) => nn.losses.logLoss(yt, yp),
      metrics: ['accuracy'],
    });
    const ha = await a.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
    const hb = await b.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
    ha.history.loss.forEach((v, i) => {
      expect(hb.history.loss[i]).toBeCloseTo(v, 5);
    });
    expect(hb.history.accuracy).toEqual(ha.history.accuracy);
    const wa = weightsOf(a);
    const wb = weightsOf(b);
    wa.forEach((w, i) => {
      for (let j = 0; j < w.length; j++) expect(Math.abs(w[j] - wb[i][j])).toBeLessThan(1e-5);
    });
    a.dispose();
    b.dispose();
  });

  it('validationSplit 0 means no validation, as in tfjs', async () => {
    const m = classicModel();
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const { x, y } = toyData(20, 12);
    const h = await m.fit(x, y, { epochs: 1, validationSplit: 0, verbose: 0 });
    expect(Object.keys(h.history).sort()).toEqual(['accuracy', 'loss']);
    m.dispose();
  });

  it('validationSplit holds out the last examples (before shuffling), as Keras does', async () => {
    nn.setSeed(25);
    const m = classicModel();
    for (const l of m.layers) l.trainable = false;
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const { x, y } = toyData(20, 12);
    const h = await m.fit(x, y, { epochs: 1, validationSplit: 0.25, verbose: 0 });
    const [loss, acc] = m.evaluate(x.slice(150), y.slice(15)) as nn.Tensor[];
    expect(h.history.val_loss[0]).toBeCloseTo(loss.dataSync()[0], 6);
    expect(h.history.val_accuracy[0]).toBeCloseTo(acc.dataSync()[0], 6);
    const [tl] = m.evaluate(x.slice(0, 150), y.slice(0, 15)) as nn.Tensor[];
    expect(h.history.loss[0]).toBeCloseTo(tl.dataSync()[0], 6);
    nn.dispose([loss, acc, tl]);
    m.dispose();
  });
});
