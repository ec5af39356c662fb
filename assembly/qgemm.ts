// int8 GEMM: C[m×n] = act(((f32(acc) · rowScale[i]) · colScale[j]) + bias[j]) with
// acc[i,j] = Σ_k W[k,j]·q[i,k] − rowZero[i]·colsum[j], exact in int32.
//
// Weights W are symmetric int8 in [-127, 127]; activations q are UNSIGNED 7-bit [0, 127] with a zero
// point per row, so that the relaxed module's 8-bit dot (weights first, activations second; its
// result is implementation-defined only when the second operand's high bit is set) is exact, and
// both modules compute the same integers. The epilogue is plain mul then add in both modules (no
// fused multiply-add), so both give the same bits.
//
// Packed weights (qgemmPack): the column sums (i32, n padded to NR), then one panel per NR columns,
// depth padded to KALIGN with zeros. Inside a panel, depth is cut in groups of G values (G = 4 in the
// relaxed module, 2 in the plain one) and group t holds NR·G bytes: column c's G values at c·G.
// Relaxed: a 16-byte vector is 4 columns × 4 depth values, one i32 lane per column, and the dot with
// the 4 activation bytes splatted adds those 4 products into each lane (XNNPACK's c4 layout).
// Plain: 8 bytes are 4 columns × 2 depth values, sign-extended to i16 on load; i32x4.dot_i16x8_s
// with the activation pair splatted adds 2 products into each column's lane (the c2 layout); the
// plain module stores activations as i16, so the pair is one 4-byte splat.
//
// qgemm walks C by panels of NR = 8 columns and, inside a panel, by tiles of MR = 4 rows (a tail of
// 1-3 rows runs the same code with fewer rows), over the whole depth at once (integer sums are exact,
// so the depth needs no blocking for accuracy, and a panel of k·8 bytes stays in cache for all rows).
// With m <= 2 (batch-1 inference, bound by reading the weights) it takes two panels per pass.
// The tile's i32 sums go through a 128-byte scratch buffer to the epilogue, which applies the zero
// point, the scales, the bias and the activation (mathf4.ts's activation4, as gemm does).

import { ACT_ELU, ACT_GELU, ACT_LEAKY_RELU, ACT_LINEAR, ACT_RELU, ACT_SIGMOID, ACT_SOFTPLUS, ACT_TANH } from './codes';
import { activation4 } from './mathf4';

const MR: i32 = 4; // rows of a tile
const NR: i32 = 8; // columns of a panel
const KALIGN: i32 = 16; // depth padding of rows and panels
const G: i32 = ASC_FEATURE_RELAXED_SIMD ? 4 : 2; // depth values per column per group (see above)
const TILE_BYTES: i32 = MR * NR * 4;
// Bytes per quantized activation: u8 for the relaxed dot; i16 in the plain module, where the dot is
// on i16 pairs, so that a pair is splatted by one 4-byte load (widening there costs ~20%).
const Q_BYTES: i32 = ASC_FEATURE_RELAXED_SIMD ? 1 : 2;

@inline
function roundUp(x: i32, to: i32): i32 {
  return ((x + to - 1) / to) * to;
}

@inline
function imin(a: i32, b: i32): i32 {
  return a < b ? a : b;
}

/**
 * Bytes of one quantized activation row: k rounded up to 16 values (padding written as 0), one byte
 * per value in the relaxed module, two (i16) in the plain one; the values are the same.
 */
export function qgemmRowBytes(k: i32): i32 {
  return roundUp(k, KALIGN) * Q_BYTES;
}

/** Bytes of the packed weight block for int8 W [k×n]: column sums, then the panels (see the top). */
export function qgemmPackedBytes(k: i32, n: i32): i32 {
  const np = roundUp(n, NR);
  return np * 4 + roundUp(k, KALIGN) * np;
}

/** Bytes of scratch `qgemm` needs: a tile of sums and zero-padded column scales and bias. */
export function qgemmScratchBytes(m: i32, k: i32, n: i32): i32 {
  return TILE_BYTES + 2 * NR * 4;
}

/**
 * Packs int8 W [k×n] (row-major, one byte per value, in [-127, 127]) at `w` into the block at
 * `packed` (16-byte aligned, qgemmPackedBytes(k, n) bytes): column sums, then panels.
 */
