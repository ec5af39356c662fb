// nn.quantize on sequence models: the int8 Conv1D (the im2col windows through the int8 product) and
// the int8 LSTM, GRU and SimpleRNN (the input projection through the int8 product, the recurrent
// kernel and the time loop in float32). Each is checked bit for bit against a composition of the
// int8 kernels' plain-JS reference (src/reference/qgemm.ts) with the float parts, then against the
// float model, through model files, dequantize, static mode, masks and states, memory and errors,
// and on small trained text models (agreement with the float model on held-out rows).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSpam, type SpamCorpus } from '../../src/datasets/index.js';
import * as nn from '../../src/index.js';
import type { QuantizedConv1D } from '../../src/layers/quantized-conv1d.js';
import type { QuantizedRecurrent } from '../../src/layers/quantized-recurrent.js';
import type { Recurrent } from '../../src/layers/recurrent.js';
import { geometry1d, type Padding1D } from '../../src/ops/conv1d.js';
import { qgemmReference, quantizeRowsReference, quantizeSymmetricReference } from '../../src/reference/qgemm.js';
import { randomArray, rng } from '../helpers/random.js';

beforeAll(async () => {
  await nn.ready();
});

type Input = { scale: number; zeroPoint: number } | null;

/** Element by element with ===: equal values (+0 and −0 count as equal). */
function expectSameValues(got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length).toBe(want.length);
  let bad = -1;
  for (let i = 0; i < got.length && bad < 0; i++) if (!(got[i] === want[i])) bad = i;
  if (bad >= 0) expect(`${bad}: ${got[bad]}`).toBe(`${bad}: ${want[bad]}`);
}

/** The values of the tensor `make` gives, with every tensor it made freed. */
function values(make: () => nn.Tensor): Float32Array {
  return nn.tidy(() => make().dataSync() as Float32Array);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Sets every weight of a model to seeded uniform values in [lo, hi). */
function randomizeWeights(model: nn.Sequential, seed: number, lo = -0.6, hi = 0.6): void {
  const weights = model.getWeights();
  const values = weights.map((w, i) => nn.tensor(randomArray(w.size, seed + i, lo, hi), w.shape as number[]));
  model.setWeights(values);
  nn.dispose([...weights, ...values]);
}

/** The int8 product of rows x [rows×k] with a float kernel [k×n] by the reference: (q(x)·q(W)) scaled, + bias. */
function referenceProduct(
  x: Float32Array,
  rows: number,
  k: number,
  kernel: Float32Array,
  n: number,
  bias: Float32Array | null,
  input: Input,
  perChannel = true,
): Float32Array {
  const w = quantizeSymmetricReference(kernel, k, n, perChannel);
  const q = quantizeRowsReference(x, rows, k, input?.scale ?? 0, input?.zeroPoint ?? 0);
  return qgemmReference(q.q, q.rowScale, q.rowZero, w.q, w.scales, bias, rows, k, n);
}

// ---------------------------------------------------------------------------------------------
// Conv1D

/** The im2col windows of x [batch, steps, channels] (zeros outside the sequence), computed here. */
function windows(
  x: Float32Array,
  batch: number,
  steps: number,
  channels: number,
  g: ReturnType<typeof geometry1d>,
): Float32Array {
  const depth = g.size * channels;
  const out = new Float32Array(batch * g.outSteps * depth);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < g.outSteps; t++) {
      for (let k = 0; k < g.size; k++) {
        const s = t * g.stride + k * g.dilation - g.padLeft;
        if (s < 0 || s >= steps) continue;
        for (let c = 0; c < channels; c++) {
          out[(b * g.outSteps + t) * depth + k * channels + c] = x[(b * steps + s) * channels + c];
        }
      }
    }
  }
  return out;
}

interface ConvCase {
  padding: Padding1D;
  strides?: number;
  dilationRate?: number;
  activation: 'relu' | 'linear';
  useBias?: boolean;
}

const CONV_CASES: ConvCase[] = [
  { padding: 'valid', activation: 'relu' },
  { padding: 'same', strides: 2, activation: 'linear' },
  { padding: 'causal', dilationRate: 2, activation: 'relu' },
  { padding: 'valid', strides: 3, activation: 'linear', useBias: false },
];

