import { backend, registerLiveCounter } from '../backend/loader.js';
import { isRecording } from '../backend/trace.js';
import { ValueError } from '../errors.js';
import { retainedByTape } from './tape.js';
import type { Tensor } from './tensor.js';

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
const scopes: Array<Set<Tensor>> = [];
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
export function trackTensor(t: Tensor, ptr: number, bytes: number, inScope: boolean): number {
  numTensors++;
  numBytes += bytes;
  // a tensor made while a trace is recorded lives in the trace's memory: the trace releases it
  if (!isRecording()) finalizer.register(t, { ptr, bytes, generation: backend().generation }, t);
  if (inScope && scopes.length > 0) scopes[scopes.length - 1].add(t);
  return nextId++;
}

/** Frees a tensor's memory; called by `Tensor.dispose`. */
export function releaseTensor(t: Tensor, ptr: number, bytes: number, generation: number): void {
  finalizer.unregister(t);
  for (const s of scopes) s.delete(t);
  released({ ptr, bytes, generation });
}

/** Uncounts a tensor whose memory a disposed trace took back (its block is freed by the trace). */
export function forgetTensor(t: Tensor, bytes: number): void {
  for (const s of scopes) s.delete(t);
  numTensors--;
  numBytes -= bytes;
}

/** Tensors and bytes alive, and the size of Wasm memory. */
export function memory(): MemoryInfo {
  return { numTensors, numBytes, wasmBytes: backend().memory.buffer.byteLength };
}

/**
 * Collects what a tidy result contains: a tensor, or tensors inside arrays and plain objects, at
 * any depth (walked with a stack, each container once, so deep or cyclic containers are fine).
 */
function tensorsIn(value: unknown, out: Set<Tensor>, isTensor: (v: unknown) => v is Tensor): void {
  const seen = new Set<object>();
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (isTensor(v)) out.add(v);
    else if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    else if (Array.isArray(v)) {
      seen.add(v);
      for (const item of v) pending.push(item);
    } else if (Object.getPrototypeOf(v) === Object.prototype) {
      seen.add(v);
      for (const item of Object.values(v)) pending.push(item);
    }
  }
}

let isTensorCheck: (v: unknown) => v is Tensor = (_v): _v is Tensor => false;
/** Lets tensor.ts tell the engine how to recognise a tensor without an import cycle. */
export function setTensorCheck(check: (v: unknown) => v is Tensor): void {
  isTensorCheck = check;
}

/**
 * Runs `fn` and disposes every tensor it created, except the tensors it returns (alone, in an array
 * or in a plain object) and those passed to `keep()`. Scopes nest. `fn` must be synchronous.
 */
export function tidy<T>(fn: () => T): T;
export function tidy<T>(name: string, fn: () => T): T;
export function tidy<T>(nameOrFn: string | (() => T), maybeFn?: () => T): T {
  const fn = typeof nameOrFn === 'function' ? nameOrFn : maybeFn;
  if (typeof fn !== 'function') throw new ValueError('tidy: expected a function');
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) {
      throw new ValueError('tidy: the function must be synchronous (it returned a Promise)');
    }
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  const kept = new Set<Tensor>();
  tensorsIn(result, kept, isTensorCheck);
  for (const t of scope) {
    // results, and tensors a tape's backward will still read, move to the enclosing scope
    if (kept.has(t) || retainedByTape(t)) {
      if (scopes.length > 0) scopes[scopes.length - 1].add(t);
    } else t.dispose();
  }
  return result;
}

/** Keeps a tensor created inside `tidy` alive after the scope ends. Returns it. */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

/** Disposes a tensor, or every tensor in an array or plain object. */
export function dispose(container: unknown): void {
  const found = new Set<Tensor>();
  tensorsIn(container, found, isTensorCheck);
  for (const t of found) t.dispose();
}
