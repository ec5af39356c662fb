// Reductions along one axis of x viewed as [outer, axisLen, inner] (row-major), into out [outer, inner].
//
// inner == 1: each output reduces one contiguous row (four f32x4 accumulators, then a lane reduction).
// inner > 1: column strips 16 floats wide (then 4, then 1) walk down the axisLen rows with their
// accumulators in registers, so the kernel needs no scratch memory and out is written once.
// Sums are blocked: at most ROW_BLOCK / STRIP_BLOCK values go into an f32 partial before it is added
// into a float64 total, so a sum of a million floats keeps about 1e-7 relative accuracy.
// max/min run on pmax/pmin (one instruction each; f32x4.max/min cost a NaN- and zero-sign-fixing
// sequence of about eight on x86, which made them 4x slower than sums) and track NaN separately:
// a slice holding a NaN gives NaN. The sign of a zero result (max of -0 and +0) is unspecified.

import { RED_MAX, RED_MEAN, RED_MIN } from './codes';

/** Floats a row sum adds per f32 block (16 per lane of its four accumulators). */
const ROW_BLOCK: i32 = 256;
/** Rows a strip sum accumulates in f32 before folding them into its float64 totals. */
const STRIP_BLOCK: i32 = 32;

/** The larger (RED_MAX) or smaller (RED_MIN) of acc and v per lane; a NaN in v is ignored. */
@inline
function pick(op: i32, acc: v128, v: v128): v128 {
  return op == RED_MAX ? f32x4.pmax(acc, v) : f32x4.pmin(acc, v);
}

/** Lanes of v that are NaN, or'ed into seen. */
@inline
function nanMask(seen: v128, v: v128): v128 {
  return v128.or(seen, f32x4.ne(v, v));
}

/** Scalar pick: v if it beats acc, else acc (NaN v never beats). */
@inline
function pickScalar(op: i32, acc: f32, v: f32): f32 {
  return select<f32>(v, acc, op == RED_MAX ? v > acc : v < acc);
}

/** Lane 0 + lane 1 + lane 2 + lane 3 of an f32x4, summed in float64. */
@inline
function laneSum64(s: v128): f64 {
  const lo = f64x2.promote_low_f32x4(s);
  const hi = f64x2.promote_low_f32x4(f32x4.shuffle(s, s, 2, 3, 0, 1));
  const t = f64x2.add(lo, hi);
  return f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
}

@inline
function lanePick(op: i32, a: v128): f32 {
  const b = pick(op, a, f32x4.shuffle(a, a, 2, 3, 0, 1));
  const c = pick(op, b, f32x4.shuffle(b, b, 1, 0, 3, 2));
  return f32x4.extract_lane(c, 0);
}

/** Sum of n contiguous floats, in float64 (blocks of ROW_BLOCK summed in f32 lanes). */
function sumRow(p: usize, n: i32): f64 {
  let total: f64 = 0;
  const n16 = n & ~15;
  let i = 0;
  while (i < n16) {
    const end = min(i + ROW_BLOCK, n16);
    let a0 = f32x4.splat(0);
    let a1 = a0;
    let a2 = a0;
    let a3 = a0;
    for (; i < end; i += 16) {
      const q = p + (<usize>i << 2);
      a0 = f32x4.add(a0, v128.load(q));
      a1 = f32x4.add(a1, v128.load(q, 16));
      a2 = f32x4.add(a2, v128.load(q, 32));
      a3 = f32x4.add(a3, v128.load(q, 48));
    }
    total += laneSum64(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
  }
  let a = f32x4.splat(0);
  for (; i + 4 <= n; i += 4) a = f32x4.add(a, v128.load(p + (<usize>i << 2)));
  total += laneSum64(a);
  for (; i < n; i++) total += <f64>load<f32>(p + (<usize>i << 2));
  return total;
}

/** max (or min) of n >= 1 contiguous floats; NaN if any is NaN. */
@inline
function pickRow(op: i32, p: usize, n: i32): f32 {
  let a0 = v128.load32_splat(p);
  let a1 = a0;
  let a2 = a0;
  let a3 = a0;
  let seen = f32x4.ne(a0, a0);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const q = p + (<usize>i << 2);
    const v0 = v128.load(q);
    const v1 = v128.load(q, 16);
    const v2 = v128.load(q, 32);
    const v3 = v128.load(q, 48);
    a0 = pick(op, a0, v0);
    a1 = pick(op, a1, v1);
    a2 = pick(op, a2, v2);
    a3 = pick(op, a3, v3);
    seen = nanMask(nanMask(seen, v0), v1);
    seen = nanMask(nanMask(seen, v2), v3);
  }
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(p + (<usize>i << 2));
    a0 = pick(op, a0, v);
    seen = nanMask(seen, v);
  }
  let r = lanePick(op, pick(op, pick(op, a0, a1), pick(op, a2, a3)));
  let nan = v128.any_true(seen);
  for (; i < n; i++) {
    const v = load<f32>(p + (<usize>i << 2));
    r = pickScalar(op, r, v);
    nan |= v != v;
  }
  return nan ? NaN : r;
}

