import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { expectClose } from '../helpers/close.js';
import { eagerFit } from '../helpers/eager-fit.js';
import { randomArray } from '../helpers/random.js';
import {
  expectWeights,
  forward,
  modelPair,
  type RefActivation,
  refOptimizer,
  trainReference,
  weightValues,
} from '../training/float64-model.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const ROWS = 9;
const IN = 5;
const x = randomArray(ROWS * IN, 91, -2, 2);
const targets = randomArray(ROWS * 3, 92);

const ACTIVATIONS: RefActivation[] = [
  'linear',
  'relu',
  'leakyRelu',
  'elu',
  'sigmoid',
  'tanh',
  'softplus',
  'gelu',
  'softmax',
];

describe('Dense against the float64 reference', () => {
  for (const act of ACTIVATIONS) {
    it(`${act}: predict, apply, and three SGD steps (with a built-in and a custom loss)`, async () => {
      const spec = [
        { units: 4, act },
        { units: 3, act: 'linear' as const },
      ];
      const { model, ref } = modelPair(IN, spec, 700);
      // inference: predict (a replayed step) and apply (tensor ops run once)
      const want = forward(ref, x, ROWS).a;
      const pred = model.predict(x);
      expectClose(pred.dataSync(), want[2], 1e-5, 1e-6, `${act} predict`);
      const xt = nn.tensor2d(x, [ROWS, IN]);
      const hidden = model.layers[0].apply(xt);
      expectClose(hidden.dataSync(), want[1], 1e-5, 1e-6, `${act} apply`);
      nn.dispose([pred, xt, hidden]);
      // training through the activation
      model.compile({ optimizer: nn.train.sgd(0.2), loss: 'mse' });
      await model.fit(x, targets, { batchSize: 3, shuffle: false, verbose: 0 });
      trainReference(ref, x, targets, ROWS, 'meanSquaredError', refOptimizer({ kind: 'sgd', lr: 0.2 }), 3);
      expectWeights(model, ref, 2e-6, 1e-5, act);
      const custom = modelPair(IN, spec, 700);
      custom.model.compile({ optimizer: nn.train.sgd(0.2), loss: (a, b) => nn.losses.meanSquaredError(a, b) });
      await custom.model.fit(x, targets, { batchSize: 3, shuffle: false, verbose: 0 });
      expectWeights(custom.model, ref, 2e-6, 1e-5, `${act} custom loss`);
      model.dispose();
      custom.model.dispose();
    });
  }

  it('useBias: false has no bias and trains the kernel only', async () => {
    nn.setSeed(1);
    const m = nn.sequential({ layers: [nn.layers.dense({ units: 3, useBias: false, inputShape: [IN] })] });
    expect(m.countParams()).toBe(15);
    expect(m.getWeights().map((w) => w.shape)).toEqual([[5, 3]]);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    await m.fit(x, targets, { verbose: 0 });
    m.dispose();
  });

  it('validates its arguments and input shapes', () => {
    expect(() => nn.layers.dense({ units: 0 })).toThrow(/units to be a positive integer/);
    expect(() => nn.layers.dense({ units: 2.5 })).toThrow(/units/);
    expect(() => nn.layers.dense({ units: 2, kernelInitializer: 'glorot' })).toThrow(
      /unknown initializer "glorot"; expected one of glorotUniform/,
    );
    expect(() => nn.layers.dense({ units: 2, inputShape: [0] })).toThrow(/inputShape/);
    // a sequence input: Dense works over the last axis, each step as a row (Keras's rule)
    const d = nn.layers.dense({ units: 2, kernelInitializer: 'ones', biasInitializer: 'ones' });
    const seq = nn.sequential({ layers: [nn.layers.inputLayer({ inputShape: [2, 3] }), d] });
    expect(seq.outputShape).toEqual([null, 2, 2]);
    const steps = nn.tensor3d([
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
    ]);
    expect(Array.from((seq.predict(steps) as nn.Tensor).dataSync())).toEqual([7, 7, 16, 16]);
    expect(() => nn.layers.dense({ units: 2 }).apply(nn.zeros([3]))).toThrow(
      /expected input of shape \[batch, \.\.\., features\]/,
    );
    const layer = nn.layers.dense({ units: 2, inputShape: [3] });
    const m = nn.sequential({ layers: [layer] });
    const bad = nn.zeros([4, 5]);
    expect(() => layer.apply(bad)).toThrow(/already built for input \[3\], got \[5\]/);
    bad.dispose();
    m.dispose();
  });

  it('accepts Keras snake_case activation and initializer names', () => {
    const d = nn.layers.dense({
      units: 2,
      activation: 'leaky_relu',
      kernelInitializer: 'he_normal',
      biasInitializer: 'ones',
      inputShape: [3],
    });
    expect(d.activation).toBe('leakyRelu');
    const m = nn.sequential({ layers: [d] });
    expect(Array.from(d.bias!.dataSync())).toEqual([1, 1]);
    expect(d.getConfig()).toMatchObject({ units: 2, activation: 'leaky_relu', use_bias: true });
    m.dispose();
  });
});

