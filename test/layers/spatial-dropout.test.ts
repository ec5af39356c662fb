// SpatialDropout1D: whole channels dropped per example, fresh masks at every replay, masks passed
// on, tfjs model files, options.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { expectClose } from '../helpers/close.js';
import { randomArray } from '../helpers/random.js';
import { expectTrainsOnTrace, MarkNonZero, nnPredict, tfjsArtifacts, tfjsPredict } from './sequence-helpers.js';

beforeAll(async () => {
  await nn.ready({ relaxedSimd: false });
  await tf.setBackend('cpu');
});

/** For y = dropout(x) with x all ones [b, s, c]: per (example, channel), the one value it has at every step. */
function channelValues(y: Float32Array, [b, s, c]: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < b; i++) {
    for (let k = 0; k < c; k++) {
      const v = y[i * s * c + k];
      for (let t = 1; t < s; t++) expect(y[(i * s + t) * c + k]).toBe(v);
      out.push(v);
    }
  }
  return out;
}

describe('SpatialDropout1D', () => {
  it('drops whole channels per example, scales the rest, and is the identity at inference', () => {
    const shape = [40, 6, 25];
    const x = nn.ones(shape);
    const layer = nn.layers.spatialDropout1d({ rate: 0.4, seed: 3 });
    const y = layer.apply(x, { training: true });
    const values = channelValues(y.dataSync() as Float32Array, shape);
    const kept = values.filter((v) => v !== 0);
    for (const v of kept) expect(v).toBeCloseTo(1 / 0.6, 6);
    // 1000 channels, each kept with probability 0.6: the count within 5 standard deviations
    expect(Math.abs(kept.length - 600)).toBeLessThan(5 * Math.sqrt(1000 * 0.24));
    const z = layer.apply(x);
    expect(Array.from(z.dataSync())).toEqual(Array.from(x.dataSync()));
    // the same seed draws the same masks; a call draws a fresh one
    const again = nn.layers.spatialDropout1d({ rate: 0.4, seed: 3 }).apply(x, { training: true });
    expect(Array.from(again.dataSync())).toEqual(Array.from(y.dataSync()));
    const next = layer.apply(x, { training: true });
    expect(Array.from(next.dataSync())).not.toEqual(Array.from(y.dataSync()));
    nn.dispose([x, y, z, again, next, layer]);
  });

  it('its gradient is the same mask', () => {
    const x = nn.tensor(randomArray(2 * 3 * 4, 2), [2, 3, 4]);
    const layer = nn.layers.spatialDropout1d({ rate: 0.5, seed: 9 });
    const g = nn.grad((t) => nn.sum(layer.apply(t, { training: true })))(x);
    const ones = nn.ones([2, 3, 4]);
    const mask = nn.layers.spatialDropout1d({ rate: 0.5, seed: 9 }).apply(ones, { training: true });
    expect(Array.from(g.dataSync())).toEqual(Array.from(mask.dataSync()));
    nn.dispose([x, g, ones, mask, layer]);
  });

  it('draws fresh masks at every replayed training step, with memory flat, and passes a mask on', async () => {
    nn.setSeed(5);
    const model = nn.sequential({
      layers: [
        new MarkNonZero({ inputShape: [6, 4] }),
        nn.layers.spatialDropout1d({ rate: 0.3 }),
        nn.layers.globalAveragePooling1d(),
        nn.layers.dense({ units: 2 }),
      ],
    });
    const seen: number[][] = [];
    await expectTrainsOnTrace(model, [16, 6, 4], [16, 2]);
    // the masks of two replayed steps differ: the trace's host step drew again
    const step = model.step('train', 4);
    for (let i = 0; i < 2; i++) {
      step.x.view().fill(1);
      step.y!.view().fill(0);
      seen.push(Array.from(step.run().predictions.dataSync()));
    }
    expect(seen[0]).not.toEqual(seen[1]);
    model.dispose();
  });

  it('reads and writes tfjs model files', async () => {
    const tm = tfl.sequential({
      layers: [tfl.layers.spatialDropout1d({ rate: 0.25, inputShape: [5, 3] }), tfl.layers.dense({ units: 2 })],
    });
    const loaded = await nn.loadLayersModel(nn.io.fromMemory(await tfjsArtifacts(tm)));
    expect((loaded.layers[0] as nn.layers.SpatialDropout1D).rate).toBe(0.25);
    const xv = randomArray(4 * 15, 3, -1, 1);
    expectClose(nnPredict(loaded, xv, [4, 5, 3]), tfjsPredict(tm, xv, [4, 5, 3]), 1e-5, 1e-6);
    const back = await tfl.loadLayersModel(tf.io.fromMemory(await nn.io.modelArtifacts(loaded)));
    expect(back.layers[0].getClassName()).toBe('SpatialDropout1D');
    expectClose(tfjsPredict(back, xv, [4, 5, 3]), nnPredict(loaded, xv, [4, 5, 3]), 1e-5, 1e-6);
    nn.dispose([loaded]);
    tm.dispose();
    back.dispose();
  });

  it('rejects bad options and inputs', () => {
    expect(() => nn.layers.spatialDropout1d({ rate: 1 })).toThrow(/rate in \[0, 1\)/);
    expect(() => nn.layers.spatialDropout1d({ rate: 0.1, seed: 'a' as never })).toThrow(/seed to be a finite number/);
    expect(() => nn.layers.spatialDropout1d({ rate: 0.1, noiseShape: [1] } as never)).toThrow(/unknown option/);
    const x = nn.zeros([2, 3]);
    expect(() => nn.layers.spatialDropout1d({ rate: 0.1 }).apply(x)).toThrow(/\[batch, steps, channels\]/);
    x.dispose();
  });
});
