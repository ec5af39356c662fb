import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { randomArray, rng } from '../helpers/random.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const ROWS = 48;
const x = randomArray(ROWS * 6, 71);
const r = rng(72);
const y = Int32Array.from({ length: ROWS }, () => Math.floor(r() * 3));

function build(dropoutSeed?: number): nn.Sequential {
  return nn.sequential({
    layers: [
      nn.layers.dense({ units: 16, activation: 'relu', inputShape: [6] }),
      nn.layers.dropout({ rate: 0.3, seed: dropoutSeed }),
      nn.layers.dense({ units: 8, activation: 'tanh' }),
      nn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
}

function weights(model: nn.Sequential): Float32Array[] {
  const ws = model.getWeights();
  const out = ws.map((w) => Float32Array.from(w.dataSync()));
  nn.dispose(ws);
  return out;
}

async function train(
  seed: number,
  fitSeed: number | undefined,
  loss: nn.LossIdentifier | ((yt: nn.Tensor, yp: nn.Tensor) => nn.Tensor),
  dropoutSeed?: number,
) {
  nn.setSeed(seed);
  const m = build(dropoutSeed);
  m.compile({ optimizer: 'adam', loss, metrics: ['accuracy'] });
  const h = await m.fit(x, loss === 'sparseCategoricalCrossentropy' ? y : oneHot, {
    epochs: 3,
    batchSize: 8,
    seed: fitSeed,
    verbose: 0,
  });
  const w = weights(m);
  m.dispose();
  return { w, loss: h.history.loss };
}

const oneHot = new Float32Array(ROWS * 3);
y.forEach((l, i) => {
  oneHot[i * 3 + l] = 1;
});
const ceFn = (yt: nn.Tensor, yp: nn.Tensor) => nn.neg(nn.mean(nn.sum(nn.mul(yt, nn.log(yp)), -1)));

function expectSame(a: Float32Array[], b: Float32Array[]) {
  expect(a.length).toBe(b.length);
  a.forEach((w, i) => {
    expect(w).toEqual(b[i]);
  });
}

function differs(a: Float32Array[], b: Float32Array[]): boolean {
  return a.some((w, i) => w.some((v, j) => v !== b[i][j]));
}

describe('determinism', () => {
  it('same global seed and fit seed: bit-identical weights and losses, with dropout (built-in loss)', async () => {
    const a = await train(1, 9, 'sparseCategoricalCrossentropy');
    const b = await train(1, 9, 'sparseCategoricalCrossentropy');
    expectSame(a.w, b.w);
    expect(a.loss).toEqual(b.loss);
    const c = await train(1, 10, 'sparseCategoricalCrossentropy');
    expect(differs(a.w, c.w)).toBe(true);
    const d = await train(2, 9, 'sparseCategoricalCrossentropy');
    expect(differs(a.w, d.w)).toBe(true);
  });

  it('same global seed without a fit seed: identical (shuffling and dropout draw from the global generator)', async () => {
    const a = await train(3, undefined, 'sparseCategoricalCrossentropy');
    const b = await train(3, undefined, 'sparseCategoricalCrossentropy');
    expectSame(a.w, b.w);
  });

  it('same seeds with a custom loss, with dropout', async () => {
    const a = await train(4, 9, ceFn);
    const b = await train(4, 9, ceFn);
    expectSame(a.w, b.w);
    expect(a.loss).toEqual(b.loss);
  });

  it('a dropout layer with its own seed', async () => {
    const a = await train(5, 9, 'sparseCategoricalCrossentropy', 123);
    const b = await train(5, 9, 'sparseCategoricalCrossentropy', 123);
    expectSame(a.w, b.w);
    const c = await train(5, 9, 'sparseCategoricalCrossentropy', 124);
    expect(differs(a.w, c.w)).toBe(true);
  });

  it('initializers: setSeed fixes the starting weights; explicit initializer seeds too', () => {
    nn.setSeed(11);
    const a = weights(build());
    nn.setSeed(11);
    const b = weights(build());
    expectSame(a, b);
    const k1 = nn.layers.dense({ units: 4, inputShape: [3], kernelInitializer: nn.initializers.heNormal({ seed: 5 }) });
    const k2 = nn.layers.dense({ units: 4, inputShape: [3], kernelInitializer: nn.initializers.heNormal({ seed: 5 }) });
    const m1 = nn.sequential({ layers: [k1] });
    const m2 = nn.sequential({ layers: [k2] });
    expectSame(weights(m1), weights(m2));
    m1.dispose();
    m2.dispose();
  });

  it('predict is deterministic and ignores dropout', async () => {
    nn.setSeed(6);
    const m = build();
    const p1 = m.predict(x);
    const p2 = m.predict(x, { batchSize: 7 });
    expect(p1.dataSync()).toEqual(p2.dataSync());
    // without dropout in inference, predict equals the model's tensor-op forward pass
    const xt = nn.tensor2d(x, [ROWS, 6]);
    const p3 = m.call(xt, false);
    const a = p1.dataSync();
    const b = p3.dataSync();
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-6);
    nn.dispose([p1, p2, p3, xt]);
    m.dispose();
  });
});
