// A float64 plain-JS model of Dense stacks and Keras losses: the oracle of the training tests.
// Forward, loss gradient and backward are written out by hand; optimizers come from src/reference.

import { expect } from 'vitest';
import type { ActName } from '../../src/backend/codes.js';
import * as nn from '../../src/index.js';
import { activationDerivativeScalar, activationScalar } from '../../src/reference/activations.js';
import {
  adagradStepReference,
  adamStepReference,
  momentumStepReference,
  rmspropStepReference,
  sgdStepReference,
} from '../../src/reference/optimizers.js';
import { expectClose } from '../helpers/close.js';
import { randomArray } from '../helpers/random.js';

/** Activations the oracle knows: every elementwise kernel activation and softmax. */
export type RefActivation = ActName | 'softmax';

/** Keras's default alpha of the parameterised activations (leaky_relu 0.2, elu 1). */
export function refAlpha(act: RefActivation): number {
  return act === 'leakyRelu' ? 0.2 : act === 'elu' ? 1 : 0;
}

/** One Dense layer in float64: kernel [inW, units] row-major, bias [units]. */
export interface RefDense {
  w: Float64Array;
  b: Float64Array;
  inW: number;
  units: number;
  act: RefActivation;
}

/** Loss names the oracle knows (canonical tfjs names). */
export type RefLoss =
  | 'sparseCategoricalCrossentropy'
  | 'categoricalCrossentropy'
  | 'binaryCrossentropy'
  | 'meanSquaredError'
  | 'meanAbsoluteError'
  | 'huber';

const EPS = 1e-7;

function activate(act: RefActivation, z: Float64Array, rows: number, units: number): Float64Array {
  if (act === 'softmax') {
    const y = new Float64Array(z.length);
    for (let r = 0; r < rows; r++) {
      let m = -Infinity;
      for (let j = 0; j < units; j++) m = Math.max(m, z[r * units + j]);
      let s = 0;
      for (let j = 0; j < units; j++) s += y[r * units + j] = Math.exp(z[r * units + j] - m);
      for (let j = 0; j < units; j++) y[r * units + j] /= s;
    }
    return y;
  }
  return z.map((v) => activationScalar(act, v, refAlpha(act)));
}

/** Forward pass: every layer's pre-activation z and output a (a[0] is the input). */
export function forward(layers: RefDense[], x: ArrayLike<number>, rows: number) {
  const a: Float64Array[] = [Float64Array.from(x)];
  const z: Float64Array[] = [];
  for (const l of layers) {
    const input = a[a.length - 1];
    const out = new Float64Array(rows * l.units);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < l.units; j++) {
        let s = l.b[j];
        for (let k = 0; k < l.inW; k++) s += input[r * l.inW + k] * l.w[k * l.units + j];
        out[r * l.units + j] = s;
      }
    }
    z.push(out);
    a.push(activate(l.act, out, rows, l.units));
  }
  return { z, a };
}

/**
 * Keras loss (mean over the batch) and its gradient. `fromLogits` is true when the last layer's
 * activation is fused into the loss (softmax + crossentropy, sigmoid + binary crossentropy): the
 * gradient is then taken w.r.t. the logits z, else w.r.t. the output a.
 */
export function lossAndGrad(
  loss: RefLoss,
  z: Float64Array,
  a: Float64Array,
  labels: ArrayLike<number>,
  rows: number,
  width: number,
  act: RefActivation,
): { loss: number; grad: Float64Array; wrtLogits: boolean } {
  const n = rows * width;
  const grad = new Float64Array(n);
  let total = 0;
  if (loss === 'sparseCategoricalCrossentropy' || loss === 'categoricalCrossentropy') {
    if (act !== 'softmax') {
      // Keras from probabilities: q = p / Σp, clipped into [ε, 1 − ε], loss −Σ t·log q
      for (let r = 0; r < rows; r++) {
        let s = 0;
        let tSum = 0;
        for (let j = 0; j < width; j++) s += a[r * width + j];
        const t = (j: number) =>
          loss === 'sparseCategoricalCrossentropy' ? (labels[r] === j ? 1 : 0) : labels[r * width + j];
        for (let j = 0; j < width; j++) tSum += t(j);
        for (let j = 0; j < width; j++) {
          const q = a[r * width + j] / s;
          if (q < EPS || q > 1 - EPS) throw new Error('oracle: clipped probability');
          total -= t(j) * Math.log(q);
          grad[r * width + j] = (-t(j) / a[r * width + j] + tSum / s) / rows;
        }
      }
      return { loss: total / rows, grad, wrtLogits: false };
    }
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < width; j++) {
        const t = loss === 'sparseCategoricalCrossentropy' ? (labels[r] === j ? 1 : 0) : labels[r * width + j];
        total -= t * Math.log(a[r * width + j]);
        grad[r * width + j] = (a[r * width + j] - t) / rows;
      }
    }
    return { loss: total / rows, grad, wrtLogits: true };
  }
  for (let i = 0; i < n; i++) {
    const t = labels[i];
    const p = a[i];
    const d = p - t;
    if (loss === 'binaryCrossentropy' && act === 'sigmoid') {
      const v = z[i];
      total += Math.max(v, 0) - v * t + Math.log1p(Math.exp(-Math.abs(v)));
      grad[i] = (p - t) / n;
    } else if (loss === 'binaryCrossentropy') {
      const c = Math.min(Math.max(p, EPS), 1 - EPS);
      total -= t * Math.log(c) + (1 - t) * Math.log(1 - c);
      grad[i] = p >= EPS && p <= 1 - EPS ? (p - t) / (p * (1 - p)) / n : 0;
    } else if (loss === 'meanSquaredError') {
      total += d * d;
      grad[i] = (2 * d) / n;
    } else if (loss === 'meanAbsoluteError') {
      total += Math.abs(d);
      grad[i] = Math.sign(d) / n;
    } else {
      total += Math.abs(d) <= 1 ? 0.5 * d * d : Math.abs(d) - 0.5;
      grad[i] = Math.min(Math.max(d, -1), 1) / n;
    }
  }
  return { loss: total / n, grad, wrtLogits: loss === 'binaryCrossentropy' && act === 'sigmoid' };
}