export function qgemmPack(w: usize, k: i32, n: i32, packed: usize): void {
  const np = roundUp(n, NR);
  const kp = roundUp(k, KALIGN);
  // Column sums, row by row (W is read along its rows); the padding columns sum to 0.
  memory.fill(packed, 0, <usize>np << 2);
  for (let p = 0; p < k; p++) {
    const row = w + <usize>p * n;
    for (let j = 0; j < n; j++) {
      const o = packed + (<usize>j << 2);
      store<i32>(o, load<i32>(o) + <i32>load<i8>(row + <usize>j));
    }
  }
  const panels = packed + (<usize>np << 2);
  for (let j0 = 0; j0 < np; j0 += NR) {
    const panel = panels + <usize>j0 * kp;
    for (let p = 0; p < kp; p++) {
      const group = panel + <usize>((p / G) * NR * G + (p % G));
      for (let c = 0; c < NR; c++) {
        const j = j0 + c;
        const v: i8 = p < k && j < n ? load<i8>(w + <usize>p * n + j) : 0;
        store<i8>(group + <usize>(c * G), v);
      }
    }
  }
}

/** 2^23: adding it to an integral f32 in [0, 2^23) puts the integer in the low mantissa bits. */
@inline
const MANTISSA_SHIFT: f32 = 8388608.0;

/**
 * Four values to unsigned 7-bit: clamp(nearest(x / s) + zp, 0, 127), as i32 lanes. The sum and the
 * clamp are in f32 (huge quotients saturate instead of overflowing); pmax/pmin are single
 * instructions and agree with max/min here (no NaN reaches them: non-finite rows are set apart
 * before). The integral result goes to i32 through the mantissa (+2^23, low byte), which is cheaper
 * than i32x4.trunc_sat_f32x4_s.
 */
@inline
function quantize4(x: v128, s: v128, zp: v128): v128 {
  const v = f32x4.add(f32x4.nearest(f32x4.div(x, s)), zp);
  const c = f32x4.pmin(f32x4.pmax(v, f32x4.splat(0)), f32x4.splat(127));
  return v128.and(f32x4.add(c, f32x4.splat(MANTISSA_SHIFT)), i32x4.splat(0xff));
}

/** The smallest of the 4 lanes (no NaN among them). */
@inline
function minLane(v: v128): f32 {
  const a = f32x4.pmin(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.pmin(a, v128.shuffle<f32>(a, a, 1, 0, 3, 2)), 0);
}

/** The largest of the 4 lanes (no NaN among them). */
@inline
function maxLane(v: v128): f32 {
  const a = f32x4.pmax(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.pmax(a, v128.shuffle<f32>(a, a, 1, 0, 3, 2)), 0);
}

/**
 * Quantizes the rows of x f32 [m×k] to unsigned 7-bit activations: q gets m rows of
 * qgemmRowBytes(k) bytes (padding 0), rowScale f32[m] and rowZero i32[m] the scale and zero point.
 * scale <= 0: per row (dynamic): lo = min(0, min x), hi = max(0, max x), s = (hi − lo) / 127
 * (1 if 0), zp = clamp(nearest(−lo / s), 0, 127). scale > 0: s = scale and zp = zeroPoint (0..127,
 * so that qgemm's sums stay exact) for every row (static; values out of range saturate). Either way
 * q = clamp(nearest(x / s) + zp, 0, 127), nearest rounding half to even. A row holding NaN or
 * ±Infinity gets q = 0, zero point 0 and scale NaN, so that its whole output row is NaN (so does a
 * finite row whose range hi − lo overflows f32: its scale is Infinity and 0 · Infinity is NaN).
 */
