import { cumsum as cumsumKernel } from '../backend/kernels/scan.js';
import { DTypeError, ValueError } from '../errors.js';
import { record } from './tape.js';
import { sizeOf, Tensor } from './tensor.js';
import { checkTensor, describe, normalizeAxis } from './validate.js';

/**
 * Cumulative sum along `axis` (default 0), as TensorFlow.js: `exclusive` leaves each element out of
 * its own sum (the first is 0), `reverse` sums from the end. float32 or int32 (int32 sums wrap).
 * The gradient is the cumulative sum of dy in the other direction.
 */
export function cumsum(x: Tensor, axis = 0, exclusive = false, reverse = false): Tensor {
  const op = 'cumsum';
  checkTensor(op, 'x', x);
  if (x.dtype === 'bool') throw new DTypeError(`${op}: expected x to be float32 or int32, got bool (cast it first)`);
  const a = normalizeAxis(op, axis, x.rank);
  if (typeof exclusive !== 'boolean')
    throw new ValueError(`${op}: expected exclusive to be a boolean, got ${describe(exclusive)}`);
  if (typeof reverse !== 'boolean')
    throw new ValueError(`${op}: expected reverse to be a boolean, got ${describe(reverse)}`);
  const y = new Tensor(x.shape, x.dtype);
  if (x.size > 0) {
    const outer = sizeOf(x.shape.slice(0, a));
    const n = x.rank === 0 ? 1 : x.shape[a];
    const inner = sizeOf(x.shape.slice(a + 1));
    cumsumKernel(x.ptr(), y.ptr(), outer, n, inner, exclusive, reverse, x.dtype === 'int32');
  }
  return record([x], y, (dy) => [x.dtype === 'float32' ? cumsum(dy, a, exclusive, !reverse) : null]);
}
