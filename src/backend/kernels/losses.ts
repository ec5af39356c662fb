// Typed calls of the fused loss kernels (assembly/losses.ts). Internal: pointers are byte offsets of
// float32 blocks (int32 for sparse labels) and the ops layer has validated every argument. The
// kernels write per-row or per-element losses; the caller reduces them.
//
// The cross-entropies from logits take `epsilon`: 0 (the default) reports the unclipped loss, as
// tfjs's losses do; epsilon > 0 (Keras passes 1e-7) reports Keras's value of the probability path,
// with p clipped into [epsilon, 1 − epsilon], computed from the logits by clamping −log p into
// [−log(1 − epsilon), −log epsilon]. Their backward kernels are the exact gradient p − t either way.
import { kernels } from './exports.js';

/**
 * Softmax cross-entropy with int32 class labels (each in [0, cols)): loss[r] = −log p_r[label] =
 * logsumexp(z_r) − z_r[label], clamped into [−log(1 − epsilon), −log epsilon] when epsilon > 0, and
 * probs (rows×cols) = softmax, kept for the backward pass. Stable for logits far apart. probs may
 * alias logits.
 */
export function softmaxCrossEntropySparse(
  logits: number,
  labels: number,
  rows: number,
  cols: number,
  loss: number,
  probs: number,
  epsilon = 0,
): void {
  kernels().softmaxCrossEntropySparse(logits, labels, rows, cols, loss, probs, epsilon);
}

/** dlogits = (probs − onehot(label)) · dyRow[r], dyRow holding one upstream gradient per row. dlogits may alias probs. */
export function softmaxCrossEntropySparseBackward(
  probs: number,
  labels: number,
  dyRow: number,
  rows: number,
  cols: number,
  dlogits: number,
): void {
  kernels().softmaxCrossEntropySparseBackward(probs, labels, dyRow, rows, cols, dlogits);
}

/**
 * Softmax cross-entropy with dense (one-hot or soft) targets: loss[r] = Σ t·(−log p) with −log p =
 * logsumexp(z_r) − z, each term clamped into [−log(1 − epsilon), −log epsilon] when epsilon > 0, never
 * the log of a computed probability; probs = softmax, kept for backward. probs may alias logits.
 */
export function softmaxCrossEntropyDense(
  logits: number,
  targets: number,
  rows: number,
  cols: number,
  loss: number,
  probs: number,
  epsilon = 0,
): void {
  kernels().softmaxCrossEntropyDense(logits, targets, rows, cols, loss, probs, epsilon);
}

/** dlogits = (probs · Σt − t) · dyRow[r]. dlogits may alias probs or targets. */
export function softmaxCrossEntropyDenseBackward(
  probs: number,
  targets: number,
  dyRow: number,
  rows: number,
  cols: number,
  dlogits: number,
): void {
  kernels().softmaxCrossEntropyDenseBackward(probs, targets, dyRow, rows, cols, dlogits);
}

/**
 * Elementwise sigmoid cross-entropy from logits: t·softplus(−z) + (1 − t)·softplus(z) (= max(z, 0) −
 * z·t + log1p(e^−|z|)), each softplus (−log p, −log(1 − p)) clamped into [−log(1 − epsilon),
 * −log epsilon] when epsilon > 0.
 */
export function sigmoidCrossEntropy(logits: number, targets: number, n: number, loss: number, epsilon = 0): void {
  kernels().sigmoidCrossEntropy(logits, targets, n, loss, epsilon);
}

/** dlogits = (sigmoid(z) − t) · dy, whatever the forward's epsilon. dlogits may alias any input. */
export function sigmoidCrossEntropyBackward(
  logits: number,
  targets: number,
  dy: number,
  n: number,
  dlogits: number,
): void {
  kernels().sigmoidCrossEntropyBackward(logits, targets, dy, n, dlogits);
}

/**
 * Elementwise binary cross-entropy from probabilities: −(t·log p + (1 − t)·log(1 − p)) with p and
 * 1 − p clipped into [epsilon, 1 − epsilon] (Keras passes epsilon = 1e-7).
 */
export function binaryCrossEntropy(probs: number, targets: number, n: number, loss: number, epsilon: number): void {
  kernels().binaryCrossEntropy(probs, targets, n, loss, epsilon);
}

/** dprobs = dy·(p − t)/(p(1 − p)) where epsilon ≤ p ≤ 1 − epsilon, 0 outside (the clip's gradient). */
export function binaryCrossEntropyBackward(
  probs: number,
  targets: number,
  dy: number,
  n: number,
  dprobs: number,
  epsilon: number,
): void {
  kernels().binaryCrossEntropyBackward(probs, targets, dy, n, dprobs, epsilon);
}

/** Elementwise (pred − target)². */
export function squaredError(pred: number, target: number, n: number, loss: number): void {
  kernels().squaredError(pred, target, n, loss);
}

/** dpred = 2(pred − target) · dy. */
export function squaredErrorBackward(pred: number, target: number, dy: number, n: number, dpred: number): void {
  kernels().squaredErrorBackward(pred, target, dy, n, dpred);
}

/** Elementwise |pred − target|. */
export function absoluteError(pred: number, target: number, n: number, loss: number): void {
  kernels().absoluteError(pred, target, n, loss);
}

/** dpred = sign(pred − target) · dy, 0 where pred = target. */
export function absoluteErrorBackward(pred: number, target: number, dy: number, n: number, dpred: number): void {
  kernels().absoluteErrorBackward(pred, target, dy, n, dpred);
}

/** Elementwise Huber loss: ½d² where |d| ≤ delta, else delta·(|d| − ½delta), d = pred − target. */
export function huber(pred: number, target: number, n: number, loss: number, delta: number): void {
  kernels().huber(pred, target, n, loss, delta);
}

/** dpred = clip(pred − target, −delta, delta) · dy. */
export function huberBackward(pred: number, target: number, dy: number, n: number, dpred: number, delta: number): void {
  kernels().huberBackward(pred, target, dy, n, dpred, delta);
}

/**
 * Keras's cross-entropy on probabilities [rows, cols]: loss[row] = −log(clip(probs[row, label]))
 * for int32 labels, probabilities clipped into [ε, 1 − ε] (ε = 0: none); a label outside
 * [0, cols) reports NaN.
 */
export function crossEntropyProbsSparse(
  probs: number,
  labels: number,
  rows: number,
  cols: number,
  loss: number,
  epsilon: number,
): void {
  kernels().crossEntropyProbsSparse(probs, labels, rows, cols, loss, epsilon);
}

/** Keras's categorical cross-entropy on probabilities: loss[row] = −Σ t·log(clip(probs)). */
export function crossEntropyProbsDense(
  probs: number,
  targets: number,
  rows: number,
  cols: number,
  loss: number,
  epsilon: number,
): void {
  kernels().crossEntropyProbsDense(probs, targets, rows, cols, loss, epsilon);
}