/** Gradients of every kernel and bias, [kernel0, bias0, kernel1, bias1, ...]. */
export function gradients(
  layers: RefDense[],
  x: ArrayLike<number>,
  labels: ArrayLike<number>,
  rows: number,
  loss: RefLoss,
): { loss: number; grads: Float64Array[] } {
  const { z, a } = forward(layers, x, rows);
  const last = layers[layers.length - 1];
  const head = lossAndGrad(loss, z[z.length - 1], a[a.length - 1], labels, rows, last.units, last.act);
  let g = head.grad;
  const grads: Float64Array[] = [];
  for (let li = layers.length - 1; li >= 0; li--) {
    const l = layers[li];
    const out = a[li + 1];
    // gradient of the output → gradient of the pre-activation
    if (!(li === layers.length - 1 && head.wrtLogits)) {
      if (l.act === 'softmax') {
        const dz = new Float64Array(g.length);
        for (let r = 0; r < rows; r++) {
          let dot = 0;
          for (let j = 0; j < l.units; j++) dot += g[r * l.units + j] * out[r * l.units + j];
          for (let j = 0; j < l.units; j++) dz[r * l.units + j] = out[r * l.units + j] * (g[r * l.units + j] - dot);
        }
        g = dz;
      } else {
        const act = l.act;
        g = g.map((v, i) => v * activationDerivativeScalar(act, z[li][i], refAlpha(act)));
      }
    }
    const input = a[li];
    const dw = new Float64Array(l.inW * l.units);
    const db = new Float64Array(l.units);
    const dIn = new Float64Array(rows * l.inW);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < l.units; j++) {
        const gv = g[r * l.units + j];
        db[j] += gv;
        for (let k = 0; k < l.inW; k++) {
          dw[k * l.units + j] += input[r * l.inW + k] * gv;
          dIn[r * l.inW + k] += gv * l.w[k * l.units + j];
        }
      }
    }
    grads.unshift(dw, db);
    g = dIn;
  }
  return { loss: head.loss, grads };
}

/** An optimizer in float64 with Keras 3 update rules (src/reference/optimizers.ts). */
export type RefOptimizer = (params: Float64Array[], grads: Float64Array[]) => void;

/** Descriptions of optimizers the oracle can run. */
export type RefOptimizerSpec =
  | { kind: 'sgd'; lr: number }
  | { kind: 'momentum'; lr: number; momentum: number; nesterov: boolean }
  | { kind: 'adam'; lr: number; beta1: number; beta2: number; epsilon: number; weightDecay?: number }
  | { kind: 'rmsprop'; lr: number; rho: number; momentum: number; epsilon: number; centered: boolean }
  | { kind: 'adagrad'; lr: number; initial: number; epsilon: number };

