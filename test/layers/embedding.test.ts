// The Embedding layer: options, forward against tfjs 4.22 on the same weights, its gradient by
// finite differences, masks from maskZero reaching a consumer, model files both ways with tfjs.
import { rm } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { expectClose } from '../helpers/close.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { randomArray } from '../helpers/random.js';
import { tempDir, tfjsFileLoader, tfjsFileSaver, tfjsReady } from '../io/helpers.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));
beforeAll(tfjsReady);

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Integer ids in [0, n), with zeros (padding) at the end of some rows. */
function someIds(count: number, n: number, seed: number): number[] {
  return Array.from(randomArray(count, seed, 0, n), (v) => Math.floor(v));
}

describe('options', () => {
  it('checks inputDim, outputDim, maskZero and inputLength; a constraint is a clear error', () => {
    expect(() => nn.layers.embedding({ inputDim: 0, outputDim: 2 })).toThrow(/inputDim to be a positive integer/);
    expect(() => nn.layers.embedding({ inputDim: 3, outputDim: 1.5 })).toThrow(/outputDim to be a positive integer/);
    expect(() => nn.layers.embedding({ inputDim: 3, outputDim: 2, maskZero: 1 as never })).toThrow(/maskZero/);
    expect(() => nn.layers.embedding({ inputDim: 3, outputDim: 2, inputLength: 0 })).toThrow(/inputLength/);
    expect(() => nn.layers.embedding({ inputDim: 3, outputDim: 2, embeddingsConstraint: 'maxNorm' } as never)).toThrow(
      /embeddingsConstraint.*not supported/,
    );
    expect(() => nn.layers.embedding({ inputDim: 3, outputDim: 2, outputdim: 2 } as never)).toThrow(/outputdim/);
  });

  it('inputLength sets the input shape as tfjs; a disagreeing inputShape is an error; default initializer U[-0.05, 0.05]', () => {
    const e = nn.layers.embedding({ inputDim: 1000, outputDim: 4, inputLength: 7 });
    const m = nn.sequential({ layers: [e] });
    expect(m.inputShape).toEqual([null, 7]);
    expect(m.outputShape).toEqual([null, 7, 4]);
    const table = e.weights[0].dataSync();
    expect(e.weights[0].name).toMatch(/embeddings$/);
    expect(Math.max(...table)).toBeLessThanOrEqual(0.05);
    expect(Math.min(...table)).toBeGreaterThanOrEqual(-0.05);
    expect(Math.max(...table) - Math.min(...table)).toBeGreaterThan(0.09);
    const bad = nn.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 7, inputShape: [6] });
    expect(() => nn.sequential({ layers: [bad] })).toThrow(/inputLength is \[7\].*\[\*, 6\]/);
    m.dispose();
  });

  it('maskZero needs a [batch, steps] input', () => {
    const e = nn.layers.embedding({ inputDim: 10, outputDim: 2, maskZero: true, inputShape: [2, 3] });
    expect(() => nn.sequential({ layers: [e] })).toThrow(/maskZero.*\[batch, steps\]/);
  });
});

describe('forward equals tfjs on the same table', () => {
  for (const shape of [[4, 6], [3, 2, 5], [5]]) {
    it(`ids of shape ${JSON.stringify(shape)}, int32 and float32`, () => {
      const [inputDim, outputDim] = [17, 5];
      const table = randomArray(inputDim * outputDim, 2, -1, 1);
      const ids = someIds(
        shape.reduce((a, b) => a * b, 1),
        inputDim,
        3,
      );
      const layer = nn.layers.embedding({ inputDim, outputDim });
      const intIds = nn.tensor(ids, shape, 'int32');
      layer.apply(intIds);
      layer.setWeights([nn.tensor(Array.from(table), [inputDim, outputDim])]);
      const tfLayer = tfl.layers.embedding({ inputDim, outputDim });
      const tfOut = tf.tidy(() => {
        const out = tfLayer.apply(tf.tensor(ids, shape, 'int32')) as tf.Tensor;
        tfLayer.setWeights([tf.tensor(Array.from(table), [inputDim, outputDim])]);
        const again = tfLayer.apply(tf.tensor(ids, shape, 'int32')) as tf.Tensor;
        out.dispose();
        return { values: again.dataSync(), shape: again.shape };
      });
      const y = layer.apply(intIds);
      expect(y.shape).toEqual(tfOut.shape);
      expectClose(y.dataSync(), tfOut.values, 1e-6, 0);
      const yf = layer.apply(nn.tensor(ids, shape, 'float32'));
      expect(Array.from(yf.dataSync())).toEqual(Array.from(y.dataSync()));
      nn.dispose([intIds, y, yf]);
      layer.dispose();
    });
  }
});

