// Broadcasting element kernels: comparisons and logical ops that write bool (int32 0/1), pow, and
// select (where). Each output row (the innermost dim) runs one loop with its operands' element
// strides, four lanes at a time where every stride is 1 or 0 (pow is scalar: Math.pow per
// element); a row's start offsets are decoded from the row index.

import {
  BOOL_EQUAL,
  BOOL_GREATER,
  BOOL_GREATER_EQUAL,
  BOOL_LESS,
  BOOL_LESS_EQUAL,
  BOOL_LOGICAL_AND,
  BOOL_LOGICAL_OR,
  BOOL_NOT_EQUAL,
} from './codes';
import { at } from './simd';

/** Element offset of the start of output row `row` in an operand read through `strides`. */
@inline
function rowOffset(row: i32, rank: i32, shape: usize, strides: usize): i32 {
  let r = row;
  let off = 0;
  for (let d = rank - 2; d >= 0; d--) {
    const nd = load<i32>(at(shape, d));
    const q = r / nd;
    off += (r - q * nd) * load<i32>(at(strides, d));
    r = q;
  }
  return off;
}

/** Elements in the innermost dim (1 for rank 0). */
@inline
function rowLength(rank: i32, shape: usize): i32 {
  return rank == 0 ? 1 : load<i32>(at(shape, rank - 1));
}

/** Number of output rows (product of every dim but the innermost). */
@inline
function rowCount(rank: i32, shape: usize): i32 {
  let rows = 1;
  for (let d = 0; d < rank - 1; d++) rows *= load<i32>(at(shape, d));
  return rows;
}

/** Innermost stride of an operand (0 for rank 0). */
@inline
function innerStride(rank: i32, strides: usize): i32 {
  return rank == 0 ? 0 : load<i32>(at(strides, rank - 1));
}

@inline
function compareF32(op: i32, x: f32, y: f32): i32 {
  switch (op) {
    case BOOL_EQUAL:
      return i32(x == y);
    case BOOL_NOT_EQUAL:
      return i32(x != y);
    case BOOL_GREATER:
      return i32(x > y);
    case BOOL_GREATER_EQUAL:
      return i32(x >= y);
    case BOOL_LESS:
      return i32(x < y);
    default:
      return i32(x <= y);
  }
}

@inline
function compareI32(op: i32, x: i32, y: i32): i32 {
  switch (op) {
    case BOOL_EQUAL:
      return i32(x == y);
    case BOOL_NOT_EQUAL:
      return i32(x != y);
    case BOOL_GREATER:
      return i32(x > y);
    case BOOL_GREATER_EQUAL:
      return i32(x >= y);
    case BOOL_LESS:
      return i32(x < y);
    case BOOL_LESS_EQUAL:
      return i32(x <= y);
    case BOOL_LOGICAL_AND:
      return i32(x != 0 && y != 0);
    case BOOL_LOGICAL_OR:
      return i32(x != 0 || y != 0);
    default:
      return i32((x != 0) != (y != 0));
  }
}

/** Four elements from i on (stride 1), or element 0 in every lane (stride 0). */
@inline
function load4(p: usize, i: i32, stride: i32): v128 {
  return stride == 0 ? v128.load32_splat(p) : v128.load(at(p, i));
}

/** Four-lane compareF32 as int32 0/1. */
@inline
function compareF32x4(op: i32, x: v128, y: v128): v128 {
  let m: v128;
  switch (op) {
    case BOOL_EQUAL:
      m = f32x4.eq(x, y);
      break;
    case BOOL_NOT_EQUAL:
      m = f32x4.ne(x, y);
      break;
    case BOOL_GREATER:
      m = f32x4.gt(x, y);
      break;
    case BOOL_GREATER_EQUAL:
      m = f32x4.ge(x, y);
      break;
    case BOOL_LESS:
      m = f32x4.lt(x, y);
      break;
    default:
      m = f32x4.le(x, y);
  }
  return v128.and(m, i32x4.splat(1));
}

/** Four-lane compareI32 as int32 0/1. */
@inline
function compareI32x4(op: i32, x: v128, y: v128): v128 {
  const zero = i32x4.splat(0);
  let m: v128;
  switch (op) {
    case BOOL_EQUAL:
      m = i32x4.eq(x, y);
      break;
    case BOOL_NOT_EQUAL:
      m = i32x4.ne(x, y);
      break;
    case BOOL_GREATER:
      m = i32x4.gt_s(x, y);
      break;
    case BOOL_GREATER_EQUAL:
      m = i32x4.ge_s(x, y);
      break;
    case BOOL_LESS:
      m = i32x4.lt_s(x, y);
      break;
    case BOOL_LESS_EQUAL:
      m = i32x4.le_s(x, y);
      break;
    case BOOL_LOGICAL_AND:
      m = v128.and(i32x4.ne(x, zero), i32x4.ne(y, zero));
      break;
    case BOOL_LOGICAL_OR:
      m = v128.or(i32x4.ne(x, zero), i32x4.ne(y, zero));
      break;
    default:
      m = v128.xor(i32x4.ne(x, zero), i32x4.ne(y, zero));
  }
  return v128.and(m, i32x4.splat(1));
}

