// Optimizer updates from a row-sparse gradient: rows of a [rows, rowSize] variable at int32 indices,
// values [nIdx, rowSize]. The rows of repeated indices are first summed in order of occurrence into
// one row per distinct index (0 + a + b, as the dense scatter-add does), through `map`, an int32 slot
// per row of the variable that holds 0 between calls (1 + the distinct row while a call runs). Then
// the dense kernels of optimizers.ts run on gradient blocks built from those rows, so every weight
// gets the arithmetic the dense update would give it, bit for bit (a block starts at a multiple of
// four elements of the variable, where the dense kernel's four-lane groups start too).

import { adagradUpdate, adamUpdate, adamwUpdate, momentumUpdate, rmspropUpdate, sgdUpdate } from './optimizers';
import { at } from './simd';

// the optimizer: 0 SGD, 1 momentum, 2 Adam, 3 AdamW, 4 RMSprop, 5 Adagrad
let kind: i32 = 0;
// its state slots and hyperparameters, in the order of its dense kernel's arguments
let slot0: usize = 0;
let slot1: usize = 0;
let slot2: usize = 0;
let h0: f32 = 0;
let h1: f32 = 0;
let h2: f32 = 0;
let h3: f32 = 0;
let h4: f32 = 0;
let flag0: i32 = 0;
let flag1: i32 = 0;

/** The dense update of the n elements of the variable at w from element e on, gradient at g. */
function denseAt(w: usize, g: usize, e: i32, n: i32): void {
  const o = <usize>e << 2;
  if (kind == 0) sgdUpdate(w + o, g, n, h0);
  else if (kind == 1) momentumUpdate(w + o, g, slot0 + o, n, h0, h1, flag0);
  else if (kind == 2) adamUpdate(w + o, g, slot0 + o, slot1 + o, n, h0, h1, h2, h3);
  else if (kind == 3) adamwUpdate(w + o, g, slot0 + o, slot1 + o, n, h0, h1, h2, h3, h4);
  else if (kind == 4) rmspropUpdate(w + o, g, slot0 + o, slot1 + o, slot2 + o, n, h0, h1, h2, h3, flag0, flag1);
  else adagradUpdate(w + o, g, slot0 + o, n, h0, h1);
}

/** dst[i] += src[i] for n floats (four lanes, then one at a time; the same sums either way). */
@inline
function addRow(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dst, i), f32x4.add(v128.load(at(dst, i)), v128.load(at(src, i))));
  for (; i < n; i++) store<f32>(at(dst, i), load<f32>(at(dst, i)) + load<f32>(at(src, i)));
}

/**
 * Sums the rows of vals by index into accum, one row per distinct index in [0, rows) in order of
 * first occurrence (uniq lists those indices); out-of-range indices are skipped. Leaves map[k] =
 * 1 + k's row in accum. Returns the number of distinct rows.
 */
function sumRows(idx: usize, vals: usize, nIdx: i32, rows: i32, rowSize: i32, map: usize, uniq: usize, accum: usize): i32 {
  const rowBytes = <usize>rowSize << 2;
  let count = 0;
  for (let j = 0; j < nIdx; j++) {
    const k = load<i32>(at(idx, j));
    if (<u32>k >= <u32>rows) continue;
    let u = load<i32>(at(map, k));
    if (u == 0) {
      u = ++count;
      store<i32>(at(map, k), u);
      store<i32>(at(uniq, u - 1), k);
      memory.fill(accum + <usize>(u - 1) * rowBytes, 0, rowBytes);
    }
    addRow(accum + <usize>(u - 1) * rowBytes, vals + <usize>j * rowBytes, rowSize);
  }
  return count;
}

/** Writes into block (nr rows) the summed gradient of rows r0.. (zeros for rows without one). */
function fillBlock(block: usize, r0: i32, nr: i32, rowSize: i32, map: usize, accum: usize): void {
  const rowBytes = <usize>rowSize << 2;
  for (let r = 0; r < nr; r++) {
    const u = load<i32>(at(map, r0 + r));
    const dst = block + <usize>r * rowBytes;
    if (u > 0) memory.copy(dst, accum + <usize>(u - 1) * rowBytes, rowBytes);
    else memory.fill(dst, 0, rowBytes);
  }
}