export function quantizeRows(
  x: usize,
  m: i32,
  k: i32,
  q: usize,
  rowScale: usize,
  rowZero: usize,
  scale: f32,
  zeroPoint: i32,
): void {
  const rowBytes = <usize>qgemmRowBytes(k);
  for (let i = 0; i < m; i++) {
    const xr = x + (<usize>(i * k) << 2);
    const qr = q + <usize>i * rowBytes;
    // Range of the row with 0 included (pmin/pmax skip NaN, which `nan` collects; ±0 alike).
    let lo4 = f32x4.splat(0);
    let hi4 = f32x4.splat(0);
    let lo4b = f32x4.splat(0);
    let hi4b = f32x4.splat(0);
    let nan = i32x4.splat(0);
    let p = 0;
    for (; p + 8 <= k; p += 8) {
      const v = v128.load(xr + (<usize>p << 2));
      const w = v128.load(xr + (<usize>p << 2), 16);
      lo4 = f32x4.pmin(lo4, v);
      hi4 = f32x4.pmax(hi4, v);
      lo4b = f32x4.pmin(lo4b, w);
      hi4b = f32x4.pmax(hi4b, w);
      nan = v128.or(nan, v128.or(f32x4.ne(v, v), f32x4.ne(w, w)));
    }
    for (; p < k; p++) {
      const v = f32x4.splat(load<f32>(xr + (<usize>p << 2)));
      lo4 = f32x4.pmin(lo4, v);
      hi4 = f32x4.pmax(hi4, v);
      nan = v128.or(nan, f32x4.ne(v, v));
    }
    const lo = minLane(f32x4.pmin(lo4, lo4b));
    const hi = maxLane(f32x4.pmax(hi4, hi4b));
    if (v128.any_true(nan) || !(lo - lo == 0 && hi - hi == 0)) {
      // NaN or ±Infinity in the row.
      store<f32>(rowScale + (<usize>i << 2), NaN);
      store<i32>(rowZero + (<usize>i << 2), 0);
      memory.fill(qr, 0, rowBytes);
      continue;
    }
    let s = scale;
    let zp = zeroPoint;
    if (!(scale > 0)) {
      s = (hi - lo) / 127;
      if (s == 0) {
        s = 1;
        zp = 0;
      } else {
        zp = <i32>min<f32>(max<f32>(nearest<f32>(-lo / s), 0), 127);
      }
    }
    store<f32>(rowScale + (<usize>i << 2), s);
    store<i32>(rowZero + (<usize>i << 2), zp);
    const s4 = f32x4.splat(s);
    const zp4 = f32x4.splat(<f32>zp);
    p = 0;
    for (; p + 16 <= k; p += 16) {
      const src = xr + (<usize>p << 2);
      const a = i16x8.narrow_i32x4_s(quantize4(v128.load(src), s4, zp4), quantize4(v128.load(src, 16), s4, zp4));
      const b = i16x8.narrow_i32x4_s(quantize4(v128.load(src, 32), s4, zp4), quantize4(v128.load(src, 48), s4, zp4));
      if (Q_BYTES == 1) {
        v128.store(qr + <usize>p, i8x16.narrow_i16x8_u(a, b));
      } else {
        v128.store(qr + (<usize>p << 1), a);
        v128.store(qr + (<usize>p << 1), b, 16);
      }
    }
    for (; p < k; p++) {
      const v = i32x4.extract_lane(quantize4(f32x4.splat(load<f32>(xr + (<usize>p << 2))), s4, zp4), 0);
      if (Q_BYTES == 1) store<u8>(qr + <usize>p, <u8>v);
      else store<u16>(qr + (<usize>p << 1), <u16>v);
    }
    memory.fill(qr + <usize>(p * Q_BYTES), 0, rowBytes - <usize>(p * Q_BYTES));
  }
}

/**
 * acc + the sums of 4 products of w's int8 and a's unsigned 7-bit bytes per i32 lane (relaxed module
 * only), as the 16-bit relaxed dot (exact: two products sum to at most 2·127·127 < 2^15) and a
 * pairwise widening add. i32x4.relaxed_dot_i8x16_i7x16_add_s is the one instruction for this, but
 * under Node 20's V8 (11.3, x64) some calls of it returned twice the dot without the accumulator
 * (seen in test/kernels/qgemm.test.ts, depending on which tests ran first), and where it was right
 * it was slower (1.25 ms against 1.07 ms for 128×784·784×512).
 */
@inline
function dotAdd(w: v128, a: v128, acc: v128): v128 {
  return i32x4.add(acc, i32x4.extadd_pairwise_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(w, a)));
}

/**
 * The i32 sums of one tile: rows (1..4, a compile-time constant) × NR columns over the padded depth
 * kp, q rows `ldq` bytes apart, `panel` the packed panel; written to `tile` (row r at r·32 bytes).
 */
