// Indexing kernels: a strided copy with strides on both sides (slice/pad/concat/stack writes), an
// int32 fill, and gather / scatter-add of rows by int32 indices. They move 4-byte elements bit for
// bit, so float32 and int32 data both pass through them (scatterAddRows adds, so it is float32 only).

import { at } from './simd';

@inline
function copyRowStrided(x: usize, y: usize, n: i32, sx: i32, sy: i32): void {
  if (sx == 1 && sy == 1) {
    memory.copy(y, x, <usize>n << 2);
  } else {
    for (let i = 0; i < n; i++) store<i32>(at(y, i * sy), load<i32>(at(x, i * sx)));
  }
}

/**
 * y[Σ i_d·yStrides[d]] = x[Σ i_d·xStrides[d]] for every index i of `shape` (`rank` int32 dims at
 * `shape`, int32 element strides of any sign at `xStrides` and `yStrides`). x and y must not overlap;
 * distinct output positions are the caller's promise (a zero y stride keeps the last write).
 */
export function copyStrided(x: usize, y: usize, rank: i32, shape: usize, xStrides: usize, yStrides: usize): void {
  if (rank == 0) {
    store<i32>(y, load<i32>(x));
    return;
  }
  const n0 = load<i32>(at(shape, rank - 1));
  const sx0 = load<i32>(at(xStrides, rank - 1));
  const sy0 = load<i32>(at(yStrides, rank - 1));
  let n1 = 1;
  let sx1 = 0;
  let sy1 = 0;
  if (rank >= 2) {
    n1 = load<i32>(at(shape, rank - 2));
    sx1 = load<i32>(at(xStrides, rank - 2));
    sy1 = load<i32>(at(yStrides, rank - 2));
  }
  let blocks = 1;
  for (let d = 0; d < rank - 2; d++) blocks *= load<i32>(at(shape, d));
  for (let blk = 0; blk < blocks; blk++) {
    let ix = 0;
    let iy = 0;
    let r = blk;
    for (let d = rank - 3; d >= 0; d--) {
      const nd = load<i32>(at(shape, d));
      const q = r / nd;
      const c = r - q * nd;
      ix += c * load<i32>(at(xStrides, d));
      iy += c * load<i32>(at(yStrides, d));
      r = q;
    }
    for (let i1 = 0; i1 < n1; i1++) copyRowStrided(at(x, ix + i1 * sx1), at(y, iy + i1 * sy1), n0, sx0, sy0);
  }
}

/** y[i] = value (as int32 bits) for the n elements at y. */
export function fillI32(y: usize, n: i32, value: i32): void {
  const v = i32x4.splat(value);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), v);
  for (; i < n; i++) store<i32>(at(y, i), value);
}

/**
 * Gather along the middle axis of x viewed as [outer, axisLen, inner]: for each o < outer and
 * j < count, the row y[o, j, :] (inner elements) is x[o, indices[j], :], or zeros when indices[j]
 * is outside [0, axisLen). y is [outer, count, inner] and must not overlap x. Reads of x stay in
 * bounds whatever the indices hold.
 */
export function gatherRows(x: usize, indices: usize, y: usize, outer: i32, axisLen: i32, inner: i32, count: i32): void {
  if (inner == 1) {
    // one element per row: a plain load/store instead of a memory.copy call
    for (let b = 0; b < outer; b++) {
      const base = at(x, b * axisLen);
      const out = at(y, b * count);
      for (let j = 0; j < count; j++) {
        const k = load<i32>(at(indices, j));
        store<i32>(at(out, j), <u32>k < <u32>axisLen ? load<i32>(at(base, k)) : 0);
      }
    }
    return;
  }
  const rowBytes = <usize>inner << 2;
  let o = y;
  for (let b = 0; b < outer; b++) {
    const base = at(x, b * axisLen * inner);
    for (let j = 0; j < count; j++) {
      const k = load<i32>(at(indices, j));
      if (<u32>k < <u32>axisLen) memory.copy(o, base + <usize>k * rowBytes, rowBytes);
      else memory.fill(o, 0, rowBytes);
      o += rowBytes;
    }
  }
}

