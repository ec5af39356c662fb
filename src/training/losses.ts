import { ValueError } from '../errors.js';
import { clipByValue, div, log, mul, neg } from '../ops/arithmetic.js';
import { logitsOf } from '../ops/logits.js';
import * as lossOps from '../ops/losses.js';
import {
  sigmoidCrossEntropyElements,
  softmaxCrossEntropyOfProbabilities,
  softmaxCrossEntropyRows,
} from '../ops/losses.js';
import { mean, sum } from '../ops/reduction.js';
import { cast, reshape } from '../ops/shape.js';
import type { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';

/** A loss function of (yTrue, yPred) tensors returning a scalar, for `compile({ loss })`. */
export type LossFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;

/** Built-in losses by canonical (tfjs camelCase) name. */
export type LossName =
  | 'sparseCategoricalCrossentropy'
  | 'categoricalCrossentropy'
  | 'binaryCrossentropy'
  | 'meanSquaredError'
  | 'meanAbsoluteError'
  | 'huber';

/** What `compile({ loss })` accepts by name: tfjs camelCase, Keras snake_case, or Keras's short names. */
export type LossIdentifier =
  | LossName
  | 'sparse_categorical_crossentropy'
  | 'categorical_crossentropy'
  | 'binary_crossentropy'
  | 'mean_squared_error'
  | 'mse'
  | 'MSE'
  | 'mean_absolute_error'
  | 'mae'
  | 'MAE'
  | 'huber_loss';

const ALIASES: Record<string, LossName> = {
  sparsecategoricalcrossentropy: 'sparseCategoricalCrossentropy',
  categoricalcrossentropy: 'categoricalCrossentropy',
  binarycrossentropy: 'binaryCrossentropy',
  meansquarederror: 'meanSquaredError',
  mse: 'meanSquaredError',
  meanabsoluteerror: 'meanAbsoluteError',
  mae: 'meanAbsoluteError',
  huber: 'huber',
  huberloss: 'huber',
};

/** Keras's epsilon for clipping probabilities. */
export const EPSILON = 1e-7;

/** A compiled loss: its name, whether labels are class indices, and the tensor-op version. */
export interface LossSpec {
  name: LossName | 'custom';
  /** Labels are integer class indices (one per row) rather than a row of targets. */
  sparseLabels: boolean;
  /** The loss with tensor ops, from predictions (probabilities), as Keras computes it. */
  fn: LossFunction;
}

function crossEntropyFromProbs(yTrueOneHot: Tensor, yPred: Tensor): Tensor {
  // Keras: scale rows to sum 1, clip into [ε, 1 − ε], −Σ t·log p, mean over rows
  const p = clipByValue(div(yPred, sum(yPred, -1, true)), EPSILON, 1 - EPSILON);
  return mean(neg(sum(mul(yTrueOneHot, log(p)), -1)));
}

/** The class indices of sparse labels as int32 [rows] for predictions [rows, classes]. */
function sparseIndices(yTrue: Tensor, yPred: Tensor): Tensor {
  const labels = yTrue.rank === yPred.rank ? reshape(yTrue, yTrue.shape.slice(0, -1) as number[]) : yTrue;
  return labels.dtype === 'int32' ? labels : cast(labels, 'int32');
}

const LOSSES: Record<LossName, LossFunction> = {
  sparseCategoricalCrossentropy: (yTrue, yPred) => {
    const labels = sparseIndices(yTrue, yPred);
    const logits = logitsOf(yPred, 'softmax');
    if (logits) return mean(softmaxCrossEntropyOfProbabilities(labels, yPred, logits, EPSILON));
    // Keras on probabilities: normalise, clip into [ε, 1 − ε], and take their log as the logits
    const p = clipByValue(div(yPred, sum(yPred, -1, true)), EPSILON, 1 - EPSILON);
    return mean(softmaxCrossEntropyRows(labels, log(p), 0));
  },
  categoricalCrossentropy: (yTrue, yPred) => {
    const logits = logitsOf(yPred, 'softmax');
    return logits
      ? mean(softmaxCrossEntropyOfProbabilities(yTrue, yPred, logits, EPSILON))
      : crossEntropyFromProbs(yTrue, yPred);
  },
  binaryCrossentropy: (yTrue, yPred) => {
    const logits = logitsOf(yPred, 'sigmoid');
    if (logits) return mean(sigmoidCrossEntropyElements(yTrue, logits, EPSILON));
    return lossOps.logLoss(yTrue, yPred, { epsilon: EPSILON });
  },
  meanSquaredError: (yTrue, yPred) => lossOps.meanSquaredError(yTrue, yPred),
  meanAbsoluteError: (yTrue, yPred) => lossOps.absoluteDifference(yTrue, yPred),
  huber: (yTrue, yPred) => lossOps.huberLoss(yTrue, yPred),
};

/** Every built-in loss name. */
export const lossNames = Object.keys(LOSSES) as LossName[];

/** Resolves `compile({ loss })`: a name (tfjs camelCase or Keras snake_case) or a function. */
export function getLoss(what: unknown): LossSpec {
  if (typeof what === 'function') return { name: 'custom', sparseLabels: false, fn: what as LossFunction };
  if (typeof what === 'string') {
    const key = what.replace(/_/g, '').toLowerCase();
    const name = Object.hasOwn(ALIASES, key) ? ALIASES[key] : undefined;
    if (name) return { name, sparseLabels: name === 'sparseCategoricalCrossentropy', fn: LOSSES[name] };
  }
  throw new ValueError(
    `compile: unknown loss ${describe(what)}; expected one of ${lossNames.join(', ')} (or snake_case) or a function (yTrue, yPred) => Tensor`,
  );
}
