// Typed calls of the top-k kernels (assembly/topk.ts).
import { kernels, passThrough } from './exports.js';

/**
 * The k largest of each of `rows` rows of n elements (k <= n), descending, into values [rows, k]
 * and their int32 positions into indices [rows, k]; ties keep the lower index first, NaN ranks
 * above every number. `isInt` reads x (and writes values) as int32.
 */
export function topkRows(
  x: number,
  values: number,
  indices: number,
  rows: number,
  n: number,
  k: number,
  isInt: boolean,
): void {
  kernels().topkRows(x, values, indices, rows, n, k, isInt ? 1 : 0);
}

/** y[r, j] = x[r, indices[r, j]]: x float32 [rows, n], indices int32 in [0, n) and y [rows, k]. */
export const gatherLastAxis = passThrough('gatherLastAxis');

/** dx = 0, then dx[r, indices[r, j]] += dy[r, j]: dy and indices [rows, k], dx float32 [rows, n]. */
export const scatterLastAxis = passThrough('scatterLastAxis');