/** Makes a stateful float64 optimizer. */
export function refOptimizer(spec: RefOptimizerSpec): RefOptimizer {
  const state = new Map<number, Float64Array[]>();
  let step = 0;
  const slots = (i: number, n: number, count: number, initial = 0) => {
    let s = state.get(i);
    if (!s) {
      s = Array.from({ length: count }, () => new Float64Array(n).fill(initial));
      state.set(i, s);
    }
    return s;
  };
  return (params, grads) => {
    step++;
    params.forEach((w, i) => {
      const g = grads[i];
      switch (spec.kind) {
        case 'sgd':
          sgdStepReference(w, g, spec.lr);
          break;
        case 'momentum': {
          const [v] = slots(i, w.length, 1);
          momentumStepReference(w, g, v, spec.lr, spec.momentum, spec.nesterov);
          break;
        }
        case 'adam': {
          const [m, v] = slots(i, w.length, 2);
          adamStepReference(w, g, m, v, spec.lr, spec.beta1, spec.beta2, spec.epsilon, step, spec.weightDecay ?? 0);
          break;
        }
        case 'rmsprop': {
          const [ms, mom, mg] = slots(i, w.length, 3);
          rmspropStepReference(w, g, ms, mom, mg, spec.lr, spec.rho, spec.momentum, spec.epsilon, spec.centered);
          break;
        }
        case 'adagrad': {
          const [acc] = slots(i, w.length, 1, spec.initial);
          adagradStepReference(w, g, acc, spec.lr, spec.epsilon);
          break;
        }
      }
    });
  };
}

/** The float64 parameter list of layers, in the model's order (kernel, bias per layer). */
export function paramsOf(layers: RefDense[]): Float64Array[] {
  return layers.flatMap((l) => [l.w, l.b]);
}

/**
 * Trains the oracle as fit does with shuffle off: batches of `batchSize` rows in order, one optimizer
 * step per batch, for `epochs` passes. Returns the mean loss of each batch.
 */
export function trainReference(
  layers: RefDense[],
  x: ArrayLike<number>,
  labels: ArrayLike<number>,
  rows: number,
  loss: RefLoss,
  opt: RefOptimizer,
  batchSize: number,
  epochs = 1,
): number[] {
  const inW = layers[0].inW;
  const labelWidth = loss === 'sparseCategoricalCrossentropy' ? 1 : layers[layers.length - 1].units;
  const losses: number[] = [];
  for (let e = 0; e < epochs; e++) {
    for (let start = 0; start < rows; start += batchSize) {
      const n = Math.min(batchSize, rows - start);
      const xb = Array.from(x).slice(start * inW, (start + n) * inW);
      const yb = Array.from(labels).slice(start * labelWidth, (start + n) * labelWidth);
      const { loss: l, grads } = gradients(layers, xb, yb, n, loss);
      losses.push(l);
      opt(paramsOf(layers), grads);
    }
  }
  return losses;
}

// --- bridge to neurasm models -------------------------------------------------------------------

/**
 * A neurasm model of Dense layers and its float64 twin, with the same (float32-rounded) random
 * weights: `units` and activation per layer.
 */
export function modelPair(
  inW: number,
  spec: Array<{ units: number; act: RefActivation }>,
  seed: number,
): { model: nn.Sequential; ref: RefDense[] } {
  const model = nn.sequential();
  const ref: RefDense[] = [];
  let width = inW;
  spec.forEach(({ units, act }, i) => {
    model.add(nn.layers.dense({ units, activation: act, ...(i === 0 ? { inputShape: [inW] } : {}) }));
    ref.push({
      w: Float64Array.from(randomArray(width * units, seed + 10 * i, -0.8, 0.8)),
      b: Float64Array.from(randomArray(units, seed + 10 * i + 1, -0.2, 0.2)),
      inW: width,
      units,
      act,
    });
    width = units;
  });
  const ws = ref.flatMap((l) => [
    nn.tensor2d(Float32Array.from(l.w), [l.inW, l.units]),
    nn.tensor1d(Float32Array.from(l.b)),
  ]);
  model.setWeights(ws);
  nn.dispose(ws);
  return { model, ref };
}

/** Rounds the oracle's weights to float32 and copies them into the model (after editing `ref`). */
export function syncWeights(model: nn.Sequential, ref: RefDense[]): void {
  for (const l of ref) {
    l.w = Float64Array.from(Float32Array.from(l.w));
    l.b = Float64Array.from(Float32Array.from(l.b));
  }
  const ws = ref.flatMap((l) => [
    nn.tensor2d(Float32Array.from(l.w), [l.inW, l.units]),
    nn.tensor1d(Float32Array.from(l.b)),
  ]);
  model.setWeights(ws);
  nn.dispose(ws);
}

/** The model's weights as float32 arrays (copies). */
export function weightValues(model: nn.Sequential): Float32Array[] {
  const ws = model.getWeights();
  const out = ws.map((w) => Float32Array.from(w.dataSync()));
  nn.dispose(ws);
  return out;
}

/** Asserts the model's weights equal the oracle's within `atol` (plus `rtol` relative). */
export function expectWeights(model: nn.Sequential, ref: RefDense[], atol: number, rtol = atol, label = ''): void {
  const got = weightValues(model);
  const want = paramsOf(ref);
  expect(got.length).toBe(want.length);
  got.forEach((w, i) => {
    expectClose(w, want[i], rtol, atol, `${label} weight ${i}`);
  });
}
