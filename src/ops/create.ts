import { copy, fill as fillKernel } from '../backend/kernels/elementwise.js';
import { backend } from '../backend/loader.js';
import { hostStep, isRecording } from '../backend/trace.js';
import { DTypeError, formatShape, ShapeError, ValueError } from '../errors.js';
import { randomFor } from '../random.js';
import { type DType, sizeOf, Tensor, type TensorLike, type TypedArray } from './tensor.js';
import { checkFits, checkInt, checkNumber, checkShape, checkTensor, describe, MAX_RANK } from './validate.js';

export type { NestedBoolArray, TensorLike } from './tensor.js';

function checkDTypeName(op: string, dtype: unknown, allowBool = false): DType {
  if (dtype === 'bool' && allowBool) return dtype;
  if (dtype !== 'float32' && dtype !== 'int32') {
    const names = allowBool ? "'float32', 'int32' or 'bool'" : "'float32' or 'int32'";
    throw new ValueError(`${op}: expected dtype ${names}, got ${describe(dtype)}`);
  }
  return dtype;
}

/** Typed arrays whose elements are JS numbers (BigInt64Array and BigUint64Array hold BigInts). */
const NUMERIC_ARRAYS = [
  Float32Array,
  Float64Array,
  Int32Array,
  Int16Array,
  Int8Array,
  Uint32Array,
  Uint16Array,
  Uint8Array,
  Uint8ClampedArray,
];

/**
 * Infers the shape of nested arrays and flattens them, throwing on ragged or non-numeric input.
 * Booleans become 1/0 with `bool` set; numbers and booleans may not be mixed.
 */
function flatten(op: string, values: unknown): { shape: number[]; flat: ArrayLike<number>; bool?: boolean } {
  if (typeof values === 'number') return { shape: [], flat: [values] };
  if (typeof values === 'boolean') return { shape: [], flat: [values ? 1 : 0], bool: true };
  if (ArrayBuffer.isView(values)) {
    if (!NUMERIC_ARRAYS.some((type) => values instanceof type)) {
      throw new DTypeError(
        `${op}: expected values to be a Float32Array, Int32Array or another typed array of numbers ` +
          `(Float64Array, Uint8Array, ...), got ${values.constructor.name}`,
      );
    }
    const arr = values as unknown as ArrayLike<number>;
    return { shape: [arr.length], flat: arr };
  }
  if (!Array.isArray(values)) {
    throw new ValueError(
      `${op}: expected a number, nested arrays of numbers or a typed array, got ${describe(values)}`,
    );
  }
  const shape: number[] = [];
  let probe: unknown = values;
  while (Array.isArray(probe)) {
    // also stops a self-containing array, which would nest forever
    if (shape.length === MAX_RANK) {
      throw new ShapeError(
        `${op}: values are arrays nested more than ${MAX_RANK} deep (the most dimensions a tensor has)`,
      );
    }
    shape.push(probe.length);
    probe = probe[0];
  }
  checkFits(op, 'values of shape', shape);
  const flat: number[] = [];
  const bool = shape.length > 0 && !shape.includes(0) && typeof leafOf(values) === 'boolean';
  const walk = (v: unknown, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (bool) {
        if (typeof v !== 'boolean') throw new ValueError(`${op}: expected a boolean at ${path}, got ${describe(v)}`);
        flat.push(v ? 1 : 0);
        return;
      }
      if (typeof v !== 'number') throw new ValueError(`${op}: expected a number at ${path}, got ${describe(v)}`);
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new ShapeError(
        `${op}: ragged nested array: expected length ${shape[dim]} at ${path || 'the top level'}, got ${describe(v)}`,
      );
    }
    for (let i = 0; i < v.length; i++) walk(v[i], dim + 1, `${path}[${i}]`);
  };
  walk(values, 0, '');
  return bool ? { shape, flat, bool } : { shape, flat };
}

/** The first innermost element of nested arrays. */
function leafOf(values: unknown): unknown {
  let v = values;
  while (Array.isArray(v)) v = v[0];
  return v;
}

