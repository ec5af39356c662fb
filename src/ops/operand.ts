import { ValueError } from '../errors.js';
import { fromFlat } from './create.js';
import { activeTape } from './tape.js';
import type { Tensor } from './tensor.js';
import { checkFloat, checkTensor, describe } from './validate.js';

/** A tensor, or a number that an op turns into a float32 scalar. */
export type Operand = Tensor | number;

/**
 * Resolves op arguments to live float32 tensors. Numbers become scalars that `release()` frees
 * after the op unless a tape needs them for the backward pass (then the enclosing tidy frees them).
 */
export function floatOperands(op: string, names: readonly string[], values: readonly Operand[]) {
  // Validate every argument before making any scalar, so that a bad argument leaks nothing.
  values.forEach((v, i) => {
    if (typeof v === 'number') return;
    if (v === undefined || v === null) throw new ValueError(`${op}: expected ${names[i]}, got ${describe(v)}`);
    checkFloat(op, names[i], checkTensor(op, names[i], v));
  });
  const temps: Tensor[] = [];
  const tensors = values.map((v) => {
    if (typeof v !== 'number') return v;
    const t = fromFlat([], 'float32', [v]);
    temps.push(t);
    return t;
  });
  /** Frees the scalars; `failed` frees them even while a tape records (the op did not happen). */
  const release = (failed = false) => {
    if (failed || !activeTape()) for (const t of temps) t.dispose();
  };
  return { tensors, release };
}
