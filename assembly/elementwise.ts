// Elementwise kernels: unary ops, broadcasting binary ops, clip, strided copy, fill, axpy, scale.
// Four lanes at a time; tails go through the same four-lane code on a splatted value, so a tail
// element gets exactly the result it would get inside the SIMD loop.

import {
  BIN_ADD,
  BIN_DIV,
  BIN_EQUAL,
  BIN_GREATER,
  BIN_GREATER_EQUAL,
  BIN_LESS,
  BIN_LESS_EQUAL,
  BIN_MAXIMUM,
  BIN_MINIMUM,
  BIN_MUL,
  BIN_SUB,
  UN_ABS,
  UN_EXP,
  UN_LOG,
  UN_NEG,
  UN_RECIPROCAL,
  UN_SIGN,
  UN_SQRT,
  UN_SQUARE,
} from './codes';
import { exp4, log4 } from './mathf4';
import { at, madd } from './simd';

export { mathf4Apply } from './mathf4';

// ---------------------------------------------------------------------------------------------
// Unary

@inline
function unary4(op: i32, x: v128): v128 {
  switch (op) {
    case UN_NEG:
      return f32x4.neg(x);
    case UN_EXP:
      return exp4(x);
    case UN_LOG:
      return log4(x);
    case UN_SQRT:
      return f32x4.sqrt(x);
    case UN_SQUARE:
      return f32x4.mul(x, x);
    case UN_ABS:
      return f32x4.abs(x);
    case UN_SIGN: {
      // (x > 0) - (x < 0) gives 1, -1 or 0; NaN lanes keep x.
      const one = f32x4.splat(1.0);
      const s = f32x4.sub(v128.and(f32x4.gt(x, f32x4.splat(0.0)), one), v128.and(f32x4.lt(x, f32x4.splat(0.0)), one));
      return v128.bitselect(x, s, f32x4.ne(x, x));
    }
    default:
      return f32x4.div(f32x4.splat(1.0), x);
  }
}

@inline
function unaryLoop(op: i32, x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), unary4(op, v128.load(at(x, i))));
  for (; i < n; i++) store<f32>(at(y, i), f32x4.extract_lane(unary4(op, f32x4.splat(load<f32>(at(x, i)))), 0));
}

/**
 * y[i] = op(x[i]) for i < n, op a UN_* code: neg, exp, log, sqrt, square, abs, sign (sign(±0) = 0,
 * NaN stays NaN), reciprocal. y may alias x.
 */
export function unary(op: i32, x: usize, y: usize, n: i32): void {
  switch (op) {
    case UN_NEG:
      unaryNeg(x, y, n);
      break;
    case UN_EXP:
      unaryExp(x, y, n);
      break;
    case UN_LOG:
      unaryLog(x, y, n);
      break;
    case UN_SQRT:
      unarySqrt(x, y, n);
      break;
    case UN_SQUARE:
      unarySquare(x, y, n);
      break;
    case UN_ABS:
      unaryAbs(x, y, n);
      break;
    case UN_SIGN:
      unarySign(x, y, n);
      break;
    default:
      unaryReciprocal(x, y, n);
  }
}

// One function per op, as for binary below: this keeps Binaryen from folding the eight loops into one.
function unaryNeg(x: usize, y: usize, n: i32): void {
  unaryLoop(UN_NEG, x, y, n);
}
function unaryExp(x: usize, y: usize, n: i32): void {
  unaryLoop(UN_EXP, x, y, n);
}
function unaryLog(x: usize, y: usize, n: i32): void {
  unaryLoop(UN_LOG, x, y, n);
}
function unarySqrt(x: usize, y: usize, n: i32): void {
  unaryLoop(UN_SQRT, x, y, n);
}
function unarySquare(x: usize, y: usize, n: i32): void {
  unaryLoop(UN_SQUARE, x, y, n);
}
function unaryAbs(x: usize, y: usize, n: i32): void {
  unaryLoop(UN_ABS, x, y, n);
}
function unarySign(x: usize, y: usize, n: i32): void {
  unaryLoop(UN_SIGN, x, y, n);
}
function unaryReciprocal(x: usize, y: usize, n: i32): void {
  unaryLoop(UN_RECIPROCAL, x, y, n);
}

// ---------------------------------------------------------------------------------------------
// Binary with broadcasting

