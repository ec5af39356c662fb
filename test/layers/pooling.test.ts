// MaxPooling1D and AveragePooling1D: kernels and gradients against a float64 reference over pool
// sizes, strides and paddings, tfjs 4.22 parity and model files both ways, options, training.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { expectClose, MODULES } from '../helpers/close.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { randomArray } from '../helpers/random.js';
import { expectTrainsOnTrace, nnPredict, tfjsArtifacts, tfjsPredict } from './sequence-helpers.js';

beforeAll(async () => {
  await nn.ready({ relaxedSimd: false });
  await tf.setBackend('cpu');
});

interface Case {
  size: number;
  stride: number;
  padding: 'valid' | 'same';
}

/** Float64 pooling of x [b, steps, c], TensorFlow's windows (padding steps not counted). */
function pool64(kind: 'max' | 'avg', x: ArrayLike<number>, [batch, steps, ch]: number[], c: Case) {
  let out: number;
  let padLeft = 0;
  if (c.padding === 'valid') out = Math.ceil((steps - c.size + 1) / c.stride);
  else {
    out = Math.ceil(steps / c.stride);
    padLeft = Math.floor(Math.max((out - 1) * c.stride + c.size - steps, 0) / 2);
  }
  const y = new Float64Array(batch * out * ch);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < out; t++) {
      for (let k = 0; k < ch; k++) {
        let acc = kind === 'max' ? -Infinity : 0;
        let n = 0;
        for (let s = t * c.stride - padLeft; s < t * c.stride - padLeft + c.size; s++) {
          if (s < 0 || s >= steps) continue;
          const v = x[(b * steps + s) * ch + k];
          acc = kind === 'max' ? Math.max(acc, v) : acc + v;
          n++;
        }
        y[(b * out + t) * ch + k] = kind === 'max' ? acc : acc / n;
      }
    }
  }
  return { y, out };
}

const CASES: Case[] = [];
for (const padding of ['valid', 'same'] as const) {
  for (const [size, stride] of [
    [2, 2],
    [3, 1],
    [3, 2],
    [2, 3],
    [4, 3],
    [1, 1],
  ]) {
    CASES.push({ size, stride, padding });
  }
}
const name = (c: Case) => `${c.padding} poolSize ${c.size} strides ${c.stride}`;
const make = (kind: 'max' | 'avg', args: nn.layers.Pooling1DArgs) =>
  kind === 'max' ? nn.layers.maxPooling1d(args) : nn.layers.averagePooling1d(args);

