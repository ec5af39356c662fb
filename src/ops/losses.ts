import {
  absoluteError,
  absoluteErrorBackward,
  binaryCrossEntropy,
  binaryCrossEntropyBackward,
  crossEntropyProbsDense,
  crossEntropyProbsSparse,
  huber,
  huberBackward,
  sigmoidCrossEntropyBackward,
  sigmoidCrossEntropy as sigmoidCrossEntropyKernel,
  softmaxCrossEntropyDense,
  softmaxCrossEntropyDenseBackward,
  softmaxCrossEntropySparse,
  softmaxCrossEntropySparseBackward,
  squaredError,
  squaredErrorBackward,
} from '../backend/kernels/losses.js';
import { formatShape, ShapeError, ValueError } from '../errors.js';
import { mean, sum } from './reduction.js';
import { cast } from './shape.js';
import { activeTape, record } from './tape.js';
import { Tensor } from './tensor.js';
import { checkFloat, checkNumber, checkTensor, describe, sameShape } from './validate.js';

/** How a loss op reduces its per-example values. */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options shared by the loss ops. */
export interface LossOptions {
  /** 'mean' (default) over all values, 'sum', or 'none' to get the per-example losses. */
  reduction?: Reduction;
}

/** Validates the options' reduction before anything is allocated. */
function checkReduction(op: string, options: LossOptions): Reduction {
  if (options === null || typeof options !== 'object') {
    throw new ValueError(`${op}: expected an options object, got ${describe(options)}`);
  }
  const r = options.reduction ?? 'mean';
  if (r !== 'mean' && r !== 'sum' && r !== 'none') {
    throw new ValueError(`${op}: expected reduction 'mean', 'sum' or 'none', got ${describe(options.reduction)}`);
  }
  return r;
}

function reduce(perExample: Tensor, r: Reduction): Tensor {
  if (r === 'none') return perExample;
  const out = r === 'mean' ? mean(perExample) : sum(perExample);
  if (!activeTape()) perExample.dispose();
  return out;
}

function checkLogits(op: string, logits: Tensor): { rows: number; cols: number } {
  checkTensor(op, 'logits', logits);
  checkFloat(op, 'logits', logits);
  if (logits.rank < 1 || logits.shape[logits.rank - 1] < 1) {
    throw new ShapeError(
      `${op}: expected logits of shape [..., classes] with classes >= 1, got ${formatShape(logits.shape)}`,
    );
  }
  const cols = logits.shape[logits.rank - 1];
  return { rows: logits.size / cols, cols };
}

/** Validates sparse labels and returns them as an int32 tensor (a temporary copy if they were float). */
function sparseLabels(op: string, labels: Tensor, logits: Tensor, cols: number): Tensor {
  checkTensor(op, 'labels', labels);
  const expected = logits.shape.slice(0, -1);
  if (!sameShape(labels.shape, expected)) {
    throw new ShapeError(
      `${op}: expected labels of shape ${formatShape(expected)} for logits ${formatShape(logits.shape)}, got ${formatShape(labels.shape)}`,
    );
  }
  const values = labels.readValues(op);
  for (let i = 0; i < values.length; i++) {
    const k = values[i];
    if (!Number.isInteger(k) || k < 0 || k >= cols) {
      throw new ValueError(`${op}: label ${i} is ${k}; expected an integer class index in [0, ${cols})`);
    }
  }
  if (labels.dtype === 'int32') return labels;
  return cast(labels, 'int32');
}

/**
 * @internal Per-row softmax cross-entropy of logits [..., classes]: against int32 class indices of
 * the shape without the last axis, or float32 targets of the logits' shape, in one fused kernel
 * pass. With epsilon > 0 each row's loss is clipped as Keras clips probabilities into [ε, 1 − ε]
 * (a saturated wrong prediction reports −log ε); the gradient to the logits is (softmax − target)·dy
 * either way. The caller has checked shapes and, for indices, that they are in range.
 */