/** @internal A tensor holding `flat` (already validated) with the given shape. */
export function fromFlat(shape: readonly number[], dtype: DType, flat: ArrayLike<number>): Tensor {
  // A view of Wasm memory would be detached if allocating the tensor grows memory: copy it first.
  if (ArrayBuffer.isView(flat) && (flat as unknown as TypedArray).buffer === backend().memory.buffer) {
    flat = (flat as unknown as TypedArray).slice();
  }
  const t = new Tensor(shape, dtype);
  const view = t.view();
  if (dtype === 'int32') {
    for (let i = 0; i < flat.length; i++) view[i] = flat[i];
  } else if (dtype === 'bool') {
    // TensorFlow.js rounds first: 0.3 is false, 0.7 true (and NaN true)
    for (let i = 0; i < flat.length; i++) view[i] = Math.round(flat[i]) !== 0 ? 1 : 0;
  } else view.set(flat);
  return t;
}

/**
 * Makes a tensor from values (nested arrays, a flat array or typed array with `shape`, or a number).
 * dtype defaults to int32 for an Int32Array, bool for booleans and float32 otherwise; int32 values
 * must be integers; dtype 'bool' turns each value into 0 or 1 (rounding first, as TensorFlow.js).
 */
export function tensor(values: TensorLike, shape?: number[], dtype?: DType): Tensor {
  return makeTensor('tensor', values, shape, dtype);
}

function makeTensor(op: string, values: TensorLike, shape?: number[], dtype?: DType): Tensor {
  const inferred = flatten(op, values);
  const dt =
    dtype === undefined
      ? values instanceof Int32Array
        ? 'int32'
        : inferred.bool
          ? 'bool'
          : 'float32'
      : checkDTypeName(op, dtype, true);
  let finalShape = inferred.shape;
  if (shape !== undefined) {
    finalShape = checkShape(op, 'shape', shape);
    if (sizeOf(finalShape) !== inferred.flat.length) {
      throw new ShapeError(
        `${op}: shape ${formatShape(finalShape)} needs ${sizeOf(finalShape)} values, got ${inferred.flat.length}`,
      );
    }
  }
  if (dt === 'int32') {
    for (let i = 0; i < inferred.flat.length; i++) {
      const v = inferred.flat[i];
      if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
        throw new ValueError(`${op}: int32 values must be integers in the int32 range; value ${i} is ${v}`);
      }
    }
  }
  return fromFlat(finalShape, dt, inferred.flat);
}

/** A rank-0 tensor (bool for a boolean, as in TensorFlow.js). */
export function scalar(value: number | boolean, dtype?: DType): Tensor {
  if (typeof value !== 'number' && typeof value !== 'boolean') {
    throw new ValueError(`scalar: expected a number or a boolean, got ${describe(value)}`);
  }
  return tensor(value, [], dtype);
}

function ranked(op: string, rank: number, values: TensorLike, shape?: number[], dtype?: DType): Tensor {
  const t = makeTensor(op, values, shape, dtype);
  if (t.rank !== rank) {
    const got = formatShape(t.shape);
    t.dispose();
    throw new ShapeError(`${op}: expected values of rank ${rank}, got shape ${got}`);
  }
  return t;
}

/** A rank-1 tensor. */
export function tensor1d(values: TensorLike, dtype?: DType): Tensor {
  return ranked('tensor1d', 1, values, undefined, dtype);
}

/** A rank-2 tensor, from nested arrays or from flat values with `shape`. */
export function tensor2d(values: TensorLike, shape?: [number, number], dtype?: DType): Tensor {
  return ranked('tensor2d', 2, values, shape, dtype);
}

/** A rank-3 tensor, from nested arrays or from flat values with `shape`. */
export function tensor3d(values: TensorLike, shape?: [number, number, number], dtype?: DType): Tensor {
  return ranked('tensor3d', 3, values, shape, dtype);
}

/** A rank-4 tensor, from nested arrays or from flat values with `shape`. */
export function tensor4d(values: TensorLike, shape?: [number, number, number, number], dtype?: DType): Tensor {
  return ranked('tensor4d', 4, values, shape, dtype);
}

/** A rank-5 tensor, from nested arrays or from flat values with `shape`. */
export function tensor5d(values: TensorLike, shape?: [number, number, number, number, number], dtype?: DType): Tensor {
  return ranked('tensor5d', 5, values, shape, dtype);
}

/** A rank-6 tensor, from nested arrays or from flat values with `shape`. */
export function tensor6d(
  values: TensorLike,
  shape?: [number, number, number, number, number, number],
  dtype?: DType,
): Tensor {
  return ranked('tensor6d', 6, values, shape, dtype);
}

