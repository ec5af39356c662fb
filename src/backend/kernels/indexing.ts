// Typed calls of the indexing kernels (assembly/indexing.ts). Internal: pointers are byte offsets
// of 4-byte element blocks (float32 or int32) in Wasm memory, and the ops layer has validated every
// argument.
import { backend } from '../loader.js';
import { scratch } from '../scratch.js';
import { collapseDims } from './elementwise.js';
import { kernels, passThrough } from './exports.js';

/** Writes int32 arrays of one length one after another into the scratch block; returns their byte offsets. */
function putInts(arrays: readonly number[][]): number[] {
  const rank = arrays[0].length;
  const base = scratch(Math.max(1, arrays.length * rank) * 4);
  const i32 = backend().views.i32;
  return arrays.map((values, k) => {
    const ptr = base + k * rank * 4;
    i32.set(values, ptr >>> 2);
    return ptr;
  });
}

/**
 * y[Σ i_d·yStrides[d]] = x[Σ i_d·xStrides[d]] over every index i of `shape`: a strided read and a
 * strided write in one pass (strides in elements, any sign; x and y point at the first element).
 * Preconditions: x and y do not overlap, and the written positions are distinct. Uses the scratch
 * block, so memory views must be re-fetched afterwards.
 */
export function copyStrided(
  x: number,
  y: number,
  shape: readonly number[],
  xStrides: readonly number[],
  yStrides: readonly number[],
): void {
  if (shape.includes(0)) return;
  const c = collapseDims(shape, [xStrides, yStrides]);
  const [shapePtr, xPtr, yPtr] = putInts([c.shape, c.strides[0], c.strides[1]]);
  kernels().copyStrided(x, y, c.shape.length, shapePtr, xPtr, yPtr);
}

/** y[i] = value for the n int32 elements at y. */
export const fillI32 = passThrough('fillI32');

/**
 * y[o, j, :] = x[o, indices[j], :] with x viewed as [outer, axisLen, inner] and y as
 * [outer, count, inner]; rows whose index is outside [0, axisLen) are zeros. 4-byte elements of
 * either dtype; `indices` points at `count` int32 values.
 */
export const gatherRows = passThrough('gatherRows');

/**
 * dx (float32 [outer, axisLen, inner]) = 0, then dx[o, indices[j], :] += dy[o, j, :]; repeated
 * indices sum and out-of-range ones are skipped (the gradient of `gatherRows`).
 */
export const scatterAddRows = passThrough('scatterAddRows');
