// Float64 reference losses and their gradients: the test oracle and the benchmark baseline. Per row
// (softmax cross-entropy) or per element, like the kernels; gradients are taken w.r.t. the logits
// or predictions directly, without the kernels' saved softmax.
//
// The cross-entropies from logits take the kernels' `epsilon`: with epsilon > 0 they follow Keras's
// probability path literally (p = softmax or sigmoid in float64, clipped into [ε, 1 − ε], then the
// log); with epsilon = 0 (the default, tfjs's losses) they are the unclipped losses from the logits.
// Their gradients are the unclipped ones either way, as the kernels' are.
import { logSumExp, softmaxReference } from './activations.js';

function row(x: ArrayLike<number>, r: number, cols: number): number[] {
  return Array.from({ length: cols }, (_, j) => x[r * cols + j]);
}

/** −log of p clipped into [ε, 1 − ε], Keras's cross-entropy term on probabilities. */
function clippedNll(p: number, epsilon: number): number {
  return -Math.log(Math.min(Math.max(p, epsilon), 1 - epsilon));
}

/** Per row: −log clip(softmax(z)[label]) for epsilon > 0, else logsumexp(z) − z[label]. */
export function softmaxCrossEntropySparseReference(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  rows: number,
  cols: number,
  epsilon = 0,
): Float64Array {
  return Float64Array.from({ length: rows }, (_, r) => {
    const nll = logSumExp(row(logits, r, cols)) - logits[r * cols + labels[r]];
    return epsilon > 0 ? clippedNll(Math.exp(-nll), epsilon) : nll;
  });
}

/** (softmax(z) − onehot(label)) · dyRow[r]. */
export function softmaxCrossEntropySparseBackwardReference(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  dyRow: ArrayLike<number>,
  rows: number,
  cols: number,
): Float64Array {
  const p = softmaxReference(logits, rows, cols);
  return p.map((v, i) => {
    const r = Math.floor(i / cols);
    return (v - (i % cols === labels[r] ? 1 : 0)) * dyRow[r];
  });
}

/** Per row: −Σ t · log clip(softmax(z)) for epsilon > 0, else −Σ t · log_softmax(z). */
export function softmaxCrossEntropyDenseReference(
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  rows: number,
  cols: number,
  epsilon = 0,
): Float64Array {
  return Float64Array.from({ length: rows }, (_, r) => {
    const z = row(logits, r, cols);
    const lse = logSumExp(z);
    const nll = (v: number) => (epsilon > 0 ? clippedNll(Math.exp(v - lse), epsilon) : lse - v);
    return z.reduce((acc, v, j) => acc + targets[r * cols + j] * nll(v), 0);
  });
}

/** (softmax(z) · Σt − t) · dyRow[r]. */
export function softmaxCrossEntropyDenseBackwardReference(
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  dyRow: ArrayLike<number>,
  rows: number,
  cols: number,
): Float64Array {
  const p = softmaxReference(logits, rows, cols);
  return p.map((v, i) => {
    const r = Math.floor(i / cols);
    const tSum = row(targets, r, cols).reduce((a, b) => a + b, 0);
    return (v * tSum - targets[i]) * dyRow[r];
  });
}

function elementwise(a: ArrayLike<number>, b: ArrayLike<number>, f: (a: number, b: number, i: number) => number) {
  return Float64Array.from({ length: a.length }, (_, i) => f(a[i], b[i], i));
}

/**
 * For epsilon > 0, −(t·log c + (1 − t)·log(1 − c)) with c = sigmoid(z) clipped into [ε, 1 − ε];
 * for epsilon = 0, max(z, 0) − z·t + log1p(e^−|z|).
 */
export function sigmoidCrossEntropyReference(
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  epsilon = 0,
): Float64Array {
  if (epsilon > 0) return binaryCrossEntropyReference(Float64Array.from(logits, sigmoid), targets, epsilon);
  return elementwise(logits, targets, (z, t) => Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z))));
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** (sigmoid(z) − t) · dy. */
export function sigmoidCrossEntropyBackwardReference(
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  dy: ArrayLike<number>,
): Float64Array {
  return elementwise(logits, targets, (z, t, i) => (sigmoid(z) - t) * dy[i]);
}

/** −(t·log p + (1 − t)·log(1 − p)) with p clipped into [ε, 1 − ε]. */
export function binaryCrossEntropyReference(
  probs: ArrayLike<number>,
  targets: ArrayLike<number>,
  epsilon: number,
): Float64Array {
  return elementwise(probs, targets, (p, t) => {
    const c = Math.min(Math.max(p, epsilon), 1 - epsilon);
    return -(t * Math.log(c) + (1 - t) * Math.log(1 - c));
  });
}

/** dy·(p − t)/(p(1 − p)) inside [ε, 1 − ε], 0 outside. */
export function binaryCrossEntropyBackwardReference(
  probs: ArrayLike<number>,
  targets: ArrayLike<number>,
  dy: ArrayLike<number>,
  epsilon: number,
): Float64Array {
  return elementwise(probs, targets, (p, t, i) =>
    p >= epsilon && p <= 1 - epsilon ? (dy[i] * (p - t)) / (p * (1 - p)) : 0,
  );
}

/** (pred − target)². */
export function squaredErrorReference(pred: ArrayLike<number>, target: ArrayLike<number>): Float64Array {
  return elementwise(pred, target, (p, t) => (p - t) ** 2);
}

/** 2(pred − target) · dy. */
export function squaredErrorBackwardReference(
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  dy: ArrayLike<number>,
): Float64Array {
  return elementwise(pred, target, (p, t, i) => 2 * (p - t) * dy[i]);
}

/** |pred − target|. */
export function absoluteErrorReference(pred: ArrayLike<number>, target: ArrayLike<number>): Float64Array {
  return elementwise(pred, target, (p, t) => Math.abs(p - t));
}

/** sign(pred − target) · dy (0 where equal). */
export function absoluteErrorBackwardReference(
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  dy: ArrayLike<number>,
): Float64Array {
  return elementwise(pred, target, (p, t, i) => Math.sign(p - t) * dy[i]);
}

/** ½d² where |d| ≤ δ, else δ(|d| − ½δ). */
export function huberReference(pred: ArrayLike<number>, target: ArrayLike<number>, delta: number): Float64Array {
  return elementwise(pred, target, (p, t) => {
    const d = Math.abs(p - t);
    return d <= delta ? 0.5 * d * d : delta * (d - 0.5 * delta);
  });
}

/** clip(d, −δ, δ) · dy. */
export function huberBackwardReference(
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  dy: ArrayLike<number>,
  delta: number,
): Float64Array {
  return elementwise(pred, target, (p, t, i) => Math.min(Math.max(p - t, -delta), delta) * dy[i]);
}
