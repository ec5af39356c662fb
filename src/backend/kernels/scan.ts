// Typed call of the cumulative-sum kernel (assembly/scan.ts).
import { kernels } from './exports.js';

/**
 * Cumulative sums of x viewed as [outer, n, inner] along its middle axis into y (same layout, not
 * overlapping x): inclusive or `exclusive`, forward or `reverse`; float32 accumulates in float32,
 * int32 (`isInt`) wraps modulo 2^32.
 */
export function cumsum(
  x: number,
  y: number,
  outer: number,
  n: number,
  inner: number,
  exclusive: boolean,
  reverse: boolean,
  isInt: boolean,
): void {
  kernels().cumsum(x, y, outer, n, inner, exclusive ? 1 : 0, reverse ? 1 : 0, isInt ? 1 : 0);
}
