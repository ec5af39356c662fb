import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import type { QuantizedDense } from '../../src/layers/quantized-dense.js';
import { qgemmReference, quantizeRowsReference, quantizeSymmetricReference } from '../../src/reference/qgemm.js';
import { randomArray } from '../helpers/random.js';

beforeAll(async () => {
  await nn.ready();
});

/** A seeded float model 8 → 16 relu → 12 tanh → 4 softmax, compiled, with random weights. */
function floatModel(seed = 1): nn.Sequential {
  const m = nn.sequential({
    layers: [
      nn.layers.dense({ units: 16, activation: 'relu', inputShape: [8] }),
      nn.layers.dense({ units: 12, activation: 'tanh' }),
      nn.layers.dense({ units: 4, activation: 'softmax' }),
    ],
  });
  const weights = m.getWeights();
  m.setWeights(weights.map((w, i) => nn.tensor(randomArray(w.size, seed + i, -0.8, 0.8), w.shape as number[])));
  nn.dispose(weights);
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

/** The int8 forward of a Dense stack from the kernels' plain-JS reference (softmax in float64 at the end). */
function referenceForward(
  model: nn.Sequential,
  x: Float32Array,
  rows: number,
  input: Array<{ scale: number; zeroPoint: number } | null>,
  perChannel = true,
): Float32Array {
  let h = x;
  let width = 8;
  model.layers.forEach((layer, li) => {
    const [kernel, bias] = layer.getWeights().map((t) => t.dataSync() as Float32Array);
    const units = bias.length;
    const w = quantizeSymmetricReference(kernel, width, units, perChannel);
    const q = quantizeRowsReference(h, rows, width, input[li]?.scale ?? 0, input[li]?.zeroPoint ?? 0);
    const z = qgemmReference(q.q, q.rowScale, q.rowZero, w.q, w.scales, bias, rows, width, units);
    const act = (layer.getConfig().activation as string) ?? 'linear';
    if (act === 'relu') h = z.map((v) => Math.max(0, v));
    else if (act === 'tanh') h = z.map((v) => Math.tanh(v));
    else {
      h = new Float32Array(z.length);
      for (let r = 0; r < rows; r++) {
        const row = [...z.subarray(r * units, (r + 1) * units)];
        const top = Math.max(...row);
        const e = row.map((v) => Math.exp(v - top));
        const s = e.reduce((a, b) => a + b, 0);
        e.forEach((v, j) => {
          h[r * units + j] = v / s;
        });
      }
    }
    width = units;
  });
  return h;
}

describe('nn.quantize', () => {
  it('runs the Dense stack on the int8 kernels: predictions equal the integer reference', async () => {
    const model = floatModel();
    const q = await nn.quantize(model);
    expect(q.layers.map((l) => l.className)).toEqual(['QuantizedDense', 'QuantizedDense', 'QuantizedDense']);
    const rows = 37;
    const x = randomArray(rows * 8, 5, -3, 3);
    const got = q.predict(nn.tensor(x, [rows, 8])).dataSync();
    const want = referenceForward(model, x, rows, [null, null, null]);
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
    // and close to the float model, which is unchanged
    const float = model.predict(nn.tensor(x, [rows, 8])).dataSync();
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - float[i]));
    expect(worst).toBeLessThan(0.05);
    expect(worst).toBeGreaterThan(0);
    model.dispose();
    q.dispose();
  });

  it('static mode fixes each layer input range from calibration data', async () => {
    const model = floatModel(3);
    const calibration = randomArray(200 * 8, 9, -2, 2);
    const q = await nn.quantize(model, { mode: 'static', calibrationData: nn.tensor(calibration, [200, 8]) });
    const inputs = q.layers.map((l) => (l as QuantizedDense).inputQuantization);
    expect(inputs.every((v) => v !== null && v.scale > 0)).toBe(true);
    // the relu layer's output range starts at 0: the next layer's zero point is 0
    expect(inputs[1]!.zeroPoint).toBe(0);
    const rows = 11;
    const x = randomArray(rows * 8, 6, -3, 3); // wider than calibrated: saturates
    const got = q.predict(nn.tensor(x, [rows, 8])).dataSync();
    const want = referenceForward(model, x, rows, inputs);
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
    model.dispose();
    q.dispose();
  });

  it('perChannel: false gives one weight scale per layer', async () => {
    const model = floatModel(4);
    const q = await nn.quantize(model, { perChannel: false });
    for (const l of q.layers) {
      const s = (l as QuantizedDense).matrix!.scales;
      expect(new Set(s).size).toBe(1);
    }
    const x = randomArray(5 * 8, 2, -1, 1);
    const got = q.predict(nn.tensor(x, [5, 8])).dataSync();
    const want = referenceForward(model, x, 5, [null, null, null], false);
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
    model.dispose();
    q.dispose();
  });

  it('saves int8 weights (about 4x smaller) and loads them back to the same bits', async () => {
    const model = nn.sequential({
      layers: [nn.layers.dense({ units: 64, activation: 'relu', inputShape: [32] }), nn.layers.dense({ units: 10 })],
    });
    const q = await nn.quantize(model);
    const floatArtifacts = await nn.io.modelArtifacts(model);
    const artifacts = await nn.io.modelArtifacts(q);
    const floatBytes = (floatArtifacts.weightData as ArrayBuffer).byteLength;
    const int8Bytes = (artifacts.weightData as ArrayBuffer).byteLength;
    expect(artifacts.weightSpecs!.map((s) => [s.name, s.dtype])).toEqual(
      [
        ['dense_1/kernel', 'int8'],
        ['dense_1/bias', 'float32'],
        ['dense_1/kernel_scale', 'float32'],
        ['dense_2/kernel', 'int8'],
        ['dense_2/bias', 'float32'],
        ['dense_2/kernel_scale', 'float32'],
      ].map(([n, d]) => [n.replace('dense_1', model.layers[0].name).replace('dense_2', model.layers[1].name), d]),
    );
    expect(int8Bytes).toBe(32 * 64 + 64 * 10 + 4 * (64 + 64 + 10 + 10));
    expect(floatBytes / int8Bytes).toBeGreaterThan(3.3);
    const loaded = await nn.loadLayersModel(nn.io.fromMemory(artifacts));
    expect(loaded.layers.map((l) => l.computePrecision)).toEqual(['int8', 'int8']);
    const x = nn.tensor(randomArray(9 * 32, 8, -2, 2), [9, 32]);
    expect(loaded.predict(x).dataSync()).toEqual(q.predict(x).dataSync());
    for (const m of [model, q, loaded]) m.dispose();
  });

  it('dequantize gives a float model TensorFlow.js loads, with the weights code · scale', async () => {
    const model = floatModel(7);
    const q = await nn.quantize(model);
    const back = await nn.dequantize(q);
    expect(back.layers.map((l) => l.className)).toEqual(['Dense', 'Dense', 'Dense']);
    const m = (q.layers[0] as QuantizedDense).matrix!;
    const kernel = back.layers[0].getWeights()[0].dataSync();
    expect(kernel[5]).toBe(Math.fround(m.codes[5] * m.scales[5 % m.columns]));
    const tm = await tfl.loadLayersModel(tf.io.fromMemory(await nn.io.modelArtifacts(back)));
    const x = randomArray(6 * 8, 3, -1, 1);
    const ours = back.predict(nn.tensor(x, [6, 8])).dataSync();
    const theirs = (tm.predict(tf.tensor(x, [6, 8])) as tf.Tensor).dataSync();
    for (let i = 0; i < ours.length; i++) expect(ours[i]).toBeCloseTo(theirs[i], 5);
    for (const s of [model, q, back]) s.dispose();
    tm.dispose();
  });

  it('evaluates with the float model loss and metrics, and refuses to train', async () => {
    const model = floatModel(8);
    const q = await nn.quantize(model);
    const x = nn.tensor(randomArray(20 * 8, 1, -1, 1), [20, 8]);
    const y = nn.tensor(
      Array.from({ length: 20 }, (_, i) => i % 4),
      [20],
      'int32',
    );
    const result = q.evaluate(x, y) as nn.Tensor[];
    expect(result).toHaveLength(2);
    expect(Number.isFinite(result[0].dataSync()[0])).toBe(true);
    await expect(q.fit(x, y, { epochs: 1 })).rejects.toThrow(/quantized.*for inference.*quantize it again/);
    await expect(q.trainOnBatch(x, y)).rejects.toThrow(/quantized/);
    expect(() => q.inputGradients(x)).toThrow(/quantized/);
    model.dispose();
    q.dispose();
  });

  it('keeps layers without an int8 kernel in float32 and says so in the summary', async () => {
    const model = nn.sequential({
      layers: [
        nn.layers.embedding({ inputDim: 50, outputDim: 8, inputLength: 6, maskZero: true }),
        nn.layers.timeDistributed({ layer: nn.layers.dense({ units: 5 }) }),
        nn.layers.globalAveragePooling1d(),
        nn.layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    const q = await nn.quantize(model);
    expect(q.layers.map((l) => l.className)).toEqual([
      'QuantizedEmbedding',
      'TimeDistributed',
      'GlobalAveragePooling1D',
      'QuantizedDense',
    ]);
    const lines: string[] = [];
    q.summary((line: string) => lines.push(line));
    expect(lines).toContain(`Int8 layers: ${q.layers[0].name}, ${q.layers[3].name}`);
    expect(lines).toContain(`Kept in float32 (no int8 kernel): ${q.layers[1].name}`);
    const ids = nn.tensor(
      [
        [1, 2, 3, 0, 0, 0],
        [4, 5, 6, 7, 8, 9],
      ],
      undefined,
      'int32',
    );
    const a = q.predict(ids).dataSync();
    const b = model.predict(ids).dataSync();
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 2);
    const loaded = await nn.loadLayersModel(nn.io.fromMemory(await nn.io.modelArtifacts(q)));
    expect(loaded.predict(ids).dataSync()).toEqual(q.predict(ids).dataSync());
    for (const m of [model, q, loaded]) m.dispose();
  });

  it('does not grow memory over repeated predictions, and frees it on dispose', async () => {
    const model = floatModel(9);
    const before = nn.memory().numBytes;
    const q = await nn.quantize(model);
    const x = nn.tensor(randomArray(64 * 8, 1, -1, 1), [64, 8]);
    q.predict(x).dispose();
    const warm = nn.memory().numBytes;
    for (let i = 0; i < 20; i++) q.predict(x).dispose();
    expect(nn.memory().numBytes).toBe(warm);
    q.dispose();
    x.dispose();
    expect(nn.memory().numBytes).toBe(before);
    model.dispose();
  });

  it('rejects bad input with errors that name it, and leaves the model as it was', async () => {
    const model = floatModel(10);
    const before = model.predict(nn.tensor(randomArray(8, 1), [1, 8])).dataSync();
    await expect(nn.quantize(model, { mode: 'static' })).rejects.toThrow(/calibrationData/);
    await expect(nn.quantize(model, { mode: 'fast' as never })).rejects.toThrow(/mode.*'dynamic' or 'static'.*"fast"/);
    await expect(nn.quantize(model, { bits: 4 } as never)).rejects.toThrow(/bits/);
    await expect(
      nn.quantize(model, { mode: 'static', calibrationData: nn.tensor(randomArray(30, 1), [3, 10]) }),
    ).rejects.toThrow(/calibrationData.*\[\*, 8\]|shape/);
    const withNaN = randomArray(16, 1);
    withNaN[11] = Number.NaN;
    await expect(nn.quantize(model, { mode: 'static', calibrationData: nn.tensor(withNaN, [2, 8]) })).rejects.toThrow(
      /NaN/,
    );
    await expect(nn.quantize(model, { calibrationData: [[1, 2, 3, 4, 5, 6, 7, 8]] })).rejects.toThrow(/static/);
    await expect(nn.quantize({} as never)).rejects.toThrow(/Sequential/);
    const unbuilt = nn.sequential({ layers: [nn.layers.dense({ units: 2 })] });
    await expect(nn.quantize(unbuilt)).rejects.toThrow(/not built/);
    const q = await nn.quantize(model);
    await expect(nn.quantize(q)).rejects.toThrow(/already quantized/);
    expect(model.predict(nn.tensor(randomArray(8, 1), [1, 8])).dataSync()).toEqual(before);
    for (const m of [model, q, unbuilt]) m.dispose();
  });

  it('getWeights gives [kernel codes (int32), bias, kernel_scale]; setWeights takes them back, checked', async () => {
    const model = floatModel(11);
    const q = await nn.quantize(model);
    const layer = q.layers[1] as QuantizedDense;
    const [kernel, bias, scale] = layer.getWeights();
    expect([kernel.dtype, kernel.shape, bias.shape, scale.shape]).toEqual(['int32', [16, 12], [12], [12]]);
    expect(Math.max(...Array.from(kernel.dataSync(), Math.abs))).toBe(127);
    const x = nn.tensor(randomArray(3 * 8, 4, -1, 1), [3, 8]);
    const before = q.predict(x).dataSync();
    layer.setWeights([kernel, bias, scale]);
    expect(q.predict(x).dataSync()).toEqual(before);
    const tooBig = nn.tensor(new Int32Array(16 * 12).fill(128), [16, 12], 'int32');
    expect(() => layer.setWeights([tooBig, bias, scale])).toThrow(/codes must be in \[-127, 127\], got 128 at index 0/);
    const zeroScale = nn.zeros([12]);
    expect(() => layer.setWeights([kernel, bias, zeroScale])).toThrow(
      /kernel_scale values must be finite and > 0, got 0/,
    );
    expect(() => layer.setWeights([kernel.cast('float32'), bias, scale])).toThrow(/int32 codes, got float32/);
    expect(() => layer.setWeights([kernel, bias])).toThrow(/expected 3 weight tensors/);
    expect(q.predict(x).dataSync()).toEqual(before);
    for (const m of [model, q]) m.dispose();
  });

  it('a model file with bad int8 weights is refused with the weight named', async () => {
    const model = nn.sequential({ layers: [nn.layers.dense({ units: 3, inputShape: [4] })] });
    const q = await nn.quantize(model);
    const artifacts = await nn.io.modelArtifacts(q);
    const name = q.layers[0].name;
    // the codes written as float32: the reader wants int8
    const asFloat = {
      ...artifacts,
      weightSpecs: artifacts.weightSpecs!.map((s) => (s.dtype === 'int8' ? { ...s, dtype: 'float32' as const } : s)),
      weightData: new ArrayBuffer(4 * 12 + 4 * 6),
    };
    await expect(nn.loadLayersModel(nn.io.fromMemory(asFloat))).rejects.toThrow(
      new RegExp(`weight "${name}/kernel" is float32, expected int8`),
    );
    // a code of -128 is not a symmetric code
    const bytes = new Uint8Array((artifacts.weightData as ArrayBuffer).slice(0));
    bytes[5] = 0x80;
    await expect(nn.loadLayersModel(nn.io.fromMemory({ ...artifacts, weightData: bytes.buffer }))).rejects.toThrow(
      /kernel codes must be in \[-127, 127\], got -128 at index 5/,
    );
    // a negative scale
    const scales = new Uint8Array((artifacts.weightData as ArrayBuffer).slice(0));
    new DataView(scales.buffer).setFloat32(12 + 12, -1, true);
    await expect(nn.loadLayersModel(nn.io.fromMemory({ ...artifacts, weightData: scales.buffer }))).rejects.toThrow(
      /kernel_scale.*-1/,
    );
    // int8 codes for a float layer
    const floatArtifacts = await nn.io.modelArtifacts(model);
    const wrong = {
      ...floatArtifacts,
      weightSpecs: [{ ...floatArtifacts.weightSpecs![0], dtype: 'int8' as const }, floatArtifacts.weightSpecs![1]],
      weightData: new ArrayBuffer(12 + 12),
    };
    await expect(nn.loadLayersModel(nn.io.fromMemory(wrong))).rejects.toThrow(/is int8, expected float32/);
    for (const m of [model, q]) m.dispose();
  });

  it('model.setWeights(model.getWeights()) works on a quantized model, and a bad list changes nothing', async () => {
    const model = floatModel(12);
    const q = await nn.quantize(model);
    const x = nn.tensor(randomArray(4 * 8, 2, -1, 1), [4, 8]);
    const before = q.predict(x).dataSync();
    const weights = q.getWeights();
    expect(weights).toHaveLength(9);
    q.setWeights(weights);
    expect(q.predict(x).dataSync()).toEqual(before);
    const shifted = weights.map((w) => (w.dtype === 'float32' && w.rank === 1 ? w.mul(2) : w));
    const bad = [...shifted];
    bad[8] = nn.zeros([4]);
    expect(() => q.setWeights(bad)).toThrow(/kernel_scale values must be finite and > 0/);
    expect(q.predict(x).dataSync()).toEqual(before);
    q.setWeights(shifted);
    expect(q.predict(x).dataSync()).not.toEqual(before);
    expect(() => q.setWeights(weights.slice(1))).toThrow(/the model has 9 weights/);
    for (const m of [model, q]) m.dispose();
  });

  it('quantizes a loaded model to the same bits as the model it was saved from', async () => {
    const model = floatModel(13);
    const loaded = await nn.loadLayersModel(nn.io.fromMemory(await nn.io.modelArtifacts(model)));
    const [a, b] = [await nn.quantize(model), await nn.quantize(loaded)];
    const x = nn.tensor(randomArray(7 * 8, 3, -2, 2), [7, 8]);
    expect(b.predict(x).dataSync()).toEqual(a.predict(x).dataSync());
    for (const m of [model, loaded, a, b]) m.dispose();
  });
});
