// Typed calls of the L1/L2 penalty kernels (assembly/regularizers.ts). Internal: pointers are byte
// offsets of float32 blocks of n elements.
import { passThrough } from './exports.js';

/** out[0] = l1·Σ|w| + l2·Σw² over the n values at w. */
export const l1l2Penalty = passThrough('l1l2Penalty');

/** dw = dy[0]·(l1·sign(w) + 2·l2·w) over the n values at w (dy a scalar in memory). */
export const l1l2Backward = passThrough('l1l2Backward');