/**
 * The gradient of gatherRows: dx (float32 [outer, axisLen, inner]) is zeroed, then each row
 * dy[o, j, :] is added into dx[o, indices[j], :]; repeated indices sum, indices outside
 * [0, axisLen) are skipped. dy is [outer, count, inner] and must not overlap dx.
 */
export function scatterAddRows(dy: usize, indices: usize, dx: usize, outer: i32, axisLen: i32, inner: i32, count: i32): void {
  memory.fill(dx, 0, (<usize>outer * <usize>axisLen * <usize>inner) << 2);
  let src = dy;
  for (let b = 0; b < outer; b++) {
    const base = at(dx, b * axisLen * inner);
    for (let j = 0; j < count; j++) {
      const k = load<i32>(at(indices, j));
      if (<u32>k < <u32>axisLen) {
        const row = base + ((<usize>k * <usize>inner) << 2);
        let i = 0;
        for (; i + 4 <= inner; i += 4) {
          v128.store(at(row, i), f32x4.add(v128.load(at(row, i)), v128.load(at(src, i))));
        }
        for (; i < inner; i++) store<f32>(at(row, i), load<f32>(at(row, i)) + load<f32>(at(src, i)));
      }
      src = at(src, inner);
    }
  }
}

/**
 * Sums of strided runs of table rows: for each group g < groups and r < runLength, the row
 * y[g·runLength + r, :] (width floats) is the sum, in entry order from zero, of
 * table[starts[e] + r·rowStride, :] over the group's entries e in [offsets[g], offsets[g + 1]) (int32
 * `starts` and `offsets`, the latter groups + 1 long); a table row outside [0, tableRows) adds
 * nothing. y must not overlap the table. Runs over r outermost, so that a table laid out by r
 * (rowStride rows per r) is read one block at a time from cache. KernelSHAP builds a first layer's
 * pre-activations of masked rows with it.
 */
export function sumRowRuns(
  table: usize,
  tableRows: i32,
  width: i32,
  starts: usize,
  offsets: usize,
  groups: i32,
  runLength: i32,
  rowStride: i32,
  y: usize,
): void {
  const rowBytes = <usize>width << 2;
  for (let r = 0; r < runLength; r++) {
    const shift = r * rowStride;
    for (let g = 0; g < groups; g++) {
      const e0 = load<i32>(at(offsets, g));
      const e1 = load<i32>(at(offsets, g + 1));
      const out = y + <usize>(g * runLength + r) * rowBytes;
      let c = 0;
      for (; c + 16 <= width; c += 16) {
        let a0 = f32x4.splat(0);
        let a1 = a0;
        let a2 = a0;
        let a3 = a0;
        for (let e = e0; e < e1; e++) {
          const row = load<i32>(at(starts, e)) + shift;
          if (<u32>row >= <u32>tableRows) continue;
          const p = table + <usize>row * rowBytes + (<usize>c << 2);
          a0 = f32x4.add(a0, v128.load(p));
          a1 = f32x4.add(a1, v128.load(p, 16));
          a2 = f32x4.add(a2, v128.load(p, 32));
          a3 = f32x4.add(a3, v128.load(p, 48));
        }
        const q = out + (<usize>c << 2);
        v128.store(q, a0);
        v128.store(q, a1, 16);
        v128.store(q, a2, 32);
        v128.store(q, a3, 48);
      }
      for (; c + 4 <= width; c += 4) {
        let a = f32x4.splat(0);
        for (let e = e0; e < e1; e++) {
          const row = load<i32>(at(starts, e)) + shift;
          if (<u32>row < <u32>tableRows) a = f32x4.add(a, v128.load(table + <usize>row * rowBytes + (<usize>c << 2)));
        }
        v128.store(out + (<usize>c << 2), a);
      }
      for (; c < width; c++) {
        let s: f32 = 0;
        for (let e = e0; e < e1; e++) {
          const row = load<i32>(at(starts, e)) + shift;
          if (<u32>row < <u32>tableRows) s += load<f32>(table + <usize>row * rowBytes + (<usize>c << 2));
        }
        store<f32>(out + (<usize>c << 2), s);
      }
    }
  }
}