@inline
function tileSums(rows: i32, q: usize, ldq: usize, panel: usize, kp: i32, tile: usize): void {
  let c00 = i32x4.splat(0);
  let c01 = i32x4.splat(0);
  let c10 = i32x4.splat(0);
  let c11 = i32x4.splat(0);
  let c20 = i32x4.splat(0);
  let c21 = i32x4.splat(0);
  let c30 = i32x4.splat(0);
  let c31 = i32x4.splat(0);
  if (ASC_FEATURE_RELAXED_SIMD) {
    for (let p = 0; p < kp; p += 4) {
      const w0 = v128.load(panel);
      const w1 = v128.load(panel, 16);
      let a = v128.load32_splat(q);
      c00 = dotAdd(w0, a, c00);
      c01 = dotAdd(w1, a, c01);
      if (rows > 1) {
        a = v128.load32_splat(q + ldq);
        c10 = dotAdd(w0, a, c10);
        c11 = dotAdd(w1, a, c11);
      }
      if (rows > 2) {
        a = v128.load32_splat(q + 2 * ldq);
        c20 = dotAdd(w0, a, c20);
        c21 = dotAdd(w1, a, c21);
      }
      if (rows > 3) {
        a = v128.load32_splat(q + 3 * ldq);
        c30 = dotAdd(w0, a, c30);
        c31 = dotAdd(w1, a, c31);
      }
      q += 4;
      panel += 32;
    }
  } else {
    for (let p = 0; p < kp; p += 2) {
      const w0 = v128.load8x8_s(panel);
      const w1 = v128.load8x8_s(panel, 8);
      let a = v128.load32_splat(q);
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(w0, a));
      c01 = i32x4.add(c01, i32x4.dot_i16x8_s(w1, a));
      if (rows > 1) {
        a = v128.load32_splat(q + ldq);
        c10 = i32x4.add(c10, i32x4.dot_i16x8_s(w0, a));
        c11 = i32x4.add(c11, i32x4.dot_i16x8_s(w1, a));
      }
      if (rows > 2) {
        a = v128.load32_splat(q + 2 * ldq);
        c20 = i32x4.add(c20, i32x4.dot_i16x8_s(w0, a));
        c21 = i32x4.add(c21, i32x4.dot_i16x8_s(w1, a));
      }
      if (rows > 3) {
        a = v128.load32_splat(q + 3 * ldq);
        c30 = i32x4.add(c30, i32x4.dot_i16x8_s(w0, a));
        c31 = i32x4.add(c31, i32x4.dot_i16x8_s(w1, a));
      }
      q += 4;
      panel += 16;
    }
  }
  v128.store(tile, c00);
  v128.store(tile, c01, 16);
  if (rows > 1) {
    v128.store(tile, c10, 32);
    v128.store(tile, c11, 48);
  }
  if (rows > 2) {
    v128.store(tile, c20, 64);
    v128.store(tile, c21, 80);
  }
  if (rows > 3) {
    v128.store(tile, c30, 96);
    v128.store(tile, c31, 112);
  }
}

/**
 * tileSums over two adjacent panels at once (16 columns) for rows = 1 or 2 (compile-time): the first
 * panel's sums go to `tile` and the second's to tile + 64 (row r at r·32 bytes in each).
 */
