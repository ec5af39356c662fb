import { firstNonFinite } from '../backend/kernels/check.js';
import { DTypeError, formatShape, ShapeError, ValueError } from '../errors.js';
import { fromFlat, type TensorLike, tensor } from '../ops/create.js';
import { isTensor, type Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';

/** Rows of model input or labels as a tensor, and whether it is a copy we must dispose. */
export interface Rows {
  tensor: Tensor;
  owned: boolean;
  /** Number of rows (examples). */
  count: number;
  /** Values per row. */
  width: number;
}

/**
 * Examples given to fit, evaluate or predict: a tensor (or tfjs's list of one), nested arrays or a
 * typed array; or a list of strings, one per example, for a model whose first layer takes them.
 */
export type Data = Tensor | [Tensor] | TensorLike | readonly string[];

/** What model input x must fit: the shape of one example, and whose input it is (for messages). */
export interface InputSpec {
  /** The shape of one example, without the batch dimension (e.g. [10], or [28, 28, 1]). */
  shape: readonly number[];
  /** Whose input this is, e.g. `the input of model "sequential_1", layer "dense_1"`. */
  owner: string;
  /**
   * Checks the values (flat, examples of `shape`) before anything runs: the first layer's
   * `checkInputValues` (an embedding's ids). Throws on a value the model cannot take.
   */
  checkValues?: (op: string, arg: string, values: ArrayLike<number>) => void;

  /** For a model that takes strings: turns a batch of them into its numeric input (of `shape`). */
  encodeStrings?: (texts: readonly string[]) => Tensor;
}

/** Whether x is a list of examples given as strings (its first item is one). */
function isStringList(x: unknown): x is unknown[] {
  return Array.isArray(x) && typeof x[0] === 'string';
}

/** The numeric input for a list of strings, for a model that takes them; every item is checked. */
function encodedStrings(op: string, arg: string, x: unknown[], input: InputSpec): Tensor {
  if (!input.encodeStrings) {
    throw new ValueError(
      `${op}: ${arg} is a list of strings, but ${input.owner} takes numbers (a model takes strings when its first layer is a textVectorization)`,
    );
  }
  const bad = x.findIndex((item) => typeof item !== 'string');
  if (bad >= 0) {
    throw new ValueError(`${op}: expected ${arg} to be a list of strings, got ${describe(x[bad])} at index ${bad}`);
  }
  return input.encodeStrings(x as string[]);
}

/** A shape with its batch dimension shown as `*`, as messages print an expected shape: `[*, 10]`. */
function formatBatchShape(shape: readonly number[]): string {
  return formatShape(['*', ...shape] as never);
}

/**
 * Turns x into float32 rows of examples of `input.shape` (as tfjs, x must have that shape after its
 * batch dimension; a flat typed array is split into examples). NaN or Infinity is rejected.
 */
export function inputRows(op: string, arg: string, x: unknown, input: InputSpec): Rows {
  const width = input.shape.reduce((a, b) => a * b, 1);
  let t: Tensor;
  let owned = false;
  if (Array.isArray(x) && isTensor(x[0])) {
    // tfjs takes a list of one tensor for a model's single input
    if (x.length !== 1) {
      throw new ValueError(
        `${op}: expected ${arg} to be one tensor (a Sequential model has one input), got a list of ${x.length}`,
      );
    }
    x = x[0];
  }
  if (isStringList(x)) {
    t = encodedStrings(op, arg, x, input);
    owned = true;
  } else if (isTensor(x)) {
    t = x;
    t.ptr(`${op} (${arg})`);
    if (t.dtype === 'bool') {
      throw new DTypeError(
        `${op}: expected ${arg} to be float32 or int32, got bool (cast it first: nn.cast(x, 'int32'))`,
      );
    }
  } else if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    const flat = x as unknown as ArrayLike<number>;
    if (flat.length % width !== 0) {
      throw new ShapeError(
        `${op}: ${arg} has ${flat.length} values, not a multiple of the model's input width ${width}`,
      );
    }
    // an Int32Array stays integers (for embeddings; other layers get them as float32)
    t = fromFlat([flat.length / width, ...input.shape], x instanceof Int32Array ? 'int32' : 'float32', flat);
    owned = true;
  } else if (Array.isArray(x)) {
    t = tensor(x as TensorLike);
    owned = true;
  } else {
    throw new ValueError(`${op}: expected ${arg} to be a Tensor, nested arrays or a typed array, got ${describe(x)}`);
  }
  const fail = (e: Error): never => {
    if (owned) t.dispose();
    throw e;
  };
  const fits = t.rank === input.shape.length + 1 && input.shape.every((d, i) => t.shape[i + 1] === d);
  if (!fits) {
    fail(
      new ShapeError(
        `${op}: expected ${arg} of shape ${formatBatchShape(input.shape)} (${input.owner}), got ${formatShape(t.shape)}`,
      ),
    );
  }
  if (t.shape[0] === 0) fail(new ValueError(`${op}: ${arg} has no examples (shape ${formatShape(t.shape)})`));
  // int32 values are always finite; float32 ones are checked by a SIMD kernel (a JS loop took a third of a batch's predict)
  const bad = t.dtype === 'float32' ? firstNonFinite(t.ptr(op), t.size) : -1;
  if (bad >= 0) {
    const row = Math.floor(bad / width);
    fail(
      new ValueError(
        `${op}: ${arg} holds ${t.readValues(op)[bad]} at row ${row}, column ${bad % width}; expected finite numbers`,
      ),
    );
  }
  if (input.checkValues) {
    try {
      input.checkValues(op, arg, t.readValues(op));
    } catch (e) {
      fail(e as Error);
    }
  }
  return { tensor: t, owned, count: t.shape[0], width };
}

