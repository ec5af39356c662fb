// GEMM: C[m×n] = act((accumulate ? C : 0) + op(A)·op(B) + bias), float32, row-major.
//
// Blocking (BLIS-style): columns in blocks of NC, depth in blocks of KC, rows in blocks of MC.
// Each (KC × NC) block of op(B) is packed into 8-column panels (KC × 8 contiguous, zero-padded
// past n) and each (MC × KC) block of op(A) into 4-row panels (KC × 4 contiguous, zero-padded
// past m), so transposition lives only in the packing and the micro-kernel reads both operands
// at unit stride. The micro-kernel keeps a 4×8 tile of C in eight f32x4 accumulators: per k step
// it loads two vectors of B, broadcasts four values of A and does eight multiply-adds. Bias and
// activation are applied in the store after the last depth block, while the tile is in L1; the
// activation is mathf4.ts's activation4, the very code of the standalone activation kernels, so a
// fused and an unfused activation give the same bits. For m <= 3 without transposition or
// accumulation, `gemm` runs gemmSmall (further down), which packs nothing. For inference weights,
// gemmPackB packs a whole B once and gemmPacked multiplies by it (end of this file): m <= 3 in
// groups of panels read at unit stride, larger m by the blocked GEMM without packing B.

import { ACT_ELU, ACT_GELU, ACT_LEAKY_RELU, ACT_RELU, ACT_SIGMOID, ACT_SOFTPLUS, ACT_TANH } from './codes';
import { activation4 } from './mathf4';
import { madd } from './simd';

const MR: i32 = 4; // rows of the micro-tile
const NR: i32 = 8; // columns of the micro-tile
const KC: i32 = 256; // depth of a packed block
const MC: i32 = 128; // rows of a packed A block (multiple of MR)
const NC: i32 = 1024; // columns of a packed B block (multiple of NR)
const TILE_BYTES: i32 = MR * NR * 4;

@inline
function roundUp(x: i32, to: i32): i32 {
  return ((x + to - 1) / to) * to;
}

@inline
function imin(a: i32, b: i32): i32 {
  return a < b ? a : b;
}

/** Bytes of scratch `gemm` needs for these sizes (at most about 1.2 MB whatever the sizes). */
export function gemmScratchBytes(m: i32, k: i32, n: i32): i32 {
  const kc = imin(k, KC);
  const mc = imin(roundUp(m, MR), MC);
  const nc = imin(roundUp(n, NR), NC);
  return TILE_BYTES + (nc + mc * kc + kc * nc) * 4;
}

/**
 * Transposes the 4×4 block of floats at `src` (rows `ld` bytes apart) into four vectors at `dst`,
 * `dstStride` bytes apart: vector q holds column q of the block.
 */
