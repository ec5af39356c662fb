// Regression tests (models and training): batch sizes larger than the data, one fit at
// a time, failed constructors, input shapes, disposed models, acc/accuracy, summary's arguments.
import { beforeAll, describe, expect, it } from 'vitest';
import { backend } from '../../src/backend/loader.js';
import * as nn from '../../src/index.js';
import { randomArray } from '../helpers/random.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const ROWS = 6;
const x = randomArray(ROWS * 10, 1101, -1, 1);
const y = randomArray(ROWS * 3, 1102, -1, 1);

function model(seed = 4): nn.Sequential {
  nn.setSeed(seed);
  const m = nn.sequential({
    layers: [nn.layers.dense({ units: 8, activation: 'tanh', inputShape: [10] }), nn.layers.dense({ units: 3 })],
  });
  m.compile({ optimizer: nn.train.sgd(0.1), loss: 'meanSquaredError' });
  return m;
}

function weightsOf(m: nn.Sequential): number[][] {
  const ws = m.getWeights();
  const out = ws.map((w) => Array.from(w.dataSync()));
  nn.dispose(ws);
  return out;
}

/** Bytes the allocator holds (tensors and the models' cached steps). */
const liveBytes = () => backend().allocator.liveBytes;

describe('a batch size larger than the data is clamped to the number of examples', () => {
  it('fit, evaluate and predict with batchSize 2**31 and 1e7 allocate what 6 rows need', async () => {
    const small = model();
    const huge = model();
    const wasmBefore = nn.memory().wasmBytes;
    const smallHistory = await small.fit(x, y, { batchSize: ROWS, epochs: 2, shuffle: false, verbose: 0 });
    const hugeHistory = await huge.fit(x, y, {
      batchSize: 2 ** 31,
      epochs: 2,
      shuffle: false,
      verbose: 0,
      validationData: [x, y],
    });
    expect(hugeHistory.history.loss).toEqual(smallHistory.history.loss);
    expect(hugeHistory.params.batchSize).toBe(2 ** 31);
    expect(weightsOf(huge)).toEqual(weightsOf(small));
    const p = huge.predict(x, { batchSize: 1e7 });
    const q = small.predict(x, { batchSize: ROWS });
    expect(Array.from(p.dataSync())).toEqual(Array.from(q.dataSync()));
    const e = huge.evaluate(x, y, { batchSize: 2 ** 31 }) as nn.Tensor;
    expect(e.dataSync()[0]).toBeCloseTo(hugeHistory.history.val_loss[1], 5);
    nn.dispose([p, q, e]);
    // 1e7 rows of 10 floats would be 400 MB; 6 rows are a few hundred bytes
    expect(nn.memory().wasmBytes - wasmBefore).toBeLessThan(1 << 20);
    small.dispose();
    huge.dispose();
  });

  it('a step too large to cache is freed when predict or evaluate ends', () => {
    const width = 600;
    const rows = 2000; // 4.8 MB of input rows
    nn.setSeed(6);
    const m = nn.sequential({ layers: [nn.layers.dense({ units: 1, inputShape: [width] })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const big = nn.zeros([rows, width]);
    const before = liveBytes();
    const p = m.predict(big, { batchSize: rows });
    expect(p.shape).toEqual([rows, 1]);
    // the 2000-row step (more than 4.8 MB) was freed; the result and small buffers stay
    expect(liveBytes() - before).toBeLessThan(1 << 20);
    p.dispose();
    const labels = nn.zeros([rows, 1]);
    nn.dispose(m.evaluate(big, labels, { batchSize: rows }));
    labels.dispose();
    expect(liveBytes() - before).toBeLessThan(1 << 20);
    big.dispose();
    m.dispose();
  });

  it("a model with large weights keeps its small-batch step: only the batch's buffers count", async () => {
    // 1500x1000 weights: 6 MB of kernel, and as much again of gradients in a train step's trace
    const m = nn.sequential({ layers: [nn.layers.dense({ units: 1000, inputShape: [1500] })] });
    const xs = nn.zeros([4, 1500]);
    nn.dispose(m.predict(xs));
    const step = m.step('predict', 4);
    expect(step.replays).toBe(true);
    nn.dispose(m.predict(xs));
    // the same step serves the second call: it was cached, not recorded again
    expect(m.step('predict', 4)).toBe(step);
    // a train step holds the gradients (as large as the weights): still cached, still the same
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const labels = nn.zeros([4, 1000]);
    await m.fit(xs, labels, { batchSize: 4, verbose: 0 });
    const train = m.step('train', 4);
    expect(train.replays).toBe(true);
    await m.fit(xs, labels, { batchSize: 4, verbose: 0 });
    expect(m.step('train', 4)).toBe(train);
    labels.dispose();
    xs.dispose();
    m.dispose();
  });

  it("fit's validation pass does not evict the step fit is training with", async () => {
    const width = 600;
    const rows = 2000;
    const m = nn.sequential({ layers: [nn.layers.dense({ units: 1, inputShape: [width] })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const big = nn.zeros([rows, width]);
    const labels = nn.zeros([rows, 1]);
    const steps = new Set<unknown>();
    await m.fit(big, labels, {
      epochs: 2,
      batchSize: rows,
      validationData: [big, labels],
      verbose: 0,
      callbacks: { onEpochEnd: () => void steps.add(m.step('train', rows)) },
    });
    // one train step for both epochs and their validation passes; too large to cache, freed when fit ended
    expect(steps.size).toBe(1);
    expect(m.step('train', rows)).not.toBe([...steps][0]);
    nn.dispose([big, labels]);
    m.dispose();
  });
});

describe('one fit at a time per model, as in tfjs', () => {
  it('a second concurrent fit is rejected and the first trains as if alone', async () => {
    const alone = model();
    const aloneHistory = await alone.fit(x, y, { epochs: 3, batchSize: 2, seed: 7, verbose: 0 });
    const m = model();
    const first = m.fit(x, y, { epochs: 3, batchSize: 2, seed: 7, verbose: 0 });
    const second = m.fit(x, y, { epochs: 1, verbose: 0 });
    await expect(second).rejects.toThrow(
      /fit: cannot start training because another fit\(\) call is ongoing on model "sequential_\d+"/,
    );
    await expect(second).rejects.toBeInstanceOf(nn.ValueError);
    const history = await first;
    expect(history.history.loss).toEqual(aloneHistory.history.loss);
    expect(weightsOf(m)).toEqual(weightsOf(alone));
    alone.dispose();
    m.dispose();
  });

  it("a fit from a callback is rejected and does not touch the outer fit's seeded generator", async () => {
    const run = async (globalSeed: number, nested: boolean) => {
      const m = nn.sequential({
        layers: [
          nn.layers.dense({ units: 8, activation: 'tanh', inputShape: [10], kernelInitializer: 'ones' }),
          nn.layers.dropout({ rate: 0.5 }),
          nn.layers.dense({ units: 3, kernelInitializer: 'ones' }),
        ],
      });
      m.compile({ optimizer: nn.train.sgd(0.01), loss: 'meanSquaredError' });
      nn.setSeed(globalSeed);
      const errors: unknown[] = [];
      const predictions: number[] = [];
      const history = await m.fit(x, y, {
        epochs: 2,
        batchSize: 2,
        seed: 11,
        verbose: 0,
        callbacks: {
          onBatchEnd: async () => {
            if (!nested) return;
            await m.fit(x, y, { epochs: 1, seed: 99, verbose: 0 }).catch((e) => errors.push(e));
            // evaluate and predict keep working from callbacks
            const p = m.predict(x);
            predictions.push(p.dataSync()[0]);
            p.dispose();
            nn.dispose(m.evaluate(x, y));
          },
        },
      });
      m.dispose();
      return { loss: history.history.loss, errors, predictions };
    };
    const quiet = await run(1, false);
    const busy = await run(2, true);
    expect(busy.errors).toHaveLength(6);
    for (const e of busy.errors) expect(e).toBeInstanceOf(nn.ValueError);
    expect(busy.predictions.every(Number.isFinite)).toBe(true);
    expect(busy.loss).toEqual(quiet.loss);
  });

  it('the model trains again after a fit that threw', async () => {
    const m = model();
    const failing = m.fit(x, y, {
      verbose: 0,
      callbacks: {
        onEpochEnd: () => {
          throw new Error('callback failed');
        },
      },
    });
    await expect(failing).rejects.toThrow('callback failed');
    await expect(m.fit(x, [[1, 2]], { verbose: 0 })).rejects.toBeInstanceOf(nn.ShapeError);
    const history = await m.fit(x, y, { verbose: 0 });
    expect(Number.isFinite(history.history.loss[0])).toBe(true);
    m.dispose();
  });
});

describe('a failed sequential() or add() leaves no weights behind', () => {
  const cases: Array<[string, () => nn.layers.Layer[], RegExp]> = [
    [
      'duplicate names',
      () => [
        nn.layers.dense({ units: 64, inputShape: [10], name: 'twice' }),
        nn.layers.dense({ units: 64, name: 'other' }),
        nn.layers.dense({ units: 4, name: 'twice' }),
      ],
      /already has a layer named "twice"/,
    ],
    [
      'a second inputShape',
      () => [nn.layers.dense({ units: 64, inputShape: [10] }), nn.layers.dense({ units: 4, inputShape: [64] })],
      /only the first layer may declare inputShape/,
    ],
    [
      'inputLayer not first',
      () => [nn.layers.dense({ units: 64, inputShape: [10] }), nn.layers.inputLayer({ inputShape: [64] })],
      /an inputLayer must come first/,
    ],
  ];
  for (const [what, layers, message] of cases) {
    it(what, () => {
      const before = nn.memory();
      const bytes = liveBytes();
      expect(() => nn.sequential({ layers: layers() })).toThrow(message);
      expect(nn.memory()).toEqual(before);
      expect(liveBytes()).toBe(bytes);
    });
  }

  it('layers built before the constructor are left to their owner', () => {
    const shared = nn.layers.dense({ units: 4, inputShape: [10] });
    const owner = nn.sequential({ layers: [shared] });
    expect(() => nn.sequential({ layers: [shared, nn.layers.dense({ units: 2, inputShape: [4] })] })).toThrow(
      /only the first layer may declare inputShape/,
    );
    const p = owner.predict(x);
    expect(p.shape).toEqual([ROWS, 4]);
    p.dispose();
    owner.dispose();
  });

  it('model.add failures', () => {
    const m = model();
    const before = nn.memory();
    const bytes = liveBytes();
    expect(() => m.add(nn.layers.dense({ units: 4, inputShape: [3] }))).toThrow(/only the first layer/);
    expect(() => m.add(nn.layers.dense({ units: 4, name: m.layers[0].name }))).toThrow(/already has a layer/);
    expect(() => m.add(nn.layers.inputLayer({ inputShape: [3] }))).toThrow(/inputLayer must come first/);
    expect(() => m.add(nn.layers.dense({ units: 2 ** 29 }))).toThrow(nn.BackendError);
    expect(nn.memory()).toEqual(before);
    expect(liveBytes()).toBe(bytes);
    expect(m.layers).toHaveLength(2);
    m.dispose();
  });
});

describe("x must have the model's input shape (as tfjs), not only its width", () => {
  const x3 = () => nn.tensor(x, [ROWS, 2, 5]);
  const expected =
    /expected x of shape \[\*, 10\] \(the input of model "sequential_\d+", layer "dense_\d+"\), got \[6, 2, 5\]/;
  it('fit, evaluate, predict and predictClasses', async () => {
    const m = model();
    const before = weightsOf(m);
    const t = x3();
    const tensors = nn.memory().numTensors;
    await expect(m.fit(t, y, { verbose: 0 })).rejects.toThrow(new RegExp(`^fit: ${expected.source}`));
    await expect(m.fit(t, y, { verbose: 0 })).rejects.toBeInstanceOf(nn.ShapeError);
    expect(() => m.evaluate(t, y)).toThrow(new RegExp(`^evaluate: ${expected.source}`));
    expect(() => m.predict(t)).toThrow(new RegExp(`^predict: ${expected.source}`));
    expect(() => m.predictClasses(t)).toThrow(new RegExp(`^predictClasses: ${expected.source}`));
    // nested arrays too
    expect(() => m.predict(t.arraySync() as number[][][])).toThrow(nn.ShapeError);
    await expect(m.fit(x, y, { verbose: 0, validationData: [t, y] })).rejects.toThrow(
      /fit: expected validationData\[0\] of shape \[\*, 10\] .*got \[6, 2, 5\]/,
    );
    expect(nn.memory().numTensors).toBe(tensors);
    expect(weightsOf(m)).toEqual(before);
    t.dispose();
    m.dispose();
  });

  it('y must have the output shape too: [6, 1, 3] for 3 outputs is rejected, [6] for one output is taken', async () => {
    const m = model();
    const y3 = nn.tensor(y, [ROWS, 1, 3]);
    await expect(m.fit(x, y3, { verbose: 0 })).rejects.toThrow(
      /fit: expected y of shape \[examples, 3\].*got \[6, 1, 3\]/,
    );
    expect(() => m.evaluate(x, y3)).toThrow(nn.ShapeError);
    y3.dispose();
    nn.setSeed(3);
    const one = nn.sequential({ layers: [nn.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [10] })] });
    one.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    const history = await one.fit(x, [0, 1, 0, 1, 0, 1], { verbose: 0 });
    expect(Number.isFinite(history.history.loss[0])).toBe(true);
    m.dispose();
    one.dispose();
  });

  it('a model of inputShape [2, 5] takes [n, 2, 5] and flat typed arrays, and rejects [n, 10]', () => {
    nn.setSeed(9);
    const m = nn.sequential({ layers: [nn.layers.flatten({ inputShape: [2, 5] }), nn.layers.dense({ units: 3 })] });
    const t = x3();
    const a = m.predict(t);
    const b = m.predict(x);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    const flat = nn.tensor2d(x, [ROWS, 10]);
    expect(() => m.predict(flat)).toThrow(/expected x of shape \[\*, 2, 5\] .*got \[6, 10\]/);
    nn.dispose([a, b, t, flat]);
    m.dispose();
  });
});

describe('a disposed model says so', () => {
  it('fit, evaluate, predict, predictClasses, getWeights, compile and save throw a DisposedError naming the model', async () => {
    const m = model();
    m.dispose();
    const named = (op: string) => new RegExp(`^${op}: model "${m.name}" was disposed`);
    await expect(m.fit(x, y, { verbose: 0 })).rejects.toThrow(named('fit'));
    await expect(m.fit(x, y, { verbose: 0 })).rejects.toBeInstanceOf(nn.DisposedError);
    expect(() => m.evaluate(x, y)).toThrow(named('evaluate'));
    expect(() => m.predict(x)).toThrow(named('predict'));
    expect(() => m.predict(x)).toThrow(nn.DisposedError);
    expect(() => m.predictClasses(x)).toThrow(named('predictClasses'));
    expect(() => m.getWeights()).toThrow(named('Sequential.getWeights'));
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mse' })).toThrow(named('Sequential.compile'));
    expect(() => m.add(nn.layers.dense({ units: 2 }))).toThrow(named('Sequential.add'));
    await expect(m.save('file:///tmp/neurasm-disposed-model')).rejects.toThrow(named('save'));
    expect(() => m.summary(() => {})).toThrow(named('Sequential.summary'));
    // a second dispose is harmless
    m.dispose();
  });

  it('a model whose layer was disposed names the layer instead of failing inside', async () => {
    const m = model();
    const layer = m.layers[0];
    layer.dispose();
    expect(layer.isDisposed).toBe(true);
    const named = (op: string) => new RegExp(`^${op}: layer "${layer.name}" of model "${m.name}" was disposed`);
    await expect(m.fit(x, y, { verbose: 0 })).rejects.toThrow(named('fit'));
    expect(() => m.predict(x)).toThrow(named('predict'));
    expect(() => m.evaluate(x, y)).toThrow(nn.DisposedError);
    expect(() => m.getWeights()).toThrow(named('Sequential.getWeights'));
    m.dispose();
  });
});

describe("'accuracy' and tfjs's 'acc' name the same metric", () => {
  const labels = Int32Array.from({ length: ROWS }, (_, i) => i % 3);
  const classifier = (metric: 'accuracy' | 'acc') => {
    nn.setSeed(12);
    const m = nn.sequential({ layers: [nn.layers.dense({ units: 3, activation: 'softmax', inputShape: [10] })] });
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: [metric] });
    return m;
  };
  for (const [asked, monitor] of [
    ['accuracy', 'val_acc'],
    ['acc', 'val_accuracy'],
  ] as const) {
    it(`compiled with '${asked}': logged as ${asked}; earlyStopping, reduceLROnPlateau and modelCheckpoint monitor '${monitor}'`, async () => {
      const m = classifier(asked);
      const dir = `/tmp/neurasm-acc-alias-${asked}-${process.pid}`;
      const history = await m.fit(x, labels, {
        epochs: 4,
        verbose: 0,
        validationData: [x, labels],
        callbacks: [
          nn.callbacks.earlyStopping({ monitor, patience: 1, mode: 'max' }),
          nn.callbacks.reduceLROnPlateau({ monitor, patience: 1 }),
          nn.callbacks.modelCheckpoint(`file://${dir}`, { monitor, saveBestOnly: true }),
        ],
      });
      expect(Object.keys(history.history)).toEqual(expect.arrayContaining([asked, `val_${asked}`]));
      expect(history.history).not.toHaveProperty(asked === 'acc' ? 'accuracy' : 'acc');
      expect(history.epoch.length).toBeGreaterThan(0);
      m.dispose();
    });
  }
});

describe("summary takes tfjs's (lineLength?, positions?, printFn?)", () => {
  it("lineLength and positions: tfjs's 4 columns (with the input shape) or Keras's 3", () => {
    const m = model();
    const name = `${m.layers[0].name} (Dense)`;
    const lines: string[] = [];
    m.summary(60, undefined, (l) => lines.push(l));
    expect(lines[1]).toBe('_'.repeat(60));
    // tfjs's columns end at 32%, 61% and 89% of the line
    expect(lines[2]).toBe(
      `${'Layer (type)'.padEnd(19)}${'Input shape'.padEnd(17)}${'Output shape'.padEnd(17)}${'Param #'.padEnd(7)}`,
    );
    expect(lines).toContain(`${name.padEnd(19)}${'[null,10]'.padEnd(17)}${'[null,8]'.padEnd(17)}${'88'.padEnd(7)}`);
    const absolute: string[] = [];
    m.summary(undefined, [20, 30, 40], (l) => absolute.push(l));
    expect(absolute[1]).toBe('_'.repeat(40));
    // a field longer than its column is cut, one space kept before the next
    expect(absolute[2]).toBe(`${'Layer (type)'.padEnd(20)}${'Output sh '}${'Param #'.padEnd(10)}`);
    const fractions: string[] = [];
    m.summary(50, [0.5, 0.8, 1], (l) => fractions.push(l));
    expect(fractions[2].indexOf('Output shape')).toBe(25);
    expect(fractions[2].indexOf('Param #')).toBe(40);
    // without lineLength and positions the columns are as wide as their contents
    const auto: string[] = [];
    m.summary(undefined, undefined, (l) => auto.push(l));
    expect(auto).toContain(`${name}  [null,8]      88       `);
    m.dispose();
  });

  it('each argument is checked', () => {
    const m = model();
    const quiet = () => {};
    expect(() => m.summary(0, undefined, quiet)).toThrow(/summary: expected lineLength to be an integer >= 1, got 0/);
    expect(() => m.summary(NaN as never)).toThrow(nn.ValueError);
    expect(() => m.summary(60, [0.5, 0.4, 1], quiet)).toThrow(/increasing column ends.*got \[0.5, 0.4, 1\]/);
    expect(() => m.summary(60, [0.5, 1], quiet)).toThrow(/expected positions to be 4 increasing column ends .* or 3/);
    expect(() => m.summary(60, [10, 20.5, 30], quiet)).toThrow(/neither all fractions nor all whole numbers/);
    expect(() => m.summary(60, [NaN, 20, 30], quiet)).toThrow(/got \[NaN, 20, 30\]/);
    expect(() => m.summary(60, undefined, 'log' as never)).toThrow(/expected printFn to be a function, got "log"/);
    m.dispose();
  });
});

describe('shapes in messages are printed as written', () => {
  it('Sequential.build checks its shape; fit on an unbuilt model checks the rank of x', async () => {
    const unbuilt = () => nn.sequential({ layers: [nn.layers.dense({ units: 3 })] });
    const before = nn.memory();
    expect(() => unbuilt().build([null, Number.NaN])).toThrow(
      /Sequential.build: expected an input shape \[null, \.\.\.positive integers\] .*got \[null, NaN\]$/,
    );
    expect(() => unbuilt().build([null, 0])).toThrow(nn.ShapeError);
    expect(() => unbuilt().build('x' as never)).toThrow(/got "x"$/);
    expect(nn.memory()).toEqual(before);
    const m = unbuilt();
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await expect(m.fit(nn.zeros([3]), nn.zeros([3, 3]), { verbose: 0 })).rejects.toThrow(
      /fit: expected x of shape \[examples, \.\.\.features\] to build model "sequential_\d+" from, got \[3\]/,
    );
    expect(() => m.predict(nn.zeros([2, 0]))).toThrow(nn.ShapeError);
    m.dispose();
  });
});

describe('misspelt or unknown options are errors naming the nearest valid one', () => {
  const untyped = (v: unknown) => v as never;

  it('fit, evaluate, predict and compile', async () => {
    const m = model();
    const before = nn.memory().numTensors;
    await expect(m.fit(x, y, untyped({ epoch: 3, verbose: 0 }))).rejects.toThrow(
      /^fit: unknown option "epoch"; did you mean epochs\?/,
    );
    await expect(m.fit(x, y, untyped({ classWeight: { 0: 2 }, verbose: 0 }))).rejects.toThrow(
      /^fit: classWeight is not supported/,
    );
    expect(() => m.predict(x, untyped({ batchsize: 4 }))).toThrow(
      /^predict: unknown option "batchsize"; did you mean batchSize\?/,
    );
    expect(() => m.evaluate(x, y, untyped({ batch_size: 4 }))).toThrow(/did you mean batchSize\?/);
    expect(() => m.compile(untyped({ optimizer: 'adam', loss: 'mse', metric: ['mae'] }))).toThrow(
      /^compile: unknown option "metric"; did you mean metrics\?/,
    );
    expect(nn.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('save and loadLayersModel', async () => {
    const m = model();
    await expect(m.save('localstorage://neurasm-options', untyped({ quantise: 'uint8' }))).rejects.toThrow(
      /^save: unknown option "quantise"; did you mean quantize\?/,
    );
    await expect(nn.loadLayersModel('file:///nowhere/model.json', untyped({ strcit: true }))).rejects.toThrow(
      /^loadLayersModel: unknown option "strcit"/,
    );
    m.dispose();
  });

  it('layers and callbacks name the nearest option for a typo, not only for another spelling', () => {
    expect(() => nn.layers.dense(untyped({ units: 2, activaton: 'relu' }))).toThrow(/did you mean activation\?/);
    expect(() => nn.callbacks.earlyStopping(untyped({ patiance: 3 }))).toThrow(/did you mean patience\?/);
  });
});

describe('a custom loss may return one value per example, averaged as in Keras and tfjs', () => {
  const perExample = (a: nn.Tensor, b: nn.Tensor) => nn.mean(nn.square(nn.sub(a, b)), -1);
  const scalarLoss = (a: nn.Tensor, b: nn.Tensor) => nn.mean(nn.square(nn.sub(a, b)));

  it('fit trains as with the averaged loss, and evaluate reports the mean, not the first example', async () => {
    const a = model();
    const b = model();
    a.compile({ optimizer: nn.train.sgd(0.1), loss: perExample });
    b.compile({ optimizer: nn.train.sgd(0.1), loss: scalarLoss });
    const ha = await a.fit(x, y, { epochs: 2, batchSize: 3, shuffle: false, verbose: 0 });
    const hb = await b.fit(x, y, { epochs: 2, batchSize: 3, shuffle: false, verbose: 0 });
    expect(ha.history.loss[1]).toBeCloseTo(hb.history.loss[1], 6);
    const wa = weightsOf(a);
    const wb = weightsOf(b);
    wa.forEach((w, i) => {
      for (let j = 0; j < w.length; j++) expect(w[j]).toBeCloseTo(wb[i][j], 6);
    });
    const ea = a.evaluate(x, y) as nn.Tensor;
    const eb = b.evaluate(x, y) as nn.Tensor;
    expect(ea.dataSync()[0]).toBeCloseTo(eb.dataSync()[0], 6);
    nn.dispose([ea, eb]);
    a.dispose();
    b.dispose();
  });

  it('a loss function that returns no tensor is a clear error', async () => {
    const m = model();
    m.compile({ optimizer: 'sgd', loss: (() => 5) as never });
    await expect(m.fit(x, y, { verbose: 0 })).rejects.toThrow(
      /the loss function given to compile must return a float32 Tensor, got 5/,
    );
    m.dispose();
  });
});

describe("a list of one tensor is the model's input, as in tfjs", () => {
  it('predict and evaluate take [x]; a list of two is a clear error', () => {
    const m = model();
    const xs = nn.tensor2d(Array.from(x), [ROWS, 10]);
    const a = m.predict(xs);
    const b = m.predict([xs]);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(() => m.predict([xs, xs] as never)).toThrow(
      /^predict: expected x to be one tensor \(a Sequential model has one input\), got a list of 2/,
    );
    nn.dispose([a, b, xs]);
    m.dispose();
  });
});
