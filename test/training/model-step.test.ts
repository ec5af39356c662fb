// The one training path: a model's pass recorded once as a trace and replayed every step
// (src/training/model-step.ts, src/models/passes.ts), checked against eager runs of the same ops.
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import type { ModelStep } from '../../src/training/model-step.js';
import { bits, eagerFit, weightValues } from '../helpers/eager-fit.js';
import { randomArray } from '../helpers/random.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const ROWS = 40;
const x = randomArray(ROWS * 5, 1201, -1, 1);
const y = randomArray(ROWS * 3, 1202, -1, 1);
const mse = (yt: nn.Tensor, yp: nn.Tensor) => nn.losses.meanSquaredError(yt, yp);

/** dense → dropout → dense → dropout → dense, the first dropout seeded, the second drawing from the fit's generator. */
function dropoutModel(): nn.Sequential {
  nn.setSeed(11);
  return nn.sequential({
    layers: [
      nn.layers.dense({ units: 16, activation: 'relu', inputShape: [5] }),
      nn.layers.dropout({ rate: 0.3, seed: 5 }),
      nn.layers.dense({ units: 8, activation: 'tanh' }),
      nn.layers.dropout({ rate: 0.2 }),
      nn.layers.dense({ units: 3 }),
    ],
  });
}

function mlp(seed = 2): nn.Sequential {
  nn.setSeed(seed);
  return nn.sequential({
    layers: [nn.layers.dense({ units: 6, activation: 'tanh', inputShape: [5] }), nn.layers.dense({ units: 3 })],
  });
}

describe('replaying a trace is running the ops', () => {
  it('20 steps of a dense model with dropout: fit gives the weights and losses of an eager loop, bit for bit', async () => {
    const fitted = dropoutModel();
    fitted.compile({ optimizer: nn.train.adam(0.01), loss: 'meanSquaredError' });
    // 40 rows in batches of 8: 5 steps an epoch, 20 in all
    const history = await fitted.fit(x, y, { epochs: 4, batchSize: 8, shuffle: false, seed: 77, verbose: 0 });
    expect(fitted.optimizer!.iterations).toBe(20);
    expect(fitted.step('train', 8).replays).toBe(true);
    const eager = dropoutModel();
    const optimizer = nn.train.adam(0.01);
    // the unseeded dropout draws from the fit's generator: the eager loop gets the same one
    eager.random.rng = new nn.Random(77);
    const losses = eagerFit(eager, optimizer, x, [5], y, [3], { epochs: 4, batchSize: 8, loss: mse });
    eager.random.rng = null;
    expect(history.history.loss).toEqual(losses);
    const a = weightValues(fitted);
    const b = weightValues(eager);
    a.forEach((w, i) => {
      expect(bits(w), fitted.weights[i].name).toEqual(bits(b[i]));
    });
    // dropout did act: without it the weights differ
    const plain = mlpLike(fitted);
    expect(bits(weightValues(plain)[0])).not.toEqual(bits(a[0]));
    plain.dispose();
    fitted.dispose();
    eager.dispose();
    optimizer.dispose();
  });

  it('a ModelStep run by hand: each replay computes the batch in its buffers, as an eager pass does', () => {
    const model = mlp();
    model.compile({ optimizer: nn.train.sgd(0.1), loss: 'meanSquaredError' });
    const step = model.step('train', 4);
    expect(step.replays).toBe(false);
    for (let i = 0; i < 3; i++) {
      const xb = randomArray(4 * 5, 1300 + i);
      const yb = randomArray(4 * 3, 1400 + i);
      step.x.view().set(xb);
      step.y!.view().set(yb);
      const out = step.run();
      expect(step.replays).toBe(true);
      const xt = nn.tensor(Array.from(xb), [4, 5]);
      const yt = nn.tensor(Array.from(yb), [4, 3]);
      const { value, grads } = nn.variableGrads(() => nn.mean(mse(yt, model.call(xt, true))), [...step.variables]);
      expect(bits(out.loss!.dataSync())).toEqual(bits(value.dataSync()));
      step.variables.forEach((v, k) => {
        expect(bits((out.grads[k] as nn.Tensor).dataSync()), v.name).toEqual(bits(grads[v.name].dataSync()));
      });
      expect(bits(out.predictions.dataSync())).toEqual(bits(model.predict(xt).dataSync()));
      nn.dispose([xt, yt, value, ...Object.values(grads)]);
      model.compiled!.optimizer.applyGradientList(step.variables, out.grads);
    }
    model.dispose();
  });
});

