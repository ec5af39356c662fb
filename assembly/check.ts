// Checks of input values before a model runs: where the first NaN or ±Infinity is.

/**
 * Index of the first value of the float32 array at `x` (n values) that is NaN or ±Infinity, or −1.
 * v − v is 0 for a finite v and NaN otherwise, so one compare per lane finds both.
 */
export function firstNonFinite(x: usize, n: i32): i32 {
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = x + (<usize>i << 2);
    const a = v128.load(p);
    const b = v128.load(p, 16);
    const c = v128.load(p, 32);
    const d = v128.load(p, 48);
    const bad = v128.or(
      v128.or(f32x4.ne(f32x4.sub(a, a), f32x4.sub(a, a)), f32x4.ne(f32x4.sub(b, b), f32x4.sub(b, b))),
      v128.or(f32x4.ne(f32x4.sub(c, c), f32x4.sub(c, c)), f32x4.ne(f32x4.sub(d, d), f32x4.sub(d, d))),
    );
    if (v128.any_true(bad)) break;
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v - v != 0) return i;
  }
  return -1;
}
