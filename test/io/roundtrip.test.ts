// neurasm -> file -> neurasm: configs, names and weights come back as they were.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { tfjsReady } from './helpers.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));
beforeAll(tfjsReady);

// biome-ignore lint/suspicious/noExplicitAny: JSON of any shape
type Json = Record<string, any>;

async function artifactsOf(model: nn.Sequential, config?: nn.io.SaveConfig): Promise<nn.io.ModelArtifacts> {
  let saved: nn.io.ModelArtifacts | undefined;
  await model.save(
    nn.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    config,
  );
  return saved!;
}

describe('round trip', () => {
  it('every layer config, name, trainable flag and weight comes back; so does the file', async () => {
    nn.setSeed(12);
    const model = nn.sequential({
      name: 'my_model',
      layers: [
        nn.layers.flatten({ inputShape: [2, 5], name: 'flat' }),
        nn.layers.dense({
          units: 7,
          activation: 'leaky_relu',
          useBias: false,
          kernelInitializer: nn.initializers.randomNormal({ stddev: 0.3, seed: 9 }),
        }),
        nn.layers.dropout({ rate: 0.4, seed: 17 }),
        nn.layers.batchNormalization({ momentum: 0.8, epsilon: 0.01, center: false }),
        nn.layers.gaussianNoise({ stddev: 0.2, seed: 3 }),
        nn.layers.dense({
          units: 4,
          activation: 'gelu',
          kernelInitializer: nn.initializers.constant({ value: 0.25 }),
          trainable: false,
        }),
        nn.layers.activation({ activation: 'softmax', name: 'probs' }),
      ],
    });
    const a = await artifactsOf(model);
    const loaded = await nn.loadLayersModel(nn.io.fromMemory(a));
    expect(loaded.name).toBe('my_model');
    expect(loaded.layers.map((l) => l.getConfig())).toEqual(model.layers.map((l) => l.getConfig()));
    expect(loaded.layers[5].trainable).toBe(false);
    expect(loaded.trainableWeights.length).toBe(2);
    const [w1, w2] = [model.getWeights(), loaded.getWeights()];
    w1.forEach((w, i) => {
      expect(Array.from(w2[i].dataSync())).toEqual(Array.from(w.dataSync()));
    });
    const again = await artifactsOf(loaded);
    expect(again.modelTopology).toEqual(a.modelTopology);
    expect(again.weightSpecs).toEqual(a.weightSpecs);
    expect(new Uint8Array(again.weightData as ArrayBuffer)).toEqual(new Uint8Array(a.weightData as ArrayBuffer));
    nn.dispose([...w1, ...w2]);
    model.dispose();
    loaded.dispose();
  });

  it('writes the topology tfjs writes (snake_case keys, nulls, dtype, batch_input_shape on the first layer)', async () => {
    nn.setSeed(13);
    const model = nn.sequential({
      layers: [nn.layers.inputLayer({ inputShape: [3] }), nn.layers.dense({ units: 2, activation: 'sigmoid' })],
    });
    const ours = (await artifactsOf(model)).modelTopology as Json;
    const m = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 2, activation: 'sigmoid', inputShape: [3], kernelInitializer: 'glorotUniform' }),
      ],
    });
    let theirs: Json = {};
    await m.save(
      tf.io.withSaveHandler(async (art) => {
        theirs = art.modelTopology as Record<string, unknown>;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const strip = (c: Record<string, unknown>) => {
      const { name, kernel_initializer, ...rest } = c;
      return rest;
    };
    expect(ours.class_name).toBe(theirs.class_name);
    expect(Object.keys(ours.config.layers[0].config).sort()).toEqual(
      Object.keys(theirs.config.layers[0].config).sort(),
    );
    expect(strip(ours.config.layers[0].config)).toEqual(strip(theirs.config.layers[0].config));
    model.dispose();
    m.dispose();
  });

  it('regularizers: saved as L1L2 (what tfjs and Keras read), the same penalties after loading, in neurasm and tfjs', async () => {
    nn.setSeed(14);
    const model = nn.sequential({
      layers: [
        nn.layers.dense({
          units: 3,
          inputShape: [4],
          kernelRegularizer: nn.regularizers.l2({ l2: 0.02 }),
          biasRegularizer: nn.regularizers.l1({ l1: 0.5 }),
          activityRegularizer: nn.regularizers.l1l2({ l1: 0.1, l2: 0.3 }),
        }),
      ],
    });
    const a = await artifactsOf(model);
    const config = (a.modelTopology as Json).config.layers[0].config;
    expect(config.kernel_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 0, l2: 0.02 } });
    expect(config.bias_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 0.5, l2: 0 } });
    expect(config.activity_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 0.1, l2: 0.3 } });
    const loaded = await nn.loadLayersModel(nn.io.fromMemory(a));
    const penalties = (m: nn.Sequential) =>
      m.layers[0].namedWeights.map((w) => w.regularizer && [w.regularizer.l1, w.regularizer.l2]);
    expect(penalties(loaded)).toEqual([
      [0, 0.02],
      [0.5, 0],
    ]);
    const act = loaded.layers[0].activityRegularizer!;
    expect([act.l1, act.l2]).toEqual([0.1, 0.3]);
    // tfjs reads it (without the activity regularizer: tfjs 4.22 cannot build a layer with one),
    // and a tfjs model with regularizers loads in neurasm
    delete (a.modelTopology as Json).config.layers[0].config.activity_regularizer;
    const m = await tfl.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
    const tfConfig = m.layers[0].getConfig() as Json;
    expect(tfConfig.kernelRegularizer.config).toEqual({ l1: 0, l2: 0.02 });
    let theirs: tf.io.ModelArtifacts | undefined;
    await m.save(
      tf.io.withSaveHandler(async (art) => {
        theirs = art;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const back = await nn.loadLayersModel(nn.io.fromMemory(theirs as nn.io.ModelArtifacts));
    expect(penalties(back)).toEqual(penalties(loaded));
    for (const x of [model, loaded, back]) x.dispose();
    m.dispose();
  });
});

