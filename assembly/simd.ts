// Helpers shared by every kernel. ASC_FEATURE_RELAXED_SIMD is a compile-time constant, so each
// build keeps exactly one branch: the relaxed build fuses multiply-add, the plain build is exact.

/** a * b + c on four lanes: one fused instruction in the relaxed build, mul + add otherwise. */
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Byte offset of element `i` of a 4-byte array starting at `base`. */
@inline
export function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}
