// Typed calls of the int8 kernels (assembly/qgemm.ts). Internal: pointers are byte offsets into Wasm
// memory and the ops layer has validated every argument. Weights are symmetric int8 in [-127, 127];
// activations are unsigned 7-bit [0, 127] with a zero point per row; the integer sums are exact and
// both modules (plain and relaxed SIMD) give the same bits for every kernel here.
import { Act } from '../codes.js';
import { workspace } from '../scratch.js';
import { kernels, passThrough } from './exports.js';

/**
 * Bytes of the packed weight block of an int8 W [k×n] (column sums and panels, the module's own
 * layout, which may differ between the two modules). Preconditions: k, n >= 1 integers.
 */
export const qgemmPackedBytes = passThrough('qgemmPackedBytes');

/**
 * Packs int8 W [k×n] (row-major, one byte per value, in [-127, 127]) at `w` into `packed`
 * (16-byte aligned, qgemmPackedBytes(k, n) bytes). Arguments: (w, k, n, packed).
 */
export const qgemmPack = passThrough('qgemmPack');

/**
 * Bytes of one quantized activation row for depth k: k padded to 16 values (written as 0), one byte
 * per value in the relaxed module and two (int16) in the plain one. The rows are opaque to callers:
 * only quantizeRows writes them and only qgemm reads them, in the module that is loaded.
 */
export const qgemmRowBytes = passThrough('qgemmRowBytes');

/**
 * Quantizes x f32 [m×k] to unsigned 7-bit rows. Arguments: (x, m, k, q, rowScale, rowZero, scale,
 * zeroPoint): q gets m rows of qgemmRowBytes(k) bytes, rowScale f32[m], rowZero i32[m]. scale <= 0:
 * dynamic, per row: lo = min(0, min x), hi = max(0, max x), s = (hi − lo) / 127 (s = 1, zp = 0 when
 * that is 0), zp = clamp(nearest(−lo / s), 0, 127). scale > 0: static, s = scale (finite) and
 * zp = zeroPoint (an integer in 0..127, which keeps qgemm's int32 sums exact) for every row.
 * q = clamp(nearest(x / s) + zp, 0, 127), nearest = half to even, in f32.
 * A row holding NaN or ±Infinity gets q = 0, zp = 0 and scale NaN, so its output row is all NaN.
 * (A finite row whose range hi − lo overflows float32 gets scale Infinity: its outputs are NaN too.)
 */
export const quantizeRows = passThrough('quantizeRows');

/** Bytes of scratch `qgemm` needs for these sizes (a small constant). m, k, n >= 1 integers. */
export const qgemmScratchBytes = passThrough('qgemmScratchBytes');

/**
 * C f32 [m×n] = act(((f32(acc) · rowScale[i]) · colScale[j]) + bias[j]), each step rounded to f32
 * left to right (no fused multiply-add), with acc[i,j] = Σ_k W[k,j]·q[i,k] − rowZero[i]·colsum[j]
 * exact in int32. q, rowScale, rowZero come from quantizeRows; packed from qgemmPack; colScale f32[n]
 * (a per-tensor scale is colScale filled with one value); bias f32[n] or 0 for none; `activation` an
 * `Act` code with `alpha` for leakyRelu/elu: the same activation code as gemm and activationForward,
 * so fused equals unfused bit for bit. Preconditions (not checked): m, n >= 1, 1 <= k <= 100000
 * (127·127·k fits int32); C does not overlap the inputs. May grow the scratch block, so re-fetch
 * memory views afterwards.
 */
export function qgemm(
  q: number,
  rowScale: number,
  rowZero: number,
  packed: number,
  colScale: number,
  bias: number,
  c: number,
  m: number,
  k: number,
  n: number,
  activation: number = Act.linear,
  alpha = 0,
): void {
  const work = workspace(qgemmScratchBytes(m, k, n));
  kernels().qgemm(q, rowScale, rowZero, packed, colScale, bias, c, m, k, n, activation, alpha, work);
}

/**
 * Int8 embedding lookup: out[i, :] = f32(table[ids[i], :]) · scales[ids[i]]. Arguments: (table,
 * scales, ids, count, d, out): table int8 [rows×d], scales f32[rows], ids i32[count] already
 * validated in [0, rows), out f32 [count×d].
 */
export const gatherInt8Rows = passThrough('gatherInt8Rows');

/**
 * Symmetric int8 weights. Arguments: (w, k, n, perChannel, out, scales): w f32 [k×n] finite (the
 * caller rejects others), out int8 [k×n], scales f32[n]. scale_j = max_k |w[k,j]| / 127 when
 * perChannel is 1, else max |w| / 127 written to all n; 1 where that is 0.
 * q = clamp(nearest(w / scale), -127, 127).
 */
export const quantizeSymmetric = passThrough('quantizeSymmetric');

/**
 * Symmetric int8 rows (embedding tables). Arguments: (w, rows, d, out, scales): w f32 [rows×d]
 * finite, out int8 [rows×d], scales f32[rows] = max |row| / 127 (1 where 0), q as quantizeSymmetric.
 */
export const quantizeRowsSymmetric = passThrough('quantizeRowsSymmetric');
