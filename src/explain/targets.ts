// What the gradient explanations share: checking the model, the explained rows and the explained output.
import { DTypeError, ValueError } from '../errors.js';
import { Sequential } from '../models/sequential.js';
import { fromFlat } from '../ops/create.js';
import { isTensor, type Tensor } from '../ops/tensor.js';
import { checkInt, describe } from '../ops/validate.js';
import { type Data, inputRows, type Rows, releaseRows } from '../training/inputs.js';

/**
 * The output explained for each row: one output index for every row, or one index per row (an
 * array, typed array or rank-1 tensor). Default: each row's predicted class (its largest output).
 */
export type OutputChoice = number | ArrayLike<number> | Tensor;

/**
 * Throws unless `model` is a neurasm Sequential model that is built (knows its input shape), so
 * that explaining it never builds it from the data (a failed call leaves the model as it was).
 */
export function checkModel(op: string, model: unknown): Sequential {
  if (!(model instanceof Sequential)) {
    throw new ValueError(`${op}: expected model to be a neurasm Sequential model, got ${describe(model)}`);
  }
  if (model.layers.length === 0 || !model.layers[0].built) {
    throw new ValueError(
      `${op}: model "${model.name}" is not built yet (its input shape is unknown); give its first layer an inputShape, or fit it first`,
    );
  }
  return model;
}

/** The rows to explain as float32 [n, ...inputShape] (of the model's input shape); release them with `releaseRows`. */
export function explainedRows(op: string, model: Sequential, x: Data, arg = 'x'): Rows {
  const input = model.inputSpecFor(op);
  const rows = inputRows(op, arg, x, input);
  if (rows.tensor.dtype !== 'float32') {
    releaseRows(rows);
    throw new DTypeError(
      `${op}: expected ${arg} to be float32 numbers (integer inputs such as token ids have no gradient), got ${rows.tensor.dtype}`,
    );
  }
  return rows;
}

/** The shape of one example of `rows` (without the batch dimension). */
export function exampleShape(rows: Rows): number[] {
  return rows.tensor.shape.slice(1);
}

/** A float32 tensor of `rows` examples of `shape` made from flat values. */
export function rowsTensor(rows: number, shape: readonly number[], values: ArrayLike<number>): Tensor {
  return fromFlat([rows, ...shape], 'float32', values);
}

/** The largest output of each of `count` rows of `width` outputs. */
export function argMaxRows(values: ArrayLike<number>, count: number, width: number): Int32Array {
  const out = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    let best = 0;
    for (let k = 1; k < width; k++) if (values[r * width + k] > values[r * width + best]) best = k;
    out[r] = best;
  }
  return out;
}

/**
 * The explained output index of each of `count` rows, checked to lie in [0, width): `output` as
 * given, or (when undefined) the largest of each row's `predictions` (flat [count, width]).
 */
export function outputIndices(
  op: string,
  output: OutputChoice | undefined,
  count: number,
  width: number,
  predictions: () => ArrayLike<number>,
): Int32Array {
  if (output === undefined) return argMaxRows(predictions(), count, width);
  if (typeof output === 'number') {
    checkInt(op, 'output', output, 0, width - 1);
    return new Int32Array(count).fill(output);
  }
  const isList = Array.isArray(output) || (ArrayBuffer.isView(output) && !(output instanceof DataView));
  if (
    !(isList || (isTensor(output) && output.rank === 1)) ||
    (isTensor(output) ? output.size : output.length) !== count
  ) {
    throw new ValueError(
      `${op}: expected output to be an output index in [0, ${width}) or one per row (${count}), got ${describe(output)}`,
    );
  }
  const values = isTensor(output) ? output.readValues(op) : output;
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = checkInt(op, `output[${i}]`, values[i], 0, width - 1);
  return out;
}

/** The model's predictions for `x` as flat values [rows, outputWidth], computed in batches of `batchSize`. */
export function predictValues(model: Sequential, x: Tensor, batchSize: number): Float32Array {
  const p = model.predict(x, { batchSize: Math.min(batchSize, x.shape[0]) });
  try {
    return p.dataSync() as Float32Array;
  } finally {
    p.dispose();
  }
}
