// Conv1D: a float64 reference over paddings, strides and dilations (both compute paths: GEMM
// reading the sequence directly, and im2col), finite-difference gradients, tfjs 4.22 parity and
// model files both ways, options, training on the trace.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { conv1d, geometry1d, type Padding1D } from '../../src/ops/conv1d.js';
import { expectClose } from '../helpers/close.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { randomArray } from '../helpers/random.js';
import { expectTrainsOnTrace, MarkNonZero, nnPredict, tfjsArtifacts, tfjsPredict } from './sequence-helpers.js';

beforeAll(async () => {
  await nn.ready({ relaxedSimd: false });
  await tf.setBackend('cpu');
});

interface Case {
  steps: number;
  channels: number;
  filters: number;
  size: number;
  stride: number;
  dilation: number;
  padding: Padding1D;
}

/** Float64 conv1d of x [b, steps, c] with kernel [size, c, f] and bias [f], TensorFlow's padding. */
function conv64(x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number> | null, batch: number, c: Case) {
  const span = c.dilation * (c.size - 1) + 1;
  let out: number;
  let padLeft = 0;
  if (c.padding === 'valid') out = Math.ceil((c.steps - span + 1) / c.stride);
  else {
    out = Math.ceil(c.steps / c.stride);
    padLeft = c.padding === 'causal' ? span - 1 : Math.floor(Math.max((out - 1) * c.stride + span - c.steps, 0) / 2);
  }
  const y = new Float64Array(batch * out * c.filters);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < out; t++) {
      for (let f = 0; f < c.filters; f++) {
        let s = bias ? bias[f] : 0;
        for (let k = 0; k < c.size; k++) {
          const step = t * c.stride + k * c.dilation - padLeft;
          if (step < 0 || step >= c.steps) continue;
          for (let ch = 0; ch < c.channels; ch++) {
            s += x[(b * c.steps + step) * c.channels + ch] * w[(k * c.channels + ch) * c.filters + f];
          }
        }
        y[(b * out + t) * c.filters + f] = s;
      }
    }
  }
  return { y, out };
}

const CASES: Case[] = [];
for (const padding of ['valid', 'same', 'causal'] as const) {
  for (const [stride, dilation] of [
    [1, 1],
    [2, 1],
    [3, 1],
    [1, 2],
    [1, 3],
  ]) {
    for (const size of [1, 3, 4]) CASES.push({ steps: 10, channels: 3, filters: 5, size, stride, dilation, padding });
  }
}

const name = (c: Case) => `${c.padding} size ${c.size} stride ${c.stride} dilation ${c.dilation}`;

describe('conv1d op', () => {
  it.each(CASES.map((c) => [name(c), c] as const))('%s: forward as a float64 reference', (_, c) => {
    const batch = 3;
    const xv = randomArray(batch * c.steps * c.channels, 1, -1, 1);
    const wv = randomArray(c.size * c.channels * c.filters, 2, -1, 1);
    const bv = randomArray(c.filters, 3, -1, 1);
    const x = nn.tensor(xv, [batch, c.steps, c.channels]);
    const w = nn.tensor(wv, [c.size, c.channels, c.filters]);
    const b = nn.tensor(bv, [c.filters]);
    const g = geometry1d(c.steps, c.size, c.stride, c.dilation, c.padding);
    const y = conv1d(x, w, b, g, 'linear', 0);
    const ref = conv64(xv, wv, bv, batch, c);
    expect(y.shape).toEqual([batch, ref.out, c.filters]);
    expectClose(y.dataSync(), ref.y, 1e-5, 1e-5);
    const r = conv1d(x, w, null, g, 'relu', 0);
    expectClose(
      r.dataSync(),
      conv64(xv, wv, null, batch, c).y.map((v) => Math.max(v, 0)),
      1e-5,
      1e-5,
    );
    nn.dispose([x, w, b, y, r]);
  });

  const GRAD_CASES = CASES.filter((c) => c.size === 3 || (c.size === 4 && c.stride === 2));
  it.each(GRAD_CASES.map((c) => [name(c), c] as const))('%s: gradients match finite differences', (_, c) => {
    const small = { ...c, steps: 7, channels: 2, filters: 3 };
    const batch = 2;
    const g = geometry1d(small.steps, small.size, small.stride, small.dilation, small.padding);
    gradCheck({
      shapes: [[batch, small.steps, small.channels], [small.size, small.channels, small.filters], [small.filters]],
      op: (x, w, b) => conv1d(x, w, b, g, 'tanh', 0),
      forward64: ([x, w, b]) => conv64(x, w, b, batch, small).y.map(Math.tanh),
      seed: 13,
    });
  });
});

