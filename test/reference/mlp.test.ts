import { describe, expect, it } from 'vitest';
import { ReferenceMlp } from '../../src/reference/mlp.js';
import { adamStepReference } from '../../src/reference/optimizers.js';
import { expectClose } from '../helpers/close.js';
import { randomArray, rng } from '../helpers/random.js';

/** Three classes of 2-D points: class = which third of the plane the point's angle falls in. */
function toyData(rows: number, seed: number): { x: Float32Array; y: Int32Array } {
  const x = randomArray(rows * 2, seed);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const angle = Math.atan2(x[2 * i + 1], x[2 * i]) + Math.PI;
    y[i] = Math.min(2, Math.floor((angle / (2 * Math.PI)) * 3));
  }
  return { x, y };
}

/** Mean crossentropy of the net on (x, y), in float64 from its predictions. */
function meanLoss(net: ReferenceMlp, x: Float32Array, y: Int32Array, rows: number): number {
  const classes = net.sizes[net.sizes.length - 1];
  const p = new Float32Array(rows * classes);
  net.predict(x, rows, p);
  let sum = 0;
  for (let i = 0; i < rows; i++) sum -= Math.log(p[i * classes + y[i]]);
  return sum / rows;
}

describe('ReferenceMlp', () => {
  it('learns a toy three-class problem', () => {
    const { x, y } = toyData(256, 3);
    const net = new ReferenceMlp([2, 16, 16, 3], 5, { learningRate: 0.01, maxRows: 32 });
    const before = meanLoss(net, x, y, 256);
    const xb = new Float32Array(32 * 2);
    const yb = new Int32Array(32);
    for (let epoch = 0; epoch < 60; epoch++) {
      for (let start = 0; start < 256; start += 32) {
        xb.set(x.subarray(start * 2, (start + 32) * 2));
        yb.set(y.subarray(start, start + 32));
        net.trainBatch(xb, yb, 32);
      }
    }
    const after = meanLoss(net, x, y, 256);
    expect(before).toBeGreaterThan(0.8);
    expect(after).toBeLessThan(0.25);
  });

  it('returns the batch loss and probabilities that sum to one', () => {
    const { x, y } = toyData(7, 11);
    const net = new ReferenceMlp([2, 5, 3], 2);
    const loss = net.computeGradients(x, y, 7);
    expect(loss).toBeCloseTo(meanLoss(net, x, y, 7), 5);
    const p = new Float32Array(21);
    net.predict(x, 7, p);
    for (let i = 0; i < 7; i++) expect(p[3 * i] + p[3 * i + 1] + p[3 * i + 2]).toBeCloseTo(1, 6);
  });

  it('has gradients that match central finite differences', () => {
    const rows = 5;
    const x = randomArray(rows * 4, 21);
    const r = rng(22);
    const y = Int32Array.from({ length: rows }, () => Math.floor(r() * 3));
    const net = new ReferenceMlp([4, 6, 5, 3], 9);
    // Non-zero biases so every relu unit sees a generic input.
    net.biases.forEach((b, l) => {
      b.set(randomArray(b.length, 30 + l, -0.3, 0.3));
    });
    net.computeGradients(x, y, rows);
    const params = net.kernels.flatMap((w, l) => [w, net.biases[l]]);
    const grads = net.kernelGrads.flatMap((g, l) => [Float64Array.from(g), Float64Array.from(net.biasGrads[l])]);
    const h = 3e-3; // small enough that no relu input crosses zero, large enough for float32
    params.forEach((p, k) => {
      const numeric = new Float64Array(p.length);
      for (let i = 0; i < p.length; i++) {
        const saved = p[i];
        p[i] = saved + h;
        const up = net.computeGradients(x, y, rows);
        p[i] = saved - h;
        const down = net.computeGradients(x, y, rows);
        p[i] = saved;
        numeric[i] = (up - down) / (2 * h);
      }
      expectClose(grads[k], numeric, 1e-2, 2e-5);
    });
  });

  it('updates the weights with the Keras Adam formulas', () => {
    const { x, y } = toyData(8, 41);
    const net = new ReferenceMlp([2, 4, 3], 13, { learningRate: 0.05 });
    const w = Float64Array.from(net.kernels[0]);
    const m = new Float64Array(w.length);
    const v = new Float64Array(w.length);
    for (let step = 1; step <= 3; step++) {
      net.computeGradients(x, y, 8);
      const g = Float64Array.from(net.kernelGrads[0]);
      w.set(net.kernels[0]);
      adamStepReference(w, g, m, v, 0.05, 0.9, 0.999, 1e-7, step);
      net.applyAdam();
      expectClose(net.kernels[0], w, 1e-5, 1e-6);
    }
  });
});