export function softmaxCrossEntropyRows(targets: Tensor, logits: Tensor, epsilon: number): Tensor {
  const cols = logits.shape[logits.rank - 1];
  const rows = cols === 0 ? 0 : logits.size / cols;
  const sparse = targets.dtype === 'int32';
  const loss = new Tensor(logits.shape.slice(0, -1), 'float32');
  const probs = new Tensor(logits.shape, 'float32');
  const forward = sparse ? softmaxCrossEntropySparse : softmaxCrossEntropyDense;
  forward(logits.ptr(), targets.ptr(), rows, cols, loss.ptr(), probs.ptr(), epsilon);
  record(
    [logits],
    loss,
    (dy) => {
      const d = new Tensor(logits.shape, 'float32');
      const backward = sparse ? softmaxCrossEntropySparseBackward : softmaxCrossEntropyDenseBackward;
      backward(probs.ptr(), targets.ptr(), dy.ptr(), rows, cols, d.ptr());
      return [d];
    },
    [probs, targets],
  );
  if (!activeTape()) probs.dispose();
  return loss;
}

/**
 * @internal Per-row cross-entropy of probabilities that a softmax made of `logits` (both
 * [..., classes]), as Keras computes it on probabilities: −log of the target class's probability
 * clipped into [ε, 1 − ε] (int32 class indices), or −Σ t·log(clip(p)) (float32 targets). The
 * gradient goes to the logits, (probabilities − target)·dy, as from a fused softmax cross-entropy:
 * no exp is computed again. The caller has checked shapes and, for indices, that they are in range.
 */
export function softmaxCrossEntropyOfProbabilities(
  targets: Tensor,
  probabilities: Tensor,
  logits: Tensor,
  epsilon: number,
): Tensor {
  const cols = logits.shape[logits.rank - 1];
  const rows = cols === 0 ? 0 : logits.size / cols;
  const sparse = targets.dtype === 'int32';
  const loss = new Tensor(logits.shape.slice(0, -1), 'float32');
  const forward = sparse ? crossEntropyProbsSparse : crossEntropyProbsDense;
  forward(probabilities.ptr(), targets.ptr(), rows, cols, loss.ptr(), epsilon);
  return record(
    [logits],
    loss,
    (dy) => {
      const d = new Tensor(logits.shape, 'float32');
      const backward = sparse ? softmaxCrossEntropySparseBackward : softmaxCrossEntropyDenseBackward;
      backward(probabilities.ptr(), targets.ptr(), dy.ptr(), rows, cols, d.ptr());
      return [d];
    },
    [probabilities, targets],
  );
}

/**
 * Sparse softmax cross-entropy from logits [..., classes] and integer class labels (int32 or
 * integral float32), fused and numerically stable. labels has the shape of logits without its last axis.
 */
export function sparseSoftmaxCrossEntropy(labels: Tensor, logits: Tensor, options: LossOptions = {}): Tensor {
  const op = 'sparseSoftmaxCrossEntropy';
  const reduction = checkReduction(op, options);
  const { cols } = checkLogits(op, logits);
  const idx = sparseLabels(op, labels, logits, cols);
  const loss = softmaxCrossEntropyRows(idx, logits, 0);
  if (!activeTape() && idx !== labels) idx.dispose();
  return reduce(loss, reduction);
}

/** Softmax cross-entropy from logits with one-hot (or soft) labels of the same shape. */
export function softmaxCrossEntropy(onehotLabels: Tensor, logits: Tensor, options: LossOptions = {}): Tensor {
  const op = 'softmaxCrossEntropy';
  const reduction = checkReduction(op, options);
  checkLogits(op, logits);
  checkSameShape(op, 'onehotLabels', onehotLabels, logits, 'logits');
  return reduce(softmaxCrossEntropyRows(onehotLabels, logits, 0), reduction);
}

function checkSameShape(op: string, labelsArg: string, labels: Tensor, pred: Tensor, predArg: string): void {
  checkTensor(op, labelsArg, labels);
  checkTensor(op, predArg, pred);
  checkFloat(op, labelsArg, labels);
  checkFloat(op, predArg, pred);
  if (!sameShape(labels.shape, pred.shape)) {
    throw new ShapeError(
      `${op}: expected ${labelsArg} and ${predArg} of the same shape, got ${formatShape(labels.shape)} and ${formatShape(pred.shape)}`,
    );
  }
}

type ElementKernel = (pred: number, target: number, n: number, loss: number) => void;
type ElementBackward = (pred: number, target: number, dy: number, n: number, dpred: number) => void;

