// Regression tests for the review findings on models, training steps and layers.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Trace } from '../../src/backend/trace.js';
import * as nn from '../../src/index.js';
import { ModelStep } from '../../src/training/model-step.js';
import { expectClose } from '../helpers/close.js';
import { eagerFit } from '../helpers/eager-fit.js';
import { randomArray } from '../helpers/random.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const ROWS = 24;
const x = randomArray(ROWS * 6, 901, -1, 1);
const y = randomArray(ROWS * 2, 902, -1, 1);

function weightsOf(model: nn.Sequential): Float32Array[] {
  const ws = model.getWeights();
  const out = ws.map((w) => w.dataSync().slice() as Float32Array);
  nn.dispose(ws);
  return out;
}

function mlp(seed = 5): nn.Sequential {
  nn.setSeed(seed);
  return nn.sequential({
    layers: [nn.layers.dense({ units: 8, activation: 'tanh', inputShape: [6] }), nn.layers.dense({ units: 2 })],
  });
}

/** A custom loss equal to mean squared error (the built-in one is compiled by name). */
const customMse = (yt: nn.Tensor, yp: nn.Tensor) => nn.losses.meanSquaredError(yt, yp);

describe('finding 1: the steps of a running fit stay alive', () => {
  it('predict and evaluate with many batch sizes from a callback do not free the training step', async () => {
    const train = async (withCallback: boolean) => {
      const model = mlp();
      model.compile({ optimizer: nn.train.adam(0.01), loss: 'meanSquaredError' });
      const xs = nn.tensor2d(x, [ROWS, 6]);
      const ys = nn.tensor2d(y, [ROWS, 2]);
      const predictions: number[][] = [];
      const callbacks = {
        onBatchEnd: () => {
          // more batch sizes than the step cache holds: each evicts the oldest cached step
          for (const batchSize of [1, 2, 3, 5, 7]) {
            const p = model.predict(xs, { batchSize });
            predictions.push(Array.from(p.dataSync()));
            p.dispose();
            nn.dispose(model.evaluate(xs, ys, { batchSize: batchSize + 5 }));
          }
        },
      };
      const history = await model.fit(xs, ys, {
        epochs: 3,
        batchSize: 4,
        shuffle: false,
        verbose: 0,
        callbacks: withCallback ? callbacks : undefined,
      });
      const result = { loss: history.history.loss, weights: weightsOf(model), predictions };
      nn.dispose([xs, ys]);
      model.dispose();
      return result;
    };
    // every training step runs on a step whose buffers and trace are still allocated
    const freedAtStep: boolean[] = [];
    const run = ModelStep.prototype.run;
    const spy = vi.spyOn(ModelStep.prototype, 'run').mockImplementation(function (this: ModelStep) {
      if (this.variables.length > 0) freedAtStep.push((this as unknown as { disposed: boolean }).disposed);
      return run.call(this);
    });
    const quiet = await train(false);
    const busy = await train(true);
    spy.mockRestore();
    expect(freedAtStep).toHaveLength(36);
    expect(freedAtStep.filter(Boolean)).toHaveLength(0);
    expect(busy.loss).toEqual(quiet.loss);
    busy.weights.forEach((w, i) => {
      expect(w).toEqual(quiet.weights[i]);
    });
    // predictions made between batches are finite (their buffers were not written by the training step)
    for (const p of busy.predictions) expect(p.every(Number.isFinite)).toBe(true);
  });

  for (const [what, act] of [
    ['compile', (m: nn.Sequential) => m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' })],
    ['add', (m: nn.Sequential) => m.add(nn.layers.dense({ units: 2 }))],
    ['dispose', (m: nn.Sequential) => m.dispose()],
  ] as const) {
    it(`${what}() from a callback during fit is rejected with a clear error; the model still trains after`, async () => {
      const model = mlp();
      model.compile({ optimizer: nn.train.sgd(0.1), loss: 'meanSquaredError' });
      const before = weightsOf(model);
      const fit = model.fit(x, y, {
        batchSize: 8,
        verbose: 0,
        callbacks: { onBatchEnd: () => act(model) },
      });
      await expect(fit).rejects.toThrow(new RegExp(`Sequential.${what}: .*while fit is running`));
      expect(model.layers).toHaveLength(2);
      // the first batch was trained, and training works again once fit has ended
      expect(weightsOf(model)[0]).not.toEqual(before[0]);
      const history = await model.fit(x, y, { batchSize: 8, verbose: 0 });
      expect(history.history.loss[0]).toBeGreaterThan(0);
      act(model);
      if (what !== 'dispose') model.dispose();
    });
  }
});

describe('finding 2: activity regularizers on every layer', () => {
  const l2 = () => nn.regularizers.l2({ l2: 0.05 });
  const build = () => {
    nn.setSeed(12);
    const model = nn.sequential({
      layers: [
        nn.layers.flatten({ inputShape: [2, 3], activityRegularizer: nn.regularizers.l1({ l1: 0.01 }) }),
        nn.layers.dense({ units: 8, activation: 'tanh' }),
        nn.layers.activation({ activation: 'sigmoid', activityRegularizer: l2() }),
        nn.layers.activation({ activation: 'linear', activityRegularizer: l2() }),
        nn.layers.dropout({ rate: 0.25, seed: 3, activityRegularizer: l2() }),
        nn.layers.flatten({ activityRegularizer: nn.regularizers.l1l2({ l1: 0.01, l2: 0.02 }) }),
        nn.layers.gaussianNoise({ stddev: 0.1, seed: 4, activityRegularizer: l2() }),
        nn.layers.dense({ units: 2 }),
      ],
    });
    return model;
  };

  it('fit adds the same penalties to the loss and the update as an eager run', async () => {
    const fitted = build();
    fitted.compile({ optimizer: nn.train.sgd(0.2), loss: 'meanSquaredError' });
    const history = await fitted.fit(nn.tensor(x, [ROWS, 2, 3]), y, {
      epochs: 3,
      batchSize: 8,
      shuffle: false,
      verbose: 0,
    });
    const eager = build();
    const optimizer = nn.train.sgd(0.2);
    const losses = eagerFit(eager, optimizer, x, [2, 3], y, [2], { epochs: 3, batchSize: 8, loss: customMse });
    expectClose(history.history.loss, losses, 1e-6, 1e-7, 'loss');
    // evaluate adds the penalties too (without noise: inference mode)
    const evaluated = [fitted, eager].map((m) => {
      m.compile({ optimizer: 'sgd', loss: customMse });
      const e = m.evaluate(nn.tensor(x, [ROWS, 2, 3]), y) as nn.Tensor;
      const v = e.dataSync()[0];
      e.dispose();
      return v;
    });
    expectClose([evaluated[0]], [evaluated[1]], 1e-6, 1e-7, 'evaluate');
    const plain = nn.tidy(
      () =>
        nn
          .mean(nn.losses.meanSquaredError(nn.tensor(y, [ROWS, 2]), fitted.call(nn.tensor(x, [ROWS, 2, 3]))))
          .dataSync()[0],
    );
    expect(evaluated[0]).toBeGreaterThan(plain);
    const b = weightsOf(eager);
    weightsOf(fitted).forEach((w, i) => {
      expectClose(w, b[i], 1e-6, 1e-7, `weight ${i}`);
    });
    fitted.dispose();
    eager.dispose();
    optimizer.dispose();
  });

  it('an inputLayer rejects an activityRegularizer (Keras has none there) instead of dropping it', () => {
    expect(() => nn.layers.inputLayer({ inputShape: [3], activityRegularizer: 'l2' })).toThrow(
      /InputLayer "[^"]+": .*activityRegularizer/,
    );
  });
});

