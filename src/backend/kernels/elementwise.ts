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
 * `collapseDims` for the two inputs of a binary op: [M,N] + [M,N] becomes one dim of M·N, [M,N] + [N]
 * stays two dims, all-size-1 shapes become rank 0.
 */
export function collapseBroadcastDims(
  shape: readonly number[],
  aStrides: readonly number[],
  bStrides: readonly number[],
): { shape: number[]; aStrides: number[]; bStrides: number[] } {
  const c = collapseDims(shape, [aStrides, bStrides]);
  return { shape: c.shape, aStrides: c.strides[0], bStrides: c.strides[1] };
}

/** Writes int32 arrays one after another into the scratch block and returns their byte offsets. */
function putDims(...arrays: number[][]): number[] {
  const rank = arrays[0].length;
  const base = scratch(Math.max(1, arrays.length * rank) * 4);
  const i32 = backend().views.i32;
  return arrays.map((values, k) => {
    const ptr = base + k * rank * 4;
    i32.set(values, ptr >>> 2);
    return ptr;
  });
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
  const c = collapseBroadcastDims(outShape, aStrides, bStrides);
  const [shapePtr, aPtr, bPtr] = putDims(c.shape, c.aStrides, c.bStrides);
  kernels().binary(op, a, b, out, c.shape.length, shapePtr, aPtr, bPtr);
}

/**
 * y[i...] = x[Σ i_d·xStrides[d]] over `shape`, y contiguous and not overlapping x: transpose (permuted
 * strides), broadcastTo (0 strides) and slicing (x pointing at the first element). Strides are in
 * elements and may be negative. Uses the scratch block, like `binary`.
 */
export function stridedCopy(x: number, y: number, shape: readonly number[], xStrides: readonly number[]): void {
  if (shape.includes(0)) return;
  const c = collapseDims(shape, [xStrides]);
  const [shapePtr, stridesPtr] = putDims(c.shape, c.strides[0]);
  kernels().stridedCopy(x, y, c.shape.length, shapePtr, stridesPtr);
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

/** y = alpha·x over n floats. y may alias x. */
export const scale = passThrough('scale');
