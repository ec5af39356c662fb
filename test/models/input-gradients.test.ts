import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { expectClose } from '../helpers/close.js';

/** A float64 forward of the 5-16-3 tanh/softmax model with the model's own weights. */
function forward64(weights: Float32Array[], x: ArrayLike<number>, logits: boolean): number[] {
  const [w1, b1, w2, b2] = weights;
  const h = Array.from({ length: 16 }, (_, j) => {
    let z = b1[j];
    for (let i = 0; i < 5; i++) z += x[i] * w1[i * 16 + j];
    return Math.tanh(z);
  });
  const z = Array.from({ length: 3 }, (_, k) => {
    let s = b2[k];
    for (let j = 0; j < 16; j++) s += h[j] * w2[j * 3 + k];
    return s;
  });
  if (logits) return z;
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

describe('model.inputGradients', () => {
  let model: nn.Sequential;
  let x: nn.Tensor;
  let weights: Float32Array[];
  beforeAll(async () => {
    await nn.ready();
    nn.setSeed(5);
    model = nn.sequential({
      layers: [
        nn.layers.dense({ units: 16, activation: 'tanh', inputShape: [5] }),
        nn.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    x = nn.randomNormal([7, 5]);
    weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  });

  /** Central finite differences of output[c] of example `row` in float64. */
  function numeric(row: number, c: number, logits: boolean): number[] {
    const xv = Array.from(x.dataSync()).slice(row * 5, row * 5 + 5);
    return xv.map((_, i) => {
      const h = 1e-5;
      const plus = [...xv];
      const minus = [...xv];
      plus[i] += h;
      minus[i] -= h;
      return (forward64(weights, plus, logits)[c] - forward64(weights, minus, logits)[c]) / (2 * h);
    });
  }

  it('matches finite differences of the probabilities and of the logits, per example and per class', () => {
    const classes = [0, 1, 2, 0, 1, 2, 1];
    for (const logits of [false, true]) {
      const g = model.inputGradients(x, { classes, logits });
      expect(g.shape).toEqual([7, 5]);
      const values = g.dataSync();
      for (let row = 0; row < 7; row++) {
        expectClose(values.slice(row * 5, row * 5 + 5), numeric(row, classes[row], logits), 1e-3, 1e-5);
      }
      g.dispose();
    }
  });

  it('defaults to the predicted class; the batch size does not change the result', () => {
    const predicted = model.predict(x).argMax(-1).dataSync();
    const byDefault = model.inputGradients(x).dataSync();
    const explicit = model.inputGradients(x, { classes: Array.from(predicted), batchSize: 3 }).dataSync();
    expect(Array.from(byDefault)).toEqual(Array.from(explicit));
  });

  it('replays a trace: memory stays where it was over repeated calls', () => {
    model.inputGradients(x, { classes: 1 }).dispose();
    const before = nn.memory();
    for (let i = 0; i < 50; i++) model.inputGradients(x, { classes: 1 }).dispose();
    const after = nn.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.wasmBytes).toBe(before.wasmBytes);
  });

  it('rejects bad classes and options with clear errors, leaving memory as it was', () => {
    const before = nn.memory().numTensors;
    expect(() => model.inputGradients(x, { classes: 3 })).toThrow(/classes/);
    expect(() => model.inputGradients(x, { classes: [0, 1] })).toThrow(/one per example \(7\)/);
    expect(() => model.inputGradients(x, { classes: [0, 1, 2, 0, 1, 2, 1.5] })).toThrow(/classes\[6\]/);
    expect(() => model.inputGradients(x, { logits: 1 as never })).toThrow(/logits/);
    expect(() => model.inputGradients(x, { clases: 1 } as never)).toThrow(/classes/);
    expect(nn.memory().numTensors).toBe(before);
  });
});
