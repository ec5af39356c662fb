// Hand-written model.json files in the layouts of Keras models converted by the tfjs converter
// (test/fixtures/*; weights from test/fixtures/make-weights.mjs). neurasm, tfjs and a float64
// oracle reading the files independently must agree.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { expectClose } from '../helpers/close.js';
import { randomArray } from '../helpers/random.js';
import { tfjsFileLoader, tfjsReady } from './helpers.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));
beforeAll(tfjsReady);

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

interface Entry {
  name: string;
  shape: number[];
  quantization?: { dtype: string; min?: number; scale?: number };
}

/** The fixture's weights decoded here, independently of src/io, in float64. */
function oracleWeights(dir: string): Map<string, number[]> {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const group = json.weightsManifest[0];
  const bytes = Buffer.concat(group.paths.map((p: string) => readFileSync(join(dir, p))));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<string, number[]>();
  let offset = 0;
  for (const w of group.weights as Entry[]) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const values: number[] = [];
    for (let i = 0; i < n; i++) {
      const q = w.quantization;
      if (!q) values.push(view.getFloat32(offset + 4 * i, true));
      else if (q.dtype === 'uint8') values.push(view.getUint8(offset + i) * q.scale! + q.min!);
      else if (q.dtype === 'uint16') values.push(view.getUint16(offset + 2 * i, true) * q.scale! + q.min!);
      else {
        const h = view.getUint16(offset + 2 * i, true);
        const sign = h & 0x8000 ? -1 : 1;
        const e = (h >> 10) & 0x1f;
        values.push(sign * (e === 0 ? (h & 0x3ff) * 2 ** -24 : (1 + (h & 0x3ff) / 1024) * 2 ** (e - 15)));
      }
    }
    offset += n * (w.quantization ? (w.quantization.dtype === 'uint8' ? 1 : 2) : 4);
    out.set(w.name, values);
  }
  expect(offset).toBe(bytes.length);
  return out;
}