describe.each(['max', 'avg'] as const)('%s pooling 1d', (kind) => {
  it.each(MODULES)('forward as a float64 reference over windows and channel tails (relaxed %s)', async (relaxed) => {
    await nn.ready({ relaxedSimd: relaxed });
    for (const c of CASES) {
      for (const channels of [1, 4, 7]) {
        const shape = [3, 9, channels];
        const xv = randomArray(27 * channels, 4, -2, 2);
        const x = nn.tensor(xv, shape);
        const y = make(kind, { poolSize: c.size, strides: c.stride, padding: c.padding }).apply(x);
        const ref = pool64(kind, xv, shape, c);
        expect(y.shape, name(c)).toEqual([3, ref.out, channels]);
        expectClose(y.dataSync(), ref.y, 1e-6, 1e-6, name(c));
        nn.dispose([x, y]);
      }
    }
    await nn.ready({ relaxedSimd: false });
  });

  it.each(CASES.map((c) => [name(c), c] as const))('%s: gradient matches finite differences', (_, c) => {
    const shape = [2, 8, 5];
    gradCheck({
      shapes: [shape],
      op: (x) => make(kind, { poolSize: c.size, strides: c.stride, padding: c.padding }).apply(x),
      forward64: ([x]) => pool64(kind, x, shape, c).y,
      seed: 21,
    });
  });

  it.each(CASES.map((c) => [name(c), c] as const))('%s: predicts as tfjs 4.22', (_, c) => {
    const args = { poolSize: c.size, strides: c.stride, padding: c.padding, inputShape: [11, 6] };
    const tm = tfl.sequential({
      layers: [kind === 'max' ? tfl.layers.maxPooling1d(args) : tfl.layers.averagePooling1d(args)],
    });
    const model = nn.sequential({ layers: [make(kind, args)] });
    const xv = randomArray(4 * 66, 6, -2, 2);
    expectClose(nnPredict(model, xv, [4, 11, 6]), tfjsPredict(tm, xv, [4, 11, 6]), 1e-5, 1e-6);
    model.dispose();
    tm.dispose();
  });

  it('reads the model files tfjs writes and writes files tfjs reads', async () => {
    const args = { poolSize: 3, strides: 2, padding: 'same' as const, inputShape: [10, 4] };
    const tm = tfl.sequential({
      layers: [
        kind === 'max' ? tfl.layers.maxPooling1d(args) : tfl.layers.averagePooling1d(args),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    const xv = randomArray(3 * 40, 7, -2, 2);
    const loaded = await nn.loadLayersModel(nn.io.fromMemory(await tfjsArtifacts(tm)));
    const l = loaded.layers[0] as nn.layers.MaxPooling1D;
    expect([l.className, l.poolSize, l.strides, l.padding]).toEqual([
      kind === 'max' ? 'MaxPooling1D' : 'AveragePooling1D',
      3,
      2,
      'same',
    ]);
    expectClose(nnPredict(loaded, xv, [3, 10, 4]), tfjsPredict(tm, xv, [3, 10, 4]), 1e-5, 1e-6);
    const back = await tfl.loadLayersModel(tf.io.fromMemory(await nn.io.modelArtifacts(loaded)));
    expectClose(tfjsPredict(back, xv, [3, 10, 4]), nnPredict(loaded, xv, [3, 10, 4]), 1e-5, 1e-6);
    loaded.dispose();
    tm.dispose();
    back.dispose();
  });

  it('trains on the traced path with memory flat', async () => {
    nn.setSeed(8);
    const model = nn.sequential({
      layers: [
        nn.layers.conv1d({ filters: 6, kernelSize: 3, activation: 'relu', inputShape: [12, 3] }),
        make(kind, { poolSize: 2 }),
        nn.layers.flatten(),
        nn.layers.dense({ units: 2 }),
      ],
    });
    const losses = await expectTrainsOnTrace(model, [16, 12, 3], [16, 2]);
    expect(losses.at(-1)!).toBeLessThan(losses[0]);
    model.dispose();
  });

  it('a window holding a NaN pools to NaN, wherever the NaN is', () => {
    for (const at of [0, 1, 5]) {
      const xv = randomArray(2 * 6 * 6, 12, -1, 1);
      xv[at * 6 + 1] = Number.NaN; // step `at` of the first sequence, channel 1
      const x = nn.tensor(xv, [2, 6, 6]);
      const y = make(kind, { poolSize: 6 }).apply(x);
      const v = y.dataSync();
      expect(Number.isNaN(v[1]), `NaN at step ${at}`).toBe(true);
      expect(Array.from(v).filter(Number.isNaN)).toHaveLength(1);
      nn.dispose([x, y]);
    }
  });

  it('defaults and bad options', () => {
    const layer = make(kind, {});
    expect([layer.poolSize, layer.strides, layer.padding]).toEqual([2, 2, 'valid']);
    expect(make(kind, { poolSize: [3] }).strides).toBe(3);
    expect(() => make(kind, { poolSize: 0 })).toThrow(/poolSize to be a positive integer/);
    expect(() => make(kind, { strides: 1.5 })).toThrow(/strides to be a positive integer/);
    expect(() => make(kind, { padding: 'causal' as never })).toThrow(/padding to be 'valid' or 'same'/);
    expect(() => make(kind, { poolsize: 2 } as never)).toThrow(/did you mean poolSize/);
    const x = nn.zeros([1, 2, 3]);
    expect(() => make(kind, { poolSize: 3 }).apply(x)).toThrow(/2 steps is shorter than the window/);
    x.dispose();
  });
});