describe('finding 3: a failed add or build leaves the model as it was', () => {
  it('a first layer that cannot be built does not leave its input shape behind', () => {
    const model = nn.sequential();
    expect(() => model.add(nn.layers.reshape({ targetShape: [5], inputShape: [2, 3] }))).toThrow(/reshape/i);
    expect(model.inputShape).toBeNull();
    expect(model.layers).toHaveLength(0);
    model.add(nn.layers.dense({ units: 1, inputShape: [4] }));
    expect(model.inputShape).toEqual([null, 4]);
    expect(model.outputShape).toEqual([null, 1]);
    model.dispose();
  });

  it('a build that fails at a later layer unbuilds (and frees) the layers it built', async () => {
    const second = nn.layers.dense({ units: 2 });
    second.build([null, 5]);
    const model = nn.sequential({ layers: [nn.layers.dense({ units: 3 }), second] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const [wrongX, ys] = [nn.zeros([4, 4]), nn.zeros([4, 2])];
    const tensorsBefore = nn.memory().numTensors;
    await expect(model.fit(wrongX, ys, { verbose: 0 })).rejects.toThrow(/already built/);
    expect(model.layers[0].built).toBe(false);
    expect(model.layers[0].weights).toHaveLength(0);
    expect(nn.memory().numTensors).toBe(tensorsBefore);
    nn.dispose([wrongX, ys]);
    // not stuck with the width of the failed call: another width is tried afresh (and fails the same way)
    const other = nn.zeros([1, 7]);
    expect(() => model.predict(other)).toThrow(/"dense_\d+": already built for input \[5\], got \[3\]/);
    expect(model.layers[0].built).toBe(false);
    other.dispose();
    model.dispose();
  });
});

describe('finding 4: dispose frees only an optimizer compile made', () => {
  it("a user's optimizer (shared by two models) keeps the other model's state", async () => {
    const optimizer = nn.train.adam(0.01);
    const a = mlp(1);
    const b = mlp(2);
    a.compile({ optimizer, loss: 'meanSquaredError' });
    b.compile({ optimizer, loss: 'meanSquaredError' });
    await a.fit(x, y, { verbose: 0 });
    await b.fit(x, y, { verbose: 0 });
    const kernelOfA = a.trainableWeights[0];
    const kernelOfB = b.trainableWeights[0];
    expect(optimizer.getSlots(kernelOfB)).toHaveLength(2);
    a.dispose();
    expect(optimizer.getSlots(kernelOfB)).toHaveLength(2);
    // the state of the disposed model's weights was dropped
    expect(optimizer.getSlots(kernelOfA)).toBeUndefined();
    await b.fit(x, y, { verbose: 0 });
    b.dispose();
    optimizer.dispose();
  });
});

describe('finding 5: a non-finite batch changes nothing', () => {
  const LABELS = randomArray(8 * 2, 905, -1, 1);
  const poisoned = Float32Array.from(LABELS);
  poisoned[9] = 1e30; // in the second batch of 4: its squared error overflows float32
  const bnModel = (path: 'built-in' | 'custom') => {
    nn.setSeed(21);
    const model = nn.sequential({
      layers: [
        nn.layers.dense({ units: 5, activation: 'relu', inputShape: [6] }),
        nn.layers.batchNormalization({ momentum: 0.5 }),
        nn.layers.dense({ units: 2 }),
      ],
    });
    model.compile({
      optimizer: nn.train.sgd(0.1),
      loss: path === 'built-in' ? 'meanSquaredError' : customMse,
      metrics: ['mae'],
    });
    return model;
  };

  for (const path of ['built-in', 'custom'] as const) {
    it(`${path} loss: moving statistics and metrics are as after the last finite batch`, async () => {
      const xs = x.slice(0, 8 * 6);
      const clean = bnModel(path);
      const cleanHistory = await clean.fit(
        nn.tensor2d(xs.slice(0, 24), [4, 6]),
        nn.tensor2d(LABELS.slice(0, 8), [4, 2]),
        {
          batchSize: 4,
          shuffle: false,
          verbose: 0,
        },
      );
      const expected = weightsOf(clean);
      clean.dispose();
      const model = bnModel(path);
      const history = await model.fit(nn.tensor2d(xs, [8, 6]), nn.tensor2d(poisoned, [8, 2]), {
        batchSize: 4,
        shuffle: false,
        verbose: 0,
        callbacks: [nn.callbacks.terminateOnNaN()],
      });
      expect(Number.isFinite(history.history.loss[0])).toBe(false);
      // the metric counts the finite batch only
      expect(history.history.mae[0]).toBeCloseTo(cleanHistory.history.mae[0], 6);
      // every weight, the moving statistics included, as after the first batch
      weightsOf(model).forEach((w, i) => {
        expect(w).toEqual(expected[i]);
      });
      model.dispose();
    });
  }

  it('model.call in training mode outside fit still updates the moving statistics at once', () => {
    const layer = nn.layers.batchNormalization({ momentum: 0.5 });
    nn.tidy(() => layer.apply(nn.tensor2d([1, 2, 3, 4], [2, 2]), { training: true }));
    expect(Array.from(layer.movingMean!.dataSync())).toEqual([1, 1.5]);
    layer.dispose();
  });
});

describe('finding 6: nothing computed that nobody reads, nothing rebuilt per step', () => {
  it('after a first-layer flatten the first Dense gets no input gradient; fit matches an eager run', async () => {
    const build = () => {
      nn.setSeed(31);
      return nn.sequential({
        layers: [
          nn.layers.flatten({ inputShape: [2, 3] }),
          nn.layers.gaussianNoise({ stddev: 0.1, seed: 2 }),
          nn.layers.dropout({ rate: 0.2, seed: 3 }),
          nn.layers.dense({ units: 4, activation: 'relu' }),
          nn.layers.dense({ units: 2 }),
        ],
      });
    };
    const model = build();
    model.compile({ optimizer: nn.train.sgd(0.1), loss: 'meanSquaredError' });
    await model.fit(nn.tensor(x, [ROWS, 2, 3]), y, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 });
    // gemm calls of the recorded step: two forward, two kernel gradients, one input gradient (of the second Dense)
    const trace = (model.step('train', 8) as unknown as { trace: Trace }).trace;
    expect(trace.names.filter((n) => n.startsWith('gemm'))).toHaveLength(5);
    const eager = build();
    const optimizer = nn.train.sgd(0.1);
    eagerFit(eager, optimizer, x, [2, 3], y, [2], { epochs: 2, batchSize: 8, loss: customMse });
    expect(weightsOf(model)).toEqual(weightsOf(eager));
    model.dispose();
    eager.dispose();
    optimizer.dispose();
  });

  it('the train step hands the variables straight to the optimizer, reading trainableWeights once per fit, not per batch', async () => {
    const reads: number[] = [];
    for (const batchSize of [8, 2]) {
      const model = mlp();
      const optimizer = nn.train.sgd(0.1);
      model.compile({ optimizer, loss: customMse });
      const byName = vi.spyOn(optimizer, 'applyGradients');
      const getter = vi.spyOn(model, 'trainableWeights', 'get');
      await model.fit(x, y, { batchSize, shuffle: false, verbose: 0 });
      expect(byName).not.toHaveBeenCalled();
      expect(optimizer.iterations).toBe(ROWS / batchSize);
      reads.push(getter.mock.calls.length);
      model.dispose();
    }
    // 3 batches, then 12: as many reads
    expect(reads[1]).toBe(reads[0]);
    expect(reads[0]).toBeLessThanOrEqual(2);
  });

  it('metrics get the same views every batch while memory does not grow', async () => {
    const model = mlp();
    model.compile({ optimizer: nn.train.sgd(0.1), loss: 'meanSquaredError', metrics: ['mae'] });
    const seen: Array<[ArrayLike<number>, ArrayLike<number>]> = [];
    const makeMetrics = model.compiled!.makeMetrics;
    model.compiled!.makeMetrics = () =>
      makeMetrics().map((m) => ({
        key: m.key,
        reset: () => m.reset(),
        result: () => m.result(),
        update(labels: ArrayLike<number>, preds: ArrayLike<number>, rows: number, width: number) {
          seen.push([labels, preds]);
          m.update(labels, preds, rows, width);
        },
      }));
    const reference = mlp();
    reference.compile({ optimizer: nn.train.sgd(0.1), loss: 'meanSquaredError', metrics: ['mae'] });
    // 24 rows in batches of 8: three runs of the same step (a last, smaller batch has a step of its own)
    const history = await model.fit(x, y, { batchSize: 8, shuffle: false, verbose: 0 });
    const expected = await reference.fit(x, y, { batchSize: 8, shuffle: false, verbose: 0 });
    expect(seen).toHaveLength(3);
    expect(seen[1][0]).toBe(seen[0][0]);
    expect(seen[2][1]).toBe(seen[0][1]);
    expect(history.history.mae).toEqual(expected.history.mae);
    model.dispose();
    reference.dispose();
  });

  it('an optimizer caches the slot pointers of each variable; setSlots and dispose refresh them', () => {
    const optimizer = nn.train.adam(0.01);
    const v = nn.variable(nn.tensor1d([1, 2, 3]), true, 'review_slots_v');
    const g = nn.tensor1d([0.1, 0.2, 0.3]);
    const update = vi.spyOn(optimizer as unknown as { update: (...a: unknown[]) => void }, 'update');
    optimizer.applyGradients([{ name: v.name, tensor: g }]);
    optimizer.applyGradients([{ name: v.name, tensor: g }]);
    const slotsArg = (call: number) => update.mock.calls[call][2] as number[];
    expect(slotsArg(1)).toBe(slotsArg(0));
    expect(optimizer.slotSpec).toBe(optimizer.slotSpec);
    const fresh = [nn.zeros([3]), nn.zeros([3])];
    optimizer.setSlots(v, fresh);
    optimizer.applyGradients([{ name: v.name, tensor: g }]);
    expect(slotsArg(2)).toEqual(optimizer.getSlots(v)!.map((t) => t.dataPtr));
    optimizer.dispose();
    expect(optimizer.getSlots(v)).toBeUndefined();
    optimizer.applyGradients([{ name: v.name, tensor: g }]);
    expect(slotsArg(3)).toEqual(optimizer.getSlots(v)!.map((t) => t.dataPtr));
    optimizer.dispose();
    nn.dispose([v, g, ...fresh]);
  });
});

describe('finding 7: one helper per job, one home per class', () => {
  it('Dropout validates its seed and names the layer, as GaussianNoise does', () => {
    for (const make of [
      (seed: number) => nn.layers.dropout({ rate: 0.5, seed, name: 'drop_seed' }),
      (seed: number) => nn.layers.gaussianNoise({ stddev: 0.5, seed, name: 'noise_seed' }),
    ]) {
      expect(() => make(Number.NaN)).toThrow(
        /(Dropout "drop_seed"|GaussianNoise "noise_seed"): expected seed to be a finite number, got NaN/,
      );
      expect(() => make('3' as unknown as number)).toThrow(/expected seed to be a finite number/);
    }
  });

  it('DivergenceError lives in errors.ts and is the one the package exports', async () => {
    const errors: Record<string, unknown> = await import('../../src/errors.js');
    expect(errors.DivergenceError).toBe(nn.DivergenceError);
    expect(new nn.DivergenceError('x')).toBeInstanceOf(nn.NeurasmError);
  });

  it('InputLayer has a file of its own', async () => {
    const input: Record<string, unknown> = await import('../../src/layers/input-layer.js');
    expect(input.InputLayer).toBe(nn.layers.InputLayer);
  });

  it('fit and evaluate check x and y with the same words', async () => {
    const model = mlp();
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const message = /^(fit|evaluate): x has 24 examples but y has 23; expected the same number$/;
    await expect(model.fit(x, y.slice(0, 46), { verbose: 0 })).rejects.toThrow(message);
    expect(() => model.evaluate(x, y.slice(0, 46))).toThrow(message);
    model.dispose();
  });
});