/** A neurasm and a tfjs Conv1D model with the same weights. */
function twins(c: Case, activation: 'relu' | 'linear' | 'sigmoid' | 'elu' | 'softmax' | 'tanh' = 'relu') {
  const args = {
    filters: c.filters,
    kernelSize: c.size,
    strides: c.stride,
    padding: c.padding,
    dilationRate: c.dilation,
    activation,
    inputShape: [c.steps, c.channels],
  };
  const model = nn.sequential({ layers: [nn.layers.conv1d(args)] });
  // tfjs 4.22 has no causal padding (nor a 1-D zero padding layer): its model reads the sequence
  // with the zeros already before it, through a 'valid' convolution
  const pad = c.padding === 'causal' ? c.dilation * (c.size - 1) : 0;
  const tm = tfl.sequential({
    layers: [
      tfl.layers.conv1d({ ...args, padding: pad > 0 ? 'valid' : c.padding, inputShape: [c.steps + pad, c.channels] }),
    ],
  });
  const tfjsOn = (x: Float32Array, batch: number) => {
    const padded = new Float32Array(batch * (c.steps + pad) * c.channels);
    for (let b = 0; b < batch; b++) {
      padded.set(
        x.subarray(b * c.steps * c.channels, (b + 1) * c.steps * c.channels),
        (b * (c.steps + pad) + pad) * c.channels,
      );
    }
    return tfjsPredict(tm, padded, [batch, c.steps + pad, c.channels]);
  };
  const wv = randomArray(c.size * c.channels * c.filters, 21, -1, 1);
  const bv = randomArray(c.filters, 22, -1, 1);
  const w = nn.tensor(wv, [c.size, c.channels, c.filters]);
  const b = nn.tensor(bv, [c.filters]);
  model.layers[0].setWeights([w, b]);
  nn.dispose([w, b]);
  tm.layers[0].setWeights([tf.tensor(wv, [c.size, c.channels, c.filters]), tf.tensor(bv, [c.filters])]);
  return { model, tm, tfjsOn };
}

