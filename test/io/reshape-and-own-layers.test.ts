// The Reshape layer and layers of the user's own in model files: tfjs 4.22 reads neurasm's Reshape
// (and neurasm reads tfjs's), and a registered class round-trips through neurasm's files.
import { rm } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { expectClose } from '../helpers/close.js';
import { tempDir, tfjsFileLoader, tfjsFileSaver, tfjsReady } from './helpers.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));
beforeAll(tfjsReady);

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A layer that multiplies each feature by a trainable scale. */
class FeatureScale extends nn.layers.Layer {
  static readonly className: string = 'FeatureScale';
  scale: nn.Variable | null = null;
  computeOutputShape(shape: Array<number | null>): Array<number | null> {
    return shape;
  }
  protected override createWeights(shape: Array<number | null>): void {
    this.scale = this.addWeight('scale', [shape[shape.length - 1] as number], 'ones');
  }
  call(x: nn.Tensor): nn.Tensor {
    return nn.mul(x, this.scale!);
  }
}

describe('Reshape in model files', () => {
  it('tfjs loads a neurasm model with a Reshape layer and predicts the same; neurasm loads it back from tfjs', async () => {
    nn.setSeed(3);
    const model = nn.sequential({
      layers: [
        nn.layers.reshape({ targetShape: [3, 4], inputShape: [12] }),
        nn.layers.flatten({}),
        nn.layers.dense({ units: 5, activation: 'tanh' }),
      ],
    });
    const x = nn.randomNormal([4, 12]);
    const expected = model.predict(x).dataSync();
    const dir = await tempDir();
    dirs.push(dir);
    await model.save(`file://${dir}`);
    const tfModel = await tfl.loadLayersModel(tfjsFileLoader(dir));
    expect(tfModel.layers[0].getClassName()).toBe('Reshape');
    const tfOut = tf.tidy(() =>
      (tfModel.predict(tf.tensor(Array.from(x.dataSync()), [4, 12])) as tf.Tensor).dataSync(),
    );
    expectClose(tfOut, expected, 1e-5, 1e-6);
    const back = await tempDir();
    dirs.push(back);
    await tfModel.save(tfjsFileSaver(back));
    const reloaded = await nn.loadLayersModel(`file://${back}/model.json`);
    expectClose(reloaded.predict(x).dataSync(), expected, 1e-6, 0);
  });
});

describe('layers of the user own in model files', () => {
  it('an unregistered class is a clear error naming registerClass; a registered one round-trips with its weights', async () => {
    nn.setSeed(5);
    const model = nn.sequential({
      layers: [new FeatureScale({ inputShape: [3] }), nn.layers.dense({ units: 2 })],
    });
    const scaled = model.layers[0] as FeatureScale;
    scaled.scale!.assign(nn.tensor([2, -1, 0.5]));
    const x = nn.tensor([[1, 2, 3]]);
    const expected = model.predict(x).dataSync();
    const dir = await tempDir();
    dirs.push(dir);
    await model.save(`file://${dir}`);
    await expect(nn.loadLayersModel(`file://${dir}/model.json`)).rejects.toThrow(/FeatureScale.*registerClass/s);
    nn.serialization.registerClass(FeatureScale);
    const reloaded = await nn.loadLayersModel(`file://${dir}/model.json`);
    expect(reloaded.layers[0]).toBeInstanceOf(FeatureScale);
    expect(Array.from(reloaded.layers[0].weights[0].dataSync())).toEqual([2, -1, 0.5]);
    expect(Array.from(reloaded.predict(x).dataSync())).toEqual(Array.from(expected));
    expect(() => nn.serialization.registerClass(Object as never)).toThrow(/subclass of nn.layers.Layer/);
    class ShadowsDense extends FeatureScale {
      static override readonly className = 'Dense';
    }
    expect(() => nn.serialization.registerClass(ShadowsDense)).toThrow(/"Dense" is a built-in layer class/);
  });
});