@inline
function transpose4x4(src: usize, ld: usize, dst: usize, dstStride: usize): void {
  const r0 = v128.load(src);
  const r1 = v128.load(src + ld);
  const r2 = v128.load(src + 2 * ld);
  const r3 = v128.load(src + 3 * ld);
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(dst + dstStride, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * dstStride, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * dstStride, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}

/**
 * Packs rows [i0, i0+mb) × depth [p0, p0+kb) of op(A) into 4-row panels: panel r holds
 * op(A)[i0+4r+q, p0+p] at float index (r·kb + p)·4 + q. Rows past mb are zeros. `lda` is the
 * distance in floats between A's stored rows (k, or m with transA, for a dense A).
 */
function packA(a: usize, ap: usize, i0: i32, p0: i32, mb: i32, kb: i32, lda: i32, transA: bool): void {
  for (let i = 0; i < mb; i += MR) {
    const rows = imin(MR, mb - i);
    const dst = ap + (<usize>(i * kb) << 2);
    if (transA) {
      // A is stored [k × m]: the 4 values of one depth step are contiguous.
      let src = a + (<usize>(p0 * lda + i0 + i) << 2);
      const stride = <usize>lda << 2;
      if (rows == MR) {
        for (let p = 0; p < kb; p++) {
          v128.store(dst + (<usize>p << 4), v128.load(src));
          src += stride;
        }
      } else {
        for (let p = 0; p < kb; p++) {
          const d = dst + (<usize>p << 4);
          v128.store(d, f32x4.splat(0));
          for (let q = 0; q < rows; q++) store<f32>(d + (<usize>q << 2), load<f32>(src + (<usize>q << 2)));
          src += stride;
        }
      }
    } else {
      // A is stored [m × k]: read 4 rows, 4 depth steps at a time, and transpose 4×4.
      const src = a + (<usize>((i0 + i) * lda + p0) << 2);
      const ld = <usize>lda << 2;
      if (rows == MR) {
        let p = 0;
        for (; p + 4 <= kb; p += 4) {
          transpose4x4(src + (<usize>p << 2), ld, dst + (<usize>p << 4), 16);
        }
        for (; p < kb; p++) {
          const s = src + (<usize>p << 2);
          v128.store(dst + (<usize>p << 4), f32x4(load<f32>(s), load<f32>(s + ld), load<f32>(s + 2 * ld), load<f32>(s + 3 * ld)));
        }
      } else {
        for (let p = 0; p < kb; p++) {
          const d = dst + (<usize>p << 4);
          v128.store(d, f32x4.splat(0));
          for (let q = 0; q < rows; q++) store<f32>(d + (<usize>q << 2), load<f32>(src + <usize>q * ld + (<usize>p << 2)));
        }
      }
    }
  }
}

/**
 * Packs depth [p0, p0+kb) × columns [j0, j0+nb) of op(B) into 8-column panels: panel r holds
 * op(B)[p0+p, j0+8r+q] at float index (r·kb + p)·8 + q. Columns past nb are zeros.
 */
function packB(b: usize, bp: usize, p0: i32, j0: i32, kb: i32, nb: i32, k: i32, n: i32, transB: bool): void {
  for (let j = 0; j < nb; j += NR) {
    const cols = imin(NR, nb - j);
    const dst = bp + (<usize>(j * kb) << 2);
    if (!transB) {
      // B is stored [k × n]: one depth step of a panel is 8 contiguous floats.
      let src = b + (<usize>(p0 * n + j0 + j) << 2);
      const stride = <usize>n << 2;
      if (cols == NR) {
        for (let p = 0; p < kb; p++) {
          const d = dst + (<usize>p << 5);
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
          src += stride;
        }
      } else {
        for (let p = 0; p < kb; p++) {
          const d = dst + (<usize>p << 5);
          v128.store(d, f32x4.splat(0));
          v128.store(d, f32x4.splat(0), 16);
          for (let q = 0; q < cols; q++) store<f32>(d + (<usize>q << 2), load<f32>(src + (<usize>q << 2)));
          src += stride;
        }
      }
    } else {
      // B is stored [n × k]: column q of the panel is a contiguous run of row j0+j+q.
      const src = b + (<usize>((j0 + j) * k + p0) << 2);
      const ld = <usize>k << 2;
      if (cols == NR) {
        let p = 0;
        for (; p + 4 <= kb; p += 4) {
          const d = dst + (<usize>p << 5);
          for (let h = 0; h < 2; h++) {
            transpose4x4(src + (<usize>p << 2) + <usize>(h * 4) * ld, ld, d + (<usize>h << 4), 32);
          }
        }
        for (; p < kb; p++) {
          const d = dst + (<usize>p << 5);
          for (let q = 0; q < NR; q++) store<f32>(d + (<usize>q << 2), load<f32>(src + <usize>q * ld + (<usize>p << 2)));
        }
      } else {
        for (let p = 0; p < kb; p++) {
          const d = dst + (<usize>p << 5);
          v128.store(d, f32x4.splat(0));
          v128.store(d, f32x4.splat(0), 16);
          for (let q = 0; q < cols; q++) store<f32>(d + (<usize>q << 2), load<f32>(src + <usize>q * ld + (<usize>p << 2)));
        }
      }
    }
  }
}

/** Applies the constant activation `act` in place to `rows` rows of 8 at `p` (row stride `ld` bytes). */
@inline
function activateTileAs(p: usize, ld: usize, rows: i32, act: i32, alpha: f32): void {
  const a = f32x4.splat(alpha);
  for (let r = 0; r < rows; r++) {
    v128.store(p, activation4(act, v128.load(p), a));
    v128.store(p, activation4(act, v128.load(p, 16), a), 16);
    p += ld;
  }
}

/** Applies `act` in place to `rows` rows of 8; one loop per activation so each is compiled on its own. */
function activateTile(p: usize, ld: usize, rows: i32, act: i32, alpha: f32): void {
  switch (act) {
    case ACT_RELU:
      activateTileAs(p, ld, rows, ACT_RELU, alpha);
      break;
    case ACT_LEAKY_RELU:
      activateTileAs(p, ld, rows, ACT_LEAKY_RELU, alpha);
      break;
    case ACT_ELU:
      activateTileAs(p, ld, rows, ACT_ELU, alpha);
      break;
    case ACT_SIGMOID:
      activateTileAs(p, ld, rows, ACT_SIGMOID, alpha);
      break;
    case ACT_TANH:
      activateTileAs(p, ld, rows, ACT_TANH, alpha);
      break;
    case ACT_SOFTPLUS:
      activateTileAs(p, ld, rows, ACT_SOFTPLUS, alpha);
      break;
    case ACT_GELU:
      activateTileAs(p, ld, rows, ACT_GELU, alpha);
      break;
  }
}

/** Copies the top-left rows × cols of a tile between C (stride ldc bytes) and the 4×8 buffer. */
function copyTile(c: usize, ldc: usize, tile: usize, rows: i32, cols: i32, toTile: bool): void {
  for (let r = 0; r < rows; r++) {
    const cr = c + <usize>r * ldc;
    const tr = tile + (<usize>r << 5);
    for (let q = 0; q < cols; q++) {
      const o = <usize>q << 2;
      if (toTile) store<f32>(tr + o, load<f32>(cr + o));
      else store<f32>(cr + o, load<f32>(tr + o));
    }
  }
}

/**
 * The 4×8 micro-kernel over one depth block: tile = ap-panel · bp-panel, then
 * C = (load ? C : 0) + tile (+ bias) and, if act != 0, C = act(C). Partial tiles (rows < 4 or
 * cols < 8) go through the 4×8 buffer `tmp` so that nothing outside C is read or written.
 */
function microKernel(
  ap: usize,
  bp: usize,
  kb: i32,
  c: usize,
  ldc: usize,
  rows: i32,
  cols: i32,
  load: bool,
  bias: usize,
  act: i32,
  alpha: f32,
  tmp: usize,
): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  // One depth step per iteration: V8 hoists every load of an iteration above its multiply-adds, so
  // unrolling would need more than the 15 usable xmm registers and spill accumulators.
  for (let p = 0; p < kb; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    ap += 16;
    bp += 32;
  }

  const partial = rows < MR || cols < NR;
  let d = c;
  let ld = ldc;
  if (partial) {
    d = tmp;
    ld = NR * 4;
    if (load) copyTile(c, ldc, tmp, rows, cols, true);
  }
  if (load) {
    c00 = f32x4.add(c00, v128.load(d));
    c01 = f32x4.add(c01, v128.load(d, 16));
    c10 = f32x4.add(c10, v128.load(d + ld));
    c11 = f32x4.add(c11, v128.load(d + ld, 16));
    c20 = f32x4.add(c20, v128.load(d + 2 * ld));
    c21 = f32x4.add(c21, v128.load(d + 2 * ld, 16));
    c30 = f32x4.add(c30, v128.load(d + 3 * ld));
    c31 = f32x4.add(c31, v128.load(d + 3 * ld, 16));
  }
  if (bias) {
    const b0 = v128.load(bias);
    const b1 = v128.load(bias, 16);
    c00 = f32x4.add(c00, b0);
    c01 = f32x4.add(c01, b1);
    c10 = f32x4.add(c10, b0);
    c11 = f32x4.add(c11, b1);
    c20 = f32x4.add(c20, b0);
    c21 = f32x4.add(c21, b1);
    c30 = f32x4.add(c30, b0);
    c31 = f32x4.add(c31, b1);
  }
  v128.store(d, c00);
  v128.store(d, c01, 16);
  v128.store(d + ld, c10);
  v128.store(d + ld, c11, 16);
  v128.store(d + 2 * ld, c20);
  v128.store(d + 2 * ld, c21, 16);
  v128.store(d + 3 * ld, c30);
  v128.store(d + 3 * ld, c31, 16);
  if (act != 0) activateTile(d, ld, MR, act, alpha);
  if (partial) copyTile(c, ldc, tmp, rows, cols, false);
}