const ACT: Record<string, (v: number[]) => number[]> = {
  linear: (v) => v,
  relu: (v) => v.map((x) => Math.max(0, x)),
  tanh: (v) => v.map(Math.tanh),
  sigmoid: (v) => v.map((x) => 1 / (1 + Math.exp(-x))),
  elu: (v) => v.map((x) => (x > 0 ? x : Math.expm1(x))),
  softmax: (v) => {
    const m = Math.max(...v);
    const e = v.map((x) => Math.exp(x - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / s);
  },
};

/** A float64 forward pass of Dense/Activation stacks (flatten and dropout are identities at inference). */
function oraclePredict(
  weights: Map<string, number[]>,
  stack: Array<[string, string]>,
  x: Float32Array,
  width: number,
): number[] {
  const out: number[] = [];
  for (let r = 0; r < x.length / width; r++) {
    let h = Array.from(x.subarray(r * width, (r + 1) * width));
    for (const [layer, act] of stack) {
      if (layer) {
        const k = weights.get(`${layer}/kernel`)!;
        const b = weights.get(`${layer}/bias`)!;
        const units = b.length;
        h = b.map((bias, j) => h.reduce((acc, v, i) => acc + v * k[i * units + j], bias));
      }
      h = ACT[act](h);
    }
    out.push(...h);
  }
  return out;
}

function predictBoth(model: nn.Sequential, m: tfl.LayersModel, x: Float32Array, shape: number[]) {
  const t = nn.tensor(x, shape);
  const p = model.predict(t);
  const ours = p.dataSync();
  nn.dispose([t, p]);
  const theirs = tf.tidy(() => (m.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync());
  return { ours, theirs };
}

const CASES: Array<{ dir: string; inputShape: number[]; stack: Array<[string, string]>; classes: string[] }> = [
  {
    dir: 'keras-sequential',
    inputShape: [4],
    stack: [
      ['dense', 'relu'],
      ['dense_1', 'softmax'],
    ],
    classes: ['Dense', 'Dropout', 'Dense'],
  },
  {
    dir: 'keras-legacy',
    inputShape: [5],
    stack: [
      ['dense_1', 'tanh'],
      ['', 'relu'],
      ['dense_2', 'sigmoid'],
    ],
    classes: ['Dense', 'Activation', 'Dense'],
  },
  {
    dir: 'keras-functional',
    inputShape: [2, 3],
    stack: [
      ['hidden', 'elu'],
      ['out', 'softmax'],
    ],
    classes: ['Flatten', 'Dense', 'Dense'],
  },
];

describe('Keras models converted by the tfjs converter (fixtures)', () => {
  for (const c of CASES) {
    it(`${c.dir}: neurasm, tfjs and a float64 oracle agree`, async () => {
      const dir = join(FIXTURES, c.dir);
      const model = await nn.loadLayersModel(`file://${dir}/model.json`);
      expect(model.layers.map((l) => l.className)).toEqual(c.classes);
      expect(model.inputShape).toEqual([null, ...c.inputShape]);
      expect(model.compiled).toBeNull(); // Keras's training_config inside the topology is ignored, as tfjs does
      const m = await tfl.loadLayersModel(tfjsFileLoader(dir));
      const width = c.inputShape.reduce((a, b) => a * b, 1);
      const x = randomArray(11 * width, 7, -2, 2);
      const { ours, theirs } = predictBoth(model, m, x, [11, ...c.inputShape]);
      expectClose(ours, theirs, 1e-5, 1e-6, 'neurasm vs tfjs');
      expectClose(ours, oraclePredict(oracleWeights(dir), c.stack, x, width), 1e-5, 1e-6, 'neurasm vs oracle');
      model.dispose();
      m.dispose();
    });
  }

  it('keras3-sequential (batch_shape, DTypePolicy objects, module/registered_name): same model as keras-sequential', async () => {
    const k3 = await nn.loadLayersModel(`file://${join(FIXTURES, 'keras3-sequential')}`);
    const k2 = await nn.loadLayersModel(`file://${join(FIXTURES, 'keras-sequential')}`);
    // the same but for where the input shape is declared (InputLayer only, or also on the first Dense)
    const configs = (m: nn.Sequential) => m.layers.map((l) => ({ ...l.getConfig(), batch_input_shape: undefined }));
    expect(configs(k3)).toEqual(configs(k2));
    const x = nn.tensor(randomArray(8, 3), [2, 4]);
    const [a, b] = [k3.predict(x), k2.predict(x)];
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    nn.dispose([x, a, b]);
    k3.dispose();
    k2.dispose();
  });

  it('keeps layer configs: names, dropout rate, initializers by Keras class name', async () => {
    const seq = await nn.loadLayersModel(`file://${join(FIXTURES, 'keras-sequential')}`);
    expect(seq.name).toBe('sequential');
    expect(seq.layers.map((l) => l.name)).toEqual(['dense', 'dropout', 'dense_1']);
    expect(seq.layers[1].getConfig().rate).toBe(0.2);
    expect(seq.layers[0].getConfig().kernel_initializer).toEqual({
      class_name: 'GlorotUniform',
      config: { seed: null },
    });
    const fn = await nn.loadLayersModel(`file://${join(FIXTURES, 'keras-functional')}`);
    expect(fn.name).toBe('model');
    expect(fn.layers[1].getConfig().kernel_initializer).toEqual({ class_name: 'HeNormal', config: { seed: 7 } });
    seq.dispose();
    fn.dispose();
  });

  it('a loaded Keras model saves and reloads to the same predictions, bit for bit', async () => {
    for (const c of CASES) {
      const model = await nn.loadLayersModel(`file://${join(FIXTURES, c.dir)}`);
      let saved: nn.io.ModelArtifacts | undefined;
      await model.save(
        nn.io.withSaveHandler(async (a) => {
          saved = a;
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      const again = await nn.loadLayersModel(nn.io.fromMemory(saved!));
      const shape = [3, ...c.inputShape];
      const x = nn.tensor(
        randomArray(
          shape.reduce((a, b) => a * b, 1),
          9,
        ),
        shape,
      );
      const [a, b] = [model.predict(x), again.predict(x)];
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      nn.dispose([x, a, b]);
      model.dispose();
      again.dispose();
    }
  });
});
