import { beforeAll, describe, expect, it } from 'vitest';
import { NeurasmError, ShapeError, ValueError } from '../../src/errors.js';
import { gradientTimesInput, saliency } from '../../src/explain/gradients.js';
import * as nn from '../../src/index.js';
import { expectClose } from '../helpers/close.js';
import { type Dense64, forward64, gradient64 } from './mlp64.js';
import { smallNetwork } from './small-network.js';

describe('saliency and gradientTimesInput', () => {
  let model: nn.Sequential;
  let layers: Dense64[];
  let x: nn.Tensor;
  let xv: Float32Array;
  beforeAll(async () => {
    await nn.ready();
    ({ model, layers } = smallNetwork(3));
    x = nn.randomNormal([9, 6], 0, 1.5, 'float32', 11);
    xv = x.dataSync() as Float32Array;
  });

  const row = (r: number) => xv.slice(r * 6, r * 6 + 6);
  const predicted = (r: number) => {
    const p = forward64(layers, row(r));
    return p.indexOf(Math.max(...p));
  };

  it('saliency is the float64 gradient of each row’s predicted class by default', async () => {
    const g = await saliency(model, x);
    expect(g.shape).toEqual([9, 6]);
    const values = g.dataSync();
    for (let r = 0; r < 9; r++) {
      expectClose(values.slice(r * 6, r * 6 + 6), gradient64(layers, row(r), predicted(r)), 1e-4, 1e-6, `row ${r}`);
    }
    g.dispose();
  });

  it('explains a fixed output or one output per row; batch size does not change the result', async () => {
    const perRow = [0, 1, 2, 3, 0, 1, 2, 3, 3];
    const fixed = (await saliency(model, x, { output: 2, batchSize: 4 })).dataSync();
    const listed = (await saliency(model, x, { output: perRow, batchSize: 2 })).dataSync();
    const asTensor = (await saliency(model, x, { output: nn.tensor1d(perRow, 'int32') })).dataSync();
    for (let r = 0; r < 9; r++) {
      expectClose(fixed.slice(r * 6, r * 6 + 6), gradient64(layers, row(r), 2), 1e-4, 1e-6);
      expectClose(listed.slice(r * 6, r * 6 + 6), gradient64(layers, row(r), perRow[r]), 1e-4, 1e-6);
    }
    expect(Array.from(asTensor)).toEqual(Array.from(listed));
  });

  it('gradientTimesInput is the input times its saliency', async () => {
    const g = (await saliency(model, x, { output: 1 })).dataSync();
    const gx = await gradientTimesInput(model, x, { output: 1 });
    expect(gx.shape).toEqual([9, 6]);
    const values = gx.dataSync();
    for (let i = 0; i < values.length; i++) expect(values[i]).toBe(Math.fround(g[i] * xv[i]));
    gx.dispose();
  });

  it('takes nested arrays and image-shaped inputs, returning the input shape', async () => {
    const fromArrays = await saliency(model, [Array.from(row(0))], { output: 0 });
    expectClose(fromArrays.dataSync(), gradient64(layers, row(0), 0), 1e-4, 1e-6);
    fromArrays.dispose();
    const image = nn.sequential({
      layers: [nn.layers.flatten({ inputShape: [3, 2] }), nn.layers.dense({ units: 2, activation: 'softmax' })],
    });
    const g = await saliency(image, nn.randomNormal([5, 3, 2]));
    expect(g.shape).toEqual([5, 3, 2]);
    g.dispose();
    image.dispose();
  });

  it('rejects an output index out of range, input of the wrong width and bad options, clearly', async () => {
    await expect(saliency(model, x, { output: 4 })).rejects.toThrow(/output.*4/);
    await expect(saliency(model, x, { output: -1 })).rejects.toThrow(NeurasmError);
    await expect(saliency(model, x, { output: [0, 1] })).rejects.toThrow(/one per row \(9\)/);
    await expect(saliency(model, x, { output: [0, 1, 2, 3, 0, 1, 2, 3, 7] })).rejects.toThrow(/output\[8\]/);
    await expect(saliency(model, nn.zeros([3, 5]))).rejects.toThrow(ShapeError);
    await expect(gradientTimesInput(model, nn.zeros([3, 5]))).rejects.toThrow(/\[\*, 6\].*\[3, 5\]/);
    await expect(saliency(model, x, { outptu: 1 } as never)).rejects.toThrow(/did you mean output/);
    await expect(saliency(model, x, { batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(saliency({} as never, x)).rejects.toThrow(ValueError);
    await expect(saliency(model, nn.zeros([3, 6], 'int32'))).rejects.toThrow(/float32/);
    // an unbuilt model is not built from x by a call that explains it
    const unbuilt = nn.sequential({ layers: [nn.layers.dense({ units: 2 })] });
    await expect(saliency(unbuilt, x)).rejects.toThrow(/not built/);
    expect(unbuilt.layers[0].built).toBe(false);
    const disposed = nn.sequential({ layers: [nn.layers.dense({ units: 2, inputShape: [6] })] });
    disposed.dispose();
    await expect(saliency(disposed, x)).rejects.toThrow(NeurasmError);
  });

  it('leaves no tensors behind', async () => {
    (await saliency(model, x)).dispose();
    const before = nn.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      (await saliency(model, x)).dispose();
      (await gradientTimesInput(model, x, { output: [0, 1, 2, 3, 0, 1, 2, 3, 3] })).dispose();
    }
    await expect(saliency(model, x, { output: 9 })).rejects.toThrow();
    expect(nn.memory().numTensors).toBe(before);
  });
});