@inline
function pairSums(rows: i32, q: usize, ldq: usize, panel: usize, kp: i32, tile: usize): void {
  let panel2 = panel + <usize>kp * NR;
  let a00 = i32x4.splat(0);
  let a01 = i32x4.splat(0);
  let b00 = i32x4.splat(0);
  let b01 = i32x4.splat(0);
  let a10 = i32x4.splat(0);
  let a11 = i32x4.splat(0);
  let b10 = i32x4.splat(0);
  let b11 = i32x4.splat(0);
  if (ASC_FEATURE_RELAXED_SIMD) {
    for (let p = 0; p < kp; p += 4) {
      const w0 = v128.load(panel);
      const w1 = v128.load(panel, 16);
      const w2 = v128.load(panel2);
      const w3 = v128.load(panel2, 16);
      let a = v128.load32_splat(q);
      a00 = dotAdd(w0, a, a00);
      a01 = dotAdd(w1, a, a01);
      b00 = dotAdd(w2, a, b00);
      b01 = dotAdd(w3, a, b01);
      if (rows > 1) {
        a = v128.load32_splat(q + ldq);
        a10 = dotAdd(w0, a, a10);
        a11 = dotAdd(w1, a, a11);
        b10 = dotAdd(w2, a, b10);
        b11 = dotAdd(w3, a, b11);
      }
      q += 4;
      panel += 32;
      panel2 += 32;
    }
  } else {
    for (let p = 0; p < kp; p += 2) {
      const w0 = v128.load8x8_s(panel);
      const w1 = v128.load8x8_s(panel, 8);
      const w2 = v128.load8x8_s(panel2);
      const w3 = v128.load8x8_s(panel2, 8);
      let a = v128.load32_splat(q);
      a00 = i32x4.add(a00, i32x4.dot_i16x8_s(w0, a));
      a01 = i32x4.add(a01, i32x4.dot_i16x8_s(w1, a));
      b00 = i32x4.add(b00, i32x4.dot_i16x8_s(w2, a));
      b01 = i32x4.add(b01, i32x4.dot_i16x8_s(w3, a));
      if (rows > 1) {
        a = v128.load32_splat(q + ldq);
        a10 = i32x4.add(a10, i32x4.dot_i16x8_s(w0, a));
        a11 = i32x4.add(a11, i32x4.dot_i16x8_s(w1, a));
        b10 = i32x4.add(b10, i32x4.dot_i16x8_s(w2, a));
        b11 = i32x4.add(b11, i32x4.dot_i16x8_s(w3, a));
      }
      q += 4;
      panel += 16;
      panel2 += 16;
    }
  }
  v128.store(tile, a00);
  v128.store(tile, a01, 16);
  v128.store(tile, b00, 64);
  v128.store(tile, b01, 80);
  if (rows > 1) {
    v128.store(tile, a10, 32);
    v128.store(tile, a11, 48);
    v128.store(tile, b10, 96);
    v128.store(tile, b11, 112);
  }
}

/** pairSums for a run-time row count 1..2. */
function pairSumsRows(rows: i32, q: usize, ldq: usize, panel: usize, kp: i32, tile: usize): void {
  if (rows == 2) pairSums(2, q, ldq, panel, kp, tile);
  else pairSums(1, q, ldq, panel, kp, tile);
}

/** tileSums for a run-time row count 1..4. */
function tileSumsRows(rows: i32, q: usize, ldq: usize, panel: usize, kp: i32, tile: usize): void {
  if (rows == 4) tileSums(4, q, ldq, panel, kp, tile);
  else if (rows == 3) tileSums(3, q, ldq, panel, kp, tile);
  else if (rows == 2) tileSums(2, q, ldq, panel, kp, tile);
  else tileSums(1, q, ldq, panel, kp, tile);
}

/**
 * Four outputs of one row: ((f32(sums − zp·colsum) · rowScale) · colScale) + bias, then the activation
 * `act` (a compile-time constant). `bias` is a vector of zeros when there is no bias.
 */
@inline
function output4(
  act: i32,
  sums: v128,
  zp: v128,
  colsum: v128,
  rs: v128,
  cs: v128,
  bias: v128,
  hasBias: bool,
  alpha: v128,
): v128 {
  let v = f32x4.convert_i32x4_s(i32x4.sub(sums, i32x4.mul(zp, colsum)));
  v = f32x4.mul(f32x4.mul(v, rs), cs);
  if (hasBias) v = f32x4.add(v, bias);
  return activation4(act, v, alpha);
}

/**
 * The epilogue of one tile: `rows` rows of the sums in `tile` become outputs at `c` (row stride ldc
 * bytes); only the first `cols` columns are stored. cs and bias point at NR readable floats.
 */
