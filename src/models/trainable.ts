// What the training loop, the batches and the passes (fit.ts, batches.ts, input-gradients.ts,
// passes.ts) use of a model: Sequential, which imports them, implements it, so that they need not
// name the class in return.
import type { SymbolicShape } from '../layers/layer.js';
import type { Tensor } from '../ops/tensor.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import type { FitRandom } from '../random.js';
import type { InputSpec } from '../training/inputs.js';
import type { LossFunction, LossIdentifier, LossSpec } from '../training/losses.js';
import type { Metric, MetricIdentifier } from '../training/metrics.js';
import type { ModelStep } from '../training/model-step.js';

/** What compile set up. */
export interface Compiled {
  optimizer: Optimizer;
  loss: LossSpec;
  metricNames: string[];
  makeMetrics(): Metric[];
  /** compile made the optimizer from a name, so the model frees it when it is replaced (as tfjs does). */
  ownsOptimizer: boolean;
  /** The loss and metrics compile was given (a quantized copy of the model is compiled with them). */
  lossAndMetrics: { loss: LossIdentifier | LossFunction; metrics?: MetricIdentifier | MetricIdentifier[] };
}

/**
 * What a pass does: train (loss and gradients of the weights), evaluate (loss), predict (outputs),
 * gradient and logitGradient (gradients of weighted outputs, or of the logits before the final
 * softmax or sigmoid, with respect to the input).
 */
export type PassKind = 'train' | 'evaluate' | 'predict' | 'gradient' | 'logitGradient';

/** A model as the training loop and the passes see it (Sequential is one). */
export interface TrainableModel {
  /** What compile set up, or null before compile. */
  readonly compiled: Compiled | null;
  /** Set to stop fit at the end of the current batch. */
  stopTraining: boolean;
  /** The generator of the current fit's shuffles and noise layers (null: the global one). */
  readonly random: FitRandom;
  /** Points the layers' noise at this model's generator (a layer may serve several models). */
  claimRandom(): void;
  /** The output shape (null before the model is built). */
  readonly outputShape: SymbolicShape | null;
  /** Number of output values per example. */
  readonly outputWidth: number;
  /** The input shape and dtype `op` expects of x. */
  inputSpecFor(op: string, x?: { shape: readonly number[] }): InputSpec;
  /** A step of `kind` for batches of `rows` examples (cached by the model). */
  step(kind: PassKind, rows: number, inputDType?: 'float32' | 'int32'): ModelStep;
  /** Gives back a step taken with `step`. */
  doneStep(step: ModelStep): void;
  /** The output of the layers on x, with the layers' penalties (regularizers) summed. */
  callWithPenalty(x: Tensor, training?: boolean, penalties?: boolean): { output: Tensor; penalty: Tensor | null };
}