/**
 * C[m×n] = act((accumulate ? C : 0) + op(A)·op(B) + bias). op(A) is A [m×k] or, with transA, A
 * stored [k×m]; op(B) is B [k×n] or, with transB, B stored [n×k]. All pointers are byte offsets of
 * row-major float32 data; `bias` is n floats or 0 for none; `alpha` parameterises leakyRelu/elu.
 * `scratch` must hold gemmScratchBytes(m, k, n) bytes, 16-byte aligned. C must not overlap A, B
 * or bias. m, k, n >= 1.
 */
export function gemm(
  a: usize,
  b: usize,
  c: usize,
  m: i32,
  k: i32,
  n: i32,
  transA: i32,
  transB: i32,
  bias: usize,
  act: i32,
  alpha: f32,
  accumulate: i32,
  scratch: usize,
): void {
  if (m <= SMALL_M && transA == 0 && transB == 0 && accumulate == 0) {
    gemmSmall(a, b, c, m, k, n, bias, act, alpha, scratch);
    return;
  }
  gemmLda(a, b, c, m, k, n, transA != 0 ? m : k, transA, transB, bias, act, alpha, accumulate, scratch);
}

/**
 * `gemm` with A's stored rows `lda` floats apart instead of k (m with transA): A may then be a view
 * of a larger matrix, or of overlapping rows (the patch matrix of a 1-D convolution with dilation 1
 * is the input itself read with lda = stride·channels). Same preconditions as `gemm`.
 */
export function gemmLda(
  a: usize,
  b: usize,
  c: usize,
  m: i32,
  k: i32,
  n: i32,
  lda: i32,
  transA: i32,
  transB: i32,
  bias: usize,
  act: i32,
  alpha: f32,
  accumulate: i32,
  scratch: usize,
): void {
  gemmBlocked(a, b, 0, c, m, k, n, lda, transA, transB, bias, act, alpha, accumulate, scratch);
}

/**
 * The blocked GEMM behind gemmLda. With `packedB` != 0, op(B) is not read: its panels are taken
 * from `packedB`, B as gemmPackB laid it out, and nothing is packed (the B block of scratch is unused).
 */
