// Typed calls of the 1-D pooling kernels (assembly/pool.ts). Internal: pointers are byte offsets in
// Wasm memory, and the ops layer has validated every argument.
import { passThrough } from './exports.js';

/**
 * y [batch, outSteps, channels] = the maximum over each window's real steps; argmax (int32, same
 * shape) = the step of it (first on ties). Arguments: (x, y, argmax, batch, steps, channels,
 * outSteps, poolSize, stride, padLeft). Every window must hold a real step.
 */
export const maxPool1d = passThrough('maxPool1d');

/** dx = 0, then each dy added at its window's argmax step. Arguments: (dy, argmax, dx, batch, steps, channels, outSteps). */
export const maxPool1dBackward = passThrough('maxPool1dBackward');

/** y = the mean over each window's real steps. Arguments: (x, y, batch, steps, channels, outSteps, poolSize, stride, padLeft). */
export const avgPool1d = passThrough('avgPool1d');

/** dx = 0, then each dy spread evenly over its window's real steps. Arguments: (dy, dx, then as avgPool1d). */
export const avgPool1dBackward = passThrough('avgPool1dBackward');
