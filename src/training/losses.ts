import { Act, Reduce } from '../backend/codes.js';
import { activationForward } from '../backend/kernels/activations.js';
import { fill } from '../backend/kernels/elementwise.js';
import * as k from '../backend/kernels/losses.js';
import { reduceAxis } from '../backend/kernels/reduce.js';
import { backend } from '../backend/loader.js';
import { ValueError } from '../errors.js';
import { clipByValue, div, log, mul, neg } from '../ops/arithmetic.js';
import { oneHot } from '../ops/create.js';
import * as lossOps from '../ops/losses.js';
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

const TENSOR_LOSSES: Record<LossName, LossFunction> = {
  sparseCategoricalCrossentropy: (yTrue, yPred) => {
    const classes = yPred.shape[yPred.rank - 1];
    const labels = yTrue.rank === yPred.rank ? reshape(yTrue, yTrue.shape.slice(0, -1) as number[]) : yTrue;
    return crossEntropyFromProbs(oneHot(cast(labels, 'int32'), classes), yPred);
  },
  categoricalCrossentropy: crossEntropyFromProbs,
  binaryCrossentropy: (yTrue, yPred) => lossOps.logLoss(yTrue, yPred, { epsilon: EPSILON }),
  meanSquaredError: (yTrue, yPred) => lossOps.meanSquaredError(yTrue, yPred),
  meanAbsoluteError: (yTrue, yPred) => lossOps.absoluteDifference(yTrue, yPred),
  huber: (yTrue, yPred) => lossOps.huberLoss(yTrue, yPred),
};

/** Every built-in loss name. */
export const lossNames = Object.keys(TENSOR_LOSSES) as LossName[];

/** Resolves `compile({ loss })`: a name (tfjs camelCase or Keras snake_case) or a function. */
export function getLoss(what: unknown): LossSpec {
  if (typeof what === 'function') return { name: 'custom', sparseLabels: false, fn: what as LossFunction };
  if (typeof what === 'string') {
    const key = what.replace(/_/g, '').toLowerCase();
    const name = Object.hasOwn(ALIASES, key) ? ALIASES[key] : undefined;
    if (name) return { name, sparseLabels: name === 'sparseCategoricalCrossentropy', fn: TENSOR_LOSSES[name] };
  }
  throw new ValueError(
    `compile: unknown loss ${describe(what)}; expected one of ${lossNames.join(', ')} (or snake_case) or a function (yTrue, yPred) => Tensor`,
  );
}

/** Buffers and kernel calls of a loss in the compiled training step. */
export interface LossHead {
  /** Pointer of the predictions (probabilities) after `forward`. */
  predictions: number;
  /** Computes the loss of `rows` rows; returns the summed loss before averaging. */
  forward(rows: number): number;
  /** Writes d(mean loss)/d(output) (or d/d(logits) when fused) into the output gradient buffer. */
  backward(rows: number): void;
}

/** Where a loss head reads and writes. */
export interface LossHeadContext {
  /** The model output: logits when `fusedActivation` is set, else predictions. */
  output: number;
  outputGrad: number;
  width: number;
  maxRows: number;
  /** Labels: int32 class indices [maxRows] when sparse, else float32 [maxRows, width]. */
  labels: number;
  /** The final activation the loss takes over (it computes from logits), if any. */
  fusedActivation: 'softmax' | 'sigmoid' | null;
  alloc(n: number): number;
}

/** Whether the compiled step can compute this loss from logits of the given final activation. */
export function fusableActivation(loss: LossName, finalActivation: string): 'softmax' | 'sigmoid' | null {
  if (
    (loss === 'sparseCategoricalCrossentropy' || loss === 'categoricalCrossentropy') &&
    finalActivation === 'softmax'
  ) {
    return 'softmax';
  }
  if (loss === 'binaryCrossentropy' && finalActivation === 'sigmoid') return 'sigmoid';
  return null;
}

/** Whether the compiled step supports the loss given the final activation. */
export function compiledLossSupported(loss: LossName | 'custom', finalActivation: string): boolean {
  if (loss === 'custom') return false;
  if (loss === 'sparseCategoricalCrossentropy' || loss === 'categoricalCrossentropy') {
    return finalActivation === 'softmax';
  }
  return true;
}

/** Builds the compiled loss head (the caller checked `compiledLossSupported`). */
export function makeLossHead(loss: LossName, ctx: LossHeadContext): LossHead {
  const { output, outputGrad, width, maxRows, labels } = ctx;
  const perItem = ctx.alloc(maxRows * width);
  const total = ctx.alloc(4);
  const rowScale = ctx.alloc(maxRows * width);
  const sumOf = (n: number) => {
    reduceAxis(Reduce.sum, perItem, total, 1, n, 1);
    return backend().views.f32[total >>> 2];
  };
  // the mean's gradient, 1/count for every item, kept in a buffer the kernels read as dy
  let scaledFor = -1;
  const scale = (n: number, count: number) => {
    if (scaledFor !== n) {
      fill(rowScale, n, 1 / count);
      scaledFor = n;
    }
  };
  if (loss === 'sparseCategoricalCrossentropy' || loss === 'categoricalCrossentropy') {
    const sparse = loss === 'sparseCategoricalCrossentropy';
    const probs = ctx.alloc(maxRows * width);
    return {
      predictions: probs,
      forward(rows) {
        if (sparse) k.softmaxCrossEntropySparse(output, labels, rows, width, perItem, probs);
        else k.softmaxCrossEntropyDense(output, labels, rows, width, perItem, probs);
        return sumOf(rows);
      },
      backward(rows) {
        scale(rows, rows);
        if (sparse) k.softmaxCrossEntropySparseBackward(probs, labels, rowScale, rows, width, outputGrad);
        else k.softmaxCrossEntropyDenseBackward(probs, labels, rowScale, rows, width, outputGrad);
      },
    };
  }
  const elementwise = {
    binaryCrossentropy: ctx.fusedActivation === 'sigmoid' ? null : k.binaryCrossEntropy,
    meanSquaredError: k.squaredError,
    meanAbsoluteError: k.absoluteError,
    huber: k.huber,
  } as const;
  const predictions = ctx.fusedActivation === 'sigmoid' ? ctx.alloc(maxRows * width) : output;
  const param = loss === 'huber' ? 1 : EPSILON;
  return {
    predictions,
    forward(rows) {
      const n = rows * width;
      if (ctx.fusedActivation === 'sigmoid') {
        k.sigmoidCrossEntropy(output, labels, n, perItem);
        activationForward(Act.sigmoid, output, predictions, n);
      } else {
        const f = elementwise[loss as keyof typeof elementwise]!;
        f(output, labels, n, perItem, param);
      }
      return sumOf(n) / width;
    },
    backward(rows) {
      const n = rows * width;
      scale(n, n);
      if (ctx.fusedActivation === 'sigmoid') k.sigmoidCrossEntropyBackward(output, labels, rowScale, n, outputGrad);
      else if (loss === 'binaryCrossentropy')
        k.binaryCrossEntropyBackward(output, labels, rowScale, n, outputGrad, EPSILON);
      else if (loss === 'meanSquaredError') k.squaredErrorBackward(output, labels, rowScale, n, outputGrad);
      else if (loss === 'meanAbsoluteError') k.absoluteErrorBackward(output, labels, rowScale, n, outputGrad);
      else k.huberBackward(output, labels, rowScale, n, outputGrad, 1);
    },
  };
}
