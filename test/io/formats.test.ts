// Quantized weights (uint8, uint16, float16 as the tfjs converter writes them) and preprocessing
// statistics saved with the model.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { fromFloat16Bits, quantizeAffine, toFloat16Bits } from '../../src/io/quantization.js';
import { expectClose } from '../helpers/close.js';
import { randomArray } from '../helpers/random.js';
import { tempDir, tfjsFileLoader, tfjsReady } from './helpers.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));
beforeAll(tfjsReady);

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function makeModel(): nn.Sequential {
  nn.setSeed(21);
  return nn.sequential({
    layers: [
      nn.layers.dense({ units: 32, activation: 'relu', inputShape: [16] }),
      nn.layers.dense({ units: 8, activation: 'softmax' }),
    ],
  });
}

function weightsOf(model: nn.Sequential): Float32Array[] {
  const ws = model.getWeights();
  const out = ws.map((w) => w.dataSync());
  nn.dispose(ws);
  return out;
}

describe('float16', () => {
  it('decodes every half float as IEEE 754 does, and encodes each back to the same bits', () => {
    const wrong: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      const v = fromFloat16Bits(h);
      const nan = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (nan ? !Number.isNaN(v) : toFloat16Bits(v) !== h) wrong.push(h);
    }
    expect(wrong).toEqual([]);
    expect(fromFloat16Bits(0x3c00)).toBe(1);
    expect(fromFloat16Bits(0xc000)).toBe(-2);
    expect(fromFloat16Bits(0x7bff)).toBe(65504);
    expect(fromFloat16Bits(0x0001)).toBe(2 ** -24);
  });

  it('rounds to nearest, ties to even, overflow to infinity, tiny values to zero', () => {
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie between 1 and 1 + 2^-10: even (1)
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie: even (1 + 2^-9)
    expect(toFloat16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
    expect(toFloat16Bits(65520)).toBe(0x7c00);
    expect(toFloat16Bits(65519)).toBe(0x7bff);
    expect(toFloat16Bits(2 ** -25)).toBe(0);
    expect(toFloat16Bits(2 ** -25 + 2 ** -35)).toBe(1);
    expect(toFloat16Bits(-(2 ** -24))).toBe(0x8001);
  });
});

describe("affine quantization (the converter's algorithm)", () => {
  it('nudges the range so that 0 is exact, codes within half a step', () => {
    const v = Float32Array.from([-0.31, 0, 0.02, 0.7, 1.13]);
    for (const dtype of ['uint8', 'uint16'] as const) {
      const { codes, params } = quantizeAffine(v, dtype);
      const qmax = dtype === 'uint8' ? 255 : 65535;
      expect(params.scale).toBe((v[4] - v[0]) / qmax);
      expect(-params.min / params.scale).toBeCloseTo(Math.round(-v[0] / params.scale), 9);
      expect(codes[1] * params.scale + params.min).toBeCloseTo(0, 12);
      v.forEach((x, i) => {
        expect(Math.abs(codes[i] * params.scale + params.min - x)).toBeLessThanOrEqual(params.scale * 0.5 + 1e-7);
      });
    }
  });

  it('a constant weight quantizes to zeros with scale 1 and min the value', () => {
    const { codes, params } = quantizeAffine(Float32Array.of(0.5, 0.5), 'uint8');
    expect(Array.from(codes)).toEqual([0, 0]);
    expect(params).toEqual({ min: 0.5, scale: 1 });
  });
});

