// The two memory-level primitives that slicing, splitting, joining and padding are built on, each
// the other's gradient: `stridedView` reads a strided window of a tensor's elements into a new
// tensor, `stridedEmbed` writes a tensor into such a window of a new, filled one.
import { fill } from '../backend/kernels/elementwise.js';
import { copyStrided, fillI32 } from '../backend/kernels/indexing.js';
import { record } from './tape.js';
import { Tensor } from './tensor.js';

/** Row-major element strides of a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/**
 * @internal A new tensor of `shape` whose element i is x's element offset + Σ i_d·strides[d]
 * (x's flat data, strides in elements, any sign, non-zero where shape[d] > 1). Covers slice,
 * strided slice, unstack and split (and reshape, with contiguous strides). Precondition: every
 * position read lies in x. The gradient embeds dy back at the same positions.
 */
export function stridedView(x: Tensor, shape: readonly number[], offset: number, strides: readonly number[]): Tensor {
  const y = new Tensor(shape, x.dtype);
  copyStrided(x.ptr() + offset * 4, y.ptr(), shape, strides, contiguousStrides(shape));
  return record([x], y, (dy) => [x.dtype === 'float32' ? stridedEmbed(dy, x.shape, offset, strides, 0) : null]);
}

/**
 * @internal A new tensor of `shape` filled with `value`, with y's elements written at the positions
 * offset + Σ i_d·strides[d] of its flat data (the inverse of `stridedView`: pad, and the gradient of
 * slices). Preconditions: the positions are distinct and lie in the new tensor; `value` suits
 * y.dtype. The gradient of y views those positions of dy.
 */
export function stridedEmbed(
  y: Tensor,
  shape: readonly number[],
  offset: number,
  strides: readonly number[],
  value: number,
): Tensor {
  const out = new Tensor(shape, y.dtype);
  if (y.size < out.size) {
    if (y.dtype === 'float32') fill(out.ptr(), out.size, value);
    else fillI32(out.ptr(), out.size, value);
  }
  copyStrided(y.ptr(), out.ptr() + offset * 4, y.shape, contiguousStrides(y.shape), strides);
  return record([y], out, (dout) => [y.dtype === 'float32' ? stridedView(dout, y.shape, offset, strides) : null]);
}
