import { DTypeError, ValueError } from '../errors.js';
import { tidy } from '../ops/engine.js';
import { checkBooleanOption, optionsObject } from '../ops/options.js';
import { argMax } from '../ops/reduction.js';
import { reshape } from '../ops/reshape.js';
import { isTensor, Tensor } from '../ops/tensor.js';
import { checkInt, describe } from '../ops/validate.js';
import { type Data, inputRows, releaseRows } from '../training/inputs.js';
import { copyRowsOut, forEachBatch, gatherRows } from './batches.js';
import { predictModel } from './fit.js';
import type { TrainableModel } from './trainable.js';

/** Options of `model.inputGradients`. */
export interface InputGradientArgs {
  /**
   * The output differentiated for each example: one index for all, or one per example (an array or
   * int32 tensor). Default: each example's predicted class (the largest output).
   */
  classes?: number | ArrayLike<number> | Tensor;
  /**
   * Differentiate the logits before the model's final softmax or sigmoid instead of the
   * probabilities (default false). A model without such a final op has no other logits than its outputs.
   */
  logits?: boolean;
  /** Examples per pass (default 32). */
  batchSize?: number;
}

const OPTIONS: ReadonlyArray<keyof InputGradientArgs> = ['classes', 'logits', 'batchSize'];

/** The class of each example, checked to be an output index. */
function classIndices(
  model: TrainableModel,
  x: Data,
  count: number,
  width: number,
  classes: InputGradientArgs['classes'],
): Int32Array {
  const op = 'inputGradients';
  if (classes === undefined) {
    const p = predictModel(model, x, {}, op);
    try {
      return tidy(() => argMax(reshape(p, [count, width]), -1).dataSync<'int32'>());
    } finally {
      p.dispose();
    }
  }
  if (typeof classes === 'number') {
    checkInt(op, 'classes', classes, 0, width - 1);
    return new Int32Array(count).fill(classes);
  }
  const values = isTensor(classes) ? classes.dataSync() : classes;
  if (
    (!isTensor(classes) && !Array.isArray(classes) && !ArrayBuffer.isView(classes)) ||
    (isTensor(classes) && classes.rank !== 1) ||
    values.length !== count
  ) {
    throw new ValueError(
      `${op}: expected classes to be an output index or one per example (${count}), got ${describe(classes)}`,
    );
  }
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = checkInt(op, `classes[${i}]`, values[i], 0, width - 1);
  return out;
}

/**
 * The gradient of one output of each example with respect to that example's input (a saliency
 * map): row i is ∂ output[i, classes[i]] / ∂ x[i], in inference mode, computed in batches on the
 * fast path (a trace recorded once per batch size and replayed).
 */
export function inputGradients(model: TrainableModel, x: Data, args: InputGradientArgs = {}): Tensor {
  const op = 'inputGradients';
  optionsObject(op, args, '{classes: 0}', OPTIONS);
  checkBooleanOption(op, args, 'logits');
  const requested = checkInt(op, 'batchSize', args.batchSize ?? 32, 1);
  const input = model.inputSpecFor(op, x instanceof Tensor ? x : undefined);
  const xs = inputRows(op, 'x', x, input);
  try {
    if (xs.tensor.dtype !== 'float32') {
      throw new DTypeError(`${op}: expected x to be float32 (integer inputs have no gradient), got ${xs.tensor.dtype}`);
    }
    const width = model.outputWidth;
    const classes = classIndices(model, xs.tensor, xs.count, width, args.classes);
    const batchSize = Math.min(requested, xs.count);
    const out = new Tensor([xs.count, ...input.shape], 'float32');
    try {
      forEachBatch(
        model,
        args.logits ? 'logitGradient' : 'gradient',
        xs.count,
        batchSize,
        'float32',
        (step, start, rows) => {
          gatherRows(xs.tensor, step.x.ptr(), null, start, rows, xs.width);
          // the outputs' weights: one-hot rows of the examples' classes
          const weights = step.y!.view();
          weights.fill(0);
          for (let r = 0; r < rows; r++) weights[r * width + classes[start + r]] = 1;
          copyRowsOut((step.run().grads[0] as Tensor).ptr(), out, start, rows, xs.width);
        },
      );
    } catch (e) {
      out.dispose();
      throw e;
    }
    return out;
  } finally {
    releaseRows(xs);
  }
}
