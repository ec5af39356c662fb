import { putCollapsed } from './elementwise.js';
import { kernels, passThrough } from './exports.js';

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
  const { rank, ptrs } = putCollapsed(shape, [xStrides, yStrides]);
  kernels().copyStrided(x, y, rank, ptrs[0], ptrs[1], ptrs[2]);
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

/**
 * y[g·runLength + r, :] = Σ_{e ∈ [offsets[g], offsets[g+1])} table[starts[e] + r·rowStride, :] for
 * g < groups, r < runLength (float32 rows of `width`, summed in entry order from zero; table rows
 * outside [0, tableRows) add nothing). `starts` and `offsets` point at int32 values.
 */
export const sumRowRuns = passThrough('sumRowRuns');