function gemmBlocked(
  a: usize,
  b: usize,
  packedB: usize,
  c: usize,
  m: i32,
  k: i32,
  n: i32,
  lda: i32,
  transA: i32,
  transB: i32,
  bias: usize,
  act: i32,
  alpha: f32,
  accumulate: i32,
  scratch: usize,
): void {
  const kcMax = imin(k, KC);
  const mcMax = imin(roundUp(m, MR), MC);
  const ncMax = imin(roundUp(n, NR), NC);
  const tmp = scratch;
  const biasPacked = scratch + TILE_BYTES;
  const ap = biasPacked + (<usize>ncMax << 2);
  const bp = ap + (<usize>(mcMax * kcMax) << 2);
  const ldc = <usize>n << 2;

  for (let jc = 0; jc < n; jc += NC) {
    const nb = imin(NC, n - jc);
    if (bias) {
      // Zero-padded copy, so the micro-kernel can always read 8 bias values.
      const nb8 = roundUp(nb, NR);
      for (let j = 0; j < nb8; j++) {
        store<f32>(biasPacked + (<usize>j << 2), j < nb ? load<f32>(bias + (<usize>(jc + j) << 2)) : 0);
      }
    }
    for (let pc = 0; pc < k; pc += KC) {
      const kb = imin(KC, k - pc);
      const loadC = accumulate != 0 || pc > 0;
      const last = pc + kb == k;
      let bBlock = bp;
      if (packedB) bBlock = packedB + packedBlockOffset(jc, pc, k, nb);
      else packB(b, bp, pc, jc, kb, nb, k, n, transB != 0);
      for (let ic = 0; ic < m; ic += MC) {
        const mb = imin(MC, m - ic);
        packA(a, ap, ic, pc, mb, kb, lda, transA != 0);
        for (let jr = 0; jr < nb; jr += NR) {
          const cols = imin(NR, nb - jr);
          const bPanel = bBlock + (<usize>(jr * kb) << 2);
          const biasP = last && bias ? biasPacked + (<usize>jr << 2) : 0;
          for (let ir = 0; ir < mb; ir += MR) {
            const rows = imin(MR, mb - ir);
            const cTile = c + <usize>(ic + ir) * ldc + (<usize>(jc + jr) << 2);
            microKernel(ap + (<usize>(ir * kb) << 2), bPanel, kb, cTile, ldc, rows, cols, loadC, biasP, last ? act : 0, alpha, tmp);
          }
        }
      }
    }
  }
}

// Small m (batch 1–3 inference): packing B costs as much as the product itself, and a 4-row tile
// wastes most of its multiply-adds, so gemmSmall reads A and B in place. It walks C in 8-column
// blocks; per block it streams that slice of B's rows once and keeps up to 3 rows × 8 columns in
// registers. To give the very bits of the GEMM (so a row's output does not depend on the batch it
// came in), it sums the depth in the same KC blocks, each from zero, adds every block to the running
// total, then the bias, then the activation, exactly as microKernel does.

const SMALL_M: i32 = 3; // largest m that gemm sends to gemmSmall

/**
 * Loads 8 floats of B's row at `src` into the slot pair `dst` (32 bytes, 16-byte aligned): a plain
 * copy for a whole block, lane by lane with zeros past `cols` for the last partial one.
 */
@inline
function loadPartialRow(src: usize, dst: usize, cols: i32): void {
  v128.store(dst, f32x4.splat(0));
  v128.store(dst, f32x4.splat(0), 16);
  for (let q = 0; q < cols; q++) store<f32>(dst + (<usize>q << 2), load<f32>(src + (<usize>q << 2)));
}

/**
 * One 8-column block of C (rows `rows`, a compile-time constant 1..3) over depth [p0, p0+kb):
 * tile = A[:, p0:p0+kb] · B[p0:p0+kb, block], then d = (load ? d : 0) + tile (+ bias), stored at
 * `d` (row stride `ld` bytes, 8 floats per row). With `cols` < 8, B is read through `tmpB`
 * (32 bytes) so nothing past B's row is read; the caller then gives `d` as a tile buffer.
 */
@inline
function smallBlock(
  rows: i32,
  a: usize,
  lda: usize,
  b: usize,
  ldb: usize,
  kb: i32,
  cols: i32,
  d: usize,
  ld: usize,
  load: bool,
  bias: usize,
  tmpB: usize,
): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  if (cols == NR) {
    for (let p = 0; p < kb; p++) {
      const b0 = v128.load(b);
      const b1 = v128.load(b, 16);
      let x = v128.load32_splat(a);
      c00 = madd(x, b0, c00);
      c01 = madd(x, b1, c01);
      if (rows > 1) {
        x = v128.load32_splat(a + lda);
        c10 = madd(x, b0, c10);
        c11 = madd(x, b1, c11);
      }
      if (rows > 2) {
        x = v128.load32_splat(a + 2 * lda);
        c20 = madd(x, b0, c20);
        c21 = madd(x, b1, c21);
      }
      a += 4;
      b += ldb;
    }
  } else {
    for (let p = 0; p < kb; p++) {
      loadPartialRow(b, tmpB, cols);
      const b0 = v128.load(tmpB);
      const b1 = v128.load(tmpB, 16);
      let x = v128.load32_splat(a);
      c00 = madd(x, b0, c00);
      c01 = madd(x, b1, c01);
      if (rows > 1) {
        x = v128.load32_splat(a + lda);
        c10 = madd(x, b0, c10);
        c11 = madd(x, b1, c11);
      }
      if (rows > 2) {
        x = v128.load32_splat(a + 2 * lda);
        c20 = madd(x, b0, c20);
        c21 = madd(x, b1, c21);
      }
      a += 4;
      b += ldb;
    }
  }
  if (load) {
    c00 = f32x4.add(c00, v128.load(d));
    c01 = f32x4.add(c01, v128.load(d, 16));
    if (rows > 1) {
      c10 = f32x4.add(c10, v128.load(d + ld));
      c11 = f32x4.add(c11, v128.load(d + ld, 16));
    }
    if (rows > 2) {
      c20 = f32x4.add(c20, v128.load(d + 2 * ld));
      c21 = f32x4.add(c21, v128.load(d + 2 * ld, 16));
    }
  }
  if (bias) {
    const b0 = v128.load(bias);
    const b1 = v128.load(bias, 16);
    c00 = f32x4.add(c00, b0);
    c01 = f32x4.add(c01, b1);
    c10 = f32x4.add(c10, b0);
    c11 = f32x4.add(c11, b1);
    c20 = f32x4.add(c20, b0);
    c21 = f32x4.add(c21, b1);
  }
  v128.store(d, c00);
  v128.store(d, c01, 16);
  if (rows > 1) {
    v128.store(d + ld, c10);
    v128.store(d + ld, c11, 16);
  }
  if (rows > 2) {
    v128.store(d + 2 * ld, c20);
    v128.store(d + 2 * ld, c21, 16);
  }
}