describe('initializers', () => {
  function kernelOf(init: string | ReturnType<typeof nn.initializers.zeros>, shape: [number, number]): Float32Array {
    const d = nn.layers.dense({ units: shape[1], inputShape: [shape[0]], kernelInitializer: init });
    const m = nn.sequential({ layers: [d] });
    const v = Float32Array.from(d.kernel!.dataSync());
    m.dispose();
    return v;
  }
  const stats = (v: Float32Array) => {
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
    return { mean, variance, max: Math.max(...v.map(Math.abs)) };
  };

  it('glorotUniform (the default) is uniform within ±sqrt(6 / (fanIn + fanOut))', () => {
    nn.setSeed(2);
    const v = kernelOf('glorotUniform', [100, 60]);
    const limit = Math.sqrt(6 / 160);
    const s = stats(v);
    expect(s.max).toBeLessThanOrEqual(limit);
    expect(s.max).toBeGreaterThan(limit * 0.99);
    expect(s.variance).toBeCloseTo(limit ** 2 / 3, 3);
    // default bias is zeros
    const d = nn.layers.dense({ units: 3, inputShape: [2] });
    const m = nn.sequential({ layers: [d] });
    expect(Array.from(d.bias!.dataSync())).toEqual([0, 0, 0]);
    m.dispose();
  });

  it('heNormal, leCunNormal, glorotNormal are truncated normals with the Keras variance', () => {
    nn.setSeed(3);
    for (const [name, variance] of [
      ['heNormal', 2 / 200],
      ['leCunNormal', 1 / 200],
      ['glorotNormal', 2 / 300],
    ] as const) {
      const v = kernelOf(name, [200, 100]);
      const s = stats(v);
      expect(Math.abs(s.mean)).toBeLessThan(0.01);
      expect(s.variance / variance).toBeGreaterThan(0.95);
      expect(s.variance / variance).toBeLessThan(1.05);
      // truncated at two standard deviations of the untruncated normal
      expect(s.max).toBeLessThanOrEqual((2 * Math.sqrt(variance)) / 0.8796256610342398 + 1e-6);
    }
  });

  it('heUniform, leCunUniform limits; constant, ones, randomUniform, randomNormal', () => {
    nn.setSeed(4);
    expect(stats(kernelOf('heUniform', [50, 10])).max).toBeLessThanOrEqual(Math.sqrt(6 / 50));
    expect(stats(kernelOf('leCunUniform', [50, 10])).max).toBeLessThanOrEqual(Math.sqrt(3 / 50));
    expect(Array.from(kernelOf(nn.initializers.constant({ value: 0.5 }), [2, 2]))).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(Array.from(kernelOf('ones', [1, 2]))).toEqual([1, 1]);
    const u = kernelOf(nn.initializers.randomUniform({ minval: 2, maxval: 3 }), [20, 20]);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...u)).toBeLessThan(3);
    const n = stats(kernelOf(nn.initializers.randomNormal({ mean: 1, stddev: 0.1 }), [50, 40]));
    expect(n.mean).toBeCloseTo(1, 1);
    expect(Math.sqrt(n.variance)).toBeCloseTo(0.1, 2);
    expect(() => nn.initializers.constant({ value: Number.NaN })).toThrow(/value/);
    expect(() => nn.initializers.randomUniform({ minval: 1, maxval: 0 })).toThrow(/minval/);
  });
});