describe('int8 Conv1D', () => {
  const [batch, steps, channels, filters, size] = [3, 11, 5, 7, 3];

  function convModel(c: ConvCase, seed: number): nn.Sequential {
    const m = nn.sequential({
      layers: [nn.layers.conv1d({ filters, kernelSize: size, inputShape: [steps, channels], ...c })],
    });
    randomizeWeights(m, seed);
    return m;
  }

  for (const c of CONV_CASES) {
    it(`equals the reference: windows -> int8 product -> ${c.activation} (${JSON.stringify(c)})`, async () => {
      const model = convModel(c, 11);
      for (const options of [{}, { perChannel: false }]) {
        const q = await nn.quantize(model, options);
        expect(q.layers[0].className).toBe('QuantizedConv1D');
        const x = randomArray(batch * steps * channels, 21, -2, 2);
        const got = q.predict(nn.tensor(x, [batch, steps, channels]));
        const g = geometry1d(steps, size, c.strides ?? 1, c.dilationRate ?? 1, c.padding);
        expect(got.shape).toEqual([batch, g.outSteps, filters]);
        const [kernel, bias] = model.layers[0].getWeights().map((t) => t.dataSync() as Float32Array);
        const rows = batch * g.outSteps;
        const z = referenceProduct(
          windows(x, batch, steps, channels, g),
          rows,
          size * channels,
          kernel,
          filters,
          c.useBias === false ? null : bias,
          null,
          options.perChannel ?? true,
        );
        expectSameValues(got.dataSync(), c.activation === 'relu' ? z.map((v) => Math.max(0, v)) : z);
        // and near the float layer: 7-bit inputs (step ≤ 4/127 over [-2, 2]) and int8 weights (step
        // ≤ 0.6/127) over 15 products of |x| ≤ 2, |w| ≤ 0.6: |error| ≤ 15·(0.6·2/127 + 2·0.3/127 + ...)
        // ≈ 0.15 at worst when every rounding error has the same sign; they do not, so 0.1 holds
        const float = model.predict(nn.tensor(x, [batch, steps, channels])).dataSync();
        const d = maxAbsDiff(got.dataSync(), float);
        expect(d).toBeLessThan(0.1);
        expect(d).toBeGreaterThan(0);
        q.dispose();
      }
      model.dispose();
    });
  }

  it('static mode calibrates the input range; model files keep the bits; dequantize gives code · scale', async () => {
    const model = convModel({ padding: 'same', activation: 'relu' }, 13);
    const calibration = nn.tensor(randomArray(50 * steps * channels, 3, -1, 1.5), [50, steps, channels]);
    const q = await nn.quantize(model, { mode: 'static', calibrationData: calibration });
    const layer = q.layers[0] as QuantizedConv1D;
    const input = layer.inputQuantization!;
    expect(input.scale).toBeGreaterThan(0);
    expect(input.zeroPoint).toBeGreaterThan(0); // the range holds negatives
    const x = randomArray(batch * steps * channels, 8, -2, 2); // wider than calibrated: saturates
    const got = q.predict(nn.tensor(x, [batch, steps, channels])).dataSync();
    const g = geometry1d(steps, size, 1, 1, 'same');
    const [kernel, bias] = model.layers[0].getWeights().map((t) => t.dataSync() as Float32Array);
    const z = referenceProduct(
      windows(x, batch, steps, channels, g),
      batch * g.outSteps,
      size * channels,
      kernel,
      filters,
      bias,
      input,
    );
    expectSameValues(
      got,
      z.map((v) => Math.max(0, v)),
    );

    const artifacts = await nn.io.modelArtifacts(q);
    expect(artifacts.weightSpecs!.map((s) => [s.name.split('/')[1], s.dtype, s.shape])).toEqual([
      ['kernel', 'int8', [size, channels, filters]],
      ['bias', 'float32', [filters]],
      ['kernel_scale', 'float32', [filters]],
    ]);
    const config = (artifacts.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } })
      .config.layers[0].config;
    expect(config.kernel_initializer).toBeUndefined();
    expect(config.input_quantization).toEqual({ scale: input.scale, zero_point: input.zeroPoint });
    const loaded = await nn.loadLayersModel(nn.io.fromMemory(artifacts));
    expect(loaded.layers[0].className).toBe('QuantizedConv1D');
    expect(loaded.predict(nn.tensor(x, [batch, steps, channels])).dataSync()).toEqual(got);

    const back = await nn.dequantize(q);
    expect(back.layers[0].className).toBe('Conv1D');
    const codes = layer.matrix!.codes;
    const scales = layer.matrix!.scales;
    const dq = back.layers[0].getWeights()[0].dataSync();
    for (const i of [0, 17, dq.length - 1]) expect(dq[i]).toBe(Math.fround(codes[i] * scales[i % filters]));
    // TensorFlow.js loads the dequantized model and agrees with it
    const tm = await tfl.loadLayersModel(tf.io.fromMemory(await nn.io.modelArtifacts(back)));
    const ours = back.predict(nn.tensor(x, [batch, steps, channels])).dataSync();
    const theirs = (tm.predict(tf.tensor(x, [batch, steps, channels])) as tf.Tensor).dataSync();
    expect(maxAbsDiff(ours, theirs)).toBeLessThan(1e-5);
    tm.dispose();
    for (const m of [model, q, loaded, back]) m.dispose();
    calibration.dispose();
  });

  it('rejects a mask as Conv1D does, and bad weights, naming the layer', async () => {
    const model = convModel({ padding: 'valid', activation: 'relu' }, 2);
    const q = await nn.quantize(model);
    const layer = q.layers[0] as QuantizedConv1D;
    const x = nn.tensor(randomArray(2 * steps * channels, 1), [2, steps, channels]);
    expect(() => layer.apply(x, { mask: nn.ones([2, steps]) })).toThrow(/does not support masking/);
    const [kernel, bias, scale] = layer.getWeights();
    expect(kernel.dtype).toBe('int32');
    expect(() => layer.setWeights([kernel, bias])).toThrow(/expected 3 weight tensors/);
    expect(() => layer.setWeights([nn.cast(kernel, 'float32'), bias, scale])).toThrow(/int32 codes/);
    expect(() => layer.setWeights([kernel, bias, nn.fill([filters], -1)])).toThrow(/kernel_scale.*> 0/);
    // (layer.apply: a model's recorded predict pass reads the int8 blocks that setWeights replaces)
    const before = layer.apply(x).dataSync();
    layer.setWeights([kernel, bias, scale]);
    expect(layer.apply(x).dataSync()).toEqual(before);
    await expect(q.fit(x, nn.zeros([2, steps - size + 1, filters]), { epochs: 1 })).rejects.toThrow(/quantized/);
    for (const m of [model, q]) m.dispose();
  });
});