/**
 * One row of 16 columns of C over depth [p0, p0+kb), for m = 1: as smallBlock with rows = 1 and
 * two blocks of 8 at once (half the loads of A per multiply-add). Same per-lane order, same bits.
 */
@inline
function smallRow16(a: usize, b: usize, ldb: usize, kb: i32, d: usize, load: bool, bias: usize): void {
  let c0 = f32x4.splat(0);
  let c1 = f32x4.splat(0);
  let c2 = f32x4.splat(0);
  let c3 = f32x4.splat(0);
  for (let p = 0; p < kb; p++) {
    const x = v128.load32_splat(a);
    c0 = madd(x, v128.load(b), c0);
    c1 = madd(x, v128.load(b, 16), c1);
    c2 = madd(x, v128.load(b, 32), c2);
    c3 = madd(x, v128.load(b, 48), c3);
    a += 4;
    b += ldb;
  }
  if (load) {
    c0 = f32x4.add(c0, v128.load(d));
    c1 = f32x4.add(c1, v128.load(d, 16));
    c2 = f32x4.add(c2, v128.load(d, 32));
    c3 = f32x4.add(c3, v128.load(d, 48));
  }
  if (bias) {
    c0 = f32x4.add(c0, v128.load(bias));
    c1 = f32x4.add(c1, v128.load(bias, 16));
    c2 = f32x4.add(c2, v128.load(bias, 32));
    c3 = f32x4.add(c3, v128.load(bias, 48));
  }
  v128.store(d, c0);
  v128.store(d, c1, 16);
  v128.store(d, c2, 32);
  v128.store(d, c3, 48);
}

/** gemmSmall for a compile-time row count `rows` (1..3); see gemmSmall. */
@inline
function gemmSmallRows(
  rows: i32,
  a: usize,
  b: usize,
  c: usize,
  k: i32,
  n: i32,
  bias: usize,
  act: i32,
  alpha: f32,
  scratch: usize,
): void {
  const tile = scratch; // rows × 8 floats of C for the last partial block
  const biasPacked = scratch + TILE_BYTES; // 8 zero-padded bias values
  const tmpB = biasPacked + 32; // 8 zero-padded values of one B row
  const lda = <usize>k << 2;
  const ldc = <usize>n << 2;
  let j = 0;
  if (rows == 1) {
    // One row: blocks of 16 columns while they fit, then the 8-column blocks below.
    for (; j + 2 * NR <= n; j += 2 * NR) {
      const d = c + (<usize>j << 2);
      for (let pc = 0; pc < k; pc += KC) {
        const kb = imin(KC, k - pc);
        const biasP = pc + kb == k && bias ? bias + (<usize>j << 2) : 0;
        smallRow16(a + (<usize>pc << 2), b + <usize>pc * ldc + (<usize>j << 2), ldc, kb, d, pc > 0, biasP);
      }
      if (act != 0) activateTile(d, 0, 1, act, alpha);
      if (act != 0) activateTile(d + 32, 0, 1, act, alpha);
    }
  }
  for (; j < n; j += NR) {
    const cols = imin(NR, n - j);
    const partial = cols < NR;
    const d = partial ? tile : c + (<usize>j << 2);
    const ld = partial ? <usize>(NR * 4) : ldc;
    let biasP: usize = 0;
    if (bias) {
      biasP = bias + (<usize>j << 2);
      if (partial) {
        loadPartialRow(biasP, biasPacked, cols);
        biasP = biasPacked;
      }
    }
    for (let pc = 0; pc < k; pc += KC) {
      const kb = imin(KC, k - pc);
      const last = pc + kb == k;
      const aBlock = a + (<usize>pc << 2);
      const bBlock = b + <usize>pc * ldc + (<usize>j << 2);
      smallBlock(rows, aBlock, lda, bBlock, ldc, kb, cols, d, ld, pc > 0, last ? biasP : 0, tmpB);
    }
    if (act != 0) activateTile(d, ld, rows, act, alpha);
    if (partial) copyTile(c + (<usize>j << 2), ldc, tile, rows, cols, false);
  }
}

/**
 * C[m×n] = act(A·B + bias) for m = 1..3, A [m×k] and B [k×n] dense row-major, without packing;
 * bit for bit the result of gemmLda on the same operands. `scratch` must hold
 * gemmScratchBytes(m, k, n) bytes, 16-byte aligned (it uses the tile and 16 more floats).
 */