/** An elementwise loss of predictions against labels; gradients flow to the predictions only. */
function elementLoss(
  op: string,
  predArg: string,
  labels: Tensor,
  pred: Tensor,
  forward: ElementKernel,
  backward: ElementBackward,
  options: LossOptions,
): Tensor {
  const reduction = checkReduction(op, options);
  checkSameShape(op, 'labels', labels, pred, predArg);
  const loss = new Tensor(pred.shape, 'float32');
  forward(pred.ptr(), labels.ptr(), pred.size, loss.ptr());
  record(
    [pred],
    loss,
    (dy) => {
      const d = new Tensor(pred.shape, 'float32');
      backward(pred.ptr(), labels.ptr(), dy.ptr(), pred.size, d.ptr());
      return [d];
    },
    [labels],
  );
  return reduce(loss, reduction);
}

/**
 * @internal Per-element binary cross-entropy of sigmoid(logits) against float32 targets of the
 * same shape, from the logits; with epsilon > 0 clipped as Keras clips probabilities into
 * [ε, 1 − ε]. The gradient to the logits is (sigmoid − target)·dy. The caller has checked shapes.
 */
export function sigmoidCrossEntropyElements(targets: Tensor, logits: Tensor, epsilon: number): Tensor {
  const loss = new Tensor(logits.shape, 'float32');
  sigmoidCrossEntropyKernel(logits.ptr(), targets.ptr(), logits.size, loss.ptr(), epsilon);
  return record(
    [logits],
    loss,
    (dy) => {
      const d = new Tensor(logits.shape, 'float32');
      sigmoidCrossEntropyBackward(logits.ptr(), targets.ptr(), dy.ptr(), logits.size, d.ptr());
      return [d];
    },
    [targets],
  );
}

/** Binary cross-entropy from logits: max(z,0) − z·t + log(1 + e^−|z|), stable for any z. */
export function sigmoidCrossEntropy(multiClassLabels: Tensor, logits: Tensor, options: LossOptions = {}): Tensor {
  const op = 'sigmoidCrossEntropy';
  const reduction = checkReduction(op, options);
  checkSameShape(op, 'labels', multiClassLabels, logits, 'logits');
  return reduce(sigmoidCrossEntropyElements(multiClassLabels, logits, 0), reduction);
}

/** Binary cross-entropy from probabilities, clipped into [epsilon, 1 − epsilon] as Keras does. */
export function logLoss(labels: Tensor, predictions: Tensor, options: LossOptions & { epsilon?: number } = {}): Tensor {
  const eps = checkNumber('logLoss', 'epsilon', options?.epsilon ?? 1e-7);
  if (eps < 0 || eps >= 0.5) throw new ValueError(`logLoss: expected epsilon in [0, 0.5), got ${eps}`);
  return elementLoss(
    'logLoss',
    'predictions',
    labels,
    predictions,
    (p, t, n, l) => binaryCrossEntropy(p, t, n, l, eps),
    (p, t, dy, n, dp) => binaryCrossEntropyBackward(p, t, dy, n, dp, eps),
    options,
  );
}

/** Mean of (prediction − label)². */
export function meanSquaredError(labels: Tensor, predictions: Tensor, options: LossOptions = {}): Tensor {
  return elementLoss(
    'meanSquaredError',
    'predictions',
    labels,
    predictions,
    squaredError,
    squaredErrorBackward,
    options,
  );
}

/** Mean of |prediction − label|. */
export function absoluteDifference(labels: Tensor, predictions: Tensor, options: LossOptions = {}): Tensor {
  return elementLoss(
    'absoluteDifference',
    'predictions',
    labels,
    predictions,
    absoluteError,
    absoluteErrorBackward,
    options,
  );
}

/** Huber loss: quadratic within `delta` (default 1) of the label, linear beyond. */
export function huberLoss(labels: Tensor, predictions: Tensor, options: LossOptions & { delta?: number } = {}): Tensor {
  const delta = checkNumber('huberLoss', 'delta', options?.delta ?? 1);
  if (delta <= 0) throw new ValueError(`huberLoss: expected delta > 0, got ${delta}`);
  return elementLoss(
    'huberLoss',
    'predictions',
    labels,
    predictions,
    (p, t, n, l) => huber(p, t, n, l, delta),
    (p, t, dy, n, dp) => huberBackward(p, t, dy, n, dp, delta),
    options,
  );
}