/**
 * out = a op b as int32 0/1 with numpy broadcasting, op a BOOL_* code. Comparisons read float32
 * inputs (NaN compares unequal to everything), or int32 ones when intInputs is 1; the logical ops
 * (and, or, xor) always read int32 and take any nonzero as true. The output is contiguous with
 * `rank` int32 dims at `shape`; a and b are read through int32 element strides (0 on broadcast dims).
 */
export function boolBinary(
  op: i32,
  intInputs: i32,
  a: usize,
  b: usize,
  out: usize,
  rank: i32,
  shape: usize,
  aStrides: usize,
  bStrides: usize,
): void {
  const n = rowLength(rank, shape);
  const rows = rowCount(rank, shape);
  const sa = innerStride(rank, aStrides);
  const sb = innerStride(rank, bStrides);
  const ints = intInputs != 0 || op >= BOOL_LOGICAL_AND;
  let o = out;
  // rows whose inputs step by 1 or 0 run four lanes at a time; the tail and other strides one by one
  const lanes = (sa == 0 || sa == 1) && (sb == 0 || sb == 1);
  for (let row = 0; row < rows; row++) {
    const pa = at(a, rowOffset(row, rank, shape, aStrides));
    const pb = at(b, rowOffset(row, rank, shape, bStrides));
    let i = 0;
    if (ints) {
      if (lanes) {
        for (; i + 4 <= n; i += 4) v128.store(at(o, i), compareI32x4(op, load4(pa, i, sa), load4(pb, i, sb)));
      }
      for (; i < n; i++) store<i32>(at(o, i), compareI32(op, load<i32>(at(pa, i * sa)), load<i32>(at(pb, i * sb))));
    } else {
      if (lanes) {
        for (; i + 4 <= n; i += 4) v128.store(at(o, i), compareF32x4(op, load4(pa, i, sa), load4(pb, i, sb)));
      }
      for (; i < n; i++) store<i32>(at(o, i), compareF32(op, load<f32>(at(pa, i * sa)), load<f32>(at(pb, i * sb))));
    }
    o = at(o, n);
  }
}

/**
 * base^exp with JavaScript's Math.pow special cases: a negative base with a non-integer exponent
 * gives NaN, 0^negative gives Infinity, x^0 = 1 even for NaN, and unlike C's pow, 1^NaN and
 * (±1)^±Infinity give NaN. Computed in float32 (Mathf.pow, musl's powf: within one ulp of the
 * float64 Math.pow rounded to float32); the float64 Math.pow would pull AssemblyScript's float64
 * log/exp tables (about 8 KB gzipped) into the module.
 */
@inline
function powJs(x: f32, y: f32): f32 {
  if (isNaN(y)) return NaN;
  if (!isFinite(y) && Mathf.abs(x) == 1) return NaN;
  return Mathf.pow(x, y);
}

/**
 * out = base ^ exp (float32) with numpy broadcasting; layout as for boolBinary.
 */
export function powBinary(
  base: usize,
  exp: usize,
  out: usize,
  rank: i32,
  shape: usize,
  baseStrides: usize,
  expStrides: usize,
): void {
  const n = rowLength(rank, shape);
  const rows = rowCount(rank, shape);
  const sa = innerStride(rank, baseStrides);
  const sb = innerStride(rank, expStrides);
  let o = out;
  for (let row = 0; row < rows; row++) {
    const pa = at(base, rowOffset(row, rank, shape, baseStrides));
    const pb = at(exp, rowOffset(row, rank, shape, expStrides));
    for (let i = 0; i < n; i++) store<f32>(at(o, i), powJs(load<f32>(at(pa, i * sa)), load<f32>(at(pb, i * sb))));
    o = at(o, n);
  }
}

/**
 * out = cond ? a : b elementwise with numpy broadcasting of all three; cond is int32 (nonzero is
 * true), a, b and out any 4-byte dtype (copied bit for bit). Layout as for boolBinary, with a
 * stride list for each of cond, a and b.
 */
export function selectWhere(
  cond: usize,
  a: usize,
  b: usize,
  out: usize,
  rank: i32,
  shape: usize,
  condStrides: usize,
  aStrides: usize,
  bStrides: usize,
): void {
  const n = rowLength(rank, shape);
  const rows = rowCount(rank, shape);
  const sc = innerStride(rank, condStrides);
  const sa = innerStride(rank, aStrides);
  const sb = innerStride(rank, bStrides);
  const lanes = (sc == 0 || sc == 1) && (sa == 0 || sa == 1) && (sb == 0 || sb == 1);
  const zero = i32x4.splat(0);
  let o = out;
  for (let row = 0; row < rows; row++) {
    const pc = at(cond, rowOffset(row, rank, shape, condStrides));
    const pa = at(a, rowOffset(row, rank, shape, aStrides));
    const pb = at(b, rowOffset(row, rank, shape, bStrides));
    let i = 0;
    if (lanes) {
      for (; i + 4 <= n; i += 4) {
        const take = i32x4.ne(load4(pc, i, sc), zero);
        v128.store(at(o, i), v128.bitselect(load4(pa, i, sa), load4(pb, i, sb), take));
      }
    }
    for (; i < n; i++) {
      const v = load<i32>(at(pc, i * sc)) != 0 ? load<u32>(at(pa, i * sa)) : load<u32>(at(pb, i * sb));
      store<u32>(at(o, i), v);
    }
    o = at(o, n);
  }
}
