// What memory the tensors hold: each tensor is counted when made (trackTensor) and uncounted when
// disposed, and sits in the innermost tidy scope open when it was made. Below tensor.ts, which
// calls it; engine.ts (tidy, keep, dispose) opens and closes the scopes.
import { backend, registerLiveCounter } from '../backend/loader.js';
import { isRecording } from '../backend/trace.js';

/** What is tracked: a tensor, seen from below tensor.ts. */
export interface Tracked {
  dispose(): void;
}

/** What `memory()` reports. */
export interface MemoryInfo {
  /** Tensors alive (created and not disposed), variables included. */
  numTensors: number;
  /** Bytes of tensor data alive. */
  numBytes: number;
  /** Size of the whole Wasm linear memory. */
  wasmBytes: number;
}

interface Held {
  ptr: number;
  bytes: number;
  generation: number;
}

let numTensors = 0;
let numBytes = 0;
let nextId = 1;
/** @internal The open tidy scopes, innermost last: the tensors made in each (engine.ts opens and closes them). */
export const scopes: Array<Set<Tracked>> = [];
registerLiveCounter(() => numTensors);

const released = (held: Held) => {
  const b = backend();
  if (held.generation !== b.generation) return;
  b.allocator.free(held.ptr);
  numTensors--;
  numBytes -= held.bytes;
};
// Backstop for tensors that were dropped without dispose(): their memory returns when JS collects them.
const finalizer = new FinalizationRegistry<Held>(released);

/** Registers a new tensor: counts it, puts it in the innermost `tidy` scope, arms the backstop. */
export function trackTensor(t: Tracked, ptr: number, bytes: number, inScope: boolean): number {
  numTensors++;
  numBytes += bytes;
  // a tensor made while a trace is recorded lives in the trace's memory: the trace releases it
  if (!isRecording()) finalizer.register(t, { ptr, bytes, generation: backend().generation }, t);
  if (inScope && scopes.length > 0) scopes[scopes.length - 1].add(t);
  return nextId++;
}

/** Frees a tensor's memory; called by `Tensor.dispose`. */
export function releaseTensor(t: Tracked, ptr: number, bytes: number, generation: number): void {
  finalizer.unregister(t);
  for (const s of scopes) s.delete(t);
  released({ ptr, bytes, generation });
}

/** Uncounts a tensor whose memory a disposed trace took back (its block is freed by the trace). */
export function forgetTensor(t: Tracked, bytes: number): void {
  for (const s of scopes) s.delete(t);
  numTensors--;
  numBytes -= bytes;
}

/** Tensors and bytes alive, and the size of Wasm memory. */
export function memory(): MemoryInfo {
  return { numTensors, numBytes, wasmBytes: backend().memory.buffer.byteLength };
}
