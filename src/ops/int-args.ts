// Checks of the integer-list arguments of the slicing, joining and gathering ops (begin, size,
// reps, paddings, split sizes), with messages that name the op and the argument.
import { ValueError } from '../errors.js';
import { isTensor, type Tensor } from './tensor.js';
import { checkTensor, describe, describeList, MAX_RANK } from './validate.js';

/**
 * Throws a ValueError unless `v` is an array of safe integers, within [min, max] when given, of
 * exactly `length` entries when given, else of at most `maxLength` (MAX_RANK); returns a copy.
 */
export function checkIntList(
  op: string,
  arg: string,
  v: unknown,
  opts: { min?: number; max?: number; length?: number; maxLength?: number } = {},
): number[] {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER, length, maxLength = MAX_RANK } = opts;
  const what =
    length !== undefined
      ? `an array of ${length} integers`
      : maxLength === Number.POSITIVE_INFINITY
        ? 'an array of integers'
        : `an array of at most ${maxLength} integers`;
  const range = opts.max !== undefined ? ` in [${min}, ${max}]` : opts.min !== undefined ? ` >= ${min}` : '';
  if (!Array.isArray(v) || (length !== undefined ? v.length !== length : v.length > maxLength)) {
    throw new ValueError(`${op}: expected ${arg} to be ${what}${range}, got ${describeList(v)}`);
  }
  const list = Array.from(v as unknown[]);
  if (list.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < min || d > max)) {
    throw new ValueError(`${op}: expected ${arg} to be ${what}${range}, got ${describeList(v)}`);
  }
  return list as number[];
}

/** Throws a ValueError unless `v` is a non-empty array of live tensors; returns a copy. */
export function checkTensorList(op: string, arg: string, v: unknown): Tensor[] {
  if (!Array.isArray(v) || v.length === 0) {
    throw new ValueError(`${op}: expected ${arg} to be a non-empty array of Tensors, got ${describe(v)}`);
  }
  const list = Array.from(v as unknown[]);
  list.forEach((t, i) => {
    if (!isTensor(t)) throw new ValueError(`${op}: expected ${arg}[${i}] to be a Tensor, got ${describe(t)}`);
    checkTensor(op, `${arg}[${i}]`, t);
  });
  return list as Tensor[];
}
