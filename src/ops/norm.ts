import { formatShape, ShapeError, ValueError } from '../errors.js';
import { abs, sqrt, square } from './arithmetic.js';
import { tidy } from './engine.js';
import { max, min, sum } from './reduction.js';
import { reshape } from './shape.js';
import type { NormOrder, Tensor } from './tensor.js';
import { checkFloat, checkTensor, describe, describeList, normalizeAxes } from './validate.js';

export type { NormOrder } from './tensor.js';

const VECTOR_ORDERS: readonly unknown[] = ['euclidean', 'fro', 1, 2, Infinity, -Infinity];
const MATRIX_ORDERS: readonly unknown[] = ['euclidean', 'fro', 1, Infinity, -Infinity];

/** A vector norm of x over one axis (or all of x flattened when axis is null). */
function vectorNorm(x: Tensor, ord: NormOrder, axis: number | null): Tensor {
  const ax = axis ?? undefined;
  if (ord === 1) return sum(abs(x), ax);
  if (ord === Infinity) return max(abs(x), ax);
  if (ord === -Infinity) return min(abs(x), ax);
  return sqrt(sum(square(x), ax)); // 'euclidean', 'fro', 2
}

/** A matrix norm over the axes [rows, cols] (axis[0] indexes rows, as numpy and tfjs). */
function matrixNorm(x: Tensor, ord: NormOrder, rows: number, cols: number): Tensor {
  if (ord === 'euclidean' || ord === 'fro') return sqrt(sum(square(x), [rows, cols]));
  // 1: the largest column sum; ±Infinity: the largest (smallest) row sum
  const summed = ord === 1 ? rows : cols;
  const other = ord === 1 ? cols : rows;
  const remaining = other > summed ? other - 1 : other;
  const sums = sum(abs(x), summed);
  return ord === -Infinity ? min(sums, remaining) : max(sums, remaining);
}

/**
 * The norm of x, as TensorFlow.js's `norm`: a vector norm over all of x (axis null) or one axis
 * ('euclidean' = 'fro' = 2, 1, Infinity, -Infinity), or a matrix norm over two axes ('euclidean' =
 * 'fro', 1 = the largest column sum of |x|, Infinity = the largest row sum, -Infinity the smallest).
 * keepDims leaves the reduced axes as size 1. Differentiable through the ops it is made of.
 */
export function norm(
  x: Tensor,
  ord: NormOrder = 'euclidean',
  axis: number | number[] | null = null,
  keepDims = false,
): Tensor {
  const op = 'norm';
  checkTensor(op, 'x', x);
  checkFloat(op, 'x', x);
  if (axis !== null && axis !== undefined && typeof axis !== 'number' && !Array.isArray(axis)) {
    throw new ValueError(
      `${op}: expected axis to be null, a number or an array of one or two numbers, got ${describe(axis)}`,
    );
  }
  const axes = axis === null || axis === undefined ? null : normalizeAxes(op, axis, x.rank);
  if (axes !== null && (axes.length === 0 || axes.length > 2)) {
    throw new ValueError(`${op}: expected axis to name one or two axes, got ${describeList(axis)}`);
  }
  const matrix = axes !== null && axes.length === 2;
  const orders = matrix ? MATRIX_ORDERS : VECTOR_ORDERS;
  if (!orders.includes(ord)) {
    const names = matrix
      ? "'euclidean', 'fro', 1, Infinity or -Infinity"
      : "'euclidean', 'fro', 1, 2, Infinity or -Infinity";
    throw new ValueError(
      `${op}: expected ord for a ${matrix ? 'matrix' : 'vector'} norm to be ${names}, got ${describe(ord)}`,
    );
  }
  if (typeof keepDims !== 'boolean')
    throw new ValueError(`${op}: expected keepDims to be a boolean, got ${describe(keepDims)}`);
  const reduced = axes ?? [...Array(x.rank).keys()];
  if (reduced.some((a) => x.shape[a] === 0)) {
    throw new ShapeError(`${op}: cannot take the norm over an empty axis of ${formatShape(x.shape)}`);
  }
  const keptShape = x.shape.map((d, i) => (reduced.includes(i) ? 1 : d));
  return tidy(() => {
    let y: Tensor;
    if (x.rank === 0) y = abs(x);
    else if (axes === null) y = vectorNorm(reshape(x, [-1]), ord, null);
    else if (axes.length === 1) y = vectorNorm(x, ord, axes[0]);
    else {
      // axis[0] indexes the rows even when it is the later axis
      const list = (Array.isArray(axis) ? axis : [axis]) as number[];
      const rows = list[0] < 0 ? list[0] + x.rank : list[0];
      const cols = list[1] < 0 ? list[1] + x.rank : list[1];
      y = matrixNorm(x, ord, rows, cols);
    }
    return keepDims ? reshape(y, keptShape) : y;
  });
}