/**
 * Turns y into labels: int32 class indices [rows] in [0, classes) for sparse losses (given as
 * [rows] or [rows, 1], int or float), else float32 [rows, width] targets (given as [rows, width],
 * [rows, ...outputShape], or [rows] for one output).
 */
export function labelRows(
  op: string,
  y: unknown,
  sparse: boolean,
  width: number,
  outputShape: readonly number[] = [width],
): Rows {
  let t: Tensor;
  let owned = false;
  if (isTensor(y)) {
    t = y;
    t.ptr(`${op} (y)`);
  } else if (Array.isArray(y) || (ArrayBuffer.isView(y) && !(y instanceof DataView))) {
    const arr = y as ArrayLike<number>;
    const flat = !Array.isArray(arr[0]);
    if (flat && !sparse && ArrayBuffer.isView(y)) {
      // a flat typed array of targets is split into rows of the output width, as x is
      if (arr.length % width !== 0) {
        throw new ShapeError(`${op}: y has ${arr.length} values, not a multiple of the model's output width ${width}`);
      }
      t = fromFlat([arr.length / width, width], 'float32', arr);
    } else {
      t = tensor(arr as TensorLike, flat && sparse ? [arr.length] : undefined, flat && sparse ? 'float32' : undefined);
    }
    owned = true;
  } else {
    throw new ValueError(`${op}: expected y to be a Tensor, nested arrays or a typed array, got ${describe(y)}`);
  }
  const fail = (e: Error): never => {
    if (owned) t.dispose();
    throw e;
  };
  const values = t.readValues(op);
  if (sparse) {
    if (!(t.rank === 1 || (t.rank === 2 && t.shape[1] === 1))) {
      fail(
        new ShapeError(
          `${op}: expected y of shape [examples] or [examples, 1] of class indices, got ${formatShape(t.shape)}`,
        ),
      );
    }
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isInteger(v) || v < 0 || v >= width) {
        fail(
          new ValueError(
            `${op}: the label of example ${i} (counting from 0) is ${v}; expected an integer class index in [0, ${width}) (the model has ${width} outputs)`,
          ),
        );
      }
    }
    const labels = fromFlat([t.shape[0]], 'int32', values);
    if (owned) t.dispose();
    return { tensor: labels, owned: true, count: labels.shape[0], width: 1 };
  }
  if (t.dtype !== 'float32') {
    const f = fromFlat(t.shape, 'float32', values);
    if (owned) t.dispose();
    t = f;
    owned = true;
  }
  const fitsOutput =
    (t.rank === 2 && t.shape[1] === width) ||
    (t.rank === 1 && width === 1) ||
    (t.rank === outputShape.length + 1 && outputShape.every((d, i) => t.shape[i + 1] === d));
  if (!fitsOutput) {
    fail(
      new ShapeError(
        `${op}: expected y of shape [examples, ${width}] (the model's output width), got ${formatShape(t.shape)}`,
      ),
    );
  }
  if (t.rank !== 2) {
    // targets of shape [examples] become [examples, 1], the predictions' shape (the tape path's losses need it)
    const reshaped = fromFlat([t.shape[0], width], 'float32', t.readValues(op));
    if (owned) t.dispose();
    t = reshaped;
    owned = true;
  }
  // int32 labels are always finite
  const bad = t.dtype === 'float32' ? firstNonFinite(t.ptr(op), t.size) : -1;
  if (bad >= 0)
    fail(new ValueError(`${op}: y holds ${t.readValues(op)[bad]} at index ${bad}; expected finite numbers`));
  return { tensor: t, owned, count: t.shape[0], width };
}

/** Disposes rows that were copies. */
export function releaseRows(...rows: Array<Rows | null | undefined>): void {
  for (const r of rows) if (r?.owned) r.tensor.dispose();
}
