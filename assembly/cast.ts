// Dtype conversion between float32, int32 and bool (int32 0/1), as TensorFlow.js casts.

import { CAST_F32_TO_BOOL, CAST_F32_TO_I32, CAST_I32_TO_BOOL } from './codes';
import { at } from './simd';

/**
 * float32 → int32 as JavaScript stores a number into an Int32Array after truncation: toward zero,
 * modulo 2^32 beyond the int32 range, NaN and ±Infinity give 0.
 */
@inline
function toInt32(v: f32): i32 {
  if (!isFinite(v)) return 0;
  // every float32 of magnitude 2^55 or more is a multiple of 2^32, so it wraps to 0
  if (Mathf.abs(v) >= 36028797018963968.0) return 0;
  return <i32>(<i64>v);
}

/**
 * y = cast(x) over n elements, code a CAST_* constant: float32 → int32 (toInt32 above), int32 →
 * float32 (nearest float), float32 → bool (1 unless 0; NaN gives 1), int32 → bool (1 unless 0).
 * y may alias x.
 */
export function castValues(code: i32, x: usize, y: usize, n: i32): void {
  const one = i32x4.splat(1);
  let i = 0;
  if (code == CAST_F32_TO_I32) {
    for (; i < n; i++) store<i32>(at(y, i), toInt32(load<f32>(at(x, i))));
  } else if (code == CAST_F32_TO_BOOL) {
    // f32x4.ne is true for NaN lanes, like JavaScript's x !== 0
    for (; i + 4 <= n; i += 4) v128.store(at(y, i), v128.and(f32x4.ne(v128.load(at(x, i)), f32x4.splat(0)), one));
    for (; i < n; i++) store<i32>(at(y, i), i32(load<f32>(at(x, i)) != 0));
  } else if (code == CAST_I32_TO_BOOL) {
    for (; i + 4 <= n; i += 4) v128.store(at(y, i), v128.and(i32x4.ne(v128.load(at(x, i)), i32x4.splat(0)), one));
    for (; i < n; i++) store<i32>(at(y, i), i32(load<i32>(at(x, i)) != 0));
  } else {
    for (; i + 4 <= n; i += 4) v128.store(at(y, i), f32x4.convert_i32x4_s(v128.load(at(x, i))));
    for (; i < n; i++) store<f32>(at(y, i), <f32>load<i32>(at(x, i)));
  }
}