describe('gradient', () => {
  it('of the table by finite differences (repeated ids sum)', () => {
    const ids = [0, 3, 3, 1, 4, 3, 0, 2];
    gradCheck({
      shapes: [
        [5, 3],
        [2, 4],
      ],
      op: (table, x) => nn.gather(table, nn.cast(x, 'int32')),
      forward64: ([table, x]) => Array.from(x).flatMap((id) => Array.from(table.subarray(id * 3, id * 3 + 3))),
      values: [undefined, ids],
      constant: [1],
    });
  });

  it('public gradients stay dense; the train pass gets rows, concatenated when a table is gathered twice', async () => {
    const { valueAndVariableGrads } = await import('../../src/ops/gradients.js');
    const table = nn.variable(nn.tensor(Array.from(randomArray(12, 9)), [4, 3]), true, 'twice_gathered');
    const a = nn.tensor([1, 3], [2], 'int32');
    const b = nn.tensor([3, 0, 3], [3], 'int32');
    const w = nn.tensor(Array.from(randomArray(15, 10)), [5, 3]);
    const f = () => nn.sum(nn.mul(nn.concat([nn.gather(table, a), nn.gather(table, b)]), w));
    const { value, grads } = nn.variableGrads(f, [table]);
    const dense = grads.twice_gathered;
    expect(dense.shape).toEqual([4, 3]);
    const sparse = valueAndVariableGrads(f, [table], new Set([table]));
    const g = sparse.grads[0] as unknown as { kind: string; indices: nn.Tensor; values: nn.Tensor };
    expect(g.kind).toBe('rowSparse');
    // b's rows come back first (backward order), then a's
    expect(Array.from(g.indices.dataSync()).sort()).toEqual([0, 1, 3, 3, 3]);
    const fromRows = new Float64Array(12);
    const idx = g.indices.dataSync();
    const vals = g.values.dataSync();
    idx.forEach((id, i) => {
      for (let k = 0; k < 3; k++) fromRows[id * 3 + k] += vals[i * 3 + k];
    });
    expectClose(dense.dataSync(), fromRows, 1e-6, 1e-7);
    nn.dispose([value, dense, sparse.value, g.indices, g.values, a, b, w]);
    table.dispose();
  });
});

/** Mean over the real steps (mask 1) of [batch, steps, features]: a consumer of the mask. */
class MaskedMean extends nn.layers.Layer {
  static readonly className: string = 'MaskedMean';
  seen: number[] | null = null;
  override get supportsMasking(): boolean {
    return true;
  }
  computeOutputShape(shape: Array<number | null>): Array<number | null> {
    return [shape[0], shape[2]];
  }
  override computeMask(): nn.Tensor | null {
    return null;
  }
  call(x: nn.Tensor, _training: boolean, mask?: nn.Tensor | null): nn.Tensor {
    if (!mask) return nn.mean(x, 1);
    const m = nn.expandDims(mask, 2);
    return nn.div(nn.sum(nn.mul(x, m), 1), nn.maximum(nn.sum(m, 1), 1));
  }
}

