// A model whose first layer takes strings: fit, evaluate and predict take lists of strings, which
// the model turns into numbers in JavaScript before its (traced) passes.
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import type { Tensor } from '../../src/ops/tensor.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const WIDTH = 3;

/** A first layer that takes strings: the first WIDTH character codes of each, as int32 (0 past the end). */
class CharCodes extends nn.layers.Layer {
  static className = 'CharCodes';
  constructor() {
    super({ batchInputShape: [null] });
  }
  override get takesStrings() {
    return true;
  }
  override encodeStrings(texts: readonly string[]) {
    const codes = new Int32Array(texts.length * WIDTH);
    texts.forEach((t, i) => {
      for (let j = 0; j < Math.min(WIDTH, t.length); j++) codes[i * WIDTH + j] = t.charCodeAt(j) - 96;
    });
    return nn.tensor(codes, [texts.length, WIDTH], 'int32');
  }
  computeOutputShape(s: Array<number | null>) {
    return [s[0], WIDTH];
  }
  call(): Tensor {
    throw new Error('not called: the model encodes strings before its passes');
  }
}

function model(): nn.Sequential {
  nn.setSeed(3);
  const m = nn.sequential({
    layers: [new CharCodes(), nn.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: 'zeros' })],
  });
  m.compile({ optimizer: nn.train.sgd(0.1), loss: 'binaryCrossentropy' });
  return m;
}

describe('a model whose first layer takes strings', () => {
  it('predicts, evaluates and trains on lists of strings, as on their codes', async () => {
    const m = model();
    const texts = ['abc', 'cab', 'b', ''];
    const codes = nn.tensor2d(
      [
        [1, 2, 3],
        [3, 1, 2],
        [2, 0, 0],
        [0, 0, 0],
      ],
      undefined,
      'int32',
    );
    expect(Array.from(m.predict(texts).dataSync())).toEqual([0.5, 0.5, 0.5, 0.5]);
    const history = await m.fit(texts, [1, 0, 1, 0], { epochs: 3, batchSize: 2, shuffle: false, verbose: 0 });
    expect(history.history.loss).toHaveLength(3);
    const fromTexts = Array.from(m.predict(texts).dataSync());
    expect(fromTexts).toEqual(Array.from(m.predict(codes).dataSync()));
    expect(fromTexts[0]).not.toBe(0.5);
    const loss = m.evaluate(texts, [1, 0, 1, 0]) as Tensor;
    expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
    loss.dispose();
    for (let i = 0; i < 3; i++) m.predict(texts).dispose();
    await m.fit(texts, [1, 0, 1, 0], { epochs: 2, batchSize: 2, verbose: 0 });
    // steps are cached: nothing grows per call once they exist
    const settled = nn.memory().numBytes;
    await m.fit(texts, [1, 0, 1, 0], { epochs: 2, batchSize: 2, verbose: 0 });
    m.predict(texts).dispose();
    expect(nn.memory().numBytes).toBe(settled);
  });

  it('rejects a non-string item, naming its index, and leaves the model unchanged', async () => {
    const m = model();
    const w = m.getWeights().map((t) => Array.from(t.dataSync()));
    await expect(m.fit(['ab', 7 as unknown as string], [1, 0], { verbose: 0 })).rejects.toThrow(
      /expected x to be a list of strings, got 7 at index 1/,
    );
    expect(() => m.predict(['ab', null as unknown as string])).toThrow(/got null at index 1/);
    expect(m.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(w);
  });

  it('a numeric model rejects strings; a layer that takes strings must come first', () => {
    const numeric = nn.sequential({ layers: [nn.layers.dense({ units: 1, inputShape: [2] })] });
    expect(() => numeric.predict(['ab'])).toThrow(/x is a list of strings, but the input of model .* takes numbers/);
    expect(() => numeric.add(new CharCodes())).toThrow(/takes strings, so it can only be the model's first layer/);
  });
});