@inline
function binary4(op: i32, a: v128, b: v128): v128 {
  const one = f32x4.splat(1.0);
  switch (op) {
    case BIN_ADD:
      return f32x4.add(a, b);
    case BIN_SUB:
      return f32x4.sub(a, b);
    case BIN_MUL:
      return f32x4.mul(a, b);
    case BIN_DIV:
      return f32x4.div(a, b);
    case BIN_MAXIMUM:
      return f32x4.max(a, b); // NaN if either lane is NaN (unlike pmax)
    case BIN_MINIMUM:
      return f32x4.min(a, b);
    case BIN_EQUAL:
      return v128.and(f32x4.eq(a, b), one);
    case BIN_GREATER:
      return v128.and(f32x4.gt(a, b), one);
    case BIN_GREATER_EQUAL:
      return v128.and(f32x4.ge(a, b), one);
    case BIN_LESS:
      return v128.and(f32x4.lt(a, b), one);
    default:
      return v128.and(f32x4.le(a, b), one);
  }
}

/** One output row of n elements; a and b advance by sa and sb elements per output element. */
@inline
function binaryRow(op: i32, a: usize, b: usize, out: usize, n: i32, sa: i32, sb: i32): void {
  let i = 0;
  if (sb == 1) {
    if (sa == 1) {
      for (; i + 4 <= n; i += 4) v128.store(at(out, i), binary4(op, v128.load(at(a, i)), v128.load(at(b, i))));
    } else if (sa == 0) {
      const va = v128.load32_splat(a);
      for (; i + 4 <= n; i += 4) v128.store(at(out, i), binary4(op, va, v128.load(at(b, i))));
    }
  } else if (sb == 0 && sa == 1) {
    const vb = v128.load32_splat(b);
    for (; i + 4 <= n; i += 4) v128.store(at(out, i), binary4(op, v128.load(at(a, i)), vb));
  }
  // The tail, and rows with other strides (transposed or sliced inputs).
  for (; i < n; i++) {
    const va = v128.load32_splat(at(a, i * sa));
    const vb = v128.load32_splat(at(b, i * sb));
    store<f32>(at(out, i), f32x4.extract_lane(binary4(op, va, vb), 0));
  }
}

@inline
function binaryLoop(
  op: i32,
  a: usize,
  b: usize,
  out: usize,
  rank: i32,
  shape: usize,
  aStrides: usize,
  bStrides: usize,
): void {
  if (rank == 0) {
    binaryRow(op, a, b, out, 1, 0, 0);
    return;
  }
  // The two innermost dims run as plain loops; the dims above them form `blocks` 2-d blocks whose
  // offsets are decoded from the block index (one division per outer dim per block).
  const n0 = load<i32>(at(shape, rank - 1));
  const sa0 = load<i32>(at(aStrides, rank - 1));
  const sb0 = load<i32>(at(bStrides, rank - 1));
  let n1 = 1;
  let sa1 = 0;
  let sb1 = 0;
  if (rank >= 2) {
    n1 = load<i32>(at(shape, rank - 2));
    sa1 = load<i32>(at(aStrides, rank - 2));
    sb1 = load<i32>(at(bStrides, rank - 2));
  }
  let blocks = 1;
  for (let d = 0; d < rank - 2; d++) blocks *= load<i32>(at(shape, d));
  let o = out;
  for (let blk = 0; blk < blocks; blk++) {
    let ia = 0;
    let ib = 0;
    let r = blk;
    for (let d = rank - 3; d >= 0; d--) {
      const nd = load<i32>(at(shape, d));
      const q = r / nd;
      const idx = r - q * nd;
      r = q;
      ia += idx * load<i32>(at(aStrides, d));
      ib += idx * load<i32>(at(bStrides, d));
    }
    for (let i1 = 0; i1 < n1; i1++) {
      binaryRow(op, at(a, ia + i1 * sa1), at(b, ib + i1 * sb1), o, n0, sa0, sb0);
      o = at(o, n0);
    }
  }
}

/**
 * out = a op b with numpy broadcasting, op a BIN_* code (comparisons write 1.0 or 0.0; maximum and
 * minimum give NaN if either input is NaN). The output is contiguous with `rank` dims given as int32
 * at `shape`; a and b are read through int32 element strides at `aStrides` and `bStrides` (0 on
 * broadcast dims). rank 0 is one scalar. The innermost dim runs four lanes at a time when both
 * strides are 1 or one of them is 0. out may alias a or b when that input is not broadcast.
 */
