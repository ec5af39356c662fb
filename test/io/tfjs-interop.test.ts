import { rm } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { expectClose } from '../helpers/close.js';
import { randomArray } from '../helpers/random.js';
import { serve, tempDir, tfjsFileLoader, tfjsFileSaver, tfjsReady } from './helpers.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));
beforeAll(tfjsReady);

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function dir(): Promise<string> {
  const d = await tempDir();
  dirs.push(d);
  return d;
}

function tfjsPredict(model: tfl.LayersModel, x: Float32Array, shape: number[]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync() as Float32Array);
}

function nnPredict(model: nn.Sequential, x: Float32Array, shape: number[]): Float32Array {
  const t = nn.tensor(x, shape);
  const p = model.predict(t);
  const out = p.dataSync();
  nn.dispose([t, p]);
  return out;
}

describe('tfjs saves, neurasm loads', () => {
  it('dense/dropout/activation stack saved by tfjs predicts the same in neurasm', async () => {
    const m = tfl.sequential();
    m.add(tfl.layers.dense({ units: 16, inputShape: [7], activation: 'relu' }));
    m.add(tfl.layers.dropout({ rate: 0.3 }));
    m.add(
      tfl.layers.dense({
        units: 8,
        activation: 'tanh',
        kernelInitializer: 'heNormal',
        biasInitializer: 'randomNormal',
      }),
    );
    m.add(tfl.layers.dense({ units: 5 }));
    m.add(tfl.layers.activation({ activation: 'softmax' }));
    const d = await dir();
    await m.save(tfjsFileSaver(d));
    const model = await nn.loadLayersModel(`file://${d}/model.json`);
    const x = randomArray(13 * 7, 1, -2, 2);
    expectClose(nnPredict(model, x, [13, 7]), tfjsPredict(m, x, [13, 7]), 1e-5, 1e-6);
    expect(model.layers.map((l) => l.className)).toEqual(['Dense', 'Dropout', 'Dense', 'Dense', 'Activation']);
    model.dispose();
    m.dispose();
  });

  it('flatten of a rank-3 input, sigmoid, elu, no bias', async () => {
    const m = tfl.sequential();
    m.add(tfl.layers.flatten({ inputShape: [3, 4] }));
    m.add(tfl.layers.dense({ units: 6, activation: 'elu', useBias: false }));
    m.add(tfl.layers.dense({ units: 1, activation: 'sigmoid' }));
    const d = await dir();
    await m.save(tfjsFileSaver(d));
    const model = await nn.loadLayersModel(`file://${d}`);
    const x = randomArray(9 * 12, 2, -3, 3);
    expectClose(nnPredict(model, x, [9, 3, 4]), tfjsPredict(m, x, [9, 3, 4]), 1e-5, 1e-6);
    model.dispose();
    m.dispose();
  });
});

describe('neurasm saves, tfjs loads', () => {
  it('over HTTP from the saved directory', async () => {
    nn.setSeed(3);
    const model = nn.sequential({
      layers: [
        nn.layers.dense({ units: 12, activation: 'relu', inputShape: [5] }),
        nn.layers.dropout({ rate: 0.1 }),
        nn.layers.dense({ units: 4, activation: 'softmax' }),
      ],
    });
    const d = await dir();
    const result = await model.save(`file://${d}`);
    expect(result.modelArtifactsInfo.weightDataBytes).toBe((5 * 12 + 12 + 12 * 4 + 4) * 4);
    const server = await serve(d);
    try {
      const m = await tfl.loadLayersModel(`${server.url}/model.json`);
      const x = randomArray(10 * 5, 4, -2, 2);
      expectClose(tfjsPredict(m, x, [10, 5]), nnPredict(model, x, [10, 5]), 1e-5, 1e-6);
      m.dispose();
    } finally {
      await server.close();
    }
    model.dispose();
  });

  it('every initializer and activation tfjs knows', async () => {
    const model = nn.sequential({
      layers: [
        nn.layers.inputLayer({ inputShape: [2, 3] }),
        nn.layers.flatten(),
        nn.layers.dense({ units: 4, activation: 'sigmoid', kernelInitializer: 'leCunNormal' }),
        nn.layers.dense({ units: 4, activation: 'tanh', kernelInitializer: 'leCunUniform', biasInitializer: 'ones' }),
        nn.layers.dense({ units: 4, activation: 'softplus', kernelInitializer: 'heUniform' }),
        nn.layers.dense({ units: 4, activation: 'gelu', kernelInitializer: 'glorotNormal' }),
        nn.layers.dense({ units: 3, activation: 'elu', kernelInitializer: 'randomUniform' }),
        nn.layers.activation({ activation: 'softmax' }),
      ],
    });
    const d = await dir();
    await model.save(`file://${d}`);
    const m = await tfl.loadLayersModel(tfjsFileLoader(d));
    const x = randomArray(6 * 6, 5, -2, 2);
    expectClose(tfjsPredict(m, x, [6, 2, 3]), nnPredict(model, x, [6, 2, 3]), 1e-5, 1e-6);
    m.dispose();
    model.dispose();
  });
});

describe('batch normalization and gaussian noise', () => {
  it('a trained tfjs model with batchNormalization predicts the same in neurasm, and back', async () => {
    const m = tfl.sequential();
    m.add(tfl.layers.dense({ units: 8, inputShape: [5], activation: 'relu' }));
    m.add(tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3 }));
    m.add(tfl.layers.gaussianNoise({ stddev: 0.1 }));
    m.add(tfl.layers.dense({ units: 3, activation: 'softmax' }));
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const xs = randomArray(40 * 5, 6, -2, 3);
    const ys = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: 40 }, (_, i) => i % 3),
        'int32',
      ),
      3,
    );
    await m.fit(tf.tensor2d(xs, [40, 5]), ys, { epochs: 3, batchSize: 8, verbose: 0 });
    const d = await dir();
    await m.save(tfjsFileSaver(d));
    const model = await nn.loadLayersModel(`file://${d}`);
    expect(model.layers.map((l) => l.className)).toEqual(['Dense', 'BatchNormalization', 'GaussianNoise', 'Dense']);
    const x = randomArray(9 * 5, 7, -2, 2);
    expectClose(nnPredict(model, x, [9, 5]), tfjsPredict(m, x, [9, 5]), 1e-5, 1e-6);
    const d2 = await dir();
    await model.save(`file://${d2}`);
    const back = await tfl.loadLayersModel(tfjsFileLoader(d2));
    expectClose(tfjsPredict(back, x, [9, 5]), nnPredict(model, x, [9, 5]), 1e-5, 1e-6);
    model.dispose();
    m.dispose();
    back.dispose();
  });
});
