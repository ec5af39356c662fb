// Recurrent layers (LSTM, GRU, SimpleRNN, Bidirectional) against TensorFlow.js 4.22 on the same
// weights, through model files both ways, and on the traced training path.
import { rm } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { expectClose } from '../helpers/close.js';
import { bits, eagerFit, weightValues } from '../helpers/eager-fit.js';
import { randomArray } from '../helpers/random.js';
import { tempDir, tfjsFileLoader, tfjsFileSaver, tfjsReady } from '../io/helpers.js';

beforeAll(async () => {
  await nn.ready({ relaxedSimd: false });
  await tfjsReady();
});

const BATCH = 3;
const STEPS = 6;
const FEATURES = 4;
const xValues = randomArray(BATCH * STEPS * FEATURES, 901, -1.5, 1.5);

type Kind = 'lstm' | 'gru' | 'simpleRNN';

/** Options both libraries take, for a layer of each kind. */
interface Shared {
  units: number;
  returnSequences?: boolean;
  goBackwards?: boolean;
  activation?: 'tanh' | 'relu' | 'sigmoid';
  recurrentActivation?: 'hardSigmoid' | 'sigmoid' | 'tanh';
  useBias?: boolean;
}

function nnLayer(kind: Kind, o: Shared, extra: Record<string, unknown> = {}): nn.layers.Layer {
  const args = { ...o, ...extra } as nn.layers.LSTMArgs;
  if (kind === 'simpleRNN') {
    const { recurrentActivation: _, ...rest } = args;
    return nn.layers.simpleRNN(rest);
  }
  return kind === 'lstm' ? nn.layers.lstm(args) : nn.layers.gru(args);
}

function tfLayer(kind: Kind, o: Shared, extra: Record<string, unknown> = {}): tfl.layers.Layer {
  // tfjs's orthogonal initializer fails on tfjs-core without chained ops; the weights are set anyway
  const args = { ...o, recurrentInitializer: 'glorotUniform', ...extra } as never;
  if (kind === 'simpleRNN') {
    const { recurrentActivation: _, ...rest } = args as Shared;
    return tfl.layers.simpleRNN({ ...rest, recurrentInitializer: 'glorotUniform' } as never);
  }
  return kind === 'lstm' ? tfl.layers.lstm(args) : tfl.layers.gru(args);
}

/** Copies every weight of a neurasm model into a tfjs model with the same layers. */
function copyWeights(from: nn.Sequential, to: tfl.Sequential): void {
  const values = from.weights.map((w) => tf.tensor(w.dataSync() as Float32Array, [...w.shape]));
  to.setWeights(values);
  tf.dispose(values);
}

function predictTf(model: tfl.Sequential): Float32Array {
  return tf.tidy(
    () => (model.predict(tf.tensor(xValues, [BATCH, STEPS, FEATURES])) as tf.Tensor).dataSync() as Float32Array,
  );
}

function predictNn(model: nn.Sequential): Float32Array {
  return nn.tidy(() => model.predict(nn.tensor(xValues, [BATCH, STEPS, FEATURES])).dataSync() as Float32Array);
}

const PARITY: Array<[string, Kind, Shared]> = [];
for (const kind of ['lstm', 'gru', 'simpleRNN'] as const) {
  PARITY.push(
    [`${kind} defaults`, kind, { units: 5 }],
    [
      `${kind} sequences, backwards, sigmoid gates`,
      kind,
      { units: 8, returnSequences: true, goBackwards: true, recurrentActivation: 'sigmoid' },
    ],
    [`${kind} relu, no bias`, kind, { units: 3, activation: 'relu', useBias: false }],
  );
}

