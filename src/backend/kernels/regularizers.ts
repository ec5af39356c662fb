// Typed calls of the L1/L2 penalty kernels (assembly/regularizers.ts). Internal: pointers are byte
// offsets of float32 blocks of n elements.
import { kernels } from './exports.js';

/** out[0] = l1·Σ|w| + l2·Σw² over the n values at w. */
export function l1l2Penalty(w: number, n: number, l1: number, l2: number, out: number): void {
  kernels().l1l2Penalty(w, n, l1, l2, out);
}

/** dw = dy[0]·(l1·sign(w) + 2·l2·w) over the n values at w (dy a scalar in memory). */
export function l1l2Backward(w: number, dy: number, dw: number, n: number, l1: number, l2: number): void {
  kernels().l1l2Backward(w, dy, dw, n, l1, l2);
}
