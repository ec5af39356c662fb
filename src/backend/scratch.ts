import { backend } from './loader.js';

let ptr = 0;
let bytes = 0;
let owner = -1;

/**
 * A reusable block for a kernel's temporaries (packed panels, index lists). Valid until the next
 * call of `scratch`; grows when a larger block is asked for, so it stops allocating once warm.
 */
export function scratch(minBytes: number): number {
  const b = backend();
  if (owner !== b.generation) {
    ptr = 0;
    bytes = 0;
    owner = b.generation;
  }
  if (minBytes > bytes) {
    if (bytes > 0) b.allocator.free(ptr);
    bytes = Math.max(minBytes, bytes * 2, 4096);
    ptr = b.allocator.alloc(bytes);
  }
  return ptr;
}

/** Bytes currently held by the scratch block (counted in `wasmBytes`, not in tensor bytes). */
export function scratchBytes(): number {
  return owner === backend().generation ? bytes : 0;
}