describe('nn.io.modelArtifacts and nn.io.modelFromArtifacts', () => {
  const small = () => {
    nn.setSeed(21);
    return nn.sequential({
      layers: [nn.layers.dense({ units: 3, activation: 'tanh', inputShape: [2] }), nn.layers.dense({ units: 1 })],
    });
  };

  it('are asynchronous (the code comes on first use), and reject rather than throw', async () => {
    const model = small();
    const made = nn.io.modelArtifacts(model);
    expect(made).toBeInstanceOf(Promise);
    const copy = nn.io.modelFromArtifacts(await made, 'artifacts');
    expect(copy).toBeInstanceOf(Promise);
    const loaded = await copy;
    expect(loaded).toBeInstanceOf(nn.Sequential);
    const x = nn.tensor2d([0.5, -1, 2, 0.25], [2, 2]);
    const [p, q] = [model.predict(x), loaded.predict(x)];
    expect(Array.from(q.dataSync())).toEqual(Array.from(p.dataSync()));
    const bad = nn.io.modelArtifacts(model, { quantize: 'int4' as never });
    await expect(bad).rejects.toThrow(nn.ValueError);
    await expect(nn.io.modelFromArtifacts({ format: 'graph-model' }, 'here')).rejects.toThrow(
      /^here: format is "graph-model"/,
    );
    nn.dispose([x, p, q]);
    model.dispose();
    loaded.dispose();
  });

  it('once the code is loaded, save and modelArtifacts read the model at once, in the caller’s turn', async () => {
    const model = small();
    await nn.io.modelArtifacts(model); // the code is loaded now
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    let saved: nn.io.ModelArtifacts | undefined;
    const saving = model.save(
      nn.io.withSaveHandler(async (a) => {
        saved = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const making = nn.io.modelArtifacts(model);
    model.dispose();
    await saving;
    for (const a of [saved!, await making]) {
      const loaded = await nn.io.modelFromArtifacts(a, 'artifacts');
      expect(loaded.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
      loaded.dispose();
    }
  });
});
