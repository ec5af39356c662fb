// TimeDistributed: a layer at every time step (dense, and a conv1d over steps of sequences),
// float64 reference and gradients, tfjs parity and model files both ways, masks, training.
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

/** Float64 tanh(x·w + b) at every step of x [b, s, k] with w [k, n]. */
function dense64(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>, rows: number, k: number, n: number) {
  const y = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < n; j++) {
      let s = b[j];
      for (let p = 0; p < k; p++) s += x[r * k + p] * w[p * n + j];
      y[r * n + j] = Math.tanh(s);
    }
  }
  return y;
}

describe('TimeDistributed', () => {
  it('over a dense: the dense at every step, as a float64 reference, with its gradients', () => {
    const td = nn.layers.timeDistributed({ layer: nn.layers.dense({ units: 3, activation: 'tanh' }) });
    const xv = randomArray(2 * 4 * 5, 1, -1, 1);
    const x = nn.tensor(xv, [2, 4, 5]);
    const y = td.apply(x);
    expect(y.shape).toEqual([2, 4, 3]);
    const [w, b] = td.getWeights();
    expectClose(y.dataSync(), dense64(xv, w.dataSync(), b.dataSync(), 8, 5, 3), 1e-5, 1e-6);
    expect(td.namedWeights.map((n) => n.name)).toEqual([`${td.name}/kernel`, `${td.name}/bias`]);
    expect(td.countParams()).toBe(18);
    gradCheck({
      shapes: [[2, 4, 5], [5, 3], [3]],
      op: (xt, wt, bt) => {
        td.setWeights([wt, bt]);
        return td.apply(xt);
      },
      forward64: ([xs, ws, bs]) => dense64(xs, ws, bs, 8, 5, 3),
      constant: [1, 2],
    });
    nn.dispose([x, y, w, b, td]);
  });

  it('over a dense and over a conv1d, predicts as tfjs 4.22 on the same weights', () => {
    for (const inner of ['dense', 'conv1d'] as const) {
      const shape = inner === 'dense' ? [6, 5] : [3, 7, 2];
      const nnInner =
        inner === 'dense'
          ? nn.layers.dense({ units: 4, activation: 'relu' })
          : nn.layers.conv1d({ filters: 3, kernelSize: 2, activation: 'elu' });
      const tfInner =
        inner === 'dense'
          ? tfl.layers.dense({ units: 4, activation: 'relu' })
          : tfl.layers.conv1d({ filters: 3, kernelSize: 2, activation: 'elu' });
      const model = nn.sequential({ layers: [nn.layers.timeDistributed({ layer: nnInner, inputShape: shape })] });
      const tm = tfl.sequential({ layers: [tfl.layers.timeDistributed({ layer: tfInner, inputShape: shape })] });
      const weights = model.getWeights();
      tm.setWeights(weights.map((w) => tf.tensor(w.dataSync(), [...w.shape])));
      const n = 4 * shape.reduce((a, b) => a * b, 1);
      const xv = randomArray(n, 5, -2, 2);
      expectClose(nnPredict(model, xv, [4, ...shape]), tfjsPredict(tm, xv, [4, ...shape]), 1e-5, 1e-6, inner);
      nn.dispose([model, weights]);
      tm.dispose();
    }
  });

  it('reads the model files tfjs writes and writes files tfjs reads (the wrapped layer nested)', async () => {
    const tm = tfl.sequential({
      layers: [
        tfl.layers.timeDistributed({
          layer: tfl.layers.dense({ units: 3, activation: 'tanh', kernelInitializer: 'heNormal' }),
          inputShape: [4, 5],
        }),
      ],
    });
    const xv = randomArray(3 * 20, 6, -2, 2);
    const loaded = await nn.loadLayersModel(nn.io.fromMemory(await tfjsArtifacts(tm)));
    const td = loaded.layers[0] as nn.layers.TimeDistributed;
    expect([td.className, td.layer.className]).toEqual(['TimeDistributed', 'Dense']);
    expectClose(nnPredict(loaded, xv, [3, 4, 5]), tfjsPredict(tm, xv, [3, 4, 5]), 1e-5, 1e-6);
    const model = nn.sequential({
      layers: [
        nn.layers.timeDistributed({
          layer: nn.layers.conv1d({ filters: 2, kernelSize: 3, padding: 'same', kernelRegularizer: 'l2' }),
          inputShape: [4, 5, 2],
        }),
      ],
    });
    const artifacts = await nn.io.modelArtifacts(model);
    const back = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
    const x2 = randomArray(3 * 40, 7, -2, 2);
    expectClose(tfjsPredict(back, x2, [3, 4, 5, 2]), nnPredict(model, x2, [3, 4, 5, 2]), 1e-5, 1e-6);
    // and back into neurasm
    const again = await nn.loadLayersModel(nn.io.fromMemory(artifacts));
    expectClose(nnPredict(again, x2, [3, 4, 5, 2]), nnPredict(model, x2, [3, 4, 5, 2]), 0, 0);
    nn.dispose([loaded, model, again]);
    tm.dispose();
    back.dispose();
  });

  it('trains on the traced path with memory flat, passing a mask on', async () => {
    nn.setSeed(6);
    const model = nn.sequential({
      layers: [
        new MarkNonZero({ inputShape: [5, 4] }),
        nn.layers.timeDistributed({ layer: nn.layers.dense({ units: 6, activation: 'relu' }) }),
        nn.layers.timeDistributed({ layer: nn.layers.dropout({ rate: 0.2 }) }),
        nn.layers.globalAveragePooling1d(),
        nn.layers.dense({ units: 2 }),
      ],
    });
    const losses = await expectTrainsOnTrace(model, [16, 5, 4], [16, 2]);
    expect(losses.at(-1)!).toBeLessThan(losses[0]);
    model.dispose();
  });

  it('rejects what it cannot wrap, and inputs without steps', () => {
    expect(() => nn.layers.timeDistributed({} as never)).toThrow(/expected layer to be a layer/);
    expect(() => nn.layers.timeDistributed({ layer: 'dense' as never })).toThrow(/expected layer to be a layer/);
    expect(() =>
      nn.layers.timeDistributed({ layer: nn.layers.dense({ units: 2, activityRegularizer: 'l2' }) }),
    ).toThrow(/has an activityRegularizer; give it to the TimeDistributed instead/);
    const built = nn.layers.dense({ units: 2 });
    built.build([null, 3]);
    expect(() => nn.layers.timeDistributed({ layer: built })).toThrow(/already built/);
    const td = nn.layers.timeDistributed({ layer: nn.layers.dense({ units: 2 }) });
    const x = nn.zeros([2, 3]);
    expect(() => td.apply(x)).toThrow(/expected input of shape \[batch, steps, \.\.\.\]/);
    nn.dispose([x, built, td]);
  });
});
