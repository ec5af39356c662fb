import { NeurasmError, ValueError } from '../errors.js';
import { fromFlat, tensor } from './create.js';
import { activeTape } from './tape.js';
import { isTensor, type NestedArray, type Operand, type Tensor } from './tensor.js';
import { checkFloat, checkTensor, describe } from './validate.js';

export type { Operand } from './tensor.js';

/** Whether an operand is given as values (number, nested arrays or typed array) rather than a tensor. */
export function isValues(v: unknown): v is number | NestedArray | Float32Array | Int32Array {
  return typeof v === 'number' || Array.isArray(v) || ArrayBuffer.isView(v);
}

/**
 * Resolves op arguments to live float32 tensors. Numbers and arrays become tensors that `release()`
 * frees after the op unless a tape needs them for the backward pass (then the enclosing tidy frees them).
 */
export function floatOperands(op: string, names: readonly string[], values: readonly Operand[]) {
  // Validate every tensor argument before converting any values, so that a bad argument leaks nothing.
  values.forEach((v, i) => {
    if (isValues(v)) return;
    if (!isTensor(v)) {
      throw new ValueError(
        `${op}: expected ${names[i]} to be a Tensor, a number or nested arrays of numbers, got ${describe(v)}`,
      );
    }
    checkFloat(op, names[i], checkTensor(op, names[i], v));
  });
  const temps: Tensor[] = [];
  let tensors: Tensor[];
  let converting = 0;
  try {
    tensors = values.map((v, i) => {
      if (!isValues(v)) return v;
      converting = i;
      const t = typeof v === 'number' ? fromFlat([], 'float32', [v]) : tensor(v, undefined, 'float32');
      temps.push(t);
      return t;
    });
  } catch (e) {
    for (const t of temps) t.dispose();
    // name the op and the argument instead of the tensor() that converted it
    if (!(e instanceof NeurasmError)) throw e;
    const ErrorClass = e.constructor as new (message: string) => NeurasmError;
    throw new ErrorClass(`${op}: ${names[converting]}: ${e.message.replace(/^tensor: /, '')}`);
  }
  /** Frees the scalars; `failed` frees them even while a tape records (the op did not happen). */
  const release = (failed = false) => {
    if (failed || !activeTape()) for (const t of temps) t.dispose();
  };
  return { tensors, release };
}
