// Typed calls of the reduction kernels (assembly/reduce.ts). Internal: pointers are byte offsets of
// float32 (int32 for indices) blocks in Wasm memory, and the ops layer has validated every argument.
import { passThrough } from './exports.js';

/**
 * Reduces x, viewed as [outer, axisLen, inner] row-major, along its middle axis into out
 * [outer, inner]; `op` is a `Reduce` code (sum, mean, max, min). A full reduction is outer = inner = 1.
 * Sums accumulate in float32 blocks folded into float64 totals (relative error about 1e-7 even for
 * millions of values); mean divides that total by axisLen. max/min return NaN for a slice holding a
 * NaN. Preconditions: axisLen >= 1, outer and inner >= 1, out does not overlap x. No scratch used.
 */
export const reduceAxis = passThrough('reduceAxis');

/**
 * Index along the middle axis of the largest (`op` = Reduce.max) or smallest (Reduce.min) element of
 * x [outer, axisLen, inner], written as int32 into outIndices [outer, inner]. Ties give the first
 * index (as tfjs and numpy); a NaN counts as more extreme than any number, so the index of the first
 * NaN is returned (numpy's rule). Preconditions as for reduceAxis.
 */
export const argReduceAxis = passThrough('argReduceAxis');
