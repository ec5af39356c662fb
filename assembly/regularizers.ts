// L1/L2 weight penalties: the value l1·Σ|w| + l2·Σw² and its gradient l1·sign(w) + 2·l2·w.
import { at, flush, flush1, madd } from './simd';

/** out[0] = l1·Σ|w| + l2·Σw² over n values (partial sums in float32 lanes, folded in float64). */
export function l1l2Penalty(w: usize, n: i32, l1: f32, l2: f32, out: usize): void {
  let absSum: f64 = 0;
  let sqSum: f64 = 0;
  let i = 0;
  while (i + 4 <= n) {
    // blocks of at most 256 values keep the float32 partial sums accurate
    const end = min(n - ((n - i) & 3), i + 256);
    let a = f32x4.splat(0);
    let s = f32x4.splat(0);
    for (; i + 4 <= end; i += 4) {
      const v = v128.load(at(w, i));
      a = f32x4.add(a, f32x4.abs(v));
      s = madd(v, v, s);
    }
    absSum += <f64>(f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1)) + <f64>(f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3));
    sqSum += <f64>(f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1)) + <f64>(f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3));
  }
  for (; i < n; i++) {
    const v = <f64>load<f32>(at(w, i));
    absSum += Math.abs(v);
    sqSum += v * v;
  }
  store<f32>(out, <f32>(<f64>l1 * absSum + <f64>l2 * sqSum));
}

/**
 * The penalty's gradient: dw = dy[0]·(l1·sign(w) + 2·l2·w) over n values (sign(0) = 0), dy the
 * gradient of the penalty (a scalar in memory); a subnormal result is stored as 0.
 */
export function l1l2Backward(w: usize, dy: usize, dw: usize, n: i32, l1: f32, l2: f32): void {
  const d = load<f32>(dy);
  const twoL2 = f32x4.splat(2 * l2 * d);
  const l1v = f32x4.splat(l1 * d);
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(at(w, i));
    // sign(v)·l1 as a bit select: +l1 where v > 0, −l1 where v < 0, 0 elsewhere
    const pos = v128.and(f32x4.gt(v, zero), l1v);
    const neg = v128.and(f32x4.lt(v, zero), l1v);
    v128.store(at(dw, i), flush(madd(v, twoL2, f32x4.sub(pos, neg))));
  }
  const l1d: f32 = l1 * d;
  const twoL2d: f32 = 2 * l2 * d;
  for (; i < n; i++) {
    const v = load<f32>(at(w, i));
    const s: f32 = v > 0 ? l1d : v < 0 ? -l1d : 0;
    store<f32>(at(dw, i), flush1(s + twoL2d * v));
  }
}