/** Sums of a strip of 16 columns down `rows` rows `stride` bytes apart, divided by div, into out. */
function sumStrip16(p: usize, stride: usize, rows: i32, out: usize, div: f64): void {
  let t0 = f64x2.splat(0);
  let t1 = t0;
  let t2 = t0;
  let t3 = t0;
  let t4 = t0;
  let t5 = t0;
  let t6 = t0;
  let t7 = t0;
  let r = 0;
  while (r < rows) {
    const end = min(r + STRIP_BLOCK, rows);
    let a0 = f32x4.splat(0);
    let a1 = a0;
    let a2 = a0;
    let a3 = a0;
    for (; r < end; r++) {
      a0 = f32x4.add(a0, v128.load(p));
      a1 = f32x4.add(a1, v128.load(p, 16));
      a2 = f32x4.add(a2, v128.load(p, 32));
      a3 = f32x4.add(a3, v128.load(p, 48));
      p += stride;
    }
    t0 = f64x2.add(t0, f64x2.promote_low_f32x4(a0));
    t1 = f64x2.add(t1, f64x2.promote_low_f32x4(f32x4.shuffle(a0, a0, 2, 3, 0, 1)));
    t2 = f64x2.add(t2, f64x2.promote_low_f32x4(a1));
    t3 = f64x2.add(t3, f64x2.promote_low_f32x4(f32x4.shuffle(a1, a1, 2, 3, 0, 1)));
    t4 = f64x2.add(t4, f64x2.promote_low_f32x4(a2));
    t5 = f64x2.add(t5, f64x2.promote_low_f32x4(f32x4.shuffle(a2, a2, 2, 3, 0, 1)));
    t6 = f64x2.add(t6, f64x2.promote_low_f32x4(a3));
    t7 = f64x2.add(t7, f64x2.promote_low_f32x4(f32x4.shuffle(a3, a3, 2, 3, 0, 1)));
  }
  const d = f64x2.splat(div);
  v128.store(out, f32x4.shuffle(demote(t0, d), demote(t1, d), 0, 1, 4, 5));
  v128.store(out, f32x4.shuffle(demote(t2, d), demote(t3, d), 0, 1, 4, 5), 16);
  v128.store(out, f32x4.shuffle(demote(t4, d), demote(t5, d), 0, 1, 4, 5), 32);
  v128.store(out, f32x4.shuffle(demote(t6, d), demote(t7, d), 0, 1, 4, 5), 48);
}

@inline
function demote(t: v128, d: v128): v128 {
  return f32x4.demote_f64x2_zero(f64x2.div(t, d));
}

/** Like sumStrip16 for a strip of 4 columns. */
function sumStrip4(p: usize, stride: usize, rows: i32, out: usize, div: f64): void {
  let t0 = f64x2.splat(0);
  let t1 = t0;
  let r = 0;
  while (r < rows) {
    const end = min(r + STRIP_BLOCK, rows);
    let a = f32x4.splat(0);
    for (; r < end; r++) {
      a = f32x4.add(a, v128.load(p));
      p += stride;
    }
    t0 = f64x2.add(t0, f64x2.promote_low_f32x4(a));
    t1 = f64x2.add(t1, f64x2.promote_low_f32x4(f32x4.shuffle(a, a, 2, 3, 0, 1)));
  }
  const d = f64x2.splat(div);
  v128.store(out, f32x4.shuffle(demote(t0, d), demote(t1, d), 0, 1, 4, 5));
}

