// GlobalAveragePooling1D and GlobalMaxPooling1D: float64 references with and without masks,
// finite-difference gradients, tfjs parity and model files both ways, options, training on the trace.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { expectClose } from '../helpers/close.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { randomArray } from '../helpers/random.js';
import { expectTrainsOnTrace, MarkNonZero, nnPredict, tfjsArtifacts, tfjsPredict } from './sequence-helpers.js';

beforeAll(async () => {
  await nn.ready({ relaxedSimd: false });
  await tf.setBackend('cpu');
});

/** Float64 global pooling of x [b, s, c] over the steps where mask (b×s, or all) is 1; 0 for none. */
function pool64(kind: 'avg' | 'max', x: ArrayLike<number>, [b, s, c]: number[], mask?: ArrayLike<number>) {
  const y = new Float64Array(b * c);
  for (let i = 0; i < b; i++) {
    for (let k = 0; k < c; k++) {
      let acc = kind === 'max' ? -Infinity : 0;
      let n = 0;
      for (let t = 0; t < s; t++) {
        if (mask && mask[i * s + t] === 0) continue;
        const v = x[(i * s + t) * c + k];
        acc = kind === 'max' ? Math.max(acc, v) : acc + v;
        n++;
      }
      y[i * c + k] = n === 0 ? 0 : kind === 'max' ? acc : acc / n;
    }
  }
  return y;
}

const SHAPE = [3, 5, 4];
// the second sequence has two padded steps, the third none real
const MASK = [1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0];

const layerOf = (kind: 'avg' | 'max', args: nn.layers.GlobalPooling1DArgs = {}) =>
  kind === 'avg' ? nn.layers.globalAveragePooling1d(args) : nn.layers.globalMaxPooling1d(args);

describe.each(['avg', 'max'] as const)('global %s pooling 1d', (kind) => {
  it('forward without and with a mask, and keepdims, as a float64 reference', () => {
    const xv = randomArray(60, 11, -2, 2);
    const x = nn.tensor(xv, SHAPE);
    const mask = nn.tensor(MASK, [3, 5]);
    const layer = layerOf(kind);
    const plain = layer.apply(x);
    expect(plain.shape).toEqual([3, 4]);
    expectClose(plain.dataSync(), pool64(kind, xv, SHAPE), 1e-6, 1e-6);
    const masked = layer.apply(x, { mask });
    expectClose(masked.dataSync(), pool64(kind, xv, SHAPE, MASK), 1e-6, 1e-6);
    const kept = layerOf(kind, { keepdims: true }).apply(x, { mask });
    expect(kept.shape).toEqual([3, 1, 4]);
    expectClose(kept.dataSync(), pool64(kind, xv, SHAPE, MASK), 1e-6, 1e-6);
    expect(layer.computeMask(x, mask)).toBeNull();
    expect(layer.supportsMasking).toBe(true);
    nn.dispose([x, mask, plain, masked, kept]);
  });

  it('gradients match finite differences, with and without a mask', () => {
    for (const mask of [undefined, MASK]) {
      gradCheck({
        shapes: [SHAPE],
        op: (x) => {
          const m = mask ? nn.tensor(mask, [3, 5]) : null;
          return layerOf(kind).apply(x, { mask: m });
        },
        forward64: ([x], [s]) => pool64(kind, x, s, mask),
        seed: 5,
      });
    }
  });

  it('predicts as tfjs 4.22 and reads and writes its model files', async () => {
    const tfName = kind === 'avg' ? 'globalAveragePooling1d' : 'globalMaxPooling1d';
    const tm = tfl.sequential();
    tm.add(tfl.layers[tfName]({ inputShape: [5, 4] }));
    tm.add(tfl.layers.dense({ units: 3, activation: 'tanh' }));
    const xv = randomArray(6 * 20, 3, -2, 2);
    // tfjs's file in neurasm
    const loaded = await nn.loadLayersModel(nn.io.fromMemory(await tfjsArtifacts(tm)));
    expect(loaded.layers[0].className).toBe(kind === 'avg' ? 'GlobalAveragePooling1D' : 'GlobalMaxPooling1D');
    expectClose(nnPredict(loaded, xv, [6, 5, 4]), tfjsPredict(tm, xv, [6, 5, 4]), 1e-5, 1e-6);
    // neurasm's file in tfjs
    const model = nn.sequential({
      layers: [layerOf(kind, { inputShape: [5, 4] }), nn.layers.dense({ units: 2, activation: 'sigmoid' })],
    });
    const back = await tfl.loadLayersModel(tf.io.fromMemory(await nn.io.modelArtifacts(model)));
    expectClose(tfjsPredict(back, xv, [6, 5, 4]), nnPredict(model, xv, [6, 5, 4]), 1e-5, 1e-6);
    // keepdims survives a neurasm round trip
    const kept = nn.sequential({ layers: [layerOf(kind, { inputShape: [5, 4], keepdims: true })] });
    const again = await nn.loadLayersModel(nn.io.fromMemory(await nn.io.modelArtifacts(kept)));
    expect((again.layers[0] as nn.layers.GlobalMaxPooling1D).keepdims).toBe(true);
    nn.dispose([loaded, model, kept, again]);
    tm.dispose();
    back.dispose();
  });

  it('trains on the traced path, with a mask, memory flat', async () => {
    nn.setSeed(3);
    const model = nn.sequential({
      layers: [new MarkNonZero({ inputShape: [5, 4] }), layerOf(kind), nn.layers.dense({ units: 2 })],
    });
    const xv = randomArray(16 * 20, 9, -1, 1);
    for (let i = 0; i < 16; i++) if (i % 3 === 0) xv[i * 20 + 16] = 0; // padded last steps
    const losses = await expectTrainsOnTrace(model, [16, 5, 4], [16, 2], { x: xv });
    expect(losses.at(-1)!).toBeLessThan(losses[0]);
    model.dispose();
  });

  it('rejects bad options and inputs', () => {
    expect(() => layerOf(kind, { keepdims: 1 as never })).toThrow(/keepdims to be true or false/);
    expect(() => layerOf(kind, { dataFormat: 'channelsFirst' as never })).toThrow(/channelsLast/);
    expect(() => layerOf(kind, { poolSize: 2 } as never)).toThrow(/unknown option "poolSize"/);
    const x = nn.zeros([2, 3]);
    expect(() => layerOf(kind).apply(x)).toThrow(/expected input of shape \[batch, steps, channels\]/);
    const empty = nn.zeros([2, 0, 3]);
    expect(() => layerOf(kind).apply(empty)).toThrow(/expected at least one step, got 0/);
    nn.dispose([x, empty]);
  });
});
