import { backend } from '../../src/backend/loader.js';

/** Copies numbers into a fresh float32 block of linear memory and returns its byte offset. */
export function putF32(values: ArrayLike<number>): number {
  const b = backend();
  const ptr = b.allocator.alloc(values.length * 4);
  b.views.f32.set(values, ptr >>> 2);
  return ptr;
}

/** Copies integers into a fresh int32 block of linear memory and returns its byte offset. */
export function putI32(values: ArrayLike<number>): number {
  const b = backend();
  const ptr = b.allocator.alloc(values.length * 4);
  b.views.i32.set(values, ptr >>> 2);
  return ptr;
}

/** A fresh float32 block of `n` elements filled with `fill` (NaN by default, to catch unwritten output). */
export function allocF32(n: number, fill = Number.NaN): number {
  const b = backend();
  const ptr = b.allocator.alloc(n * 4);
  b.views.f32.fill(fill, ptr >>> 2, (ptr >>> 2) + n);
  return ptr;
}

/** Copies `n` float32 values out of linear memory. */
export function readF32(ptr: number, n: number): Float32Array {
  return backend().views.f32.slice(ptr >>> 2, (ptr >>> 2) + n);
}

/** Copies `n` int32 values out of linear memory. */
export function readI32(ptr: number, n: number): Int32Array {
  return backend().views.i32.slice(ptr >>> 2, (ptr >>> 2) + n);
}

/** Frees blocks made by the helpers above. */
export function free(...ptrs: number[]): void {
  for (const p of ptrs) backend().allocator.free(p);
}