/** Like sumStrip16 for a single column (accumulated in float64 directly). */
function sumColumn(p: usize, stride: usize, rows: i32, div: f64): f32 {
  let t: f64 = 0;
  for (let r = 0; r < rows; r++) {
    t += <f64>load<f32>(p);
    p += stride;
  }
  return <f32>(t / div);
}

/** max/min of a strip of 16 columns down `rows` >= 1 rows, into out (NaN where a column has one). */
@inline
function pickStrip16(op: i32, p: usize, stride: usize, rows: i32, out: usize): void {
  let a0 = v128.load(p);
  let a1 = v128.load(p, 16);
  let a2 = v128.load(p, 32);
  let a3 = v128.load(p, 48);
  let n0 = f32x4.ne(a0, a0);
  let n1 = f32x4.ne(a1, a1);
  let n2 = f32x4.ne(a2, a2);
  let n3 = f32x4.ne(a3, a3);
  for (let r = 1; r < rows; r++) {
    p += stride;
    const v0 = v128.load(p);
    const v1 = v128.load(p, 16);
    const v2 = v128.load(p, 32);
    const v3 = v128.load(p, 48);
    a0 = pick(op, a0, v0);
    a1 = pick(op, a1, v1);
    a2 = pick(op, a2, v2);
    a3 = pick(op, a3, v3);
    n0 = nanMask(n0, v0);
    n1 = nanMask(n1, v1);
    n2 = nanMask(n2, v2);
    n3 = nanMask(n3, v3);
  }
  const nan = f32x4.splat(NaN);
  v128.store(out, v128.bitselect(nan, a0, n0));
  v128.store(out, v128.bitselect(nan, a1, n1), 16);
  v128.store(out, v128.bitselect(nan, a2, n2), 32);
  v128.store(out, v128.bitselect(nan, a3, n3), 48);
}

@inline
function pickStrip4(op: i32, p: usize, stride: usize, rows: i32, out: usize): void {
  let a = v128.load(p);
  let n = f32x4.ne(a, a);
  for (let r = 1; r < rows; r++) {
    p += stride;
    const v = v128.load(p);
    a = pick(op, a, v);
    n = nanMask(n, v);
  }
  v128.store(out, v128.bitselect(f32x4.splat(NaN), a, n));
}

@inline
function pickColumn(op: i32, p: usize, stride: usize, rows: i32): f32 {
  let a = load<f32>(p);
  let nan = a != a;
  for (let r = 1; r < rows; r++) {
    p += stride;
    const v = load<f32>(p);
    a = pickScalar(op, a, v);
    nan |= v != v;
  }
  return nan ? NaN : a;
}

function sumAxis(x: usize, out: usize, outer: i32, axisLen: i32, inner: i32, div: f64): void {
  const rowBytes = <usize>inner << 2;
  const stride = <usize>axisLen * rowBytes;
  for (let o = 0; o < outer; o++) {
    const xo = x + <usize>o * stride;
    const oo = out + <usize>o * rowBytes;
    if (inner == 1) {
      store<f32>(oo, <f32>(sumRow(xo, axisLen) / div));
      continue;
    }
    let j = 0;
    for (; j + 16 <= inner; j += 16) sumStrip16(xo + (<usize>j << 2), rowBytes, axisLen, oo + (<usize>j << 2), div);
    for (; j + 4 <= inner; j += 4) sumStrip4(xo + (<usize>j << 2), rowBytes, axisLen, oo + (<usize>j << 2), div);
    for (; j < inner; j++) store<f32>(oo + (<usize>j << 2), sumColumn(xo + (<usize>j << 2), rowBytes, axisLen, div));
  }
}

