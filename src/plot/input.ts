// Input checks shared by the plots: values as arrays or tensor-like objects, options, names.
import { ShapeError, ValueError } from '../errors.js';

/**
 * Anything with a shape and its values in row-major order: a neurasm (or tfjs) Tensor fits. The
 * plots read it with `dataSync()` and never import the engine.
 */
export interface TensorLike {
  readonly shape: readonly number[];
  dataSync(): ArrayLike<number>;
}

/** One value per feature: an array, a typed array, or a tensor-like object with one axis longer than 1. */
export type Vector = ArrayLike<number> | TensorLike;

/** Rows of values: nested arrays, or a tensor-like object of shape [rows, columns]. */
export type Matrix = ReadonlyArray<ArrayLike<number>> | TensorLike;

/** A short description of a value for an error message. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (isTensorLike(v)) return `a tensor of shape [${Array.from(v.shape).join(', ')}]`;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as ArrayLike<number>).length}`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'bigint') return `${v}n (a BigInt)`;
  return typeof v;
}

/** Whether `v` looks like a tensor: an array `shape` and a `dataSync` method. */
export function isTensorLike(v: unknown): v is TensorLike {
  return (
    typeof v === 'object' &&
    v !== null &&
    Array.isArray((v as TensorLike).shape) &&
    typeof (v as TensorLike).dataSync === 'function'
  );
}

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return (Array.isArray(v) || ArrayBuffer.isView(v)) && typeof (v as ArrayLike<unknown>).length === 'number';
}

/** Throws unless every entry of `data` is a finite number; returns them as a plain array. */
function finiteNumbers(op: string, arg: string, data: ArrayLike<unknown>): number[] {
  const out = new Array<number>(data.length);
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new ValueError(`${op}: expected ${arg} to hold finite numbers, got ${describe(x)} at index ${i}`);
    }
    out[i] = x;
  }
  return out;
}

/**
 * The values of `v` as a plain array of finite numbers (at least one). A tensor-like object may
 * have any shape with at most one axis longer than 1 ([n], [1, n], [1, n, 1]: a slice of a batch).
 */
export function vectorOf(op: string, arg: string, v: unknown): number[] {
  let data: ArrayLike<unknown>;
  if (isTensorLike(v)) {
    if (v.shape.filter((d) => d !== 1).length > 1) {
      throw new ShapeError(
        `${op}: expected ${arg} to hold one value per feature (a tensor with one axis longer than 1), got ${describe(v)}`,
      );
    }
    data = v.dataSync();
  } else if (isArrayLike(v)) {
    data = v;
  } else {
    throw new ValueError(`${op}: expected ${arg} to be an array of numbers or a tensor, got ${describe(v)}`);
  }
  if (data.length === 0) throw new ShapeError(`${op}: expected ${arg} to hold at least one value, got none`);
  return finiteNumbers(op, arg, data);
}

/** The rows of `v` (nested arrays or a tensor-like [rows, columns]), all of one length ≥ 1, finite. */
export function matrixOf(op: string, arg: string, v: unknown): number[][] {
  if (isTensorLike(v)) {
    const shape = v.shape.length === 3 && v.shape[2] === 1 ? v.shape.slice(0, 2) : v.shape;
    if (shape.length !== 2 || shape[0] < 1 || shape[1] < 1) {
      throw new ShapeError(`${op}: expected ${arg} to be a tensor of shape [rows, features], got ${describe(v)}`);
    }
    const flat = finiteNumbers(op, arg, v.dataSync());
    const [rows, cols] = shape;
    return Array.from({ length: rows }, (_, r) => flat.slice(r * cols, (r + 1) * cols));
  }
  if (!Array.isArray(v) || v.length === 0 || !v.every(isArrayLike)) {
    throw new ValueError(
      `${op}: expected ${arg} to be a non-empty array of rows (arrays of numbers) or a tensor of shape [rows, features], got ${describe(v)}`,
    );
  }
  const cols = (v[0] as ArrayLike<unknown>).length;
  if (cols === 0) throw new ShapeError(`${op}: expected the rows of ${arg} to hold at least one value, got none`);
  return v.map((row: ArrayLike<unknown>, r) => {
    if (row.length !== cols) {
      throw new ShapeError(
        `${op}: expected every row of ${arg} to have ${cols} values (as row 0), got ${row.length} in row ${r}`,
      );
    }
    return finiteNumbers(op, `${arg}[${r}]`, row);
  });
}

/** Throws unless `args` is undefined or a plain options object with only `known` keys; returns it. */
export function optionsOf<T extends object>(op: string, args: unknown, known: readonly string[]): Partial<T> {
  if (args === undefined) return {};
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    throw new ValueError(`${op}: expected an options object, got ${describe(args)}`);
  }
  for (const key of Object.keys(args)) {
    if (!known.includes(key)) {
      throw new ValueError(`${op}: unknown option ${JSON.stringify(key)}; the options are ${known.join(', ')}`);
    }
  }
  return args as Partial<T>;
}

/** Throws unless `v` is an integer in [min, max]; returns it. */
export function intOption(op: string, name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new ValueError(`${op}: expected ${name} to be an integer ${range}, got ${describe(v)}`);
  }
  return v;
}

/** Throws unless `v` is a finite number ≥ min; returns it. */
export function numberOption(op: string, name: string, v: unknown, min = Number.NEGATIVE_INFINITY): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    const range = min === Number.NEGATIVE_INFINITY ? 'a finite number' : `a finite number ≥ ${min}`;
    throw new ValueError(`${op}: expected ${name} to be ${range}, got ${describe(v)}`);
  }
  return v;
}

/** Throws unless `v` is undefined or a string; returns it. */
export function stringOption(op: string, name: string, v: unknown): string | undefined {
  if (v !== undefined && typeof v !== 'string') {
    throw new ValueError(`${op}: expected ${name} to be a string, got ${describe(v)}`);
  }
  return v;
}

/** The feature names (`Feature 0`, `Feature 1`, ... when left out), one string per feature. */
export function featureNamesOf(op: string, names: unknown, n: number): string[] {
  if (names === undefined) return Array.from({ length: n }, (_, i) => `Feature ${i}`);
  if (!Array.isArray(names) || names.length !== n) {
    throw new ShapeError(
      `${op}: expected featureNames to be an array of ${n} strings (one per feature), got ${describe(names)}`,
    );
  }
  names.forEach((name, i) => {
    if (typeof name !== 'string') {
      throw new ValueError(`${op}: expected featureNames to hold strings, got ${describe(name)} at index ${i}`);
    }
  });
  return names;
}

/** The shown feature values (numbers formatted, strings as given), one per feature; undefined when left out. */
export function featureValuesOf(op: string, values: unknown, n: number): (number | string)[] | undefined {
  if (values === undefined) return undefined;
  const data: ArrayLike<unknown> = isTensorLike(values)
    ? values.dataSync()
    : isArrayLike(values)
      ? values
      : (() => {
          throw new ValueError(`${op}: expected featureValues to be an array or a tensor, got ${describe(values)}`);
        })();
  if (data.length !== n) {
    throw new ShapeError(
      `${op}: expected featureValues to hold ${n} values (one per feature), got ${describe(values)}`,
    );
  }
  return Array.from(data, (x, i) => {
    if (typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x))) return x;
    throw new ValueError(
      `${op}: expected featureValues to hold finite numbers or strings, got ${describe(x)} at index ${i}`,
    );
  });
}