function gemmSmall(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, bias: usize, act: i32, alpha: f32, scratch: usize): void {
  if (m == 1) gemmSmallRows(1, a, b, c, k, n, bias, act, alpha, scratch);
  else if (m == 2) gemmSmallRows(2, a, b, c, k, n, bias, act, alpha, scratch);
  else gemmSmallRows(3, a, b, c, k, n, bias, act, alpha, scratch);
}

// Pre-packed B (inference weights): B [k×n] laid out once as the blocked GEMM packs it, every
// (NC-column, KC-deep) block one after the other, column blocks outermost, so the GEMM skips packing
// and the small-m kernel streams whole panels at unit stride. Block (jc, pc) starts at float
// jc·k + pc·roundUp(nb, 8) (nb: the columns of block jc; earlier column blocks are NC wide) of the
// panels, which follow a 16-byte header whose first i32 says whether they hold B (1) or not (0): the
// caller clears it when B changes, and gemmPacked then reads B in place until gemmPackB runs again.

const PACKED_HEADER: usize = 16;

/** Byte offset of the packed block (jc, pc) in a gemmPackB layout; `nb` is the columns of block jc. */
@inline
function packedBlockOffset(jc: i32, pc: i32, k: i32, nb: i32): usize {
  return <usize>(jc * k + pc * roundUp(nb, NR)) << 2;
}

/** Bytes of scratch gemmPacked needs: gemmScratchBytes's, and at least the small-m kernel's 512. */
export function gemmPackedScratchBytes(m: i32, k: i32, n: i32): i32 {
  const bytes = gemmScratchBytes(m, k, n);
  return bytes > 512 ? bytes : 512;
}

/**
 * Bytes of B [k×n] packed by gemmPackB: a 16-byte header and k · roundUp(n, 8) floats (columns
 * zero-padded to panels of 8).
 */
export function gemmPackedBBytes(k: i32, n: i32): i32 {
  return <i32>PACKED_HEADER + k * roundUp(n, NR) * 4;
}

/**
 * Packs B [k×n] (row-major, at `b`) into `packed` (gemmPackedBBytes(k, n) bytes, 16-byte aligned):
 * the panels of every block as the blocked GEMM makes them, for gemmPacked; marks them valid.
 */
export function gemmPackB(b: usize, packed: usize, k: i32, n: i32): void {
  const panels = packed + PACKED_HEADER;
  for (let jc = 0; jc < n; jc += NC) {
    const nb = imin(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      packB(b, panels + packedBlockOffset(jc, pc, k, nb), pc, jc, imin(KC, k - pc), nb, k, n, false);
    }
  }
  store<i32>(packed, 1);
}

/**
 * C[m×n] = act(A·B + bias), bit for bit `gemm` on A and B (no transposition, no accumulation): from
 * the panels at `packed` (gemmPackB's layout) if its header says they are valid, else from B [k×n]
 * at `b` read in place, as `gemm` does. A [m×k] row-major; `bias` n floats or 0; `scratch`
 * gemmPackedScratchBytes(m, k, n) bytes, 16-byte aligned. m, k, n >= 1; C must not overlap A, B,
 * the packed B or bias.
 */
export function gemmPacked(
  a: usize,
  b: usize,
  packed: usize,
  c: usize,
  m: i32,
  k: i32,
  n: i32,
  bias: usize,
  act: i32,
  alpha: f32,
  scratch: usize,
): void {
  if (load<i32>(packed) == 0) {
    gemm(a, b, c, m, k, n, 0, 0, bias, act, alpha, 0, scratch);
    return;
  }
  const panels = packed + PACKED_HEADER;
  if (m == 1) gemmSmallPackedRows(1, 3, a, panels, c, k, n, bias, act, alpha, scratch);
  else if (m == 2) gemmSmallPackedRows(2, 2, a, panels, c, k, n, bias, act, alpha, scratch);
  else if (m == 3) gemmSmallPackedRows(3, 1, a, panels, c, k, n, bias, act, alpha, scratch);
  else gemmBlocked(a, 0, panels, c, m, k, n, k, 0, 0, bias, act, alpha, 0, scratch);
}

/**
 * One group of `panels` (compile-time 1..4) packed 8-column panels of C's `rows` (compile-time
 * 1..3) rows over one depth block of `kb`: tile = A[:, block] · panels, then
 * d = (load ? d : 0) + tile (+ bias), d holding rows of panels·8 floats `ld` bytes apart. Each panel
 * is a stream of kb·8 contiguous floats (`bp`, the next one kb·32 bytes on); per lane the depth is
 * summed in order from zero with one multiply-add per step, as microKernel does.
 */
