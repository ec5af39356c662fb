import { Cast } from '../backend/codes.js';
import { castValues } from '../backend/kernels/cast.js';
import { stridedCopy } from '../backend/kernels/elementwise.js';
import { formatShape, ShapeError, ValueError } from '../errors.js';
import { reshape } from './reshape.js';
import { sumToShape } from './sum.js';
import { record } from './tape.js';
import { type DType, Tensor } from './tensor.js';
import { checkShape, checkTensor, describe, describeList, normalizeAxes, normalizeAxis } from './validate.js';

export { reshape } from './reshape.js';

/** Row-major element strides of a shape. */
function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Permutes the axes of `x` (reverses them when `perm` is left out). */
export function transpose(x: Tensor, perm?: number[]): Tensor {
  const op = 'transpose';
  checkTensor(op, 'x', x);
  const p = perm ?? [...Array(x.rank).keys()].reverse();
  const isPermutation =
    Array.isArray(p) &&
    p.length === x.rank &&
    Array.from(p).every((a) => typeof a === 'number') &&
    [...p].sort((a, b) => a - b).every((a, i) => a === i);
  if (!isPermutation) {
    throw new ValueError(`${op}: perm ${describeList(perm)} is not a permutation of the ${x.rank} axes of x`);
  }
  const outShape = p.map((a) => x.shape[a]);
  const inStrides = stridesOf(x.shape);
  const y = new Tensor(outShape, x.dtype);
  stridedCopy(
    x.ptr(),
    y.ptr(),
    outShape,
    p.map((a) => inStrides[a]),
  );
  const inverse = new Array<number>(p.length);
  p.forEach((a, i) => {
    inverse[a] = i;
  });
  return record([x], y, (dy) => [transpose(dy, inverse)]);
}

/** Repeats `x` along its size-1 (or missing leading) dimensions to reach `shape` (numpy rules). */
export function broadcastTo(x: Tensor, shape: number[]): Tensor {
  const op = 'broadcastTo';
  checkTensor(op, 'x', x);
  const target = checkShape(op, 'shape', shape);
  const offset = target.length - x.rank;
  const strides = stridesOf(x.shape);
  const bad = offset < 0 || x.shape.some((d, i) => d !== 1 && d !== target[offset + i]);
  if (bad) throw new ShapeError(`${op}: cannot broadcast ${formatShape(x.shape)} to ${formatShape(target)}`);
  const inStrides = target.map((_, i) => (i < offset || x.shape[i - offset] === 1 ? 0 : strides[i - offset]));
  const y = new Tensor(target, x.dtype);
  stridedCopy(x.ptr(), y.ptr(), target, inStrides);
  return record([x], y, (dy) => [sumToShape(dy, x.shape)]);
}

/** Inserts a dimension of size 1 at `axis`. */
export function expandDims(x: Tensor, axis = 0): Tensor {
  checkTensor('expandDims', 'x', x);
  const a = normalizeAxis('expandDims', axis, x.rank + 1);
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

/** Removes dimensions of size 1: all of them, or those listed in `axis` (one axis or an array). */
export function squeeze(x: Tensor, axis?: number | number[]): Tensor {
  const op = 'squeeze';
  checkTensor(op, 'x', x);
  const all = axis === undefined || axis === null;
  if (!all && typeof axis !== 'number' && !Array.isArray(axis)) {
    throw new ValueError(`${op}: expected axis to be a number or an array of numbers, got ${describe(axis)}`);
  }
  const axes = all ? null : normalizeAxes(op, axis, x.rank);
  for (const a of axes ?? []) {
    if (x.shape[a] !== 1) throw new ShapeError(`${op}: axis ${a} of ${formatShape(x.shape)} is not 1`);
  }
  return reshape(
    x,
    x.shape.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)),
  );
}

/** The castValues conversion from one dtype to another, or null when the stored bits stay as they are. */
function castCode(from: DType, to: DType): number | null {
  if (from === to || (from === 'bool' && to === 'int32')) return null;
  if (to === 'bool') return from === 'float32' ? Cast.f32ToBool : Cast.i32ToBool;
  if (to === 'float32') return Cast.i32ToF32; // from int32 or bool
  return Cast.f32ToI32;
}

/**
 * Converts to another dtype, as TensorFlow.js does: float32 → int32 truncates toward zero (NaN and
 * ±Infinity give 0), anything → bool is 1 unless 0 (NaN gives 1), bool → float32/int32 is 0/1.
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  checkTensor('cast', 'x', x);
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
    throw new ValueError(`cast: expected dtype 'float32', 'int32' or 'bool', got ${describe(dtype)}`);
  }
  const y = new Tensor(x.shape, dtype);
  const code = castCode(x.dtype, dtype);
  if (code === null) stridedCopy(x.ptr(), y.ptr(), [x.size], [1]);
  else castValues(code, x.ptr(), y.ptr(), x.size);
  return record([x], y, (dy) => [dtype === 'float32' && x.dtype === 'float32' ? dy : null]);
}