export function binary(
  op: i32,
  a: usize,
  b: usize,
  out: usize,
  rank: i32,
  shape: usize,
  aStrides: usize,
  bStrides: usize,
): void {
  switch (op) {
    case BIN_ADD:
      binaryAdd(a, b, out, rank, shape, aStrides, bStrides);
      break;
    case BIN_SUB:
      binarySub(a, b, out, rank, shape, aStrides, bStrides);
      break;
    case BIN_MUL:
      binaryMul(a, b, out, rank, shape, aStrides, bStrides);
      break;
    case BIN_DIV:
      binaryDiv(a, b, out, rank, shape, aStrides, bStrides);
      break;
    case BIN_MAXIMUM:
      binaryMaximum(a, b, out, rank, shape, aStrides, bStrides);
      break;
    case BIN_MINIMUM:
      binaryMinimum(a, b, out, rank, shape, aStrides, bStrides);
      break;
    case BIN_EQUAL:
      binaryEqual(a, b, out, rank, shape, aStrides, bStrides);
      break;
    case BIN_GREATER:
      binaryGreater(a, b, out, rank, shape, aStrides, bStrides);
      break;
    case BIN_GREATER_EQUAL:
      binaryGreaterEqual(a, b, out, rank, shape, aStrides, bStrides);
      break;
    case BIN_LESS:
      binaryLess(a, b, out, rank, shape, aStrides, bStrides);
      break;
    default:
      binaryLessEqual(a, b, out, rank, shape, aStrides, bStrides);
  }
}

// One function per op, so that each gets its own specialised loops: with all eleven bodies in one
// function, Binaryen folds them back into one loop that dispatches on the op for every vector.
function binaryAdd(a: usize, b: usize, out: usize, rank: i32, shape: usize, sa: usize, sb: usize): void {
  binaryLoop(BIN_ADD, a, b, out, rank, shape, sa, sb);
}
function binarySub(a: usize, b: usize, out: usize, rank: i32, shape: usize, sa: usize, sb: usize): void {
  binaryLoop(BIN_SUB, a, b, out, rank, shape, sa, sb);
}
function binaryMul(a: usize, b: usize, out: usize, rank: i32, shape: usize, sa: usize, sb: usize): void {
  binaryLoop(BIN_MUL, a, b, out, rank, shape, sa, sb);
}
function binaryDiv(a: usize, b: usize, out: usize, rank: i32, shape: usize, sa: usize, sb: usize): void {
  binaryLoop(BIN_DIV, a, b, out, rank, shape, sa, sb);
}
function binaryMaximum(a: usize, b: usize, out: usize, rank: i32, shape: usize, sa: usize, sb: usize): void {
  binaryLoop(BIN_MAXIMUM, a, b, out, rank, shape, sa, sb);
}
function binaryMinimum(a: usize, b: usize, out: usize, rank: i32, shape: usize, sa: usize, sb: usize): void {
  binaryLoop(BIN_MINIMUM, a, b, out, rank, shape, sa, sb);
}
function binaryEqual(a: usize, b: usize, out: usize, rank: i32, shape: usize, sa: usize, sb: usize): void {
  binaryLoop(BIN_EQUAL, a, b, out, rank, shape, sa, sb);
}
function binaryGreater(a: usize, b: usize, out: usize, rank: i32, shape: usize, sa: usize, sb: usize): void {
  binaryLoop(BIN_GREATER, a, b, out, rank, shape, sa, sb);
}
function binaryGreaterEqual(a: usize, b: usize, out: usize, rank: i32, shape: usize, sa: usize, sb: usize): void {
  binaryLoop(BIN_GREATER_EQUAL, a, b, out, rank, shape, sa, sb);
}
function binaryLess(a: usize, b: usize, out: usize, rank: i32, shape: usize, sa: usize, sb: usize): void {
  binaryLoop(BIN_LESS, a, b, out, rank, shape, sa, sb);
}
function binaryLessEqual(a: usize, b: usize, out: usize, rank: i32, shape: usize, sa: usize, sb: usize): void {
  binaryLoop(BIN_LESS_EQUAL, a, b, out, rank, shape, sa, sb);
}

// ---------------------------------------------------------------------------------------------
// Strided copy (transpose, broadcastTo, slice)

@inline
function copyRow(x: usize, y: usize, n: i32, sx: i32): void {
  if (sx == 1) {
    memory.copy(y, x, <usize>n << 2);
  } else if (sx == 0) {
    const v = v128.load32_splat(x);
    let i = 0;
    for (; i + 4 <= n; i += 4) v128.store(at(y, i), v);
    for (; i < n; i++) store<f32>(at(y, i), f32x4.extract_lane(v, 0));
  } else {
    for (let i = 0; i < n; i++) store<f32>(at(y, i), load<f32>(at(x, i * sx)));
  }
}