/**
 * The numbers start, start + step, ... up to but not including stop, as a rank-1 tensor (as
 * TensorFlow.js: each value is the previous one plus step, rounded to the dtype; an empty tensor
 * when step points away from stop; a step of 1 with stop < start counts down by 1).
 */
export function range(start: number, stop: number, step = 1, dtype: 'float32' | 'int32' = 'float32'): Tensor {
  const op = 'range';
  checkNumber(op, 'start', start);
  checkNumber(op, 'stop', stop);
  checkNumber(op, 'step', step);
  if (step === 0) throw new ValueError(`${op}: expected a nonzero step, got 0`);
  const dt = checkDTypeName(op, dtype);
  if (start === stop || (start < stop && step < 0) || (stop < start && step > 1)) return fromFlat([0], dt, []);
  const n = Math.abs(Math.ceil((stop - start) / step));
  checkFits(op, 'the result shape', [n]);
  if (dt === 'int32') {
    checkInt(op, 'start', Math.trunc(start), -2147483648, 2147483647);
    checkInt(op, 'stop', Math.trunc(stop), -2147483648, 2147483647);
  }
  const values = dt === 'int32' ? new Int32Array(n) : new Float32Array(n);
  const delta = stop < start && step === 1 ? -1 : step;
  values[0] = start;
  for (let i = 1; i < n; i++) values[i] = values[i - 1] + delta;
  return fromFlat([n], dt, values);
}

/**
 * `num` evenly spaced float32 numbers from start to stop inclusive, as a rank-1 tensor (as
 * TensorFlow.js: each value is the previous one plus (stop − start) / (num − 1) in float32).
 */
export function linspace(start: number, stop: number, num: number): Tensor {
  const op = 'linspace';
  checkNumber(op, 'start', start);
  checkNumber(op, 'stop', stop);
  checkInt(op, 'num', num, 1);
  checkFits(op, 'the result shape', [num]);
  const values = new Float32Array(num);
  const step = (stop - start) / (num - 1);
  values[0] = start;
  for (let i = 1; i < num; i++) values[i] = values[i - 1] + step;
  return fromFlat([num], 'float32', values);
}

/** A tensor of the given shape with every element equal to `value`. */
export function fill(shape: number[], value: number, dtype: DType = 'float32'): Tensor {
  return filled('fill', shape, value, dtype);
}

/** `fill`, with `op` naming the public function in messages. */
function filled(op: string, shape: number[], value: number, dtype: DType): Tensor {
  const s = checkShape(op, 'shape', shape);
  const dt = checkDTypeName(op, dtype, true);
  if (typeof value !== 'number') throw new ValueError(`${op}: expected value to be a number, got ${describe(value)}`);
  if (dt === 'int32') checkInt(op, 'value', value, -2147483648, 2147483647);
  const t = new Tensor(s, dt);
  if (dt === 'float32') fillKernel(t.ptr(), t.size, value);
  else t.view().fill(dt === 'bool' ? Number(value !== 0) : value);
  return t;
}

/** A tensor of zeros. */
export function zeros(shape: number[], dtype: DType = 'float32'): Tensor {
  return filled('zeros', shape, 0, dtype);
}

/** A tensor of ones. */
export function ones(shape: number[], dtype: DType = 'float32'): Tensor {
  return filled('ones', shape, 1, dtype);
}

/** Zeros with the shape and dtype of `x`. */
export function zerosLike(x: Tensor): Tensor {
  checkTensor('zerosLike', 'x', x);
  return fill([...x.shape], 0, x.dtype);
}

/** Ones with the shape and dtype of `x`. */
export function onesLike(x: Tensor): Tensor {
  checkTensor('onesLike', 'x', x);
  return fill([...x.shape], 1, x.dtype);
}

/** A copy of `x` in fresh memory. */
export function clone(x: Tensor): Tensor {
  checkTensor('clone', 'x', x);
  const t = new Tensor(x.shape, x.dtype);
  copy(x.ptr(), t.ptr(), x.size);
  return t;
}

/**
 * Normal samples (mean, stdDev); `seed` makes them reproducible, else the global PRNG is used.
 * With dtype 'int32' each sample is rounded to the nearest integer, as in TensorFlow.js.
 */
