// The three passes of a model — train, evaluate, predict — as functions of a batch, written once
// with tensor ops. A ModelStep records each as a trace and replays it (src/training/model-step.ts).
import { ValueError } from '../errors.js';
import { collectStateUpdates } from '../layers/state-updates.js';
import { add, mul } from '../ops/arithmetic.js';
import { keep } from '../ops/engine.js';
import { grad, valueAndVariableGrads } from '../ops/gradients.js';
import { logitsOf } from '../ops/logits.js';
import { mean, sum } from '../ops/reduction.js';
import { isTensor, type Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
import type { Variable } from '../ops/variable.js';
import type { StepFunction } from '../training/model-step.js';
import type { PassKind, TrainableModel } from './trainable.js';

/**
 * The loss of a batch plus the regularization penalty, if any (Keras reports and minimizes their
 * sum). A loss function may return one value per example (or per output): they are averaged, as
 * Keras and tfjs do.
 */
function withPenalty(loss: unknown, penalty: Tensor | null): Tensor {
  if (!isTensor(loss) || loss.dtype !== 'float32') {
    throw new ValueError(`the loss function given to compile must return a float32 Tensor, got ${describe(loss)}`);
  }
  const batchLoss = loss.rank === 0 ? loss : mean(loss);
  return penalty ? add(batchLoss, penalty) : batchLoss;
}

/**
 * One training pass: forward in training mode, the loss with the penalties, and the gradients of
 * the loss with respect to `variables` (nothing is updated: `ModelStep`'s caller applies the
 * optimizer, and the held state updates, when the loss is finite). A variable reached only through
 * gathered rows gets a row-sparse gradient, which the optimizer applies without densifying.
 */
function trainPass(model: TrainableModel, variables: readonly Variable[]): StepFunction {
  const loss = model.compiled!.loss;
  const sparseFor = new Set(variables);
  return (x, y) => {
    let predictions: Tensor | null = null;
    const forward = () => {
      const { output, penalty } = model.callWithPenalty(x, true);
      // kept for the metrics: the gradient computation frees its intermediates before it returns
      predictions = keep(output);
      return withPenalty(loss.fn(y!, output), penalty);
    };
    const { result, updates } = collectStateUpdates(() => {
      if (variables.length === 0) return { value: forward(), grads: [] as Tensor[] };
      // row-sparse where a variable is only gathered from (an embedding): the optimizer updates from the rows
      return valueAndVariableGrads(forward, variables, sparseFor);
    });
    return { loss: result.value, predictions: predictions!, grads: result.grads, updates };
  };
}

/**
 * The gradient of Σ output·y (y holding one weight per output, e.g. a one-hot row per example) with
 * respect to the input x, in inference mode: each example's row of the result is the gradient of
 * its own weighted outputs. With `fromLogits`, the logits of a final softmax or sigmoid stand for
 * the outputs (the outputs themselves when the model has no such final op).
 */
function inputGradientPass(model: TrainableModel, fromLogits: boolean): StepFunction {
  return (x, y) => {
    let predictions: Tensor | null = null;
    const dx = grad((input) => {
      const output = model.callWithPenalty(input, false, false).output;
      predictions = keep(output);
      const logits = fromLogits ? (logitsOf(output, 'softmax') ?? logitsOf(output, 'sigmoid')) : null;
      return sum(mul(logits ?? output, y!));
    })(x);
    return { loss: null, predictions: predictions!, grads: [dx], updates: null };
  };
}

/** The function a pass of `kind` runs; `variables` are those a train pass differentiates. */
export function passOf(model: TrainableModel, kind: PassKind, variables: readonly Variable[]): StepFunction {
  if (kind === 'train') return trainPass(model, variables);
  if (kind === 'gradient' || kind === 'logitGradient') return inputGradientPass(model, kind === 'logitGradient');
  if (kind === 'evaluate') {
    const loss = model.compiled!.loss;
    return (x, y) => {
      const { output, penalty } = model.callWithPenalty(x, false);
      return { loss: withPenalty(loss.fn(y!, output), penalty), predictions: output, grads: [], updates: null };
    };
  }
  return (x) => ({ loss: null, predictions: model.callWithPenalty(x, false, false).output, grads: [], updates: null });
}