@inline
function packedGroup(
  rows: i32,
  panels: i32,
  a: usize,
  lda: usize,
  bp: usize,
  kb: i32,
  d: usize,
  ld: usize,
  load: bool,
  bias: usize,
): void {
  const ps = <usize>kb << 5; // bytes between panels
  let r00 = f32x4.splat(0);
  let r01 = f32x4.splat(0);
  let r02 = f32x4.splat(0);
  let r03 = f32x4.splat(0);
  let r04 = f32x4.splat(0);
  let r05 = f32x4.splat(0);
  let r06 = f32x4.splat(0);
  let r07 = f32x4.splat(0);
  let r10 = f32x4.splat(0);
  let r11 = f32x4.splat(0);
  let r12 = f32x4.splat(0);
  let r13 = f32x4.splat(0);
  let r20 = f32x4.splat(0);
  let r21 = f32x4.splat(0);
  let r22 = f32x4.splat(0);
  let r23 = f32x4.splat(0);
  for (let p = 0; p < kb; p++) {
    const x0 = v128.load32_splat(a);
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    r00 = madd(x0, b0, r00);
    r01 = madd(x0, b1, r01);
    if (rows > 1) {
      const x1 = v128.load32_splat(a + lda);
      r10 = madd(x1, b0, r10);
      r11 = madd(x1, b1, r11);
    }
    if (rows > 2) {
      const x2 = v128.load32_splat(a + 2 * lda);
      r20 = madd(x2, b0, r20);
      r21 = madd(x2, b1, r21);
    }
    if (panels > 1) {
      const b2 = v128.load(bp + ps);
      const b3 = v128.load(bp + ps, 16);
      r02 = madd(x0, b2, r02);
      r03 = madd(x0, b3, r03);
      if (rows > 1) {
        const x1 = v128.load32_splat(a + lda);
        r12 = madd(x1, b2, r12);
        r13 = madd(x1, b3, r13);
      }
      if (rows > 2) {
        const x2 = v128.load32_splat(a + 2 * lda);
        r22 = madd(x2, b2, r22);
        r23 = madd(x2, b3, r23);
      }
    }
    if (panels > 2) {
      const b4 = v128.load(bp + 2 * ps);
      const b5 = v128.load(bp + 2 * ps, 16);
      r04 = madd(x0, b4, r04);
      r05 = madd(x0, b5, r05);
    }
    if (panels > 3) {
      const b6 = v128.load(bp + 3 * ps);
      const b7 = v128.load(bp + 3 * ps, 16);
      r06 = madd(x0, b6, r06);
      r07 = madd(x0, b7, r07);
    }
    a += 4;
    bp += 32;
  }
  if (load) {
    r00 = f32x4.add(r00, v128.load(d));
    r01 = f32x4.add(r01, v128.load(d, 16));
    if (panels > 1) {
      r02 = f32x4.add(r02, v128.load(d, 32));
      r03 = f32x4.add(r03, v128.load(d, 48));
    }
    if (panels > 2) {
      r04 = f32x4.add(r04, v128.load(d, 64));
      r05 = f32x4.add(r05, v128.load(d, 80));
    }
    if (panels > 3) {
      r06 = f32x4.add(r06, v128.load(d, 96));
      r07 = f32x4.add(r07, v128.load(d, 112));
    }
    if (rows > 1) {
      r10 = f32x4.add(r10, v128.load(d + ld));
      r11 = f32x4.add(r11, v128.load(d + ld, 16));
      if (panels > 1) {
        r12 = f32x4.add(r12, v128.load(d + ld, 32));
        r13 = f32x4.add(r13, v128.load(d + ld, 48));
      }
    }
    if (rows > 2) {
      r20 = f32x4.add(r20, v128.load(d + 2 * ld));
      r21 = f32x4.add(r21, v128.load(d + 2 * ld, 16));
      if (panels > 1) {
        r22 = f32x4.add(r22, v128.load(d + 2 * ld, 32));
        r23 = f32x4.add(r23, v128.load(d + 2 * ld, 48));
      }
    }
  }
  if (bias) {
    const q0 = v128.load(bias);
    const q1 = v128.load(bias, 16);
    r00 = f32x4.add(r00, q0);
    r01 = f32x4.add(r01, q1);
    r10 = f32x4.add(r10, q0);
    r11 = f32x4.add(r11, q1);
    r20 = f32x4.add(r20, q0);
    r21 = f32x4.add(r21, q1);
    if (panels > 1) {
      const q2 = v128.load(bias, 32);
      const q3 = v128.load(bias, 48);
      r02 = f32x4.add(r02, q2);
      r03 = f32x4.add(r03, q3);
      r12 = f32x4.add(r12, q2);
      r13 = f32x4.add(r13, q3);
      r22 = f32x4.add(r22, q2);
      r23 = f32x4.add(r23, q3);
    }
    if (panels > 2) {
      r04 = f32x4.add(r04, v128.load(bias, 64));
      r05 = f32x4.add(r05, v128.load(bias, 80));
    }
    if (panels > 3) {
      r06 = f32x4.add(r06, v128.load(bias, 96));
      r07 = f32x4.add(r07, v128.load(bias, 112));
    }
  }
  v128.store(d, r00);
  v128.store(d, r01, 16);
  if (panels > 1) {
    v128.store(d, r02, 32);
    v128.store(d, r03, 48);
  }
  if (panels > 2) {
    v128.store(d, r04, 64);
    v128.store(d, r05, 80);
  }
  if (panels > 3) {
    v128.store(d, r06, 96);
    v128.store(d, r07, 112);
  }
  if (rows > 1) {
    v128.store(d + ld, r10);
    v128.store(d + ld, r11, 16);
    if (panels > 1) {
      v128.store(d + ld, r12, 32);
      v128.store(d + ld, r13, 48);
    }
  }
  if (rows > 2) {
    v128.store(d + 2 * ld, r20);
    v128.store(d + 2 * ld, r21, 16);
    if (panels > 1) {
      v128.store(d + 2 * ld, r22, 32);
      v128.store(d + 2 * ld, r23, 48);
    }
  }
}

