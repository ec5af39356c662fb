import { Act } from '../codes.js';
import { workspace } from '../scratch.js';
import { kernels, passThrough } from './exports.js';

/**
 * Bytes of scratch `gemm` needs for these sizes (a 4×8 tile, nc packed bias values, an mc×kc block
 * of A and a kc×nc block of B; at most about 1.2 MB): the module's own formula, so the blocking
 * constants live only in assembly/gemm.ts. Preconditions: m, k, n >= 1 integers.
 */
export const gemmScratchBytes = passThrough('gemmScratchBytes');

/** Options of `gemm`. */
export interface GemmOptions {
  /** A is stored [k×m] and read transposed. */
  transA?: boolean;
  /** B is stored [n×k] and read transposed. */
  transB?: boolean;
  /** Byte pointer to n floats added to every row of the product; 0 or left out for none. */
  bias?: number;
  /** Activation code from `Act` (src/backend/codes.ts) applied last; linear by default. */
  activation?: number;
  /** Parameter of leakyRelu (negative slope) and elu (scale of the negative side); default 0, so pass it. */
  alpha?: number;
  /** C += result instead of C = result (the activation then applies to the sum). */
  accumulate?: boolean;
}

/**
 * C[m×n] = act((accumulate ? C : 0) + op(A)·op(B) + bias), float32 row-major, where op(A) is A
 * [m×k] or, with `transA`, A stored [k×m], and op(B) is B [k×n] or, with `transB`, B stored [n×k].
 * All pointers are byte offsets into linear memory. Preconditions (not checked): m, k, n >= 1
 * integers; the blocks hold the sizes above; C does not overlap A, B or bias (the kernel writes C
 * tile by tile while it still reads A and B). May grow the scratch block, so re-fetch memory views
 * afterwards. With m <= 3, no transposition and no accumulation (batch-1 inference) the module
 * reads A and B in place instead of packing them, with the same bits as the packed path.
 */
export function gemm(
  a: number,
  b: number,
  c: number,
  m: number,
  k: number,
  n: number,
  options: GemmOptions = {},
): void {
  const work = workspace(gemmScratchBytes(m, k, n));
  kernels().gemm(
    a,
    b,
    c,
    m,
    k,
    n,
    options.transA ? 1 : 0,
    options.transB ? 1 : 0,
    options.bias ?? 0,
    options.activation ?? Act.linear,
    options.alpha ?? 0,
    options.accumulate ? 1 : 0,
    work,
  );
}

/** Bytes of scratch `gemmPacked` needs for these sizes. Preconditions: m, k, n >= 1 integers. */
export const gemmPackedScratchBytes = passThrough('gemmPackedScratchBytes');

/**
 * Bytes of B [k×n] packed by `gemmPackB`: a 16-byte header, then k · n floats with n rounded up to 8.
 * Preconditions: k, n >= 1.
 */
export const gemmPackedBBytes = passThrough('gemmPackedBBytes');

/**
 * Packs B [k×n] (row-major float32 at byte offset `b`) into `packed` (gemmPackedBBytes(k, n) bytes,
 * 16-byte aligned) as the GEMM packs its panels, for `gemmPacked`, and sets the header's first int32
 * to 1 (valid). Writing 0 there makes gemmPacked read B in place again. Preconditions: k, n >= 1.
 */
export const gemmPackB = passThrough('gemmPackB');

/**
 * C[m×n] = act(A·B + bias), bit for bit `gemm` on A and B (no transposition, no accumulation): from
 * B packed at `packed` by `gemmPackB` when its header's first int32 is 1 (no packing, unit-stride
 * reads), else from B [k×n] at `b` as `gemm` reads it. A [m×k] row-major; `bias` a pointer to n
 * floats or 0; pointers are byte offsets; C must not overlap A, B, the packed B or bias. May grow
 * the scratch block, so re-fetch memory views afterwards. Preconditions: m, k, n >= 1 integers.
 */
export function gemmPacked(
  a: number,
  b: number,
  packed: number,
  c: number,
  m: number,
  k: number,
  n: number,
  bias: number,
  activation: number,
  alpha: number,
): void {
  const work = workspace(gemmPackedScratchBytes(m, k, n));
  kernels().gemmPacked(a, b, packed, c, m, k, n, bias, activation, alpha, work);
}