@inline
function epilogue(
  act: i32,
  tile: usize,
  rows: i32,
  cols: i32,
  rowScale: usize,
  rowZero: usize,
  colsum: usize,
  cs: usize,
  bias: usize,
  alpha: v128,
  c: usize,
  ldc: usize,
): void {
  const colsum0 = v128.load(colsum);
  const colsum1 = v128.load(colsum, 16);
  const cs0 = v128.load(cs);
  const cs1 = v128.load(cs, 16);
  const hasBias = bias != 0;
  const b0 = hasBias ? v128.load(bias) : f32x4.splat(0);
  const b1 = hasBias ? v128.load(bias, 16) : f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const zp = i32x4.splat(load<i32>(rowZero + (<usize>r << 2)));
    const rs = f32x4.splat(load<f32>(rowScale + (<usize>r << 2)));
    const t = tile + (<usize>r << 5);
    const v0 = output4(act, v128.load(t), zp, colsum0, rs, cs0, b0, hasBias, alpha);
    const v1 = output4(act, v128.load(t, 16), zp, colsum1, rs, cs1, b1, hasBias, alpha);
    const d = c + <usize>r * ldc;
    if (cols == NR) {
      v128.store(d, v0);
      v128.store(d, v1, 16);
    } else {
      // Partial panel: through the tile (its row r is consumed), then the first cols lanes.
      v128.store(t, v0);
      v128.store(t, v1, 16);
      for (let j = 0; j < cols; j++) store<f32>(d + (<usize>j << 2), load<f32>(t + (<usize>j << 2)));
    }
  }
}

/**
 * The epilogue of `rows` rows (from row i0) of sums in `tile` for the panel at column j0, through
 * zero-padded copies of its column scales and bias (in `work` after the tile) when it is partial.
 */
@inline
function finishPanel(
  act: i32,
  tile: usize,
  rows: i32,
  i0: i32,
  j0: i32,
  n: i32,
  rowScale: usize,
  rowZero: usize,
  packed: usize,
  colScale: usize,
  bias: usize,
  alpha: v128,
  c: usize,
  work: usize,
): void {
  const cols = imin(NR, n - j0);
  let cs = colScale + (<usize>j0 << 2);
  let b = bias ? bias + (<usize>j0 << 2) : 0;
  if (cols < NR) {
    const csPad = work + TILE_BYTES;
    const biasPad = csPad + NR * 4;
    for (let j = 0; j < NR; j++) {
      const o = <usize>j << 2;
      store<f32>(csPad + o, j < cols ? load<f32>(cs + o) : 0);
      if (bias) store<f32>(biasPad + o, j < cols ? load<f32>(b + o) : 0);
    }
    cs = csPad;
    if (bias) b = biasPad;
  }
  const ro = <usize>i0 << 2;
  const ldc = <usize>n << 2;
  const colsum = packed + (<usize>j0 << 2);
  const d = c + <usize>i0 * ldc + (<usize>j0 << 2);
  epilogue(act, tile, rows, cols, rowScale + ro, rowZero + ro, colsum, cs, b, alpha, d, ldc);
}

/** The whole product for a compile-time activation code `act` (see qgemm). */
@inline
function qgemmAs(
  act: i32,
  q: usize,
  rowScale: usize,
  rowZero: usize,
  packed: usize,
  colScale: usize,
  bias: usize,
  c: usize,
  m: i32,
  k: i32,
  n: i32,
  alpha: f32,
  work: usize,
): void {
  const np = roundUp(n, NR);
  const kp = roundUp(k, KALIGN);
  const ldq = <usize>qgemmRowBytes(k);
  const panels = packed + (<usize>np << 2);
  const tile = work;
  const alpha4 = f32x4.splat(alpha);
  if (m <= 2) {
    // Batch 1-2: two panels per pass over the activations (half the loop overhead per product).
    let j0 = 0;
    for (; j0 + NR < n; j0 += 2 * NR) {
      pairSumsRows(m, q, ldq, panels + <usize>j0 * kp, kp, tile);
      finishPanel(act, tile, m, 0, j0, n, rowScale, rowZero, packed, colScale, bias, alpha4, c, work);
      finishPanel(act, tile + 64, m, 0, j0 + NR, n, rowScale, rowZero, packed, colScale, bias, alpha4, c, work);
    }
    if (j0 < n) {
      tileSumsRows(m, q, ldq, panels + <usize>j0 * kp, kp, tile);
      finishPanel(act, tile, m, 0, j0, n, rowScale, rowZero, packed, colScale, bias, alpha4, c, work);
    }
    return;
  }
  for (let j0 = 0; j0 < n; j0 += NR) {
    const panel = panels + <usize>j0 * kp;
    for (let i0 = 0; i0 < m; i0 += MR) {
      const rows = imin(MR, m - i0);
      tileSumsRows(rows, q + <usize>i0 * ldq, ldq, panel, kp, tile);
      finishPanel(act, tile, rows, i0, j0, n, rowScale, rowZero, packed, colScale, bias, alpha4, c, work);
    }
  }
}