/** Copies `rows` rows of `cols` floats from a buffer (rows `ldt` bytes apart) into C (stride ldc bytes). */
function copyRowsOut(t: usize, ldt: usize, c: usize, ldc: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) memory.copy(c + <usize>r * ldc, t + <usize>r * ldt, <usize>cols << 2);
}

/**
 * gemmPacked for m = `rows` (compile-time 1..3), in groups of `panels` (compile-time) 8-column panels:
 * per group, the depth blocks in order, then the activation, as the blocked GEMM's tiles. A group
 * that runs past n is computed in scratch (bias zero-padded there) and its first columns copied out.
 */
@inline
function gemmSmallPackedRows(
  rows: i32,
  panels: i32,
  a: usize,
  packed: usize,
  c: usize,
  k: i32,
  n: i32,
  bias: usize,
  act: i32,
  alpha: f32,
  scratch: usize,
): void {
  const width = panels * NR; // columns of a group
  const tile = scratch; // rows × width floats for a group past n
  const biasPadded = scratch + <usize>(rows * width * 4); // width zero-padded bias values
  const lda = <usize>k << 2;
  const ldc = <usize>n << 2;
  const ldt = <usize>(width * 4);
  for (let jc = 0; jc < n; jc += NC) {
    const nb = imin(NC, n - jc);
    const nb8 = roundUp(nb, NR);
    // groups of `width` columns while the block has that many panels (the last of them may be
    // partial: the group then goes through the tile), then the remaining panels one by one
    for (let jr = 0; jr < nb8; jr += width) {
      const cols = imin(width, nb - jr);
      const j = jc + jr;
      if (jr + width > nb8) {
        // fewer panels than a group left: one panel at a time
        for (let q = jr; q < nb8; q += NR) smallPackedPanel(rows, a, lda, packed, c, k, nb, jc, q, ldc, bias, act, alpha, scratch);
        break;
      }
      const partial = cols < width;
      const d = partial ? tile : c + (<usize>j << 2);
      const ld = partial ? ldt : ldc;
      let biasP: usize = 0;
      if (bias) {
        biasP = bias + (<usize>j << 2);
        if (partial) {
          memory.fill(biasPadded, 0, <usize>width << 2);
          memory.copy(biasPadded, biasP, <usize>cols << 2);
          biasP = biasPadded;
        }
      }
      for (let pc = 0; pc < k; pc += KC) {
        const kb = imin(KC, k - pc);
        const bp = packed + packedBlockOffset(jc, pc, k, nb) + (<usize>(jr * kb) << 2);
        packedGroup(rows, panels, a + (<usize>pc << 2), lda, bp, kb, d, ld, pc > 0, pc + kb == k ? biasP : 0);
      }
      if (act != 0) {
        for (let r = 0; r < rows; r++) activateTile(d + <usize>r * ld, 32, panels, act, alpha);
      }
      if (partial) copyRowsOut(tile, ldt, c + (<usize>j << 2), ldc, rows, cols);
    }
  }
}

/** One 8-column panel (columns jc+jr..) of gemmSmallPackedRows's rows, for the panels a group leaves. */
function smallPackedPanel(
  rows: i32,
  a: usize,
  lda: usize,
  packed: usize,
  c: usize,
  k: i32,
  nb: i32,
  jc: i32,
  jr: i32,
  ldc: usize,
  bias: usize,
  act: i32,
  alpha: f32,
  scratch: usize,
): void {
  const cols = imin(NR, nb - jr);
  const j = jc + jr;
  const partial = cols < NR;
  const tile = scratch;
  const biasPadded = scratch + <usize>TILE_BYTES;
  const d = partial ? tile : c + (<usize>j << 2);
  const ld = partial ? <usize>(NR * 4) : ldc;
  let biasP: usize = 0;
  if (bias) {
    biasP = bias + (<usize>j << 2);
    if (partial) {
      memory.fill(biasPadded, 0, NR * 4);
      memory.copy(biasPadded, biasP, <usize>cols << 2);
      biasP = biasPadded;
    }
  }
  for (let pc = 0; pc < k; pc += KC) {
    const kb = imin(KC, k - pc);
    const bp = packed + packedBlockOffset(jc, pc, k, nb) + (<usize>(jr * kb) << 2);
    if (rows == 1) packedGroup(1, 1, a + (<usize>pc << 2), lda, bp, kb, d, ld, pc > 0, pc + kb == k ? biasP : 0);
    else if (rows == 2) packedGroup(2, 1, a + (<usize>pc << 2), lda, bp, kb, d, ld, pc > 0, pc + kb == k ? biasP : 0);
    else packedGroup(3, 1, a + (<usize>pc << 2), lda, bp, kb, d, ld, pc > 0, pc + kb == k ? biasP : 0);
  }
  if (act != 0) activateTile(d, ld, rows, act, alpha);
  if (partial) copyRowsOut(tile, ld, c + (<usize>j << 2), ldc, rows, cols);
}