/** A model with the dense layers of `m` (same initial seed) and no dropout, trained the same way. */
function mlpLike(m: nn.Sequential): nn.Sequential {
  nn.setSeed(11);
  const plain = nn.sequential({
    layers: [
      nn.layers.dense({ units: 16, activation: 'relu', inputShape: [5] }),
      nn.layers.dense({ units: 8, activation: 'tanh' }),
      nn.layers.dense({ units: 3 }),
    ],
  });
  const optimizer = nn.train.adam(0.01);
  eagerFit(plain, optimizer, x, [5], y, [3], { epochs: 4, batchSize: 8, loss: mse });
  optimizer.dispose();
  expect(plain.weights[0].shape).toEqual(m.weights[0].shape);
  return plain;
}

describe('when a trace is recorded again', () => {
  it('freezing or unfreezing a layer gives another train step; compile with another optimizer too', async () => {
    const model = mlp();
    model.compile({ optimizer: nn.train.sgd(0.1), loss: 'meanSquaredError' });
    await model.fit(x, y, { batchSize: 8, verbose: 0 });
    const first = model.step('train', 8);
    expect(model.step('train', 8)).toBe(first);
    expect(first.variables).toHaveLength(4);
    model.layers[0].trainable = false;
    const frozen = model.step('train', 8);
    expect(frozen).not.toBe(first);
    expect(frozen.variables).toEqual(model.layers[1].trainableWeights);
    // a frozen layer does not change in fit: its trace differentiates only the other layer
    const kernel = model.layers[0].weights[0].dataSync().slice();
    const head = model.layers[1].weights[0].dataSync().slice();
    await model.fit(x, y, { batchSize: 8, verbose: 0 });
    expect(model.layers[0].weights[0].dataSync()).toEqual(kernel);
    expect(model.layers[1].weights[0].dataSync()).not.toEqual(head);
    model.layers[0].trainable = true;
    const unfrozen = model.step('train', 8);
    expect(unfrozen).not.toBe(frozen);
    expect(unfrozen.variables).toHaveLength(4);
    await model.fit(x, y, { batchSize: 8, verbose: 0 });
    expect(model.layers[0].weights[0].dataSync()).not.toEqual(kernel);
    // another optimizer: every step is made (and recorded) anew
    const before = model.step('train', 8);
    model.compile({ optimizer: nn.train.adam(0.01), loss: 'meanSquaredError' });
    const after = model.step('train', 8);
    expect(after).not.toBe(before);
    expect(after.replays).toBe(false);
    await model.fit(x, y, { batchSize: 8, verbose: 0 });
    expect(model.step('train', 8)).toBe(after);
    expect(after.replays).toBe(true);
    model.dispose();
  });

  it('a frozen layer: fit matches an eager loop over the trainable weights only', async () => {
    const fitted = mlp(3);
    fitted.layers[0].trainable = false;
    fitted.compile({ optimizer: nn.train.sgd(0.1), loss: 'meanSquaredError' });
    const history = await fitted.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 });
    const eager = mlp(3);
    eager.layers[0].trainable = false;
    const optimizer = nn.train.sgd(0.1);
    const losses = eagerFit(eager, optimizer, x, [5], y, [3], { epochs: 2, batchSize: 8, loss: mse });
    expect(history.history.loss).toEqual(losses);
    const b = weightValues(eager);
    weightValues(fitted).forEach((w, i) => {
      expect(bits(w)).toEqual(bits(b[i]));
    });
    fitted.dispose();
    eager.dispose();
    optimizer.dispose();
  });
});

