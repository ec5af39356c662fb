import type { Variable } from '../ops/variable.js';
import type { Regularizer } from './regularizers.js';

/** What a layer's compiled step is given: pointers into buffers the training plan owns. */
export interface StepContext {
  /** The layer's input, [maxRows, inputWidth] float32. */
  input: number;
  /**
   * Where to write the gradient of the input in `backward`, or 0 when nobody needs it (inference
   * plans, and layers with no weights before them). A step given 0 may give 0 as its `outputGrad`
   * when it has no weights of its own.
   */
  inputGrad: number;
  /** Rows the buffers hold (the batch size). */
  maxRows: number;
  /** Width of one input row. */
  inputWidth: number;
  /**
   * The loss fuses this layer's final softmax/sigmoid (it computes from logits): write logits to the
   * output, and take the gradient of the logits in `backward`.
   */
  emitLogits: boolean;
  /** Allocates a float32 block of `n` elements owned by the plan (freed with it). */
  alloc(n: number): number;
  /** Draws a uniform number in [0, 1) from the fit's generator (for dropout masks). */
  uniform(): number;
}

/** A layer compiled for fixed buffers: kernel calls only, nothing allocated per step. */
export interface LayerStep {
  /** The layer's output, [maxRows, outputWidth]. */
  output: number;
  /** Where the next layer writes the gradient of this layer's output (0: nobody reads it). */
  outputGrad: number;
  /** Width of one output row. */
  outputWidth: number;
  /** Computes the output of the first `rows` rows. */
  forward(rows: number, training: boolean): void;
  /**
   * Applies the state changes of the last training forward pass that are not weight updates
   * (BatchNormalization's moving statistics). The plan calls it only once the loss is known to be
   * finite, so a diverged batch changes nothing.
   */
  commit?(): void;
  /** Computes parameter gradients (and the input gradient if `inputGrad` was given). */
  backward(rows: number): void;
  /** Each weight with the pointer of its gradient buffer and its penalty, if any. */
  paramGrads: Array<{ variable: Variable; grad: number; regularizer?: Regularizer | null }>;
  /** The activity penalty of the last forward pass (already divided by the rows), if the layer has one. */
  penalty?(rows: number): number;
}

/**
 * The step with a layer's activity penalty on its output, as Keras adds it: `penalty` of the last
 * forward pass divided by the rows, and its gradient added to `outputGrad` before the step's own
 * backward turns that into the input and weight gradients. Steps that share their input's buffers
 * add it to the same gradient buffer as the layer before, which is what the chain rule asks.
 */
export function withActivityPenalty(step: LayerStep, regularizer: Regularizer | null): LayerStep {
  if (!regularizer) return step;
  const { output, outputGrad, outputWidth } = step;
  return {
    ...step,
    penalty: (rows) => regularizer.penaltyRaw(output, rows * outputWidth, 1 / rows),
    backward(rows) {
      if (outputGrad) regularizer.gradientRaw(output, outputGrad, rows * outputWidth, 1 / rows);
      step.backward(rows);
    },
  };
}
