import { Reduce } from '../backend/codes.js';
import { argReduceAxis } from '../backend/kernels/reduce.js';
import { formatShape, ShapeError, ValueError } from '../errors.js';
import { binaryOp, mul } from './arithmetic.js';
import { broadcastTo, reshape } from './shape.js';
import { reduction } from './sum.js';
import { sizeOf, Tensor } from './tensor.js';
import { checkFloat, checkTensor, describeList, normalizeAxis } from './validate.js';

export { mean, sum } from './sum.js';

/** max/min's gradient: to every element equal to the extreme value. */
function toExtremes(x: Tensor) {
  return (spread: Tensor, y: Tensor, kept: number[]): Tensor =>
    mul(spread, binaryOp('equal', x, broadcastTo(reshape(y, kept), [...x.shape])));
}

/** Maximum over `axis` (all axes when left out); NaN if the slice holds a NaN. */
export function max(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  return reduction('max', x, axis, keepDims, toExtremes(x));
}

/** Minimum over `axis` (all axes when left out); NaN if the slice holds a NaN. */
export function min(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  return reduction('min', x, axis, keepDims, toExtremes(x));
}

function argReduction(opName: 'argMax' | 'argMin', code: number, x: Tensor, axis: number): Tensor {
  checkTensor(opName, 'x', x);
  checkFloat(opName, 'x', x);
  if (Array.isArray(axis)) {
    throw new ValueError(`${opName}: takes a single axis (a number), got ${describeList(axis)}`);
  }
  const a = normalizeAxis(opName, axis, x.rank);
  if (x.rank === 0 || x.shape[a] === 0) {
    throw new ShapeError(`${opName}: expected x with a non-empty axis ${axis}, got ${formatShape(x.shape)}`);
  }
  const y = new Tensor(
    x.shape.filter((_, i) => i !== a),
    'int32',
  );
  argReduceAxis(code, x.ptr(), y.ptr(), sizeOf(x.shape.slice(0, a)), x.shape[a], sizeOf(x.shape.slice(a + 1)));
  return y;
}

/** Index of the maximum along `axis` (default 0, as in TensorFlow.js), as int32; ties give the first. */
export function argMax(x: Tensor, axis = 0): Tensor {
  return argReduction('argMax', Reduce.max, x, axis);
}

/** Index of the minimum along `axis` (default 0), as int32; ties give the first. */
export function argMin(x: Tensor, axis = 0): Tensor {
  return argReduction('argMin', Reduce.min, x, axis);
}