/**
 * One optimizer step of the variable w [rows, rowSize] from the row-sparse gradient (idx, vals,
 * nIdx rows). `opKind` picks the dense kernel (0 SGD, 1 momentum, 2 Adam, 3 AdamW, 4 RMSprop,
 * 5 Adagrad), s0..s2 its state slots and p0..p4, f0, f1 its other arguments in its order. `mode`:
 * 0 dense — every row is updated, those without a gradient with g = 0 (rows of a multiple of 4
 * values one by one, runs of rows without a gradient together; other rows in gradient blocks of
 * blockRows rows, a multiple of 4); 1 lazy — only the rows with a gradient are updated; 2 — the blocks of 4 rows
 * holding a row with a gradient are updated (dense semantics when a zero gradient changes nothing,
 * as in SGD; with rows of a multiple of 4 values, as lazy: only the rows with a gradient). Scratch: map (rows int32, all 0, left 0), uniq (nIdx int32), accum (nIdx·rowSize
 * float32), block (blockRows·rowSize float32, at least 4·rowSize).
 */
export function sparseUpdate(
  opKind: i32, mode: i32, w: usize, s0: usize, s1: usize, s2: usize,
  idx: usize, vals: usize, nIdx: i32, rows: i32, rowSize: i32,
  map: usize, uniq: usize, accum: usize, block: usize, blockRows: i32,
  p0: f32, p1: f32, p2: f32, p3: f32, p4: f32, f0: i32, f1: i32,
): void {
  kind = opKind;
  slot0 = s0;
  slot1 = s1;
  slot2 = s2;
  h0 = p0;
  h1 = p1;
  h2 = p2;
  h3 = p3;
  h4 = p4;
  flag0 = f0;
  flag1 = f1;
  // rows of whole 4-lane groups: each row on its own gets the dense kernel's arithmetic already
  if (mode == 2 && (rowSize & 3) == 0) mode = 1;
  const count = sumRows(idx, vals, nIdx, rows, rowSize, map, uniq, accum);
  const rowBytes = <usize>rowSize << 2;
  if (mode == 0 && (rowSize & 3) == 0) {
    // rows of whole 4-lane groups: each row on its own, with its summed gradient in place, and each
    // run of rows without one (up to blockRows) in one call with a zero gradient; no copies
    memory.fill(block, 0, <usize>blockRows * rowBytes);
    let r = 0;
    while (r < rows) {
      const u = load<i32>(at(map, r));
      if (u > 0) {
        denseAt(w, accum + <usize>(u - 1) * rowBytes, r * rowSize, rowSize);
        r++;
        continue;
      }
      let end = r + 1;
      while (end < rows && end - r < blockRows && load<i32>(at(map, end)) == 0) end++;
      denseAt(w, block, r * rowSize, (end - r) * rowSize);
      r = end;
    }
  } else if (mode == 0) {
    let dirty = true;
    for (let r0 = 0; r0 < rows; r0 += blockRows) {
      const nr = min(blockRows, rows - r0);
      let any = false;
      for (let r = r0; r < r0 + nr; r++) if (load<i32>(at(map, r)) > 0) any = true;
      if (any) {
        fillBlock(block, r0, nr, rowSize, map, accum);
        dirty = true;
      } else if (dirty) {
        memory.fill(block, 0, <usize>blockRows * rowBytes);
        dirty = false;
      }
      denseAt(w, block, r0 * rowSize, nr * rowSize);
    }
  } else if (mode == 1) {
    for (let u = 0; u < count; u++) {
      denseAt(w, accum + <usize>u * rowBytes, load<i32>(at(uniq, u)) * rowSize, rowSize);
    }
  } else {
    for (let u = 0; u < count; u++) {
      const r0 = load<i32>(at(uniq, u)) & ~3;
      if (load<i32>(at(map, r0)) < 0) continue; // block done
      const nr = min(4, rows - r0);
      fillBlock(block, r0, nr, rowSize, map, accum);
      denseAt(w, block, r0 * rowSize, nr * rowSize);
      for (let r = r0; r < r0 + nr; r++) store<i32>(at(map, r), -1);
    }
    for (let u = 0; u < count; u++) {
      const r0 = load<i32>(at(uniq, u)) & ~3;
      const nr = min(4, rows - r0);
      for (let r = r0; r < r0 + nr; r++) store<i32>(at(map, r), 0);
    }
    return;
  }
  for (let u = 0; u < count; u++) store<i32>(at(map, load<i32>(at(uniq, u))), 0);
}
