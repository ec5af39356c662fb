// gather: slices of x along an axis picked by int32 indices, and its gradient, a scatter-add of dy's
// slices into zeros of x's shape (repeated indices sum); along axis 0 the tape holds that gradient
// row-sparse (ops/row-sparse.ts) and densifies it only where a dense one is needed. The indices are
// never read in JS: the kernels bound-check each one, so any int32 value is safe.
import { gatherRows, scatterAddRows } from '../backend/kernels/indexing.js';
import { NeurasmError, ValueError } from '../errors.js';
import { tensor } from './create.js';
import { rowSparse } from './row-sparse.js';
import { activeTape, record } from './tape.js';
import { isTensor, type NestedArray, sizeOf, Tensor } from './tensor.js';
import { checkDType, checkFits, checkTensor, describe, normalizeAxis } from './validate.js';

/** x viewed as [outer, axisLen, inner] around `axis`. */
function around(shape: readonly number[], axis: number): { outer: number; axisLen: number; inner: number } {
  return { outer: sizeOf(shape.slice(0, axis)), axisLen: shape[axis], inner: sizeOf(shape.slice(axis + 1)) };
}

/** The gather kernel with its gradient on the tape; arguments already checked. */
function gatherRaw(x: Tensor, indices: Tensor, axis: number): Tensor {
  const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  const { outer, axisLen, inner } = around(x.shape, axis);
  const y = new Tensor(shape, x.dtype);
  gatherRows(x.ptr(), indices.ptr(), y.ptr(), outer, axisLen, inner, indices.size);
  return record(
    [x, indices],
    y,
    // along axis 0 the gradient is the rows dy holds, at the indices: row-sparse (the tape densifies
    // it unless its consumer, the model's train pass, takes it as it is)
    (dy) => [
      x.dtype !== 'float32'
        ? null
        : axis === 0
          ? rowSparse(x.shape, indices, dy)
          : scatterAdd(dy, indices, x.shape, axis),
      null,
    ],
    [indices],
  );
}

/** The gradient of gatherRaw for x: zeros of `shape` plus dy's slices at the indices; its own gradient gathers. */
function scatterAdd(dy: Tensor, indices: Tensor, shape: readonly number[], axis: number): Tensor {
  const { outer, axisLen, inner } = around(shape, axis);
  const dx = new Tensor(shape, 'float32');
  scatterAddRows(dy.ptr(), indices.ptr(), dx.ptr(), outer, axisLen, inner, indices.size);
  return record([dy], dx, (ddx) => [gatherRaw(ddx, indices, axis)], [indices]);
}

/** An int32 tensor of (nested) arrays of integers; tensor()'s errors are renamed for `op`. */
function indicesTensor(op: string, indices: unknown[]): Tensor {
  try {
    return tensor(indices as number[], undefined, 'int32');
  } catch (err) {
    if (!(err instanceof NeurasmError)) throw err;
    const Type = err.constructor as new (message: string) => NeurasmError;
    throw new Type(`${op}: expected indices to be (nested) arrays of int32 integers: ${err.message}`);
  }
}

/**
 * Slices of x along `axis` at `indices` (an int32 tensor of any rank, or nested arrays of integers), as
 * `tf.gather`: the result has shape x.shape[:axis] + indices.shape + x.shape[axis+1:]. An index
 * outside [0, x.shape[axis]) — negative ones included — selects zeros (TensorFlow's rule on GPU; its
 * CPU kernel throws instead), and its slice of the gradient is dropped. Only batchDims 0 is
 * supported. The gradient for x adds dy's slices at their indices (repeated indices sum).
 */
export function gather(x: Tensor, indices: Tensor | NestedArray, axis = 0, batchDims = 0): Tensor {
  const op = 'gather';
  checkTensor(op, 'x', x);
  if (x.rank === 0) throw new ValueError(`${op}: x is a scalar; expected a tensor of rank 1 or more`);
  const a = normalizeAxis(op, axis, x.rank);
  if (batchDims !== 0) throw new ValueError(`${op}: only batchDims 0 is supported, got ${describe(batchDims)}`);
  let idx: Tensor;
  if (Array.isArray(indices)) {
    idx = indicesTensor(op, indices);
  } else if (isTensor(indices)) {
    idx = checkTensor(op, 'indices', indices);
    checkDType(op, 'indices', idx, 'int32');
  } else {
    throw new ValueError(
      `${op}: expected indices to be an int32 Tensor or an array of integers, got ${describe(indices)}`,
    );
  }
  const owned = idx !== indices;
  let y: Tensor;
  try {
    checkFits(op, 'the result', [...x.shape.slice(0, a), ...idx.shape, ...x.shape.slice(a + 1)]);
    y = gatherRaw(x, idx, a);
  } catch (err) {
    if (owned) idx.dispose();
    throw err;
  }
  if (owned && !activeTape()) idx.dispose(); // a tape's backward still reads it
  return y;
}