describe('Conv1D layer', () => {
  it.each(CASES.filter((c) => c.size === 3).map((c) => [name(c), c] as const))(
    '%s: predicts as tfjs 4.22 on the same weights',
    (_, c) => {
      const { model, tm, tfjsOn } = twins(c);
      const xv = randomArray(4 * c.steps * c.channels, 8, -2, 2);
      expectClose(nnPredict(model, xv, [4, c.steps, c.channels]), tfjsOn(xv, 4), 1e-5, 1e-5);
      model.dispose();
      tm.dispose();
    },
  );

  it.each(['sigmoid', 'softmax', 'tanh', 'linear'] as const)('activation %s predicts as tfjs 4.22', (activation) => {
    const c: Case = { steps: 8, channels: 3, filters: 4, size: 3, stride: 1, dilation: 1, padding: 'same' };
    const { model, tm, tfjsOn } = twins(c, activation);
    const xv = randomArray(2 * 24, 10, -2, 2);
    expectClose(nnPredict(model, xv, [2, 8, 3]), tfjsOn(xv, 2), 1e-5, 1e-6);
    model.dispose();
    tm.dispose();
  });

  it('reads the model files tfjs writes and writes files tfjs reads', async () => {
    const c: Case = { steps: 12, channels: 4, filters: 6, size: 3, stride: 2, dilation: 1, padding: 'same' };
    const { model, tm } = twins(c, 'elu');
    const xv = randomArray(5 * 48, 9, -2, 2);
    const loaded = await nn.loadLayersModel(nn.io.fromMemory(await tfjsArtifacts(tm)));
    const l = loaded.layers[0] as nn.layers.Conv1D;
    expect([l.className, l.kernelSize, l.strides, l.padding, l.activation]).toEqual(['Conv1D', 3, 2, 'same', 'elu']);
    expectClose(nnPredict(loaded, xv, [5, 12, 4]), tfjsPredict(tm, xv, [5, 12, 4]), 1e-5, 1e-5);
    const dilated = nn.sequential({
      layers: [
        nn.layers.conv1d({ filters: 3, kernelSize: [2], dilationRate: 3, padding: 'same', inputShape: [12, 4] }),
        nn.layers.conv1d({ filters: 2, kernelSize: 3, useBias: false, kernelRegularizer: 'l2' }),
      ],
    });
    for (const m of [model, dilated]) {
      const back = await tfl.loadLayersModel(tf.io.fromMemory(await nn.io.modelArtifacts(m)));
      expectClose(tfjsPredict(back, xv, [5, 12, 4]), nnPredict(m, xv, [5, 12, 4]), 1e-5, 1e-5);
      back.dispose();
    }
    nn.dispose([model, loaded, dilated]);
    tm.dispose();
  });

  it('trains on the traced path with memory flat, the loss going down', async () => {
    nn.setSeed(4);
    const model = nn.sequential({
      layers: [
        nn.layers.conv1d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [9, 3] }),
        nn.layers.conv1d({ filters: 4, kernelSize: 2, dilationRate: 2, activation: 'tanh' }),
        nn.layers.globalMaxPooling1d(),
        nn.layers.dense({ units: 2 }),
      ],
    });
    const losses = await expectTrainsOnTrace(model, [16, 9, 3], [16, 2]);
    expect(losses.at(-1)!).toBeLessThan(losses[0]);
    model.dispose();
  });

  it('does not take a mask, as Keras', () => {
    const model = nn.sequential({
      layers: [new MarkNonZero({ inputShape: [4, 2] }), nn.layers.conv1d({ filters: 2, kernelSize: 2, name: 'c' })],
    });
    const x = nn.ones([1, 4, 2]);
    expect(() => model.predict(x)).toThrow(/Conv1D "c" does not support masking/);
    nn.dispose([x, model]);
  });

  it('rejects bad options and inputs with messages naming them', () => {
    const conv = (a: object) => () => nn.layers.conv1d({ filters: 2, kernelSize: 3, ...a } as nn.layers.Conv1DArgs);
    expect(conv({ filters: 0 })).toThrow(/filters to be a positive integer/);
    expect(conv({ kernelSize: [2, 2] })).toThrow(/kernelSize to be a positive integer \(or \[n\]\)/);
    expect(conv({ strides: 0 })).toThrow(/strides to be a positive integer/);
    expect(conv({ padding: 'full' })).toThrow(/padding to be 'valid' or 'same' or 'causal'/);
    expect(conv({ strides: 2, dilationRate: 2 })).toThrow(/one of them must be 1/);
    expect(conv({ dataFormat: 'channelsFirst' })).toThrow(/channelsLast/);
    expect(conv({ kernelConstraint: 'maxNorm' })).toThrow(/kernelConstraint is not supported/);
    expect(conv({ activation: 'relu6' })).toThrow(/unknown activation/);
    expect(conv({ kernelSzie: 3 })).toThrow(/did you mean kernelSize/);
    const layer = nn.layers.conv1d({ filters: 2, kernelSize: 5 });
    const short = nn.zeros([1, 4, 3]);
    expect(() => layer.apply(short)).toThrow(/4 steps is shorter than the window/);
    const flat = nn.zeros([2, 3]);
    expect(() => nn.layers.conv1d({ filters: 2, kernelSize: 1 }).apply(flat)).toThrow(/\[batch, steps, channels\]/);
    nn.dispose([short, flat, layer]);
  });
});
