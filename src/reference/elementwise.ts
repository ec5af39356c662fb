// Plain-JS elementwise kernels in float64: the oracle of test/kernels/elementwise.test.ts and the
// baseline of the benchmarks. Shapes are row-major; broadcasting follows numpy (right-aligned).
import type { BinaryName, UnaryName } from '../backend/codes.js';

/** The unary ops by name, in float64. sign(±0) = ±0 and sign(NaN) = NaN, as Math.sign. */
export const unaryFns: Record<UnaryName, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  square: (x) => x * x,
  abs: Math.abs,
  sign: Math.sign,
  reciprocal: (x) => 1 / x,
};

/** The binary ops by name, in float64; comparisons give 1 or 0, maximum/minimum NaN if either is NaN. */
export const binaryFns: Record<BinaryName, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  maximum: Math.max,
  minimum: Math.min,
  equal: (a, b) => (a === b ? 1 : 0),
  greater: (a, b) => (a > b ? 1 : 0),
  greaterEqual: (a, b) => (a >= b ? 1 : 0),
  less: (a, b) => (a < b ? 1 : 0),
  lessEqual: (a, b) => (a <= b ? 1 : 0),
};

/** y = op(x) elementwise. */
export function unaryRef(op: UnaryName, x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, unaryFns[op]);
}

/** The numpy broadcast of two shapes; throws if they do not broadcast. */
export function broadcastShapeRef(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** The multi-index of flat position `flat` in a row-major shape. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return idx;
}

/** Flat position in `shape` of the output multi-index `outIdx`, broadcasting size-1 and missing dims. */
export function broadcastIndex(outIdx: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  const lead = outIdx.length - shape.length;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + (shape[d] === 1 ? 0 : outIdx[lead + d]);
  return flat;
}

/** a op b with numpy broadcasting; returns the output shape and values. */
export function binaryRef(
  op: BinaryName,
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
): { shape: number[]; values: Float64Array } {
  const shape = broadcastShapeRef(aShape, bShape);
  const f = binaryFns[op];
  const values = new Float64Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) {
    const idx = unravel(i, shape);
    values[i] = f(a[broadcastIndex(idx, aShape)], b[broadcastIndex(idx, bShape)]);
  }
  return { shape, values };
}

/** y[i...] = x[offset + sum_d i_d * strides[d]] over `shape`, y contiguous. */
export function stridedCopyRef(
  x: ArrayLike<number>,
  offset: number,
  shape: readonly number[],
  strides: readonly number[],
): Float64Array {
  const y = new Float64Array(sizeOf(shape));
  for (let i = 0; i < y.length; i++) {
    const idx = unravel(i, shape);
    let at = offset;
    for (let d = 0; d < shape.length; d++) at += idx[d] * strides[d];
    y[i] = x[at];
  }
  return y;
}

/** Transpose of a row-major tensor: output dim d is input dim perm[d]. */
export function transposeRef(x: ArrayLike<number>, shape: readonly number[], perm: readonly number[]): Float64Array {
  const outShape = perm.map((p) => shape[p]);
  const y = new Float64Array(x.length);
  for (let i = 0; i < y.length; i++) {
    const idx = unravel(i, outShape);
    const inIdx = new Array<number>(shape.length);
    for (let d = 0; d < perm.length; d++) inIdx[perm[d]] = idx[d];
    y[i] = x[broadcastIndex(inIdx, shape)];
  }
  return y;
}

/** min(max(x, lo), hi) elementwise; NaN stays NaN. */
export function clipRef(x: ArrayLike<number>, lo: number, hi: number): Float64Array {
  return Float64Array.from(x, (v) => (Number.isNaN(v) ? v : Math.min(Math.max(v, lo), hi)));
}

/** dy where lo <= x <= hi, else 0. */
export function clipBackwardRef(x: ArrayLike<number>, dy: ArrayLike<number>, lo: number, hi: number): Float64Array {
  return Float64Array.from(x, (v, i) => (v >= lo && v <= hi ? dy[i] : 0));
}

/** y + alpha * x. */
export function axpyRef(x: ArrayLike<number>, y: ArrayLike<number>, alpha: number): Float64Array {
  return Float64Array.from(y, (v, i) => v + alpha * x[i]);
}

/** alpha * x. */
export function scaleRef(x: ArrayLike<number>, alpha: number): Float64Array {
  return Float64Array.from(x, (v) => alpha * v);
}