// ---------------------------------------------------------------------------------------------
// LSTM, GRU, SimpleRNN

type Cell = 'lstm' | 'gru' | 'gruResetAfter' | 'simpleRNN';
const GATES: Record<Cell, number> = { lstm: 4, gru: 3, gruResetAfter: 3, simpleRNN: 1 };

interface RecurrentCase {
  cell: Cell;
  returnSequences?: boolean;
  goBackwards?: boolean;
  useBias?: boolean;
  recurrentActivation?: 'sigmoid' | 'hardSigmoid';
}

function recurrentLayer(c: RecurrentCase, units: number, extra: Record<string, unknown>): nn.layers.Layer {
  const { cell, ...options } = c;
  const args = { units, ...options, ...extra };
  if (cell === 'lstm') return nn.layers.lstm(args);
  if (cell === 'simpleRNN') {
    const { recurrentActivation: _, ...rnn } = args;
    return nn.layers.simpleRNN(rnn);
  }
  return nn.layers.gru({ ...args, resetAfter: cell === 'gruResetAfter' });
}

/**
 * The float layer run on the int8 projection: a layer of the same cell whose input is the
 * projection P [batch, steps, G·u] made by the reference, with kernel = the identity (P·I = P
 * exactly) and a zero input bias (the reference added it); the recurrent kernel and a resetAfter
 * GRU's recurrent bias as in the int8 layer. Its output is what the int8 layer must give.
 */