describe('Activation layer', () => {
  for (const act of ['relu', 'leakyRelu', 'elu', 'tanh', 'sigmoid', 'softmax', 'gelu', 'softplus'] as const) {
    it(`dense linear + activation('${act}') trains exactly as dense with activation '${act}'`, async () => {
      const fused = modelPair(IN, [{ units: 3, act }], 800);
      const split = modelPair(IN, [{ units: 3, act: 'linear' }], 800);
      split.model.add(nn.layers.activation({ activation: act }));
      expect(split.model.outputShape).toEqual([null, 3]);
      const loss = act === 'softmax' ? 'categoricalCrossentropy' : 'mse';
      const y = act === 'softmax' ? new Float32Array(ROWS * 3).map((_, i) => (i % 3 === i % 2 ? 1 : 0)) : targets;
      for (const m of [fused.model, split.model]) {
        m.compile({ optimizer: nn.train.sgd(0.1), loss });
        await m.fit(x, y, { batchSize: 4, shuffle: false, verbose: 0 });
      }
      const a = weightValues(fused.model);
      const b = weightValues(split.model);
      a.forEach((w, i) => {
        expectClose(b[i], w, 1e-6, 1e-7, `${act} weight ${i}`);
      });
      const pa = fused.model.predict(x);
      const pb = split.model.predict(x);
      expectClose(pb.dataSync(), pa.dataSync(), 1e-6, 1e-7);
      // a custom loss through the activation layer trains the same
      const custom = modelPair(IN, [{ units: 3, act: 'linear' }], 800);
      custom.model.add(nn.layers.activation({ activation: act }));
      custom.model.compile({
        optimizer: nn.train.sgd(0.1),
        loss:
          act === 'softmax'
            ? (t: nn.Tensor, p: nn.Tensor) => nn.neg(nn.mean(nn.sum(nn.mul(t, nn.log(p)), -1)))
            : (t: nn.Tensor, p: nn.Tensor) => nn.losses.meanSquaredError(t, p),
      });
      await custom.model.fit(x, y, { batchSize: 4, shuffle: false, verbose: 0 });
      weightValues(custom.model).forEach((w, i) => {
        expectClose(w, a[i], 1e-5, 1e-6, `${act} custom-loss weight ${i}`);
      });
      // model files spell activations as Keras does (leakyRelu is leaky_relu)
      expect(split.model.layers[1].getConfig()).toMatchObject({ activation: act === 'leakyRelu' ? 'leaky_relu' : act });
      nn.dispose([pa, pb]);
      fused.model.dispose();
      split.model.dispose();
      custom.model.dispose();
    });
  }
});

describe('Dropout', () => {
  it('passes inputs through at inference, drops about `rate` and scales by 1/(1 − rate) in training', () => {
    nn.setSeed(9);
    const drop = nn.layers.dropout({ rate: 0.25 });
    const xt = nn.ones([100, 40]);
    const inference = drop.apply(xt);
    expect(Array.from(inference.dataSync()).every((v) => v === 1)).toBe(true);
    const training = drop.apply(xt, { training: true });
    const v = training.dataSync();
    const zeros = v.filter((e) => e === 0).length / v.length;
    expect(zeros).toBeGreaterThan(0.22);
    expect(zeros).toBeLessThan(0.28);
    expect(v.every((e) => e === 0 || Math.abs(e - 4 / 3) < 1e-6)).toBe(true);
    nn.dispose([xt, inference, training]);
    expect(() => nn.layers.dropout({ rate: 1 })).toThrow(/rate in \[0, 1\)/);
    expect(() => nn.layers.dropout({ rate: -0.1 })).toThrow(/rate/);
  });

  it('fit draws the masks from the fit seed as an eager loop given that generator does, bit for bit', async () => {
    const build = () => {
      const m = nn.sequential({
        layers: [
          nn.layers.dense({ units: 6, activation: 'tanh', inputShape: [IN], kernelInitializer: 'ones' }),
          nn.layers.dropout({ rate: 0.5 }),
          nn.layers.dense({ units: 3, kernelInitializer: 'ones' }),
        ],
      });
      return m;
    };
    const fitted = async (seed: number) => {
      const m = build();
      m.compile({ optimizer: nn.train.sgd(0.05), loss: 'mse' });
      const h = await m.fit(x, targets, { epochs: 2, batchSize: 3, shuffle: false, seed, verbose: 0 });
      const w = weightValues(m);
      m.dispose();
      return { loss: h.history.loss, w };
    };
    const a = await fitted(77);
    const eager = build();
    const optimizer = nn.train.sgd(0.05);
    eager.random.rng = new nn.Random(77);
    const losses = eagerFit(eager, optimizer, x, [IN], targets, [3], {
      epochs: 2,
      batchSize: 3,
      loss: (p, q) => nn.losses.meanSquaredError(p, q),
    });
    expect(a.loss).toEqual(losses);
    expect(a.w).toEqual(weightValues(eager));
    // another fit seed, other masks
    expect((await fitted(78)).w).not.toEqual(a.w);
    eager.dispose();
    optimizer.dispose();
  });

  it('rate 0 changes nothing in training', async () => {
    const plain = modelPair(IN, [{ units: 3, act: 'linear' }], 900);
    const dropped = modelPair(IN, [{ units: 3, act: 'linear' }], 900);
    dropped.model.add(nn.layers.dropout({ rate: 0 }));
    for (const m of [plain.model, dropped.model]) {
      m.compile({ optimizer: nn.train.sgd(0.1), loss: 'mse' });
      await m.fit(x, targets, { batchSize: 4, shuffle: false, verbose: 0 });
    }
    expect(weightValues(dropped.model)).toEqual(weightValues(plain.model));
    plain.model.dispose();
    dropped.model.dispose();
  });
});