@inline
function pickAxis(op: i32, x: usize, out: usize, outer: i32, axisLen: i32, inner: i32): void {
  const rowBytes = <usize>inner << 2;
  const stride = <usize>axisLen * rowBytes;
  for (let o = 0; o < outer; o++) {
    const xo = x + <usize>o * stride;
    const oo = out + <usize>o * rowBytes;
    if (inner == 1) {
      store<f32>(oo, pickRow(op, xo, axisLen));
      continue;
    }
    let j = 0;
    for (; j + 16 <= inner; j += 16) pickStrip16(op, xo + (<usize>j << 2), rowBytes, axisLen, oo + (<usize>j << 2));
    for (; j + 4 <= inner; j += 4) pickStrip4(op, xo + (<usize>j << 2), rowBytes, axisLen, oo + (<usize>j << 2));
    for (; j < inner; j++) store<f32>(oo + (<usize>j << 2), pickColumn(op, xo + (<usize>j << 2), rowBytes, axisLen));
  }
}

/**
 * Reduces x [outer, axisLen, inner] along its middle axis into out [outer, inner]; op is RED_SUM,
 * RED_MEAN, RED_MAX or RED_MIN. axisLen >= 1; out must not overlap x.
 */
export function reduceAxis(op: i32, x: usize, out: usize, outer: i32, axisLen: i32, inner: i32): void {
  if (op == RED_MAX) maxAxis(x, out, outer, axisLen, inner);
  else if (op == RED_MIN) minAxis(x, out, outer, axisLen, inner);
  else sumAxis(x, out, outer, axisLen, inner, op == RED_MEAN ? <f64>axisLen : 1.0);
}

// One function per op (here and for arg below): a call of one inlined body with two constants
// would be folded by Binaryen into one body choosing the op at run time inside every loop.
function maxAxis(x: usize, out: usize, outer: i32, axisLen: i32, inner: i32): void {
  pickAxis(RED_MAX, x, out, outer, axisLen, inner);
}
function minAxis(x: usize, out: usize, outer: i32, axisLen: i32, inner: i32): void {
  pickAxis(RED_MIN, x, out, outer, axisLen, inner);
}

// ---- argmax / argmin ----

/** Rows shorter than this take the single-pass scalar path of argmax/argmin. */
const SHORT_ROW: i32 = 4;

/** Index of the first element of a row equal to m (or of the first NaN when m is NaN). */
function firstIndexOf(p: usize, n: i32, m: f32): i32 {
  const isNan = m != m;
  const mv = f32x4.splat(m);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(p + (<usize>i << 2));
    const hit = isNan ? f32x4.ne(v, v) : f32x4.eq(v, mv);
    const bits = i32x4.bitmask(hit);
    if (bits != 0) return i + ctz(bits);
  }
  for (; i < n; i++) {
    const v = load<f32>(p + (<usize>i << 2));
    if (isNan ? v != v : v == m) return i;
  }
  return n - 1; // not reached: m is an element of the row
}

/** Mask of lanes where v strictly beats best (ties keep the earlier index; NaN never beats). */
@inline
function beats(op: i32, v: v128, best: v128): v128 {
  return op == RED_MAX ? f32x4.gt(v, best) : f32x4.lt(v, best);
}

/**
 * arg of a strip of 16 columns down `rows` >= 1 rows into out (int32). NaNs are ignored on the fast
 * path; a strip that saw one is redone column by column with argColumn, which applies the NaN rule.
 */
@inline
function argStrip16(op: i32, p: usize, stride: usize, rows: i32, out: usize): void {
  const p0 = p;
  let b0 = v128.load(p);
  let b1 = v128.load(p, 16);
  let b2 = v128.load(p, 32);
  let b3 = v128.load(p, 48);
  let seen = nanMask(nanMask(nanMask(f32x4.ne(b0, b0), b1), b2), b3);
  let i0 = i32x4.splat(0);
  let i1 = i0;
  let i2 = i0;
  let i3 = i0;
  let cur = i0;
  const one = i32x4.splat(1);
  for (let r = 1; r < rows; r++) {
    p += stride;
    cur = i32x4.add(cur, one);
    const v0 = v128.load(p);
    const v1 = v128.load(p, 16);
    const v2 = v128.load(p, 32);
    const v3 = v128.load(p, 48);
    i0 = v128.bitselect(cur, i0, beats(op, v0, b0));
    i1 = v128.bitselect(cur, i1, beats(op, v1, b1));
    i2 = v128.bitselect(cur, i2, beats(op, v2, b2));
    i3 = v128.bitselect(cur, i3, beats(op, v3, b3));
    b0 = pick(op, b0, v0);
    b1 = pick(op, b1, v1);
    b2 = pick(op, b2, v2);
    b3 = pick(op, b3, v3);
    seen = nanMask(nanMask(seen, v0), v1);
    seen = nanMask(nanMask(seen, v2), v3);
  }
  if (v128.any_true(seen)) {
    for (let j = 0; j < 16; j++) store<i32>(out + (<usize>j << 2), argColumn(op, p0 + (<usize>j << 2), stride, rows));
    return;
  }
  v128.store(out, i0);
  v128.store(out, i1, 16);
  v128.store(out, i2, 32);
  v128.store(out, i3, 48);
}