describe('memory', () => {
  it('stays flat over 10,000 replayed steps (dropout, batch normalization, adam)', () => {
    nn.setSeed(4);
    const model = nn.sequential({
      layers: [
        nn.layers.dense({ units: 8, activation: 'relu', inputShape: [5] }),
        nn.layers.batchNormalization(),
        nn.layers.dropout({ rate: 0.25, seed: 1 }),
        nn.layers.dense({ units: 3 }),
      ],
    });
    model.compile({ optimizer: nn.train.adam(0.001), loss: 'meanSquaredError' });
    const step = model.step('train', 4);
    step.x.view().set(x.subarray(0, 20));
    step.y!.view().set(y.subarray(0, 12));
    const train = (s: ModelStep) => {
      const out = s.run();
      out.updates?.apply();
      model.compiled!.optimizer.applyGradientList(s.variables, out.grads);
      return out.loss!.view()[0];
    };
    train(step); // records, and makes the optimizer's state
    const before = nn.memory();
    let loss = 0;
    for (let i = 0; i < 10_000; i++) loss = train(step);
    expect(Number.isFinite(loss)).toBe(true);
    expect(model.compiled!.optimizer.iterations).toBe(10_001);
    expect(nn.memory().numTensors).toBe(before.numTensors);
    expect(nn.memory().wasmBytes).toBe(before.wasmBytes);
    expect(nn.memory()).toEqual(before);
    model.dispose();
  });

  it('stays flat over many small epochs of fit', async () => {
    const model = mlp(5);
    model.compile({ optimizer: 'adam', loss: 'meanSquaredError', metrics: ['mae'] });
    const samples: nn.MemoryInfo[] = [];
    // 8 rows in batches of 4: 2 steps an epoch, 2000 in all
    await model.fit(x.subarray(0, 40), y.subarray(0, 24), {
      epochs: 1000,
      batchSize: 4,
      verbose: 0,
      callbacks: { onEpochEnd: (epoch) => void (epoch % 100 === 0 && samples.push(nn.memory())) },
    });
    expect(samples).toHaveLength(10);
    for (const s of samples) expect(s).toEqual(samples[0]);
    model.dispose();
  });
});

/** Scales its input by 1 / max|x| computed in JavaScript: its pass cannot be replayed. */
class ScaleByMax extends nn.layers.Layer {
  static readonly className = 'ScaleByMax';
  readonly seen: number[] = [];
  constructor() {
    super({}, 'scale_by_max');
  }
  computeOutputShape(s: Array<number | null>) {
    return s;
  }
  call(input: nn.Tensor) {
    const values = input.dataSync();
    const m = values.reduce((a, v) => Math.max(a, Math.abs(v)), 0) || 1;
    this.seen.push(m);
    return nn.mul(input, 1 / m);
  }
}

describe('a pass that reads values in JavaScript', () => {
  it('is not replayed: it runs eagerly every step, and trains as an eager loop does', async () => {
    const build = () => {
      nn.setSeed(8);
      return nn.sequential({
        layers: [
          nn.layers.dense({ units: 6, activation: 'tanh', inputShape: [5] }),
          new ScaleByMax(),
          nn.layers.dense({ units: 3 }),
        ],
      });
    };
    const fitted = build();
    fitted.compile({ optimizer: nn.train.sgd(0.2), loss: 'meanSquaredError' });
    const history = await fitted.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
    const step = fitted.step('train', 8);
    expect(step.replays).toBe(false);
    // the layer ran at every one of the 15 steps, each batch with its own maximum
    const scale = fitted.layers[1] as ScaleByMax;
    expect(scale.seen).toHaveLength(15);
    expect(new Set(scale.seen).size).toBeGreaterThan(1);
    const eager = build();
    const optimizer = nn.train.sgd(0.2);
    const losses = eagerFit(eager, optimizer, x, [5], y, [3], { epochs: 3, batchSize: 8, loss: mse });
    expect(history.history.loss).toEqual(losses);
    const b = weightValues(eager);
    weightValues(fitted).forEach((w, i) => {
      expect(bits(w)).toEqual(bits(b[i]));
    });
    // predict runs it eagerly too (one batch: the layer's maximum is over the whole batch)
    const p = fitted.predict(x, { batchSize: ROWS });
    expect(fitted.step('predict', ROWS).replays).toBe(false);
    const q = nn.tidy(() => eager.call(nn.tensor(Array.from(x), [ROWS, 5])));
    expect(bits(p.dataSync())).toEqual(bits(q.dataSync()));
    nn.dispose([p, q]);
    fitted.dispose();
    eager.dispose();
    optimizer.dispose();
  });

  it('memory stays flat over its eager steps too', async () => {
    nn.setSeed(9);
    const model = nn.sequential({
      layers: [nn.layers.dense({ units: 4, inputShape: [5] }), new ScaleByMax(), nn.layers.dense({ units: 3 })],
    });
    model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const samples: nn.MemoryInfo[] = [];
    await model.fit(x, y, {
      epochs: 30,
      batchSize: 8,
      verbose: 0,
      callbacks: { onEpochEnd: () => void samples.push(nn.memory()) },
    });
    expect(samples[29]).toEqual(samples[0]);
    model.dispose();
  });
});