describe('recurrent layers match TensorFlow.js 4.22 on the same weights', () => {
  it.each(PARITY)('%s', (_, kind, o) => {
    nn.setSeed(3);
    const model = nn.sequential({
      layers: [nnLayer(kind, o, { inputShape: [STEPS, FEATURES] }), nn.layers.dense({ units: 2 })],
    });
    const ref = tfl.sequential({
      layers: [tfLayer(kind, o, { inputShape: [STEPS, FEATURES] }), tfl.layers.dense({ units: 2 })],
    });
    copyWeights(model, ref);
    expectClose(predictNn(model), predictTf(ref), 1e-5, 1e-5, 'prediction');
    model.dispose();
    ref.dispose();
  });

  it.each(['concat', 'sum', 'mul', 'ave'] as const)('bidirectional lstm, mergeMode %s, sequences', (mergeMode) => {
    nn.setSeed(4);
    const model = nn.sequential({
      layers: [
        nn.layers.bidirectional({
          layer: nn.layers.lstm({ units: 4, returnSequences: true }),
          mergeMode,
          inputShape: [STEPS, FEATURES],
        }),
        nn.layers.gru({ units: 3 }),
      ],
    });
    const ref = tfl.sequential({
      layers: [
        tfl.layers.bidirectional({
          layer: tfl.layers.lstm({ units: 4, returnSequences: true, recurrentInitializer: 'glorotUniform' }) as never,
          mergeMode,
          inputShape: [STEPS, FEATURES],
        }),
        tfl.layers.gru({ units: 3, recurrentInitializer: 'glorotUniform' }),
      ],
    });
    copyWeights(model, ref);
    expectClose(predictNn(model), predictTf(ref), 1e-5, 1e-5, 'prediction');
    expect(model.layers[0].outputShape).toEqual([null, STEPS, mergeMode === 'concat' ? 8 : 4]);
    model.dispose();
    ref.dispose();
  });
});

