import { backend } from './loader.js';
import { isRecording, recordingWorkspace } from './trace.js';

let ptr = 0;
let bytes = 0;
let owner = -1;

/**
 * A block for the arguments a kernel reads from memory (shapes, strides, index lists), written just
 * before the call. Valid until the next call of `scratch` or `workspace`, except while a trace is
 * recorded: then each call gets a block of its own, which the trace keeps for its replays.
 */
export function scratch(minBytes: number): number {
  return isRecording() ? backend().allocator.alloc(minBytes) : sharedBlock(minBytes);
}

/**
 * A block for a kernel's temporaries during one call (packed GEMM panels). Valid until the next
 * call of `scratch` or `workspace`.
 */
export function workspace(minBytes: number): number {
  return recordingWorkspace(minBytes) ?? sharedBlock(minBytes);
}

/** The shared block, grown when a larger one is asked for, so that it stops allocating once warm. */
function sharedBlock(minBytes: number): number {
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
