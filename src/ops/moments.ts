import { formatShape, ShapeError, ValueError } from '../errors.js';
import { square, sub } from './arithmetic.js';
import { tidy } from './engine.js';
import { mean } from './reduction.js';
import { reshape } from './shape.js';
import type { Tensor } from './tensor.js';
import { checkFloat, checkTensor, describe, normalizeAxes } from './validate.js';

/**
 * The mean and (population) variance of x over `axes` (all axes when left out), as TensorFlow.js's
 * `moments`; keepDims leaves the reduced axes as size 1. Both are differentiable.
 */
export function moments(
  x: Tensor,
  axes: number | number[] | null = null,
  keepDims = false,
): { mean: Tensor; variance: Tensor } {
  const op = 'moments';
  checkTensor(op, 'x', x);
  checkFloat(op, 'x', x);
  const reduced = normalizeAxes(op, axes, x.rank);
  if (reduced.some((a) => x.shape[a] === 0)) {
    throw new ShapeError(`${op}: cannot take moments over an empty axis of ${formatShape(x.shape)}`);
  }
  if (typeof keepDims !== 'boolean')
    throw new ValueError(`${op}: expected keepDims to be a boolean, got ${describe(keepDims)}`);
  return tidy(() => {
    const m = mean(x, reduced, true);
    const variance = mean(square(sub(x, m)), reduced, keepDims);
    const dropped = x.shape.filter((_, i) => !reduced.includes(i));
    return { mean: keepDims ? m : reshape(m, dropped), variance };
  });
}