describe('model files', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  function mixedModel(): nn.Sequential {
    nn.setSeed(5);
    return nn.sequential({
      layers: [
        nn.layers.bidirectional({
          layer: nn.layers.gru({
            units: 3,
            returnSequences: true,
            kernelRegularizer: nn.regularizers.l2({ l2: 0.01 }),
          }),
          inputShape: [STEPS, FEATURES],
        }),
        nn.layers.lstm({ units: 4, returnSequences: true, goBackwards: true, recurrentActivation: 'sigmoid' }),
        nn.layers.simpleRNN({ units: 3, activation: 'relu' }),
        nn.layers.dense({ units: 1 }),
      ],
    });
  }

  it('a neurasm model saved loads in tfjs with the same predictions, and back in neurasm', async () => {
    const model = mixedModel();
    const dir = await tempDir();
    dirs.push(dir);
    await model.save(`file://${dir}`);
    const inTf = (await tfl.loadLayersModel(tfjsFileLoader(dir))) as tfl.Sequential;
    expectClose(predictTf(inTf), predictNn(model), 1e-5, 1e-5, 'tfjs prediction');
    const again = await nn.loadLayersModel(`file://${dir}`);
    expect(bits(predictNn(again))).toEqual(bits(predictNn(model)));
    expect(again.layers.map((l) => l.className)).toEqual(['Bidirectional', 'LSTM', 'SimpleRNN', 'Dense']);
    const lstm = again.layers[1] as nn.layers.LSTM;
    expect([lstm.recurrentActivation, lstm.goBackwards, lstm.returnSequences, lstm.unitForgetBias]).toEqual([
      'sigmoid',
      true,
      true,
      true,
    ]);
    model.dispose();
    again.dispose();
    inTf.dispose();
  });

  it('a tfjs model saved loads in neurasm with the same predictions', async () => {
    const ref = tfl.sequential({
      layers: [
        tfl.layers.bidirectional({
          layer: tfl.layers.lstm({ units: 3, returnSequences: true, recurrentInitializer: 'glorotUniform' }) as never,
          inputShape: [STEPS, FEATURES],
        }),
        tfl.layers.gru({ units: 4, returnSequences: true, recurrentInitializer: 'glorotUniform' }),
        tfl.layers.simpleRNN({ units: 2, goBackwards: true, recurrentInitializer: 'glorotUniform' }),
      ],
    });
    const dir = await tempDir();
    dirs.push(dir);
    await ref.save(tfjsFileSaver(dir));
    const model = await nn.loadLayersModel(`file://${dir}`);
    expectClose(predictNn(model), predictTf(ref), 1e-5, 1e-5, 'prediction');
    model.dispose();
    ref.dispose();
  });

  it('bidirectional with its own backwardLayer round-trips in neurasm, and runs it backwards', async () => {
    nn.setSeed(7);
    const bidi = nn.layers.bidirectional({
      layer: nn.layers.lstm({ units: 3, returnSequences: true }),
      backwardLayer: nn.layers.gru({ units: 2, returnSequences: true, goBackwards: true }),
      inputShape: [STEPS, FEATURES],
    });
    const model = nn.sequential({ layers: [bidi] });
    expect(model.outputShape).toEqual([null, STEPS, 5]);
    expect(bidi.backwardLayer.className).toBe('GRU');
    const dir = await tempDir();
    dirs.push(dir);
    await model.save(`file://${dir}`);
    const again = await nn.loadLayersModel(`file://${dir}`);
    expect(bits(predictNn(again))).toEqual(bits(predictNn(model)));
    // the backward half is the GRU run from the last step, its output put back in input order
    const gru = nn.layers.gru({ units: 2, returnSequences: true, goBackwards: true });
    gru.build([null, STEPS, FEATURES]);
    const w = bidi.backwardLayer.getWeights();
    gru.setWeights(w);
    const x = nn.tensor(xValues, [BATCH, STEPS, FEATURES]);
    const back = gru.apply(x).arraySync() as number[][][];
    const both = model.predict(x).arraySync() as number[][][];
    for (let b = 0; b < BATCH; b++) {
      for (let t = 0; t < STEPS; t++) expect(both[b][t].slice(3)).toEqual(back[b][STEPS - 1 - t]);
    }
    expect(() =>
      nn.layers.bidirectional({
        layer: nn.layers.lstm({ units: 3 }),
        backwardLayer: nn.layers.lstm({ units: 3 }),
      }),
    ).toThrow(/goBackwards opposite/);
    nn.dispose([x, w]);
    gru.dispose();
    model.dispose();
    again.dispose();
  });

  it('GRU with resetAfter (Keras 3 default) round-trips in neurasm; its bias is [2, 3·units]', async () => {
    nn.setSeed(6);
    const model = nn.sequential({
      layers: [nn.layers.gru({ units: 4, resetAfter: true, inputShape: [STEPS, FEATURES] })],
    });
    expect(model.layers[0].weights.map((w) => w.shape)).toEqual([
      [FEATURES, 12],
      [4, 12],
      [2, 12],
    ]);
    const dir = await tempDir();
    dirs.push(dir);
    await model.save(`file://${dir}`);
    const again = await nn.loadLayersModel(`file://${dir}`);
    expect((again.layers[0] as nn.layers.GRU).resetAfter).toBe(true);
    expect(bits(predictNn(again))).toEqual(bits(predictNn(model)));
    model.dispose();
    again.dispose();
  });
});

