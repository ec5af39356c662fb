// Typed calls of the elementwise kernels (assembly/elementwise.ts). Internal: pointers are byte
// offsets of float32 blocks in Wasm memory, and the ops layer has validated every argument.
import { backend } from '../loader.js';
import { scratch } from '../scratch.js';
import { kernels, passThrough } from './exports.js';

/**
 * Element strides (0 on broadcast dims) for reading a contiguous row-major tensor of `inShape` as
 * if it had `outShape`, numpy rules: shapes are right-aligned, missing leading dims and size-1 dims
 * broadcast. Precondition: inShape broadcasts to outShape.
 */
export function broadcastStrides(inShape: readonly number[], outShape: readonly number[]): number[] {
  const strides = new Array<number>(outShape.length).fill(0);
  const lead = outShape.length - inShape.length;
  let step = 1;
  for (let d = inShape.length - 1; d >= 0; d--) {
    strides[lead + d] = inShape[d] === 1 ? 0 : step;
    step *= inShape[d];
  }
  return strides;
}

/**
 * Drops size-1 dims and merges each pair of adjacent dims that every strided operand walks as one
 * (outer stride = inner stride × inner size), so that contiguous data becomes one flat loop.
 * Returns the new shape and, in the same order, each operand's new strides. A shape without
 * elements is returned as it is.
 */
export function collapseDims(
  shape: readonly number[],
  strides: ReadonlyArray<readonly number[]>,
): { shape: number[]; strides: number[][] } {
  if (shape.includes(0)) return { shape: [...shape], strides: strides.map((s) => [...s]) };
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d];
    if (n === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k][last] === s[d] * n)) {
      outShape[last] *= n;
      strides.forEach((s, k) => {
        outStrides[k][last] = s[d];
      });
    } else {
      outShape.push(n);
      strides.forEach((s, k) => {
        outStrides[k].push(s[d]);
      });
    }
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Collapses the dims of `shape` walked with each operand's `strides` (`collapseDims`) and writes the
 * collapsed shape and stride lists into the scratch block, for a kernel that reads them from
 * memory: returns the rank and the byte offsets [shape, ...strides]. Memory views must be
 * re-fetched afterwards.
 */
export function putCollapsed(
  shape: readonly number[],
  strides: ReadonlyArray<readonly number[]>,
): { rank: number; ptrs: number[] } {
  const c = collapseDims(shape, strides);
  const rank = c.shape.length;
  const lists = [c.shape, ...c.strides];
  const base = scratch(Math.max(1, lists.length * rank) * 4);
  const i32 = backend().views.i32;
  const ptrs = lists.map((values, k) => {
    const ptr = base + k * rank * 4;
    i32.set(values, ptr >>> 2);
    return ptr;
  });
  return { rank, ptrs };
}

/**
 * y = op(x) over n floats, `op` a `Unary` code (src/backend/codes.ts): neg, exp, log, sqrt, square,
 * abs, sign (sign(±0) = 0, NaN stays NaN), reciprocal. y may alias x.
 */
export const unary = passThrough('unary');

/**
 * out = a op b with numpy broadcasting, `op` a `Binary` code; comparisons write 1 or 0, maximum and
 * minimum give NaN if either input is NaN. `out` is contiguous of `outShape`; a and b are read
 * through element strides (from `broadcastStrides`, or any strides of a view). Dims are collapsed
 * first, then shape and strides go to the kernel through the scratch block (so memory views must be
 * re-fetched afterwards). Preconditions: outShape has at most 8 dims; out may alias an input only
 * where that input is contiguous of outShape.
 */
export function binary(
  op: number,
  a: number,
  b: number,
  out: number,
  outShape: readonly number[],
  aStrides: readonly number[],
  bStrides: readonly number[],
): void {
  if (outShape.includes(0)) return;
  const { rank, ptrs } = putCollapsed(outShape, [aStrides, bStrides]);
  kernels().binary(op, a, b, out, rank, ptrs[0], ptrs[1], ptrs[2]);
}

/**
 * y[i...] = x[Σ i_d·xStrides[d]] over `shape`, y contiguous and not overlapping x: transpose (permuted
 * strides), broadcastTo (0 strides) and slicing (x pointing at the first element). Strides are in
 * elements and may be negative. Uses the scratch block, like `binary`.
 */
export function stridedCopy(x: number, y: number, shape: readonly number[], xStrides: readonly number[]): void {
  if (shape.includes(0)) return;
  const { rank, ptrs } = putCollapsed(shape, [xStrides]);
  kernels().stridedCopy(x, y, rank, ptrs[0], ptrs[1]);
}

/** Copies the n 32-bit values at x to y, bit for bit (float32 or int32); x and y do not overlap. */
export function copy(x: number, y: number, n: number): void {
  if (n > 0) stridedCopy(x, y, [n], [1]);
}

/** y = min(max(x, lo), hi) over n floats; NaN stays NaN. y may alias x. */
export const clip = passThrough('clip');

/** dx = dy where lo ≤ x ≤ hi, else 0, over n floats. dx may alias dy. */
export const clipBackward = passThrough('clipBackward');

/** y[i] = value for the n floats at y. */
export const fill = passThrough('fill');

/** y += alpha·x over n floats (fused multiply-add in the relaxed module). */
export const axpy = passThrough('axpy');

/**
 * y = alpha·x + beta·y over n floats, in one pass with the bits of `scale(y, y, n, beta)` then
 * `axpy(x, y, n, alpha)`.
 */
export const axpby = passThrough('axpby');

/** y = alpha·x over n floats. y may alias x. */
export const scale = passThrough('scale');
