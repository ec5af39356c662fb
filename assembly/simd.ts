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

// Wasm has no flush-to-zero mode, and arithmetic on subnormal floats (magnitudes below 2^-126) is
// 10-100x slower on x86. Values that decay geometrically (optimizer moments of a weight whose gradient
// is 0, weights pulled to 0 by a penalty) would otherwise end up there and stay: every kernel that
// writes weights or optimizer state flushes what it stores. The lane test works on the bits (exponent
// field 0: zero or subnormal), which needs no constant in the loop and measured about 10% faster in
// SGD's loop than comparing |v| with 2^-126.

/** The smallest normal float32, 2^-126. */
@inline
const SMALLEST_NORMAL: f32 = reinterpret<f32>(0x00800000);

/** v with its subnormal lanes (and -0) set to +0; other lanes, NaN included, unchanged. */
@inline
export function flush(v: v128): v128 {
  const exponent = i32x4.shr_u(i32x4.shl(v, 1), 24);
  return v128.andnot(v, i32x4.eq(exponent, i32x4.splat(0)));
}

/** x, or +0 when x is subnormal (or -0): the scalar form of `flush`. */
@inline
export function flush1(x: f32): f32 {
  return Mathf.abs(x) < SMALLEST_NORMAL ? 0 : x;
}

// Weights get a higher floor. A weight that an L2 penalty (or weight decay) pulls toward 0 stops
// moving once its own gradient 2·l2·w falls below 2^-126 (flushed), around 1e-35, and stays there:
// every product with an activation or a gradient in the layer's matrix multiplies is then subnormal
// (measured in `npm run bench -- epoch-time`: its last epochs took 1.7x the time of the first). With a
// floor of 2^-100 (about 8e-31; its product with anything above 2^-26, about 1.5e-8, is still normal)
// such weights become 0 instead.

/** Exponent field (biased) of 2^-100, the smallest weight magnitude kept. */
@inline
const WEIGHT_FLOOR_EXPONENT: i32 = 127 - 100;

/** v with the lanes below 2^-100 in magnitude (subnormals and -0 included) set to +0; NaN kept. */
@inline
export function flushWeight(v: v128): v128 {
  const exponent = i32x4.shr_u(i32x4.shl(v, 1), 24);
  return v128.andnot(v, i32x4.lt_s(exponent, i32x4.splat(WEIGHT_FLOOR_EXPONENT)));
}

/** The scalar form of flushWeight. */
@inline
export function flushWeight1(x: f32): f32 {
  return Mathf.abs(x) < reinterpret<f32>(WEIGHT_FLOOR_EXPONENT << 23) ? 0 : x;
}