/**
 * C f32 [m×n] = act(((f32(acc) · rowScale[i]) · colScale[j]) + bias[j]), evaluated left to right in
 * f32, with acc[i,j] = Σ_k W[k,j]·q[i,k] − rowZero[i]·colsum[j] exact in i32. q: m rows of
 * qgemmRowBytes(k) bytes from quantizeRows; rowScale f32[m], rowZero i32[m]; packed: qgemmPack's
 * block; colScale f32[n]; bias f32[n] or 0 for none; act an ACT_* code, alpha for leakyRelu/elu;
 * work: qgemmScratchBytes(m, k, n) bytes, 16-byte aligned. C must not overlap the inputs.
 * m, n >= 1, 1 <= k <= 100000 (127·127·k fits i32).
 */
export function qgemm(
  q: usize,
  rowScale: usize,
  rowZero: usize,
  packed: usize,
  colScale: usize,
  bias: usize,
  c: usize,
  m: i32,
  k: i32,
  n: i32,
  act: i32,
  alpha: f32,
  work: usize,
): void {
  switch (act) {
    case ACT_RELU:
      qgemmAs(ACT_RELU, q, rowScale, rowZero, packed, colScale, bias, c, m, k, n, alpha, work);
      break;
    case ACT_LEAKY_RELU:
      qgemmAs(ACT_LEAKY_RELU, q, rowScale, rowZero, packed, colScale, bias, c, m, k, n, alpha, work);
      break;
    case ACT_ELU:
      qgemmAs(ACT_ELU, q, rowScale, rowZero, packed, colScale, bias, c, m, k, n, alpha, work);
      break;
    case ACT_SIGMOID:
      qgemmAs(ACT_SIGMOID, q, rowScale, rowZero, packed, colScale, bias, c, m, k, n, alpha, work);
      break;
    case ACT_TANH:
      qgemmAs(ACT_TANH, q, rowScale, rowZero, packed, colScale, bias, c, m, k, n, alpha, work);
      break;
    case ACT_SOFTPLUS:
      qgemmAs(ACT_SOFTPLUS, q, rowScale, rowZero, packed, colScale, bias, c, m, k, n, alpha, work);
      break;
    case ACT_GELU:
      qgemmAs(ACT_GELU, q, rowScale, rowZero, packed, colScale, bias, c, m, k, n, alpha, work);
      break;
    default:
      qgemmAs(ACT_LINEAR, q, rowScale, rowZero, packed, colScale, bias, c, m, k, n, alpha, work);
  }
}

/**
 * Embedding lookup of an int8 table: out[i, :] = f32(table[ids[i], :]) · scales[ids[i]] for
 * i < count; table int8 [rows×d], scales f32[rows], ids i32[count] (already validated).
 */
export function gatherInt8Rows(table: usize, scales: usize, ids: usize, count: i32, d: i32, out: usize): void {
  for (let i = 0; i < count; i++) {
    const row = load<i32>(ids + (<usize>i << 2));
    const src = table + <usize>row * d;
    const dst = out + (<usize>(i * d) << 2);
    const s = load<f32>(scales + (<usize>row << 2));
    const s4 = f32x4.splat(s);
    let j = 0;
    for (; j + 16 <= d; j += 16) {
      const b = v128.load(src + <usize>j);
      const lo = i16x8.extend_low_i8x16_s(b);
      const hi = i16x8.extend_high_i8x16_s(b);
      const o = dst + (<usize>j << 2);
      v128.store(o, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), s4));
      v128.store(o, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), s4), 16);
      v128.store(o, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), s4), 32);
      v128.store(o, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), s4), 48);
    }
    for (; j < d; j++) store<f32>(dst + (<usize>j << 2), <f32>load<i8>(src + <usize>j) * s);
  }
}