describe('training on the traced path', () => {
  const N = 24;
  const xTrain = randomArray(N * STEPS * FEATURES, 911, -1, 1);
  const yTrain = randomArray(N, 912, 0, 1);
  const mse = (yt: nn.Tensor, yp: nn.Tensor) => nn.losses.meanSquaredError(yt, yp);

  /**
   * The losses of an eager loop over the training data (adam(0.01), mse, batches of 8) whose masks
   * come from a generator seeded `seed`, as fit's with that seed.
   */
  function eagerLosses(eager: nn.Sequential, seed: number, epochs: number): number[] {
    const optimizer = nn.train.adam(0.01);
    eager.random.rng = new nn.Random(seed);
    const losses = eagerFit(eager, optimizer, xTrain, [STEPS, FEATURES], yTrain, [1], {
      epochs,
      batchSize: 8,
      loss: mse,
    });
    eager.random.rng = null;
    optimizer.dispose();
    return losses;
  }

  function model(kind: Kind, extra: Record<string, unknown> = {}): nn.Sequential {
    nn.setSeed(21);
    return nn.sequential({
      layers: [nnLayer(kind, { units: 6 }, { inputShape: [STEPS, FEATURES], ...extra }), nn.layers.dense({ units: 1 })],
    });
  }

  it.each([
    ['lstm', {}],
    ['gru', { resetAfter: true }],
    ['simpleRNN', {}],
    ['lstm', { dropout: 0.3, recurrentDropout: 0.2 }],
    ['gru', { dropout: 0.2, recurrentDropout: 0.3, seed: 9 }],
  ] as Array<[Kind, Record<string, unknown>]>)(
    '%s %o: fit replays its trace and gives the weights of an eager loop, bit for bit',
    async (kind, extra) => {
      const fitted = model(kind, extra);
      fitted.compile({ optimizer: nn.train.adam(0.01), loss: 'meanSquaredError' });
      const history = await fitted.fit(xTrain, yTrain, {
        epochs: 3,
        batchSize: 8,
        shuffle: false,
        seed: 77,
        verbose: 0,
      });
      expect(fitted.step('train', 8).replays).toBe(true);
      const eager = model(kind, extra);
      expect(history.history.loss).toEqual(eagerLosses(eager, 77, 3));
      const a = weightValues(fitted);
      const b = weightValues(eager);
      a.forEach((w, i) => {
        expect(bits(w), fitted.weights[i].name).toEqual(bits(b[i]));
      });
      fitted.dispose();
      eager.dispose();
    },
  );

  it('bidirectional with unseeded dropout: fit draws from its generator, as an eager loop given it', async () => {
    const make = () => {
      nn.setSeed(23);
      return nn.sequential({
        layers: [
          nn.layers.bidirectional({
            layer: nn.layers.gru({ units: 4, dropout: 0.3, recurrentDropout: 0.3 }),
            inputShape: [STEPS, FEATURES],
          }),
          nn.layers.dense({ units: 1 }),
        ],
      });
    };
    const fitted = make();
    fitted.compile({ optimizer: nn.train.adam(0.01), loss: 'meanSquaredError' });
    const history = await fitted.fit(xTrain, yTrain, { epochs: 2, batchSize: 8, shuffle: false, seed: 78, verbose: 0 });
    expect(fitted.step('train', 8).replays).toBe(true);
    const eager = make();
    // the global generator moves on: only the fit's generator gives the same masks
    nn.setSeed(999);
    expect(history.history.loss).toEqual(eagerLosses(eager, 78, 2));
    expect(bits(weightValues(fitted)[0])).toEqual(bits(weightValues(eager)[0]));
    fitted.dispose();
    eager.dispose();
  });

  it('memory does not grow over epochs (fit with validation, predict)', async () => {
    for (const kind of ['lstm', 'gru', 'simpleRNN'] as const) {
      const m = nn.sequential({
        layers: [
          nn.layers.bidirectional({
            layer: nnLayer(kind, { units: 4, returnSequences: true }, { dropout: 0.1, recurrentDropout: 0.1 }) as never,
            inputShape: [STEPS, FEATURES],
          }),
          nnLayer(kind, { units: 3 }),
          nn.layers.dense({ units: 1 }),
        ],
      });
      m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
      const samples: nn.MemoryInfo[] = [];
      await m.fit(xTrain, yTrain, {
        epochs: 6,
        batchSize: 5,
        validationSplit: 0.2,
        callbacks: {
          onEpochEnd: () => {
            nn.tidy(() => {
              m.predict(nn.tensor(xValues, [BATCH, STEPS, FEATURES]));
            });
            samples.push(nn.memory());
          },
        },
        verbose: 0,
      });
      expect(samples[5], kind).toEqual(samples[1]);
      m.dispose();
    }
  });

  it('dropout acts in training only, with masks fixed over the steps of a sequence', () => {
    nn.setSeed(8);
    const layer = nn.layers.simpleRNN({
      units: 4,
      dropout: 0.5,
      activation: 'linear',
      returnSequences: true,
      useBias: false,
      seed: 3,
    });
    const x = nn.ones([2, 5, 3]);
    const inference = layer.apply(x);
    const training = layer.apply(x, { training: true });
    expect(bits(inference.dataSync() as Float32Array)).not.toEqual(bits(training.dataSync() as Float32Array));
    // with a constant input and the recurrent kernel at zero, each step's output is the same
    layer.setWeights([layer.getWeights()[0], nn.zeros([4, 4])]);
    const again = layer.apply(x, { training: true }).arraySync() as number[][][];
    for (const seq of again) for (const step of seq) expect(step).toEqual(seq[0]);
    nn.dispose([x, inference, training]);
    layer.dispose();
  });
});