/** Like argStrip16 for a strip of 4 columns. */
@inline
function argStrip4(op: i32, p: usize, stride: usize, rows: i32, out: usize): void {
  const p0 = p;
  let best = v128.load(p);
  let seen = f32x4.ne(best, best);
  let idx = i32x4.splat(0);
  let cur = idx;
  const one = i32x4.splat(1);
  for (let r = 1; r < rows; r++) {
    p += stride;
    cur = i32x4.add(cur, one);
    const v = v128.load(p);
    idx = v128.bitselect(cur, idx, beats(op, v, best));
    best = pick(op, best, v);
    seen = nanMask(seen, v);
  }
  if (v128.any_true(seen)) {
    for (let j = 0; j < 4; j++) store<i32>(out + (<usize>j << 2), argColumn(op, p0 + (<usize>j << 2), stride, rows));
    return;
  }
  v128.store(out, idx);
}

@inline
function argColumn(op: i32, p: usize, stride: usize, rows: i32): i32 {
  let best = load<f32>(p);
  let idx = 0;
  for (let r = 1; r < rows; r++) {
    p += stride;
    const v = load<f32>(p);
    const take = (op == RED_MAX ? v > best : v < best) | (v != v && best == best);
    best = select<f32>(v, best, take);
    idx = select<i32>(r, idx, take);
  }
  return idx;
}

@inline
function argAxis(op: i32, x: usize, out: usize, outer: i32, axisLen: i32, inner: i32): void {
  const rowBytes = <usize>inner << 2;
  const stride = <usize>axisLen * rowBytes;
  for (let o = 0; o < outer; o++) {
    const xo = x + <usize>o * stride;
    const oo = out + <usize>o * rowBytes;
    if (inner == 1) {
      // Two passes (faster than one scalar pass from 4 floats on): the extreme value, NaN if the
      // row holds one, then the index of its first occurrence.
      const arg = axisLen < SHORT_ROW ? argColumn(op, xo, 4, axisLen) : firstIndexOf(xo, axisLen, pickRow(op, xo, axisLen));
      store<i32>(oo, arg);
      continue;
    }
    let j = 0;
    for (; j + 16 <= inner; j += 16) argStrip16(op, xo + (<usize>j << 2), rowBytes, axisLen, oo + (<usize>j << 2));
    for (; j + 4 <= inner; j += 4) argStrip4(op, xo + (<usize>j << 2), rowBytes, axisLen, oo + (<usize>j << 2));
    for (; j < inner; j++) store<i32>(oo + (<usize>j << 2), argColumn(op, xo + (<usize>j << 2), rowBytes, axisLen));
  }
}

/**
 * Index along the middle axis of the largest (op RED_MAX) or smallest (RED_MIN) element of x
 * [outer, axisLen, inner], written as int32 into outIndices [outer, inner]. Ties give the first
 * index; a NaN counts as the extreme, so the first NaN's index is returned (numpy's rule).
 */
export function argReduceAxis(op: i32, x: usize, outIndices: usize, outer: i32, axisLen: i32, inner: i32): void {
  if (op == RED_MAX) argMaxAxis(x, outIndices, outer, axisLen, inner);
  else argMinAxis(x, outIndices, outer, axisLen, inner);
}

function argMaxAxis(x: usize, out: usize, outer: i32, axisLen: i32, inner: i32): void {
  argAxis(RED_MAX, x, out, outer, axisLen, inner);
}
function argMinAxis(x: usize, out: usize, outer: i32, axisLen: i32, inner: i32): void {
  argAxis(RED_MIN, x, out, outer, axisLen, inner);
}
