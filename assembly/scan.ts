// Cumulative sums along one axis of x viewed as [outer, n, inner] (row-major).

import { at } from './simd';

/**
 * y[o, j, i] = sum of x[o, t, i] over t <= j (t < j when exclusive is 1), or over t >= j (t > j)
 * when reverse is 1. float32 sums accumulate in float32, as TensorFlow.js does; int32 ones (isInt
 * 1) wrap modulo 2^32. y must not overlap x.
 */
export function cumsum(
  x: usize,
  y: usize,
  outer: i32,
  n: i32,
  inner: i32,
  exclusive: i32,
  reverse: i32,
  isInt: i32,
): void {
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    for (let t = 0; t < n; t++) {
      const j = reverse != 0 ? n - 1 - t : t;
      const prev = reverse != 0 ? j + 1 : j - 1;
      const row = at(y, base + j * inner);
      const prevRow = at(y, base + prev * inner);
      const srcRow = at(x, base + (exclusive != 0 ? prev : j) * inner);
      for (let i = 0; i < inner; i++) {
        if (isInt != 0) {
          const acc = t == 0 ? 0 : load<i32>(at(prevRow, i));
          const v = exclusive != 0 && t == 0 ? 0 : load<i32>(at(srcRow, i));
          store<i32>(at(row, i), acc + v);
        } else {
          const acc: f32 = t == 0 ? 0 : load<f32>(at(prevRow, i));
          const v: f32 = exclusive != 0 && t == 0 ? 0 : load<f32>(at(srcRow, i));
          store<f32>(at(row, i), acc + v);
        }
      }
    }
  }
}
