import { stridedCopy } from '../backend/kernels/elementwise.js';
import { gatherLastAxis, scatterLastAxis, topkRows } from '../backend/kernels/topk.js';
import { DTypeError, ValueError } from '../errors.js';
import { activeTape, record } from './tape.js';
import { Tensor } from './tensor.js';
import { checkInt, checkTensor, describe } from './validate.js';

/** y[..., j] = x[..., indices[..., j]] along the last axis; its gradient scatters back. */
function gatherLast(x: Tensor, indices: Tensor): Tensor {
  const n = x.shape[x.rank - 1];
  const k = indices.shape[indices.rank - 1];
  const y = new Tensor(indices.shape, 'float32');
  if (y.size > 0) gatherLastAxis(x.ptr(), indices.ptr(), y.ptr(), y.size / k, n, k);
  return record([x], y, (dy) => [scatterLast(dy, indices, x.shape)]);
}

/** dx of `shape`: zeros, plus dy[..., j] added at [..., indices[..., j]]; its gradient gathers. */
function scatterLast(dy: Tensor, indices: Tensor, shape: readonly number[]): Tensor {
  const n = shape[shape.length - 1];
  const k = indices.shape[indices.rank - 1];
  const dx = new Tensor(shape, 'float32');
  if (dx.size > 0) scatterLastAxis(dy.ptr(), indices.ptr(), dx.ptr(), dx.size / n, n, k);
  return record([dy], dx, (ddx) => [gatherLast(ddx, indices)]);
}

/**
 * The `k` largest entries along the last axis and their int32 indices, as TensorFlow.js's `topk`:
 * values descending, ties in index order (a NaN ranks above every number). `sorted` is accepted
 * for tfjs's signature; the result is always sorted (one valid order for sorted = false). The
 * gradient of values scatters dy back to the positions the values came from.
 */
export function topk(x: Tensor, k = 1, sorted = true): { values: Tensor; indices: Tensor } {
  const op = 'topk';
  checkTensor(op, 'x', x);
  if (x.dtype === 'bool') throw new DTypeError(`${op}: expected x to be float32 or int32, got bool (cast it first)`);
  if (x.rank === 0) throw new ValueError(`${op}: expected x of rank 1 or more, got a scalar`);
  const n = x.shape[x.rank - 1];
  checkInt(op, 'k', k, 0, n);
  if (typeof sorted !== 'boolean')
    throw new ValueError(`${op}: expected sorted to be a boolean, got ${describe(sorted)}`);
  const shape = [...x.shape.slice(0, -1), k];
  const values = new Tensor(shape, x.dtype);
  const indices = new Tensor(shape, 'int32');
  const rows = n === 0 ? 0 : x.size / n;
  if (values.size > 0) topkRows(x.ptr(), values.ptr(), indices.ptr(), rows, n, k, x.dtype === 'int32');
  if (x.dtype === 'float32' && activeTape()?.isTracked(x)) {
    // the backward keeps its own indices: the caller may dispose the returned ones
    const saved = new Tensor(shape, 'int32');
    stridedCopy(indices.ptr(), saved.ptr(), [saved.size], [1]);
    record([x], values, (dy) => [scatterLast(dy, saved, x.shape)], [saved]);
  }
  return { values, indices };
}
