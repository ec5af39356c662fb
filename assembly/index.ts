// The one Wasm module: every kernel is a pure function over pointers into linear memory.
// Kernels never allocate; the TypeScript allocator owns all memory above heapBase().

/** First byte of linear memory that the TypeScript allocator may use. */
export function heapBase(): usize {
  return __heap_base;
}

/** 1 in the relaxed-SIMD build, 0 in the plain SIMD build. */
export function relaxedSimd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

export * from './activations';
export * from './cast';
export * from './codes';
export * from './elementwise';
export * from './gemm';
export * from './indexing';
export * from './losses';
export * from './normalization';
export * from './optimizers';
export * from './reduce';
export * from './regularizers';
export * from './scan';
export * from './select';
export * from './sparse';
export * from './topk';
export * from './conv';
export * from './pool';
export * from './recurrent';
export * from './qgemm';
export * from './check';
