import { createHash } from 'node:crypto';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomFloats } from '../../bench/harness.js';
import {
  benchLayers,
  INT8_VARIANTS,
  loadInt8Models,
  type Manifest,
  modelName,
  readManifest,
  weightsSha256,
} from '../../bench/int8-models.js';
import { encodeMlp, type OnnxDense } from '../../bench/onnx-mlp.js';
import { SHAPES } from '../../bench/training.js';
import * as nn from '../../src/index.js';

beforeAll(async () => {
  await nn.ready();
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = `${path.resolve('node_modules/onnxruntime-web/dist')}/`;
});

/** The op each committed variant must contain, so an f32 file in its place would show. */
const QUANTIZED_OP = { 'int8-dynamic': 'MatMulInteger', 'int8-qdq': 'DequantizeLinear' } as const;

async function run(onnx: Uint8Array, x: Float32Array, rows: number, features: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(onnx);
  const { y } = await session.run({ x: new ort.Tensor('float32', x, [rows, features]) });
  const values = Float32Array.from(y.data as Float32Array);
  expect(y.dims).toEqual([rows, values.length / rows]);
  await session.release();
  return values;
}

describe('bench/models int8 ONNX files', () => {
  it('weightsSha256 hashes every kernel then bias as little-endian float32', () => {
    const layer: OnnxDense = {
      kernel: Float32Array.of(1, -2.5, 0.125, 3),
      bias: Float32Array.of(0.5, -1),
      inputs: 2,
      units: 2,
      activation: 'relu',
    };
    const bytes = Buffer.concat([Buffer.from(layer.kernel.buffer), Buffer.from(layer.bias.buffer)]);
    expect(weightsSha256([layer])).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  for (const { sizes } of SHAPES) {
    const name = modelName(sizes);

    it(`${name}: the manifest was made from the weights the bench builds now`, () => {
      // if this fails, the bench's weights changed: run `npm run bench:onnx-models` and commit bench/models/
      expect(readManifest().models[name]?.weightsSha256).toBe(weightsSha256(benchLayers(nn, sizes)));
    });

    it(`${name}: both int8 files run in ONNX Runtime Web close to the f32 model, but not equal to it`, async () => {
      const layers = benchLayers(nn, sizes);
      const models = loadInt8Models(layers);
      const rows = 8;
      const x = randomFloats(rows * sizes[0], 11);
      const f32 = await run(encodeMlp(layers), x, rows, sizes[0]);
      for (const variant of INT8_VARIANTS) {
        expect(Buffer.from(models[variant]).includes(QUANTIZED_OP[variant])).toBe(true);
        const int8 = await run(models[variant], x, rows, sizes[0]);
        expect(int8.length).toBe(f32.length);
        let worst = 0;
        for (let i = 0; i < f32.length; i++) worst = Math.max(worst, Math.abs(int8[i] - f32[i]));
        expect(worst).toBeLessThan(0.03);
        expect(worst).toBeGreaterThan(0);
      }
    });
  }

  it('refuses weights other than the manifest names, and files other than it lists', () => {
    const layers = benchLayers(nn, SHAPES[0].sizes);
    const manifest = readManifest();
    const changed = layers.map((l) => ({ ...l, kernel: Float32Array.from(l.kernel) }));
    changed[0].kernel[0] += 1e-3;
    expect(() => loadInt8Models(changed, manifest)).toThrow(/other weights.*npm run bench:onnx-models/);
    const name = modelName(SHAPES[0].sizes);
    const entry = manifest.models[name];
    const tampered: Manifest = {
      ...manifest,
      models: {
        [name]: {
          ...entry,
          files: { ...entry.files, 'int8-qdq': { ...entry.files['int8-qdq'], sha256: '0'.repeat(64) } },
        },
      },
    };
    expect(() => loadInt8Models(layers, tampered)).toThrow(/int8-qdq\.onnx is not the file.*bench:onnx-models/);
    expect(() => loadInt8Models(layers, { ...manifest, models: {} })).toThrow(/has no model 10-64-64-10/);
  });
});
