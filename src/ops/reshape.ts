// reshape, on its own below the other shape ops: sum.ts (and so arithmetic and shape.ts) build on it.
import { copy } from '../backend/kernels/elementwise.js';
import { formatShape, ShapeError } from '../errors.js';
import { record } from './tape.js';
import { sizeOf, Tensor } from './tensor.js';
import { checkRank, checkShape, checkTensor, describe } from './validate.js';

/** A copy of `x` with a new shape of the same size; one dimension may be -1 (inferred). */
export function reshape(x: Tensor, shape: number[]): Tensor {
  const op = 'reshape';
  checkTensor(op, 'x', x);
  if (!Array.isArray(shape)) throw new ShapeError(`${op}: expected shape to be an array, got ${describe(shape)}`);
  checkRank(op, 'shape', shape);
  const inferAt = shape.indexOf(-1);
  const target = [...shape];
  if (inferAt >= 0) {
    const rest = sizeOf(shape.filter((_, i) => i !== inferAt));
    if (shape.lastIndexOf(-1) !== inferAt || rest === 0 || x.size % rest !== 0) {
      throw new ShapeError(`${op}: cannot reshape ${formatShape(x.shape)} into ${formatShape(shape)}`);
    }
    target[inferAt] = x.size / rest;
  }
  checkShape(op, 'shape', target);
  if (sizeOf(target) !== x.size) {
    throw new ShapeError(`${op}: cannot reshape ${formatShape(x.shape)} (${x.size} values) into ${formatShape(shape)}`);
  }
  const y = new Tensor(target, x.dtype);
  copy(x.ptr(), y.ptr(), x.size);
  return record([x], y, (dy) => [reshape(dy, [...x.shape])]);
}