describe('masks, goBackwards, returnState', () => {
  it('padded steps change nothing; the output mask passes on only with returnSequences', () => {
    nn.setSeed(12);
    const seqLayer = nn.layers.lstm({ units: 3, returnSequences: true });
    const lastLayer = nn.layers.gru({ units: 3 });
    const x = nn.tensor(xValues, [BATCH, STEPS, FEATURES]);
    const mask = nn.tensor(
      Array.from({ length: BATCH * STEPS }, (_, i) => (i % STEPS >= STEPS - 2 ? 0 : 1)),
      [BATCH, STEPS],
    );
    const seq = seqLayer.apply(x, { mask }).arraySync() as number[][][];
    // padded tail: the output repeats the last real step's
    for (const s of seq) expect(s[STEPS - 1]).toEqual(s[STEPS - 3]);
    // the last state with a padded tail is the state of the unpadded prefix
    const last = lastLayer.apply(x, { mask }).dataSync();
    const prefix = nn.slice(x, [0, 0, 0], [BATCH, STEPS - 2, FEATURES]);
    const prefixLayer = nn.layers.gru({ units: 3 });
    prefixLayer.build([null, STEPS - 2, FEATURES]);
    prefixLayer.setWeights(lastLayer.getWeights());
    expect(bits(prefixLayer.apply(prefix).dataSync() as Float32Array)).toEqual(bits(last as Float32Array));
    prefixLayer.dispose();
    expect(seqLayer.computeMask(x, mask)).toBe(mask);
    expect(lastLayer.computeMask(x, mask)).toBeNull();
    nn.dispose([x, mask, prefix]);
    seqLayer.dispose();
    lastLayer.dispose();
  });

  it('applyWithState returns [output, h, c]; in a Sequential model returnState is a clear error', () => {
    nn.setSeed(13);
    const layer = nn.layers.lstm({ units: 3, returnState: true, returnSequences: true });
    const x = nn.tensor(xValues, [BATCH, STEPS, FEATURES]);
    const [out, h, c] = layer.applyWithState(x);
    expect(out.shape).toEqual([BATCH, STEPS, 3]);
    expect(h.shape).toEqual([BATCH, 3]);
    expect(c.shape).toEqual([BATCH, 3]);
    const lastStep = nn.slice(out, [0, STEPS - 1, 0], [BATCH, 1, 3]);
    expect(Array.from(lastStep.dataSync())).toEqual(Array.from(h.dataSync()));
    expect(() => layer.apply(x)).toThrow(/returnState: true.*applyWithState/);
    const model = nn.sequential({
      layers: [nn.layers.gru({ units: 2, returnState: true, inputShape: [STEPS, FEATURES] })],
    });
    expect(() => model.predict(x)).toThrow(nn.ValueError);
    nn.dispose([x, out, h, c, lastStep]);
    layer.dispose();
    model.dispose();
  });
});