/** Four weights to int8 lanes (as i32): clamp(nearest(w / s), -127, 127). */
@inline
function symmetric4(w: v128, s: v128): v128 {
  const v = f32x4.nearest(f32x4.div(w, s));
  return i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(v, f32x4.splat(-127)), f32x4.splat(127)));
}

/** The scale of a largest magnitude: maxAbs / 127, or 1 when it is 0. */
@inline
function symmetricScale(maxAbs: f32): f32 {
  const s = maxAbs / 127;
  return s == 0 ? 1 : s;
}

/** Quantizes `count` floats at w to int8 at out, with the scale at s (sSplat) or the scales s[0..count). */
@inline
function symmetricRun(w: usize, count: i32, s: usize, sSplat: bool, out: usize): void {
  let j = 0;
  for (; j + 4 <= count; j += 4) {
    const s4 = sSplat ? v128.load32_splat(s) : v128.load(s + (<usize>j << 2));
    const v = symmetric4(v128.load(w + (<usize>j << 2)), s4);
    const b = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(v, v), i16x8.narrow_i32x4_s(v, v));
    v128.store32_lane(out + <usize>j, b, 0);
  }
  for (; j < count; j++) {
    const sj = sSplat ? load<f32>(s) : load<f32>(s + (<usize>j << 2));
    const v = symmetric4(f32x4.splat(load<f32>(w + (<usize>j << 2))), f32x4.splat(sj));
    store<i8>(out + <usize>j, <i8>i32x4.extract_lane(v, 0));
  }
}

/** Largest |x| over `count` floats at x (0 for none). */
@inline
function maxAbsRun(x: usize, count: i32): f32 {
  let m4 = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= count; j += 4) m4 = f32x4.max(m4, f32x4.abs(v128.load(x + (<usize>j << 2))));
  let m = maxLane(m4);
  for (; j < count; j++) m = max<f32>(m, abs<f32>(load<f32>(x + (<usize>j << 2))));
  return m;
}

/**
 * Symmetric int8 quantization of weights w f32 [k×n] (finite, checked by the caller): out int8 [k×n]
 * gets clamp(nearest(w / scale), -127, 127) and scales f32[n] the scales: per column j (perChannel
 * != 0) maxabs_j / 127, or the same maxabs / 127 over all of w in every slot; 1 where that is 0.
 */
export function quantizeSymmetric(w: usize, k: i32, n: i32, perChannel: i32, out: usize, scales: usize): void {
  if (perChannel != 0) {
    // Column maxima, row by row, kept in `scales` until they become scales.
    memory.fill(scales, 0, <usize>n << 2);
    for (let p = 0; p < k; p++) {
      const row = w + (<usize>(p * n) << 2);
      let j = 0;
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        v128.store(scales + o, f32x4.max(v128.load(scales + o), f32x4.abs(v128.load(row + o))));
      }
      for (; j < n; j++) {
        const o = <usize>j << 2;
        store<f32>(scales + o, max<f32>(load<f32>(scales + o), abs<f32>(load<f32>(row + o))));
      }
    }
    for (let j = 0; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(scales + o, symmetricScale(load<f32>(scales + o)));
    }
    for (let p = 0; p < k; p++) symmetricRun(w + (<usize>(p * n) << 2), n, scales, false, out + <usize>(p * n));
  } else {
    const s = symmetricScale(maxAbsRun(w, k * n));
    for (let j = 0; j < n; j++) store<f32>(scales + (<usize>j << 2), s);
    symmetricRun(w, k * n, scales, true, out);
  }
}

/**
 * Symmetric int8 quantization per ROW (embedding tables): w f32 [rows×d] (finite), out int8 [rows×d],
 * scales f32[rows] = maxabs of the row / 127 (1 if 0); q = clamp(nearest(w / scale), -127, 127).
 */
export function quantizeRowsSymmetric(w: usize, rows: i32, d: i32, out: usize, scales: usize): void {
  for (let i = 0; i < rows; i++) {
    const row = w + (<usize>(i * d) << 2);
    const sp = scales + (<usize>i << 2);
    store<f32>(sp, symmetricScale(maxAbsRun(row, d)));
    symmetricRun(row, d, sp, true, out + <usize>(i * d));
  }
}
