// Typed calls of the L1/L2 penalty kernels (assembly/regularizers.ts). Internal: pointers are byte
// offsets of float32 blocks of n elements.
import { kernels } from './exports.js';

/** l1·Σ|w| + l2·Σw² over the n values at w. */
export function l1l2Penalty(w: number, n: number, l1: number, l2: number): number {
  return kernels().l1l2Penalty(w, n, l1, l2);
}

/** Adds the penalty's gradient l1·sign(w) + 2·l2·w to the n values at g. */
export function l1l2Gradient(w: number, g: number, n: number, l1: number, l2: number): void {
  kernels().l1l2Gradient(w, g, n, l1, l2);
}