describe('options and initializers', () => {
  it('defaults: tanh, hardSigmoid gates (tfjs), glorotUniform, orthogonal, zeros, unit forget bias', () => {
    nn.setSeed(14);
    const layer = nn.layers.lstm({ units: 4 });
    layer.build([null, STEPS, 3]);
    const config = layer.getConfig();
    expect(config).toMatchObject({
      activation: 'tanh',
      recurrent_activation: 'hard_sigmoid',
      kernel_initializer: { class_name: 'GlorotUniform' },
      recurrent_initializer: { class_name: 'Orthogonal', config: { gain: 1, seed: null } },
      bias_initializer: { class_name: 'Zeros' },
      unit_forget_bias: true,
      return_sequences: false,
    });
    expect(Array.from(layer.bias!.dataSync())).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    // orthogonal: rows of the [4, 16] recurrent kernel are orthonormal
    const r = layer.recurrentKernel!.arraySync() as number[][];
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        const dot = r[i].reduce((s, v, k) => s + v * r[j][k], 0);
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 5);
      }
    }
    expect(nn.layers.gru({ units: 2 }).resetAfter).toBe(false);
    layer.dispose();
  });

  it('orthogonal: orthonormal rows (wide) or columns (tall), times gain; seeded', () => {
    const dot = (a: number[], b: number[]) => a.reduce((s, v, k) => s + v * b[k], 0);
    const wide = nn.initializers.orthogonal({ seed: 1, gain: 2 }).generate([3, 5]);
    const rows = [0, 1, 2].map((i) => Array.from(wide.slice(i * 5, i * 5 + 5)));
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) expect(dot(rows[i], rows[j])).toBeCloseTo(i === j ? 4 : 0, 5);
    const tall = nn.initializers.orthogonal({ seed: 1 }).generate([6, 2]);
    const cols = [0, 1].map((j) => [0, 1, 2, 3, 4, 5].map((i) => tall[i * 2 + j]));
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++) expect(dot(cols[i], cols[j])).toBeCloseTo(i === j ? 1 : 0, 5);
    expect(Array.from(nn.initializers.orthogonal({ seed: 1 }).generate([6, 2]))).toEqual(Array.from(tall));
    expect(() => nn.initializers.orthogonal().generate([4])).toThrow(/rank 2 or more/);
  });

  it('rejects bad options with errors naming them', () => {
    expect(() => nn.layers.lstm({ units: 0 })).toThrow(/expected units to be a positive integer, got 0/);
    expect(() => nn.layers.gru({ units: 2, stateful: true })).toThrow(/stateful recurrent layers are not supported/);
    expect(() => nn.layers.lstm({ units: 2, activation: 'softmax' as never })).toThrow(
      /unsupported activation "softmax"/,
    );
    expect(() => nn.layers.lstm({ units: 2, dropout: 1 })).toThrow(/expected dropout in \[0, 1\), got 1/);
    expect(() => nn.layers.lstm({ units: 2, returnSequence: true } as never)).toThrow(/returnSequences/);
    expect(() => nn.layers.simpleRNN({ units: 2, kernelConstraint: 'maxNorm' } as never)).toThrow(/constraints/);
    expect(() => nn.layers.bidirectional({ layer: nn.layers.dense({ units: 2 }) as never })).toThrow(/recurrent layer/);
    expect(() => nn.layers.bidirectional({ layer: nn.layers.lstm({ units: 2 }), mergeMode: null })).toThrow(
      /mergeMode null/,
    );
    const layer = nn.layers.lstm({ units: 2 });
    const x = nn.ones([2, 3]);
    expect(() => layer.apply(x)).toThrow(/expected input of shape \[batch, steps, features\], got \[\*, 3\]/);
    x.dispose();
  });
});
