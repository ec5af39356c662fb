import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { randomArray } from '../helpers/random.js';
import {
  expectWeights,
  modelPair,
  type RefOptimizerSpec,
  refOptimizer,
  trainReference,
  weightValues,
} from '../training/float64-model.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

interface Case {
  name: string;
  make: () => nn.OptimizerName | nn.Optimizer;
  ref: RefOptimizerSpec;
}

const CASES: Case[] = [
  { name: "'sgd' (lr 0.01)", make: () => 'sgd', ref: { kind: 'sgd', lr: 0.01 } },
  { name: 'train.sgd(0.1)', make: () => nn.train.sgd(0.1), ref: { kind: 'sgd', lr: 0.1 } },
  {
    name: 'train.momentum(0.05, 0.9)',
    make: () => nn.train.momentum(0.05, 0.9),
    ref: { kind: 'momentum', lr: 0.05, momentum: 0.9, nesterov: false },
  },
  {
    name: 'train.momentum(0.05, 0.8, nesterov)',
    make: () => nn.train.momentum(0.05, 0.8, true),
    ref: { kind: 'momentum', lr: 0.05, momentum: 0.8, nesterov: true },
  },
  {
    name: "'adam' (Keras defaults)",
    make: () => 'adam',
    ref: { kind: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  },
  {
    name: 'train.adam(0.01, 0.8, 0.99, 1e-4)',
    make: () => nn.train.adam(0.01, 0.8, 0.99, 1e-4),
    ref: { kind: 'adam', lr: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-4 },
  },
  {
    name: "'adamw' (weight decay 0.004)",
    make: () => 'adamw',
    ref: { kind: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.004 },
  },
  {
    name: 'train.adamw(0.01, 0.1)',
    make: () => nn.train.adamw(0.01, 0.1),
    ref: { kind: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.1 },
  },
  {
    name: "'rmsprop' (Keras defaults)",
    make: () => 'rmsprop',
    ref: { kind: 'rmsprop', lr: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false },
  },
  {
    name: 'train.rmsprop(0.01, 0.8, 0.5) momentum',
    make: () => nn.train.rmsprop(0.01, 0.8, 0.5),
    ref: { kind: 'rmsprop', lr: 0.01, rho: 0.8, momentum: 0.5, epsilon: 1e-7, centered: false },
  },
  {
    name: 'train.rmsprop(0.01, 0.9, 0, 1e-6, true) centered',
    make: () => nn.train.rmsprop(0.01, 0.9, 0, 1e-6, true),
    ref: { kind: 'rmsprop', lr: 0.01, rho: 0.9, momentum: 0, epsilon: 1e-6, centered: true },
  },
  {
    name: 'train.rmsprop(0.01, 0.9, 0.7, 1e-6, true) centered + momentum',
    make: () => nn.train.rmsprop(0.01, 0.9, 0.7, 1e-6, true),
    ref: { kind: 'rmsprop', lr: 0.01, rho: 0.9, momentum: 0.7, epsilon: 1e-6, centered: true },
  },
  {
    name: "'adagrad' (Keras defaults)",
    make: () => 'adagrad',
    ref: { kind: 'adagrad', lr: 0.001, initial: 0.1, epsilon: 1e-7 },
  },
  {
    name: 'train.adagrad(0.05, 0.2)',
    make: () => nn.train.adagrad(0.05, 0.2),
    ref: { kind: 'adagrad', lr: 0.05, initial: 0.2, epsilon: 1e-7 },
  },
];

const ROWS = 10;
const IN = 5;
const x = randomArray(ROWS * IN, 11);
const y = randomArray(ROWS * 3, 12);

describe('optimizers against the float64 Keras update rules', () => {
  for (const c of CASES) {
    it(`${c.name}: one step of a Dense layer matches to 1e-6`, async () => {
      const { model, ref } = modelPair(IN, [{ units: 3, act: 'linear' }], 100);
      model.compile({ optimizer: c.make(), loss: 'meanSquaredError' });
      await model.fit(x, y, { epochs: 1, batchSize: ROWS, shuffle: false, verbose: 0 });
      trainReference(ref, x, y, ROWS, 'meanSquaredError', refOptimizer(c.ref), ROWS);
      expectWeights(model, ref, 1e-6, 1e-6, c.name);
      model.dispose();
    });

    it(`${c.name}: six steps through a hidden layer, with a built-in and a custom loss`, async () => {
      const spec = [
        { units: 4, act: 'tanh' as const },
        { units: 3, act: 'linear' as const },
      ];
      const builtIn = modelPair(IN, spec, 200);
      builtIn.model.compile({ optimizer: c.make(), loss: 'mse' });
      const custom = modelPair(IN, spec, 200);
      custom.model.compile({ optimizer: c.make(), loss: (yt, yp) => nn.losses.meanSquaredError(yt, yp) });
      for (const m of [builtIn.model, custom.model]) {
        await m.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
      }
      const opt = refOptimizer(c.ref);
      trainReference(builtIn.ref, x, y, ROWS, 'meanSquaredError', opt, 4, 2);
      expectWeights(builtIn.model, builtIn.ref, 1e-5, 1e-5, `${c.name} built-in loss`);
      expectWeights(custom.model, builtIn.ref, 1e-5, 1e-5, `${c.name} custom loss`);
      const a = weightValues(builtIn.model);
      const b = weightValues(custom.model);
      a.forEach((w, i) => {
        for (let j = 0; j < w.length; j++) expect(Math.abs(w[j] - b[i][j])).toBeLessThan(1e-5);
      });
      builtIn.model.dispose();
      custom.model.dispose();
    });
  }
});

describe('optimizers used directly (tfjs style)', () => {
  it('minimize applies one step to every trainable variable and returns the cost', () => {
    const init = nn.tensor1d([1, -2, 3]);
    const w = nn.variable(init, true, 'opt_direct_w');
    init.dispose();
    const opt = nn.train.sgd(0.1);
    const cost = opt.minimize(() => nn.sum(nn.square(w)), true, [w]);
    expect(cost!.dataSync()[0]).toBeCloseTo(14, 5);
    // w -= 0.1 · 2w
    expect(Array.from(w.dataSync())).toEqual([0.8, -1.6, 2.4].map(Math.fround));
    expect(opt.iterations).toBe(1);
    cost!.dispose();
    w.dispose();
    opt.dispose();
  });

  it('applyGradients rejects unknown variables and wrong shapes, changing nothing', () => {
    const init = nn.tensor1d([1, 2]);
    const w = nn.variable(init, true, 'opt_direct_w2');
    init.dispose();
    const opt = nn.train.adam(0.1);
    const g = nn.tensor1d([1, 2, 3]);
    expect(() => opt.applyGradients({ opt_direct_w2: g })).toThrow(/shape \[3\].*\[2\]/);
    expect(() => opt.applyGradients({ nope: g })).toThrow(/no trainable variable named "nope"/);
    expect(Array.from(w.dataSync())).toEqual([1, 2]);
    expect(opt.iterations).toBe(0);
    nn.dispose([g, w]);
    opt.dispose();
  });

  it('rejects bad hyperparameters with the argument named', () => {
    expect(() => nn.train.sgd(0)).toThrow(/learningRate/);
    expect(() => nn.train.sgd(Number.NaN)).toThrow(/learningRate/);
    expect(() => nn.train.momentum(0.1, 1.5)).toThrow(/momentum/);
    expect(() => nn.train.adam(0.1, 1)).toThrow(/beta1/);
    expect(() => nn.train.adam(0.1, 0.9, -1)).toThrow(/beta2/);
    expect(() => nn.train.rmsprop(0.1, 2)).toThrow(/rho/);
    expect(() => nn.train.adagrad(0.1, -1)).toThrow(/initialAccumulatorValue/);
    expect(() => nn.train.adamw(0.1, -0.1)).toThrow(/weightDecay/);
  });

  it('flags are true or false, and schedules take options objects with known names', () => {
    const untyped = <T>(v: unknown) => v as T;
    expect(() => nn.train.momentum(0.1, 0.9, untyped('false'))).toThrow(
      'momentum: expected useNesterov to be true or false, got "false"',
    );
    expect(() => nn.train.rmsprop(0.1, 0.9, 0, 1e-7, untyped(1))).toThrow(
      'rmsprop: expected centered to be true or false, got 1',
    );
    expect(nn.train.momentum(0.1, 0.9).useNesterov).toBe(false);
    expect(() => nn.schedules.exponentialDecay(untyped(0.01))).toThrow(
      'exponentialDecay: expected an options object like {initialLearningRate: 0.01, decaySteps: 1000, decayRate: 0.9}, got 0.01',
    );
    expect(() =>
      nn.schedules.exponentialDecay(
        untyped({ initialLearningRate: 1, decaySteps: 10, decayRate: 0.5, staircase: 'no' }),
      ),
    ).toThrow('exponentialDecay: expected staircase to be true or false, got "no"');
    expect(() => nn.schedules.cosineDecay(untyped({ initialLearningRate: 1, decaySteps: 10, alpha: '0.5' }))).toThrow(
      /cosineDecay: expected alpha in \[0, 1\], got "0.5"/,
    );
    expect(() => nn.schedules.stepDecay(untyped({ initialLearningRate: 1, drop_rate: 0.5 }))).toThrow(
      'stepDecay: unknown option "drop_rate"; did you mean dropRate?',
    );
    expect(() => nn.schedules.stepDecay(untyped(undefined))).toThrow(
      /stepDecay: expected initialLearningRate to be a positive number, got undefined/,
    );
  });

  it('reports Keras configs', () => {
    expect(nn.train.adam().getConfig()).toEqual({ learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 });
    expect(nn.train.adamw().getConfig()).toMatchObject({ weight_decay: 0.004 });
    expect(nn.train.momentum(0.1, 0.9, true).getConfig()).toEqual({
      learning_rate: 0.1,
      momentum: 0.9,
      nesterov: true,
    });
    expect(nn.train.rmsprop().getConfig()).toMatchObject({ rho: 0.9, momentum: 0, centered: false });
    expect(nn.train.adagrad().getConfig()).toMatchObject({ initial_accumulator_value: 0.1 });
  });

  it('a learning rate changed between fits takes effect', async () => {
    const { model, ref } = modelPair(IN, [{ units: 3, act: 'linear' }], 300);
    const opt = nn.train.sgd(0.1);
    model.compile({ optimizer: opt, loss: 'mse' });
    await model.fit(x, y, { batchSize: ROWS, shuffle: false, verbose: 0 });
    opt.learningRate = 0.02;
    await model.fit(x, y, { batchSize: ROWS, shuffle: false, verbose: 0 });
    trainReference(ref, x, y, ROWS, 'meanSquaredError', refOptimizer({ kind: 'sgd', lr: 0.1 }), ROWS);
    trainReference(ref, x, y, ROWS, 'meanSquaredError', refOptimizer({ kind: 'sgd', lr: 0.02 }), ROWS);
    expectWeights(model, ref, 1e-6);
    model.dispose();
  });
});