/**
 * y[i...] = x[sum_d i_d * xStrides[d]] over the output shape (`rank` int32 dims at `shape`, int32
 * element strides at `xStrides`, any sign); y is contiguous and must not overlap x. Serves transpose
 * (permuted strides), broadcastTo (0 strides) and slicing (x offset to the first element). Rows
 * with inner stride 1 are block copies, stride 0 four-lane fills.
 */
export function stridedCopy(x: usize, y: usize, rank: i32, shape: usize, xStrides: usize): void {
  if (rank == 0) {
    store<f32>(y, load<f32>(x));
    return;
  }
  const n0 = load<i32>(at(shape, rank - 1));
  const s0 = load<i32>(at(xStrides, rank - 1));
  let n1 = 1;
  let s1 = 0;
  if (rank >= 2) {
    n1 = load<i32>(at(shape, rank - 2));
    s1 = load<i32>(at(xStrides, rank - 2));
  }
  let blocks = 1;
  for (let d = 0; d < rank - 2; d++) blocks *= load<i32>(at(shape, d));
  let o = y;
  for (let blk = 0; blk < blocks; blk++) {
    let ix = 0;
    let r = blk;
    for (let d = rank - 3; d >= 0; d--) {
      const nd = load<i32>(at(shape, d));
      const q = r / nd;
      ix += (r - q * nd) * load<i32>(at(xStrides, d));
      r = q;
    }
    for (let i1 = 0; i1 < n1; i1++) {
      copyRow(at(x, ix + i1 * s1), o, n0, s0);
      o = at(o, n0);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Clip, fill, axpy, scale

/** y = min(max(x, lo), hi) elementwise over n floats; NaN stays NaN. y may alias x. */
export function clip(x: usize, y: usize, n: i32, lo: f32, hi: f32): void {
  const vlo = f32x4.splat(lo);
  const vhi = f32x4.splat(hi);
  let i = 0;
  // pmax/pmin return their first operand when it is NaN.
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), f32x4.pmin(f32x4.pmax(v128.load(at(x, i)), vlo), vhi));
  for (; i < n; i++) {
    const v = f32x4.pmin(f32x4.pmax(v128.load32_splat(at(x, i)), vlo), vhi);
    store<f32>(at(y, i), f32x4.extract_lane(v, 0));
  }
}

/** dx = dy where lo <= x <= hi, else 0 (also 0 where x is NaN), over n floats. dx may alias dy. */
export function clipBackward(x: usize, dy: usize, dx: usize, n: i32, lo: f32, hi: f32): void {
  const vlo = f32x4.splat(lo);
  const vhi = f32x4.splat(hi);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(at(x, i));
    const inside = v128.and(f32x4.ge(v, vlo), f32x4.le(v, vhi));
    v128.store(at(dx, i), v128.and(v128.load(at(dy, i)), inside));
  }
  for (; i < n; i++) {
    const v = load<f32>(at(x, i));
    store<f32>(at(dx, i), v >= lo && v <= hi ? load<f32>(at(dy, i)) : 0);
  }
}

/** y[i] = value for i < n. */
export function fill(y: usize, n: i32, value: f32): void {
  const v = f32x4.splat(value);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), v);
  for (; i < n; i++) store<f32>(at(y, i), value);
}

/** y += alpha * x over n floats (fused multiply-add in the relaxed build). */
export function axpy(x: usize, y: usize, n: i32, alpha: f32): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), madd(va, v128.load(at(x, i)), v128.load(at(y, i))));
  for (; i < n; i++) {
    const v = madd(va, v128.load32_splat(at(x, i)), v128.load32_splat(at(y, i)));
    store<f32>(at(y, i), f32x4.extract_lane(v, 0));
  }
}

/**
 * y = alpha * x + beta * y over n floats: beta * y rounded first, then as axpy, so it gives the bits
 * of scale(y, y, n, beta) followed by axpy(x, y, n, alpha) in one pass.
 */
export function axpby(x: usize, y: usize, n: i32, alpha: f32, beta: f32): void {
  const va = f32x4.splat(alpha);
  const vb = f32x4.splat(beta);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(at(y, i), madd(va, v128.load(at(x, i)), f32x4.mul(vb, v128.load(at(y, i)))));
  }
  for (; i < n; i++) {
    const v = madd(va, v128.load32_splat(at(x, i)), f32x4.mul(vb, v128.load32_splat(at(y, i))));
    store<f32>(at(y, i), f32x4.extract_lane(v, 0));
  }
}

/** y = alpha * x over n floats. y may alias x. */
export function scale(x: usize, y: usize, n: i32, alpha: f32): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), f32x4.mul(va, v128.load(at(x, i))));
  for (; i < n; i++) store<f32>(at(y, i), alpha * load<f32>(at(x, i)));
}
