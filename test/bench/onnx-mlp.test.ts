import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomFloats } from '../../bench/harness.js';
import { denseLayersOf, encodeMlp } from '../../bench/onnx-mlp.js';
import { buildMlp, SHAPES } from '../../bench/training.js';
import * as nn from '../../src/index.js';

beforeAll(async () => {
  await nn.ready();
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = `${path.resolve('node_modules/onnxruntime-web/dist')}/`;
});

describe('encodeMlp', () => {
  for (const { sizes } of SHAPES) {
    it(`runs the ${sizes.join('-')} MLP in ONNX Runtime with neurasm's predictions`, async () => {
      const model = buildMlp(nn, sizes);
      const session = await ort.InferenceSession.create(encodeMlp(denseLayersOf(model)));
      const rows = 5;
      const x = randomFloats(rows * sizes[0], 7);
      const { y } = await session.run({ x: new ort.Tensor('float32', x, [rows, sizes[0]]) });
      const input = nn.tensor(x, [rows, sizes[0]], 'float32');
      const p = model.predict(input);
      const expected = p.dataSync();
      expect(y.dims).toEqual([rows, sizes[sizes.length - 1]]);
      const actual = y.data as Float32Array;
      let worst = 0;
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
      expect(worst).toBeLessThan(1e-5);
      // the outputs differ between rows, so a broken batch dimension would show
      expect(actual.subarray(0, 10)).not.toEqual(actual.subarray(10, 20));
      for (const t of [input, p]) t.dispose();
      model.dispose();
      await session.release();
    });
  }

  it('rejects an empty layer list and a kernel of the wrong size', () => {
    expect(() => encodeMlp([])).toThrow(/at least one layer/);
    const bad = {
      kernel: new Float32Array(5),
      bias: new Float32Array(2),
      inputs: 3,
      units: 2,
      activation: 'relu',
    } as const;
    expect(() => encodeMlp([bad])).toThrow(/kernel of 5/);
  });
});
