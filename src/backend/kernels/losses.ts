// Typed calls of the fused loss kernels (assembly/losses.ts). Internal: pointers are byte offsets of
// float32 blocks (int32 for sparse labels) and the ops layer has validated every argument. The
// kernels write per-row or per-element losses; the caller reduces them.
//
// The cross-entropies from logits take `epsilon`: 0 (the default) reports the unclipped loss, as
// tfjs's losses do; epsilon > 0 (Keras passes 1e-7) reports Keras's value of the probability path,
// with p clipped into [epsilon, 1 − epsilon], computed from the logits by clamping −log p into
// [−log(1 − epsilon), −log epsilon]. Their backward kernels are the exact gradient p − t either way.
import { passThrough, passThroughDefaultLast } from './exports.js';

/**
 * Softmax cross-entropy with int32 class labels (each in [0, cols)): loss[r] = −log p_r[label] =
 * logsumexp(z_r) − z_r[label], clamped into [−log(1 − epsilon), −log epsilon] when epsilon > 0, and
 * probs (rows×cols) = softmax, kept for the backward pass. Stable for logits far apart. probs may
 * alias logits.
 */
export const softmaxCrossEntropySparse = passThroughDefaultLast('softmaxCrossEntropySparse', 0);

/** dlogits = (probs − onehot(label)) · dyRow[r], dyRow holding one upstream gradient per row. dlogits may alias probs. */
export const softmaxCrossEntropySparseBackward = passThrough('softmaxCrossEntropySparseBackward');

/**
 * Softmax cross-entropy with dense (one-hot or soft) targets: loss[r] = Σ t·(−log p) with −log p =
 * logsumexp(z_r) − z, each term clamped into [−log(1 − epsilon), −log epsilon] when epsilon > 0, never
 * the log of a computed probability; probs = softmax, kept for backward. probs may alias logits.
 */
export const softmaxCrossEntropyDense = passThroughDefaultLast('softmaxCrossEntropyDense', 0);

/** dlogits = (probs · Σt − t) · dyRow[r]. dlogits may alias probs or targets. */
export const softmaxCrossEntropyDenseBackward = passThrough('softmaxCrossEntropyDenseBackward');

/**
 * Elementwise sigmoid cross-entropy from logits: t·softplus(−z) + (1 − t)·softplus(z) (= max(z, 0) −
 * z·t + log1p(e^−|z|)), each softplus (−log p, −log(1 − p)) clamped into [−log(1 − epsilon),
 * −log epsilon] when epsilon > 0.
 */
export const sigmoidCrossEntropy = passThroughDefaultLast('sigmoidCrossEntropy', 0);

/** dlogits = (sigmoid(z) − t) · dy, whatever the forward's epsilon. dlogits may alias any input. */
export const sigmoidCrossEntropyBackward = passThrough('sigmoidCrossEntropyBackward');

/**
 * Elementwise binary cross-entropy from probabilities: −(t·log p + (1 − t)·log(1 − p)) with p and
 * 1 − p clipped into [epsilon, 1 − epsilon] (Keras passes epsilon = 1e-7).
 */
export const binaryCrossEntropy = passThrough('binaryCrossEntropy');

/** dprobs = dy·(p − t)/(p(1 − p)) where epsilon ≤ p ≤ 1 − epsilon, 0 outside (the clip's gradient). */
export const binaryCrossEntropyBackward = passThrough('binaryCrossEntropyBackward');

/** Elementwise (pred − target)². */
export const squaredError = passThrough('squaredError');

/** dpred = 2(pred − target) · dy. */
export const squaredErrorBackward = passThrough('squaredErrorBackward');

/** Elementwise |pred − target|. */
export const absoluteError = passThrough('absoluteError');

/** dpred = sign(pred − target) · dy, 0 where pred = target. */
export const absoluteErrorBackward = passThrough('absoluteErrorBackward');

/** Elementwise Huber loss: ½d² where |d| ≤ delta, else delta·(|d| − ½delta), d = pred − target. */
export const huber = passThrough('huber');

/** dpred = clip(pred − target, −delta, delta) · dy. */
export const huberBackward = passThrough('huberBackward');

/**
 * Keras's cross-entropy on probabilities [rows, cols]: loss[row] = −log(clip(probs[row, label]))
 * for int32 labels, probabilities clipped into [ε, 1 − ε] (ε = 0: none); a label outside
 * [0, cols) reports NaN.
 */
export const crossEntropyProbsSparse = passThrough('crossEntropyProbsSparse');

/** Keras's categorical cross-entropy on probabilities: loss[row] = −Σ t·log(clip(probs)). */
export const crossEntropyProbsDense = passThrough('crossEntropyProbsDense');