describe('Flatten and InputLayer', () => {
  it('flatten turns [batch, 2, 3] into [batch, 6]; an inputLayer declares the input shape', async () => {
    nn.setSeed(10);
    const m = nn.sequential({
      layers: [
        nn.layers.inputLayer({ inputShape: [2, 3] }),
        nn.layers.flatten(),
        nn.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    expect(m.layers.map((l) => l.className)).toEqual(['Flatten', 'Dense']);
    expect(m.layers[0].outputShape).toEqual([null, 6]);
    expect(m.inputShape).toEqual([null, 2, 3]);
    const xs = nn.tensor(
      Array.from({ length: 4 }, (_, i) => [
        [i, 1, 0],
        [0, 1, i],
      ]),
    );
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await m.fit(xs, [0, 1, 0, 1], { epochs: 2, verbose: 0 });
    const p = m.predict(xs);
    expect(p.shape).toEqual([4, 2]);
    const flat = m.predict(xs.dataSync());
    expect(flat.dataSync()).toEqual(p.dataSync());
    // fit through flatten and an inputLayer trains as an eager loop does
    const build = () => {
      nn.setSeed(12);
      return nn.sequential({
        layers: [nn.layers.inputLayer({ inputShape: [2, 3] }), nn.layers.flatten(), nn.layers.dense({ units: 2 })],
      });
    };
    const targetValues = [1, 0, 0, 1, 1, 1, 0, 0];
    const targets2 = nn.tensor2d(targetValues, [4, 2]);
    const c = build();
    c.compile({ optimizer: nn.train.sgd(0.05), loss: 'mse' });
    await c.fit(xs, targets2, { epochs: 3, batchSize: 2, shuffle: false, verbose: 0 });
    const t = build();
    const optimizer = nn.train.sgd(0.05);
    eagerFit(t, optimizer, xs.dataSync(), [2, 3], targetValues, [2], {
      epochs: 3,
      batchSize: 2,
      loss: (a, b) => nn.losses.meanSquaredError(a, b),
    });
    optimizer.dispose();
    weightValues(t).forEach((w, i) => {
      expect(w, `flatten weight ${i}`).toEqual(weightValues(c)[i]);
    });
    nn.dispose([xs, p, flat, targets2]);
    m.dispose();
    c.dispose();
    t.dispose();
    expect(() => nn.layers.inputLayer({})).toThrow(/inputShape or batchInputShape/);
    expect(() =>
      nn.sequential({
        layers: [nn.layers.dense({ units: 2, inputShape: [3] }), nn.layers.inputLayer({ inputShape: [2] })],
      }),
    ).toThrow(/inputLayer must come first/);
  });

  it('a model without inputShape is built from the first data it sees', async () => {
    nn.setSeed(11);
    const m = nn.sequential({ layers: [nn.layers.dense({ units: 3 }), nn.layers.dense({ units: 1 })] });
    expect(m.outputShape).toBeNull();
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const xs = nn.tensor2d(x, [ROWS, IN]);
    await m.fit(xs, randomArray(ROWS, 93), { verbose: 0 });
    expect(m.inputShape).toEqual([null, IN]);
    expect(m.countParams()).toBe(IN * 3 + 3 + 4);
    xs.dispose();
    m.dispose();
  });

  it('frozen layers (trainable = false) keep their weights', async () => {
    const { model } = modelPair(
      IN,
      [
        { units: 4, act: 'relu' },
        { units: 3, act: 'linear' },
      ],
      950,
    );
    model.layers[0].trainable = false;
    const before = weightValues(model);
    model.compile({ optimizer: 'adam', loss: 'mse' });
    await model.fit(x, targets, { epochs: 2, verbose: 0 });
    const after = weightValues(model);
    expect(after[0]).toEqual(before[0]);
    expect(after[1]).toEqual(before[1]);
    expect(after[2]).not.toEqual(before[2]);
    // every layer frozen: fit still reports the loss, on both paths, and changes nothing
    model.layers[1].trainable = false;
    const frozen = weightValues(model);
    for (const loss of ['mse' as const, (a: nn.Tensor, b: nn.Tensor) => nn.losses.meanSquaredError(a, b)]) {
      model.compile({ optimizer: 'adam', loss });
      const h = await model.fit(x, targets, { epochs: 2, verbose: 0 });
      expect(h.history.loss[1]).toBeCloseTo(h.history.loss[0], 6);
      expect(weightValues(model)).toEqual(frozen);
    }
    model.dispose();
  });
});