describe('maskZero', () => {
  it('makes a float32 [batch, steps] mask (id != 0) that reaches the next layer; fit trains through it', async () => {
    nn.setSeed(4);
    const embedding = nn.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true, inputLength: 4 });
    const model = nn.sequential({ layers: [embedding, new MaskedMean({}), nn.layers.dense({ units: 1 })] });
    const ids = [
      [1, 2, 0, 0],
      [5, 0, 0, 0],
      [3, 4, 5, 1],
    ];
    const x = nn.tensor(ids, [3, 4], 'int32');
    const mask = embedding.computeMask(x);
    expect(mask!.dtype).toBe('float32');
    expect(Array.from(mask!.dataSync())).toEqual(ids.flat().map((v) => (v === 0 ? 1 : 0) ^ 1));
    // a padded step changes nothing: the same rows with other padding give the same output
    const table = embedding.weights[0].dataSync();
    const out = model.predict(x).dataSync();
    const dense = model.layers[2].weights;
    const [k, bias] = [dense[0].dataSync(), dense[1].dataSync()[0]];
    ids.forEach((row, r) => {
      const real = row.filter((v) => v !== 0);
      let y = bias;
      for (let f = 0; f < 3; f++) {
        const mean = real.reduce((s, id) => s + table[id * 3 + f], 0) / real.length;
        y += mean * k[f];
      }
      expect(out[r]).toBeCloseTo(y, 6);
    });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const before = embedding.weights[0].dataSync().slice();
    await model.fit(x, nn.tensor([[1], [0], [2]]), { epochs: 2, verbose: 0 });
    const after = embedding.weights[0].dataSync();
    // row 0 (padding only) gets no gradient; row 1 does
    expect(Array.from(after.slice(0, 3))).toEqual(Array.from(before.slice(0, 3)));
    expect(Array.from(after.slice(3, 6))).not.toEqual(Array.from(before.slice(3, 6)));
    // a layer that does not take masks says so
    const flat = nn.sequential({
      layers: [nn.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true, inputLength: 4 }), nn.layers.flatten()],
    });
    expect(() => flat.predict(x)).toThrow(/Flatten.*does not support masking/);
    nn.dispose([x, mask]);
    model.dispose();
    flat.dispose();
  });
});

describe('model files', () => {
  it('tfjs loads neurasm embedding models (predictions equal) and neurasm loads them back from tfjs', async () => {
    nn.setSeed(8);
    const model = nn.sequential({
      layers: [
        nn.layers.embedding({
          inputDim: 30,
          outputDim: 4,
          inputLength: 6,
          maskZero: false,
          embeddingsRegularizer: nn.regularizers.l2({ l2: 0.001 }),
        }),
        nn.layers.flatten(),
        nn.layers.dense({ units: 2 }),
      ],
    });
    const ids = someIds(5 * 6, 30, 11);
    const x = nn.tensor(ids, [5, 6], 'int32');
    const expected = model.predict(x).dataSync();
    const dir = await tempDir();
    dirs.push(dir);
    await model.save(`file://${dir}`);
    const tfModel = await tfl.loadLayersModel(tfjsFileLoader(dir));
    expect(tfModel.layers[0].getClassName()).toBe('Embedding');
    const tfOut = tf.tidy(() => (tfModel.predict(tf.tensor(ids, [5, 6], 'int32')) as tf.Tensor).dataSync());
    expectClose(tfOut, expected, 1e-5, 1e-6);
    const back = await tempDir();
    dirs.push(back);
    await tfModel.save(tfjsFileSaver(back));
    const reloaded = await nn.loadLayersModel(`file://${back}/model.json`);
    const e = reloaded.layers[0] as nn.layers.Embedding;
    expect([e.inputDim, e.outputDim, e.maskZero]).toEqual([30, 4, false]);
    expect(e.embeddingsRegularizer).not.toBeNull();
    expectClose(reloaded.predict(x).dataSync(), expected, 1e-6, 0);
    nn.dispose(x);
    model.dispose();
    reloaded.dispose();
  });

  it("neurasm loads a tfjs-made model with maskZero and tfjs's own table", async () => {
    const only = tfl.sequential({
      layers: [tfl.layers.embedding({ inputDim: 12, outputDim: 3, maskZero: true, inputLength: 5 })],
    });
    const dir = await tempDir();
    dirs.push(dir);
    await only.save(tfjsFileSaver(dir));
    const model = await nn.loadLayersModel(`file://${dir}/model.json`);
    const e = model.layers[0] as nn.layers.Embedding;
    expect(e.maskZero).toBe(true);
    expect(model.inputShape).toEqual([null, 5]);
    const ids = [
      [1, 2, 0, 11, 3],
      [0, 0, 4, 5, 6],
    ];
    const tfOut = tf.tidy(() => (only.predict(tf.tensor(ids, [2, 5], 'int32')) as tf.Tensor).dataSync());
    expectClose(model.predict(nn.tensor(ids, [2, 5], 'int32')).dataSync(), tfOut, 1e-6, 0);
    model.dispose();
  });
});
