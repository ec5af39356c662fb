import { backend } from '../backend/loader.js';
import { sizeClass } from '../backend/memory.js';
import { BackendError, ValueError } from '../errors.js';
import { sizeOf } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
import type { Initializer } from './initializers.js';

/** wasm32 linear memory cannot grow past 4 GiB (the allocator's limit too). */
const WASM32_BYTES = 2 ** 32;

/** The smallest normal float32 magnitude; anything nonzero below it is subnormal (slow in every kernel). */
const MIN_NORMAL_F32 = 1.1754944e-38;

/** Sets the subnormal values of `values` to zero, in place. */
function flushSubnormals(values: Float32Array): void {
  for (let i = 0; i < values.length; i++) {
    if (Math.abs(values[i]) < MIN_NORMAL_F32) values[i] = 0;
  }
}

/** The error for a weight memory cannot hold: its name and shape (`where`), the bytes it needs, and why. */
export function weightTooLarge(where: string, shape: readonly number[], reason: string): BackendError {
  return new BackendError(`${where} needs ${(sizeOf(shape) * 4).toLocaleString('en-US')} bytes; ${reason}`);
}

/**
 * The starting values of a weight of `shape`, made by `initializer`. Wasm memory is asked first
 * whether it can hold the weight, so a weight too large is a BackendError naming it (`where`, e.g.
 * `Dense "dense_1": kernel [100000, 100000]`) before any value is made. Subnormal values are set to 0.
 */
export function initialWeightValues(where: string, shape: readonly number[], initializer: Initializer): Float32Array {
  const size = sizeOf(shape);
  if (size * 4 > WASM32_BYTES) throw weightTooLarge(where, shape, 'Wasm memory is limited to 4 GiB (wasm32)');
  const { allocator } = backend();
  // the starting values and the weight are both in Wasm memory while the weight is made
  // (in blocks of their size class; the module's own data lies below the heap, hence >=)
  if (2 * sizeClass(size * 4) + allocator.liveBytes >= WASM32_BYTES) {
    throw weightTooLarge(
      where,
      shape,
      `making it takes twice that, with ${allocator.liveBytes.toLocaleString('en-US')} bytes in use, and Wasm memory is limited to 4 GiB (wasm32)`,
    );
  }
  let probe: number;
  try {
    probe = allocator.alloc(size * 4);
  } catch (e) {
    if (e instanceof BackendError) throw weightTooLarge(where, shape, e.message);
    throw e;
  }
  // the block goes back to its free list, where the weight's tensor finds it
  allocator.free(probe);
  let values: unknown;
  try {
    values = initializer.generate(shape);
  } catch (e) {
    // a typed array of that length does not fit in JavaScript memory
    if (e instanceof RangeError) throw weightTooLarge(where, shape, `JavaScript memory cannot hold it (${e.message})`);
    throw e;
  }
  if (!(values instanceof Float32Array) || values.length !== size) {
    throw new ValueError(
      `${where}: the ${initializer.className ?? 'custom'} initializer returned ${describe(values)}; expected a Float32Array of length ${size}`,
    );
  }
  flushSubnormals(values);
  return values;
}