export function randomNormal(shape: number[], mean = 0, stdDev = 1, dtype: DType = 'float32', seed?: number): Tensor {
  const op = 'randomNormal';
  const s = checkShape(op, 'shape', shape);
  checkNumber(op, 'mean', mean);
  checkNumber(op, 'stdDev', stdDev);
  const dt = checkDTypeName(op, dtype);
  if (seed !== undefined) checkNumber(op, 'seed', seed);
  const sample = () => {
    const rng = randomFor(seed);
    // float64 samples only where they are rounded to int32: float32 ones are stored as they are drawn
    const values = dt === 'int32' ? new Float64Array(sizeOf(s)) : new Float32Array(sizeOf(s));
    for (let i = 0; i < values.length; i++) values[i] = mean + stdDev * rng.normal();
    if (values instanceof Float64Array) roundToInt32(op, values);
    return values;
  };
  return randomTensor(s, dt, seed, sample);
}

/** A tensor of samples; unseeded samples made while a trace records are drawn again at every replay. */
function randomTensor(shape: number[], dt: DType, seed: number | undefined, sample: () => ArrayLike<number>): Tensor {
  if (seed !== undefined || !isRecording()) return fromFlat(shape, dt, sample());
  const t = new Tensor(shape, dt);
  const start = t.ptr() >>> 2;
  hostStep(() => {
    const values = sample();
    const views = backend().views;
    (dt === 'float32' ? views.f32 : views.i32).set(values, start);
  });
  return t;
}

/** Rounds samples to integers in place; throws (before anything is allocated) if one leaves the int32 range. */
function roundToInt32(op: string, values: Float64Array): void {
  for (let i = 0; i < values.length; i++) {
    const v = Math.round(values[i]);
    if (v < -2147483648 || v > 2147483647) {
      throw new ValueError(
        `${op}: sample ${i} is ${v}, outside the int32 range; use dtype 'float32' or a smaller mean/stdDev`,
      );
    }
    values[i] = v;
  }
}

/**
 * Uniform samples in [minval, maxval); `seed` makes them reproducible, else the global PRNG is used.
 * With dtype 'int32' the samples are integers in [minval, maxval) (floor of the float sample).
 */
export function randomUniform(
  shape: number[],
  minval = 0,
  maxval = 1,
  dtype: DType = 'float32',
  seed?: number,
): Tensor {
  const op = 'randomUniform';
  const s = checkShape(op, 'shape', shape);
  checkNumber(op, 'minval', minval);
  checkNumber(op, 'maxval', maxval);
  const dt = checkDTypeName(op, dtype);
  if (maxval < minval) throw new ValueError(`${op}: expected minval <= maxval, got ${minval} > ${maxval}`);
  if (dt === 'int32') {
    checkInt(op, 'minval', Math.floor(minval), -2147483648, 2147483647);
    checkInt(op, 'maxval', Math.ceil(maxval), -2147483648, 2147483648);
  }
  if (seed !== undefined) checkNumber(op, 'seed', seed);
  return randomTensor(s, dt, seed, () => {
    const rng = randomFor(seed);
    const values = new Float64Array(sizeOf(s));
    for (let i = 0; i < values.length; i++) {
      const u = minval + (maxval - minval) * rng.uniform();
      values[i] = dt === 'int32' ? Math.floor(u) : u;
    }
    return values;
  });
}

/**
 * One-hot encoding: an int32 tensor of indices of shape [...] becomes a float32 tensor [..., depth]
 * with onValue at the index and offValue elsewhere. Indices must be integers in [0, depth).
 */
export function oneHot(indices: Tensor | number[], depth: number, onValue = 1, offValue = 0): Tensor {
  const op = 'oneHot';
  checkInt(op, 'depth', depth, 1);
  checkNumber(op, 'onValue', onValue);
  checkNumber(op, 'offValue', offValue);
  let flat: ArrayLike<unknown>;
  let shape: readonly number[];
  if (Array.isArray(indices)) {
    flat = Array.from(indices);
    shape = [indices.length];
  } else {
    const t = checkTensor(op, 'indices', indices);
    flat = t.readValues(op).slice();
    shape = t.shape;
  }
  checkFits(op, 'the result shape', [...shape, depth]);
  const values = new Float32Array(flat.length * depth).fill(offValue);
  for (let i = 0; i < flat.length; i++) {
    const k = flat[i];
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k >= depth) {
      throw new ValueError(`${op}: index ${i} is ${describe(k)}, expected an integer in [0, ${depth})`);
    }
    values[i * depth + k] = onValue;
  }
  return fromFlat([...shape, depth], 'float32', values);
}