function floatOnProjection(
  c: RecurrentCase,
  units: number,
  steps: number,
  source: Recurrent,
  extra: Record<string, unknown>,
): nn.layers.Layer {
  const g = GATES[c.cell] * units;
  const layer = recurrentLayer(c, units, extra);
  layer.build([null, steps, g]);
  const identity = new Float32Array(g * g);
  for (let i = 0; i < g; i++) identity[i * g + i] = 1;
  const [, recurrentKernel, bias] = source.getWeights();
  const weights = [nn.tensor(identity, [g, g]), recurrentKernel];
  if (bias) {
    const b = bias.dataSync().slice();
    b.fill(0, 0, g); // the input bias is in the projection; a resetAfter GRU's recurrent row stays
    weights.push(nn.tensor(b, bias.shape as number[]));
  }
  layer.setWeights(weights);
  return layer;
}

describe('int8 LSTM, GRU and SimpleRNN', () => {
  const [batch, steps, features, units] = [4, 6, 5, 3];
  const cases: RecurrentCase[] = [
    { cell: 'lstm' },
    { cell: 'lstm', returnSequences: true, goBackwards: true, recurrentActivation: 'sigmoid' },
    { cell: 'gru', returnSequences: true },
    { cell: 'gruResetAfter', goBackwards: true },
    { cell: 'gruResetAfter', returnSequences: true, useBias: false },
    { cell: 'simpleRNN', returnSequences: true },
  ];

  function recurrentModel(c: RecurrentCase, seed: number): nn.Sequential {
    const m = nn.sequential({ layers: [recurrentLayer(c, units, { inputShape: [steps, features] })] });
    randomizeWeights(m, seed);
    return m;
  }

  /** A mask with padded steps at the end of rows 0 and 2 (and none in the others). */
  function padMask(): nn.Tensor {
    const m = new Float32Array(batch * steps).fill(1);
    for (let t = 3; t < steps; t++) m[t] = 0;
    for (let t = 5; t < steps; t++) m[2 * steps + t] = 0;
    return nn.tensor(m, [batch, steps]);
  }

  for (const c of cases) {
    it(`equals the float layer run on the reference's int8 projection (${JSON.stringify(c)})`, async () => {
      const model = recurrentModel(c, 31);
      const q = await nn.quantize(model);
      const layer = q.layers[0] as QuantizedRecurrent;
      expect(layer.className).toBe(
        { lstm: 'QuantizedLSTM', gru: 'QuantizedGRU', gruResetAfter: 'QuantizedGRU', simpleRNN: 'QuantizedSimpleRNN' }[
          c.cell
        ],
      );
      const float = model.layers[0] as Recurrent;
      const g = GATES[c.cell] * units;
      const x = randomArray(batch * steps * features, 41, -2, 2);
      const [kernel, , bias] = float.getWeights().map((t) => t.dataSync() as Float32Array);
      const projection = referenceProduct(
        x,
        batch * steps,
        features,
        kernel,
        g,
        c.useBias === false ? null : bias.subarray(0, g),
        null,
      );
      const p = nn.tensor(projection, [batch, steps, g]);
      const xt = nn.tensor(x, [batch, steps, features]);
      const reference = floatOnProjection(c, units, steps, float, {});
      expectSameValues(q.predict(xt).dataSync(), reference.apply(p).dataSync());
      // masks: the same composition with the mask
      const mask = padMask();
      expectSameValues(layer.apply(xt, { mask }).dataSync(), reference.apply(p, { mask }).dataSync());
      // the final states (applyWithState), with the mask
      const withState = floatOnProjection(c, units, steps, float, { returnState: true });
      const stateful = nn.sequential({
        layers: [recurrentLayer(c, units, { inputShape: [steps, features], returnState: true })],
      });
      stateful.layers[0].setWeights(float.getWeights());
      const qs = await nn.quantize(stateful);
      const got = (qs.layers[0] as QuantizedRecurrent).applyWithState(xt, { mask });
      const want = (withState as Recurrent).applyWithState(p, { mask });
      expect(got).toHaveLength(c.cell === 'lstm' ? 3 : 2);
      for (let i = 0; i < got.length; i++) expectSameValues(got[i].dataSync(), want[i].dataSync());
      // and near the float layer: the gates' pre-activations differ by the int8 projection's error
      // (5 products of |x| ≤ 2, |w| ≤ 0.6, errors ≤ 2/127·0.6 + 2·0.3/127 each: ≤ 0.05), which the
      // bounded gates pass on at most as is; over 6 steps the state's error stays below 0.1
      const d = maxAbsDiff(q.predict(xt).dataSync(), model.predict(xt).dataSync());
      expect(d).toBeLessThan(0.1);
      expect(d).toBeGreaterThan(0);
      reference.dispose();
      withState.dispose();
      nn.dispose([p, xt, mask, ...got, ...want]);
      for (const m of [model, q, stateful, qs]) m.dispose();
    });
  }

  it('static mode, model files (same bits), dequantize (tfjs loads it), summary, memory', async () => {
    const model = nn.sequential({
      layers: [
        nn.layers.embedding({ inputDim: 30, outputDim: 6, inputLength: 8 }),
        nn.layers.conv1d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }),
        nn.layers.gru({ units: 5, returnSequences: true }), // tfjs has no resetAfter
        nn.layers.lstm({ units: 4 }),
        nn.layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    randomizeWeights(model, 51);
    const ids = nn.tensor(
      Array.from({ length: 40 * 8 }, (_, i) => Math.floor(rng(i + 1)() * 30)),
      [40, 8],
      'int32',
    );
    // (the float model's predict keeps its recorded passes: made before counting)
    const floatOut = values(() => model.predict(ids));
    const before = nn.memory().numBytes;
    const q = await nn.quantize(model, { mode: 'static', calibrationData: ids });
    expect(q.layers.map((l) => l.className)).toEqual([
      'QuantizedEmbedding',
      'QuantizedConv1D',
      'QuantizedGRU',
      'QuantizedLSTM',
      'QuantizedDense',
    ]);
    for (const l of q.layers.slice(1)) {
      expect((l as unknown as { inputQuantization: Input }).inputQuantization?.scale).toBeGreaterThan(0);
    }
    const a = values(() => q.predict(ids));
    expect(maxAbsDiff(a, floatOut)).toBeLessThan(0.05);
    const lines: string[] = [];
    q.summary((line: string) => lines.push(line));
    const [e, c, g, l, d] = q.layers.map((layer) => layer.name);
    const floatPart = '(recurrent kernel in float32)';
    expect(lines).toContain(`Int8 layers: ${e}, ${c}, ${g} ${floatPart}, ${l} ${floatPart}, ${d}`);
    expect(lines.some((l) => l.startsWith('Kept in float32'))).toBe(false);

    const artifacts = await nn.io.modelArtifacts(q);
    const gru = q.layers[2].name;
    expect(
      artifacts.weightSpecs!.filter((s) => s.name.startsWith(`${gru}/`)).map((s) => [s.name, s.dtype, s.shape]),
    ).toEqual([
      [`${gru}/kernel`, 'int8', [6, 15]],
      [`${gru}/recurrent_kernel`, 'float32', [5, 15]],
      [`${gru}/bias`, 'float32', [15]],
      [`${gru}/kernel_scale`, 'float32', [15]],
    ]);
    const loaded = await nn.loadLayersModel(nn.io.fromMemory(artifacts));
    expect(values(() => loaded.predict(ids))).toEqual(a);
    expect((loaded.layers[2] as QuantizedRecurrent).inputQuantization).toEqual(
      (q.layers[2] as QuantizedRecurrent).inputQuantization,
    );

    const back = await nn.dequantize(q);
    expect(back.layers.map((l) => l.className)).toEqual(['Embedding', 'Conv1D', 'GRU', 'LSTM', 'Dense']);
    const lstm = q.layers[3] as QuantizedRecurrent;
    const [k, r] = nn.tidy(() => back.layers[3].getWeights().map((t) => t.dataSync()));
    const m = lstm.matrix!;
    for (const i of [0, 9, k.length - 1]) expect(k[i]).toBe(Math.fround(m.codes[i] * m.scales[i % m.columns]));
    expect(r).toEqual(values(() => model.layers[3].getWeights()[1]));
    // the dequantized model differs from the int8 one only by the inputs' quantization
    expect(
      maxAbsDiff(
        values(() => back.predict(ids)),
        a,
      ),
    ).toBeLessThan(0.05);
    const tm = await tfl.loadLayersModel(tf.io.fromMemory(await nn.io.modelArtifacts(back)));
    const theirs = (tm.predict(tf.tensor(ids.dataSync(), [40, 8], 'int32')) as tf.Tensor).dataSync();
    expect(
      maxAbsDiff(
        values(() => back.predict(ids)),
        theirs,
      ),
    ).toBeLessThan(1e-5);
    tm.dispose();

    // predictions replay their recorded pass (batches of 32, then the last 8), and do not grow memory
    q.predict(ids).dispose();
    expect(q.step('predict', 32, 'int32').replays).toBe(true);
    const warm = nn.memory().numBytes;
    for (let i = 0; i < 10; i++) q.predict(ids).dispose();
    expect(nn.memory().numBytes).toBe(warm);

    // a model file with a bad input quantization is an error naming the key
    const topology = JSON.parse(JSON.stringify(artifacts.modelTopology));
    topology.config.layers[3].config.input_quantization = { scale: -1, zero_point: 3 };
    await expect(nn.loadLayersModel(nn.io.fromMemory({ ...artifacts, modelTopology: topology }))).rejects.toThrow(
      /input_quantization: expected null or \{scale > 0/,
    );
    for (const s of [q, loaded, back]) s.dispose();
    // the int8 models' memory is all freed
    expect(nn.memory().numBytes).toBe(before);
    model.dispose();
    ids.dispose();
  });

  it('refuses to train and to differentiate; bad weights are errors naming the layer', async () => {
    const model = recurrentModel({ cell: 'lstm' }, 61);
    const q = await nn.quantize(model);
    const layer = q.layers[0] as QuantizedRecurrent;
    const x = nn.tensor(randomArray(2 * steps * features, 1), [2, steps, features]);
    await expect(q.fit(x, nn.zeros([2, units]), { epochs: 1 })).rejects.toThrow(/quantized/);
    expect(() => nn.grad((t: nn.Tensor) => nn.sum(layer.apply(t)))(x)).toThrow(/no gradient.*inference/);
    const w = layer.getWeights();
    expect(w.map((t) => t.dtype)).toEqual(['int32', 'float32', 'float32', 'float32']);
    expect(() => layer.setWeights(w.slice(0, 3))).toThrow(/QuantizedLSTM.*expected 4 weight tensors/);
    expect(() => layer.setWeights([w[0], w[2], w[1], w[3]])).toThrow(/recurrent_kernel \[3, 12\]/);
    const before = layer.apply(x).dataSync();
    expect(() => layer.setWeights([nn.fill([features, 12], 128, 'int32'), w[1], w[2], w[3]])).toThrow(/\[-127, 127\]/);
    expect(layer.apply(x).dataSync()).toEqual(before);
    layer.setWeights(w);
    expect(layer.apply(x).dataSync()).toEqual(before);
    nn.dispose([x, ...w]);
    for (const m of [model, q]) m.dispose();
  });
});

// ---------------------------------------------------------------------------------------------
// Bidirectional

describe('int8 Bidirectional', () => {
  const [batch, steps, features, units] = [3, 5, 4, 3];
  const cases: Array<{ cell: 'lstm' | 'gruResetAfter'; mergeMode: 'concat' | 'ave'; returnSequences: boolean }> = [
    { cell: 'lstm', mergeMode: 'concat', returnSequences: true },
    { cell: 'gruResetAfter', mergeMode: 'ave', returnSequences: false },
  ];
  for (const c of cases) {
    it(`both directions equal the float layers on the reference's int8 projections, masked (${JSON.stringify(c)})`, async () => {
      const inner = () =>
        c.cell === 'lstm'
          ? nn.layers.lstm({ units, returnSequences: c.returnSequences })
          : nn.layers.gru({ units, returnSequences: c.returnSequences, resetAfter: true });
      const model = nn.sequential({
        layers: [nn.layers.bidirectional({ layer: inner(), mergeMode: c.mergeMode, inputShape: [steps, features] })],
      });
      randomizeWeights(model, 71);
      const q = await nn.quantize(model);
      expect(q.layers[0].className).toBe('QuantizedBidirectional');
      const g = (c.cell === 'lstm' ? 4 : 3) * units;
      const x = randomArray(batch * steps * features, 72, -2, 2);
      const w = model.layers[0].getWeights().map((t) => t.dataSync() as Float32Array);
      const perLayer = w.length / 2;
      // each direction's projection by the reference, side by side: [P_forward, P_backward]
      const projections = [0, 1].map((d) => {
        const [kernel, , bias] = w.slice(d * perLayer, (d + 1) * perLayer);
        return referenceProduct(x, batch * steps, features, kernel, g, bias.subarray(0, g), null);
      });
      const both = new Float32Array(batch * steps * 2 * g);
      for (let r = 0; r < batch * steps; r++) {
        both.set(projections[0].subarray(r * g, (r + 1) * g), r * 2 * g);
        both.set(projections[1].subarray(r * g, (r + 1) * g), r * 2 * g + g);
      }
      // the float Bidirectional on them, each direction's kernel the identity on its half
      const reference = nn.layers.bidirectional({ layer: inner(), mergeMode: c.mergeMode });
      reference.build([null, steps, 2 * g]);
      const weights = [0, 1].flatMap((d) => {
        const select = new Float32Array(2 * g * g);
        for (let i = 0; i < g; i++) select[(d * g + i) * g + i] = 1;
        const [, recurrent, bias] = w.slice(d * perLayer, (d + 1) * perLayer);
        const b = bias.slice();
        b.fill(0, 0, g);
        const biasShape = c.cell === 'lstm' ? [g] : [2, g];
        return [nn.tensor(select, [2 * g, g]), nn.tensor(recurrent, [units, g]), nn.tensor(b, biasShape)];
      });
      reference.setWeights(weights);
      const mask = nn.tensor(
        Array.from({ length: batch * steps }, (_, i) => (i % steps < steps - (i < steps ? 2 : 0) ? 1 : 0)),
        [batch, steps],
      );
      const xt = nn.tensor(x, [batch, steps, features]);
      const p = nn.tensor(both, [batch, steps, 2 * g]);
      expectSameValues(q.predict(xt).dataSync(), reference.apply(p).dataSync());
      expectSameValues(q.layers[0].apply(xt, { mask }).dataSync(), reference.apply(p, { mask }).dataSync());
      const d = maxAbsDiff(q.predict(xt).dataSync(), model.predict(xt).dataSync());
      expect(d).toBeLessThan(0.1);
      expect(d).toBeGreaterThan(0);
      reference.dispose();
      nn.dispose([xt, p, mask, ...weights]);
      for (const m of [model, q]) m.dispose();
    });
  }

  it('static mode quantizes both directions alike; model files, dequantize, summary', async () => {
    const model = nn.sequential({
      layers: [
        nn.layers.embedding({ inputDim: 20, outputDim: 4, inputLength: 7, maskZero: true }),
        nn.layers.bidirectional({
          layer: nn.layers.lstm({ units: 3, returnSequences: true }),
          backwardLayer: nn.layers.gru({ units: 3, returnSequences: true, goBackwards: true }),
        }),
        nn.layers.globalAveragePooling1d(),
        nn.layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    randomizeWeights(model, 81);
    const ids = nn.tensor(
      Array.from({ length: 30 * 7 }, (_, i) => (i % 7 > 4 ? 0 : 1 + Math.floor(rng(i + 3)() * 19))),
      [30, 7],
      'int32',
    );
    const q = await nn.quantize(model, { mode: 'static', calibrationData: ids });
    const bi = q.layers[1] as unknown as { forwardLayer: QuantizedRecurrent; backwardLayer: QuantizedRecurrent };
    expect([bi.forwardLayer.className, bi.backwardLayer.className]).toEqual(['QuantizedLSTM', 'QuantizedGRU']);
    expect(bi.forwardLayer.inputQuantization).not.toBeNull();
    expect(bi.backwardLayer.inputQuantization).toEqual(bi.forwardLayer.inputQuantization);
    const a = q.predict(ids).dataSync();
    expect(maxAbsDiff(a, model.predict(ids).dataSync())).toBeLessThan(0.05);
    const lines: string[] = [];
    q.summary((line: string) => lines.push(line));
    expect(lines.some((l) => l.includes(`${q.layers[1].name} (recurrent kernel in float32)`))).toBe(true);
    const artifacts = await nn.io.modelArtifacts(q);
    expect(artifacts.weightSpecs!.filter((s) => s.dtype === 'int8').map((s) => s.name)).toEqual([
      `${q.layers[0].name}/embeddings`,
      `${q.layers[1].name}/${bi.forwardLayer.name}/kernel`,
      `${q.layers[1].name}/${bi.backwardLayer.name}/kernel`,
      `${q.layers[3].name}/kernel`,
    ]);
    const loaded = await nn.loadLayersModel(nn.io.fromMemory(artifacts));
    expect(loaded.layers[1].className).toBe('QuantizedBidirectional');
    expect(loaded.predict(ids).dataSync()).toEqual(a);
    const back = await nn.dequantize(q);
    expect(back.layers.map((l) => l.className)).toEqual([
      'Embedding',
      'Bidirectional',
      'GlobalAveragePooling1D',
      'Dense',
    ]);
    expect(back.layers[1].getConfig()).toEqual(model.layers[1].getConfig());
    expect(maxAbsDiff(back.predict(ids).dataSync(), a)).toBeLessThan(0.05);
    // the weights: q.getWeights gives each direction's four, setWeights takes them back
    const w = q.layers[1].getWeights();
    expect(w).toHaveLength(8);
    q.layers[1].setWeights(w);
    expect(() => q.layers[1].setWeights(w.slice(0, 7))).toThrow(/expected 8 weight tensors/);
    nn.dispose(w);
    for (const m of [model, q, loaded, back]) m.dispose();
    ids.dispose();
  });
});

// ---------------------------------------------------------------------------------------------
// Small trained text models

/** Share of rows whose predicted class (p > 0.5) is the same. */
function agreement(a: Float32Array, b: Float32Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > 0.5 === b[i] > 0.5) same++;
  return same / a.length;
}

describe('int8 spam filters after training (a slice of the SpamAssassin corpus)', () => {
  let corpus: SpamCorpus;
  beforeAll(async () => {
    corpus = await loadSpam();
  });

  const variants: Array<[string, boolean, () => nn.layers.Layer[]]> = [
    [
      'conv1d + global max pooling',
      false,
      () => [nn.layers.conv1d({ filters: 32, kernelSize: 5, activation: 'relu' }), nn.layers.globalMaxPooling1d()],
    ],
    ['lstm, masked', true, () => [nn.layers.lstm({ units: 16 })]],
    ['gru (resetAfter), masked', true, () => [nn.layers.gru({ units: 16, resetAfter: true })]],
  ];
  for (const [name, maskZero, layers] of variants) {
    it(`${name}: the int8 model agrees with the float model on >= 99% of 400 held-out emails, dynamic and static`, async () => {
      const split = nn.data.trainTestIndices(corpus.labels, { testSize: 0.25, stratify: true, seed: 5 });
      const texts = (rows: ArrayLike<number>) => Array.from(rows, (i) => corpus.texts[i]);
      const train = texts(split.train.slice(0, 800));
      const trainLabels = Float32Array.from(split.train.slice(0, 800), (i) => corpus.labels[i]);
      const test = texts(split.test.slice(0, 400));
      const testLabels = Float32Array.from(split.test.slice(0, 400), (i) => corpus.labels[i]);
      nn.setSeed(5);
      const vectorizer = nn.layers.textVectorization({ maxTokens: 5000, outputSequenceLength: 60 });
      vectorizer.adapt(train);
      const model = nn.sequential({
        layers: [
          vectorizer,
          nn.layers.embedding({ inputDim: vectorizer.vocabularySize(), outputDim: 16, maskZero }),
          ...layers(),
          nn.layers.dense({ units: 1, activation: 'sigmoid' }),
        ],
      });
      model.compile({ optimizer: nn.train.adam(0.005), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
      await model.fit(train, trainLabels, { epochs: 4, batchSize: 32, seed: 5, verbose: 0 });
      const accuracy = (model.evaluate(test, testLabels) as nn.Tensor[])[1].dataSync()[0];
      // better than always answering "ham" (about 69% of the emails)
      expect(accuracy).toBeGreaterThan(0.8);
      const float = model.predict(test).dataSync() as Float32Array;
      for (const options of [{}, { mode: 'static' as const, calibrationData: train.slice(0, 300) }]) {
        const q = await nn.quantize(model, options);
        // every layer with weights computes in int8
        expect(q.layers.every((l) => l.computePrecision === 'int8' || l.countParams() === 0)).toBe(true);
        const int8 = q.predict(test).dataSync() as Float32Array;
        expect(agreement(int8, float)).toBeGreaterThanOrEqual(0.99);
        q.dispose();
      }
      model.dispose();
    }, 60_000);
  }
});
