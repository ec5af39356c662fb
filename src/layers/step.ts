import type { Variable } from '../ops/variable.js';
import type { Regularizer } from './regularizers.js';

/** What a layer's compiled step is given: pointers into buffers the training plan owns. */
export interface StepContext {
  /** The layer's input, [maxRows, inputWidth] float32. */
  input: number;
  /** Where to write the gradient of the input in `backward`, or 0 when nobody needs it. */
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
  /** Where the next layer writes the gradient of this layer's output. */
  outputGrad: number;
  /** Width of one output row. */
  outputWidth: number;
  /** Computes the output of the first `rows` rows. */
  forward(rows: number, training: boolean): void;
  /** Computes parameter gradients (and the input gradient if `inputGrad` was given). */
  backward(rows: number): void;
  /** Each weight with the pointer of its gradient buffer and its penalty, if any. */
  paramGrads: Array<{ variable: Variable; grad: number; regularizer?: Regularizer | null }>;
  /** The activity penalty of the last forward pass (already divided by the rows), if the layer has one. */
  penalty?(rows: number): number;
}
