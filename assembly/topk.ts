// Top-k along the last axis, and the row gather/scatter its gradient needs.

import { at } from './simd';

/** Whether float v ranks before w: larger first, NaN before any number. */
@inline
function beforeF32(v: f32, w: f32): bool {
  return v > w || (isNaN(v) && !isNaN(w));
}

/**
 * For each of `rows` rows of n elements of x, the k largest (k <= n) in descending order into
 * values [rows, k] and their int32 positions into indices [rows, k]. Ties keep the lower index
 * first (as TensorFlow.js); a NaN ranks above every number. isInt 1 reads x as int32 (values then
 * int32 too). An insertion into the sorted output row: O(n·k) per row at worst.
 */
export function topkRows(x: usize, values: usize, indices: usize, rows: i32, n: i32, k: i32, isInt: i32): void {
  if (k == 0) return;
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * n);
    const vr = at(values, r * k);
    const ir = at(indices, r * k);
    let count = 0;
    for (let j = 0; j < n; j++) {
      let p: i32;
      if (isInt != 0) {
        const v = load<i32>(at(xr, j));
        if (count == k) {
          if (!(v > load<i32>(at(vr, k - 1)))) continue;
          p = k - 1;
        } else p = count++;
        while (p > 0 && v > load<i32>(at(vr, p - 1))) {
          store<i32>(at(vr, p), load<i32>(at(vr, p - 1)));
          store<i32>(at(ir, p), load<i32>(at(ir, p - 1)));
          p--;
        }
        store<i32>(at(vr, p), v);
      } else {
        const v = load<f32>(at(xr, j));
        if (count == k) {
          if (!beforeF32(v, load<f32>(at(vr, k - 1)))) continue;
          p = k - 1;
        } else p = count++;
        while (p > 0 && beforeF32(v, load<f32>(at(vr, p - 1)))) {
          store<f32>(at(vr, p), load<f32>(at(vr, p - 1)));
          store<i32>(at(ir, p), load<i32>(at(ir, p - 1)));
          p--;
        }
        store<f32>(at(vr, p), v);
      }
      store<i32>(at(ir, p), j);
    }
  }
}

/** y[r, j] = x[r, indices[r, j]] for `rows` rows: x [rows, n], indices and y [rows, k]; indices in [0, n). */
export function gatherLastAxis(x: usize, indices: usize, y: usize, rows: i32, n: i32, k: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < k; j++) {
      store<f32>(at(y, r * k + j), load<f32>(at(x, r * n + load<i32>(at(indices, r * k + j)))));
    }
  }
}

/**
 * dx = 0, then dx[r, indices[r, j]] += dy[r, j]: dy and indices [rows, k], dx [rows, n]; indices in
 * [0, n). Repeated indices add up.
 */
export function scatterLastAxis(dy: usize, indices: usize, dx: usize, rows: i32, n: i32, k: i32): void {
  memory.fill(dx, 0, <usize>rows * <usize>n * 4);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < k; j++) {
      const p = at(dx, r * n + load<i32>(at(indices, r * k + j)));
      store<f32>(p, load<f32>(p) + load<f32>(at(dy, r * k + j)));
    }
  }
}