describe('save with quantize', () => {
  for (const [dtype, bytes, tolerance] of [
    ['uint8', 1, 1 / 255],
    ['uint16', 2, 1 / 65535],
    ['float16', 2, 2 ** -11],
  ] as const) {
    it(`${dtype}: ${bytes} byte(s) per weight, values within the step, tfjs reads the file the same`, async () => {
      const model = makeModel();
      const d = await tempDir();
      dirs.push(d);
      const result = await model.save(`file://${d}`, { quantize: dtype });
      const count = 16 * 32 + 32 + 32 * 8 + 8;
      expect(result.modelArtifactsInfo.weightDataBytes).toBe(count * bytes);
      expect(result.files?.find((f) => f.path.endsWith('weights.bin'))?.bytes).toBe(count * bytes);
      const json = JSON.parse(await readFile(join(d, 'model.json'), 'utf8'));
      expect(json.weightsManifest[0].weights[0].quantization.dtype).toBe(dtype);
      const loaded = await nn.loadLayersModel(`file://${d}/model.json`);
      const [a, b] = [weightsOf(model), weightsOf(loaded)];
      a.forEach((w, i) => {
        // half a quantization step; for float16 half an ulp, 2^-11 relative (2^-25 for subnormals)
        const step = (Math.max(...w) - Math.min(...w)) * tolerance;
        for (let j = 0; j < w.length; j++) {
          const bound = dtype === 'float16' ? Math.max(Math.abs(w[j]) * tolerance, 2 ** -25) : step * 0.5 + 1e-7;
          expect(Math.abs(b[i][j] - w[j])).toBeLessThanOrEqual(bound);
        }
      });
      const m = await tfl.loadLayersModel(tfjsFileLoader(d));
      const x = randomArray(5 * 16, 3);
      const t = nn.tensor(x, [5, 16]);
      const p = loaded.predict(t);
      const theirs = tf.tidy(() => (m.predict(tf.tensor(x, [5, 16])) as tf.Tensor).dataSync());
      expectClose(p.dataSync(), theirs, 1e-5, 1e-6);
      nn.dispose([t, p]);
      m.dispose();
      loaded.dispose();
      model.dispose();
    });
  }

  it('rejects a weight beyond float16 range, and an unknown quantize option', async () => {
    const model = makeModel();
    const big = nn.fill([16, 32], 70000);
    model.layers[0].setWeights([big, nn.zeros([32])]);
    const handler = nn.io.withSaveHandler(async () => ({
      modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' },
    }));
    await expect(model.save(handler, { quantize: 'float16' })).rejects.toThrow(/beyond float16's range/);
    await expect(model.save(handler, { quantize: 'int4' as never })).rejects.toThrow(nn.ValueError);
    big.dispose();
    model.dispose();
  });
});

describe('preprocessing saved with the model', () => {
  it('a scaler set on the model comes back fitted; tfjs ignores the block', async () => {
    const model = makeModel();
    const xs = nn.tensor2d(randomArray(20 * 16, 4, 0, 10), [20, 16]);
    const scaler = nn.data.standardScaler().fit(xs);
    model.preprocessing = scaler;
    const d = await tempDir();
    dirs.push(d);
    await model.save(`file://${d}`);
    const json = JSON.parse(await readFile(join(d, 'model.json'), 'utf8'));
    expect(json.neurasm.preprocessing).toEqual(scaler.toJSON());
    const loaded = await nn.loadLayersModel(`file://${d}`);
    const restored = loaded.preprocessing as typeof scaler;
    expect(restored).toBeInstanceOf(nn.data.StandardScaler);
    expect(restored.toJSON()).toEqual(scaler.toJSON());
    const [a, b] = [scaler.transform(xs), restored.transform(xs)];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    const m = await tfl.loadLayersModel(tfjsFileLoader(d));
    expect(m.layers.length).toBe(2);
    nn.dispose([xs, a, b]);
    m.dispose();
    loaded.dispose();
    model.dispose();
  });

  it('several by name, given to save; plain JSON entries kept as they are', async () => {
    const model = makeModel();
    const xs = nn.tensor2d(randomArray(10 * 16, 5), [10, 16]);
    const ys = nn.tensor2d(randomArray(10, 6, 100, 200), [10, 1]);
    const preprocessing = {
      x: nn.data.minMaxScaler().fit(xs),
      y: nn.data.standardScaler().fit(ys),
      labels: { classes: ['a', 'b'] },
    };
    let saved: nn.io.ModelArtifacts | undefined;
    await model.save(
      nn.io.withSaveHandler(async (a) => {
        saved = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
      { preprocessing },
    );
    const loaded = await nn.loadLayersModel(nn.io.fromMemory(saved!));
    const p = loaded.preprocessing as Record<string, { toJSON?: () => unknown }>;
    expect(p.x).toBeInstanceOf(nn.data.MinMaxScaler);
    expect(p.y.toJSON!()).toEqual(preprocessing.y.toJSON());
    expect(p.labels).toEqual({ classes: ['a', 'b'] });
    nn.dispose([xs, ys]);
    loaded.dispose();
    model.dispose();
  });
});
