// Float64 oracles for the comparison, logical, pow, where, cast, cumsum, topk, norm, moments, range
// and linspace ops: plain loops over flat row-major arrays, written for clarity, not speed.
import type { BoolOpName } from '../backend/codes.js';
import { broadcastIndex, broadcastShapeRef, sizeOf, unravel } from './elementwise.js';

/** The 0/1 results of each boolBinary op (logical ops take nonzero as true). */
export const boolFns: Record<BoolOpName, (a: number, b: number) => number> = {
  equal: (a, b) => Number(a === b),
  notEqual: (a, b) => Number(a !== b),
  greater: (a, b) => Number(a > b),
  greaterEqual: (a, b) => Number(a >= b),
  less: (a, b) => Number(a < b),
  lessEqual: (a, b) => Number(a <= b),
  logicalAnd: (a, b) => Number(a !== 0 && b !== 0),
  logicalOr: (a, b) => Number(a !== 0 || b !== 0),
  logicalXor: (a, b) => Number((a !== 0) !== (b !== 0)),
};

/** JavaScript's Math.pow, the rule TensorFlow.js's pow follows. */
export function powFn(base: number, exp: number): number {
  return base ** exp;
}

/** f(a, b) elementwise with numpy broadcasting; returns the output shape and values. */
export function broadcastRef(
  f: (a: number, b: number) => number,
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
): { shape: number[]; values: Float64Array } {
  const shape = broadcastShapeRef(aShape, bShape);
  const values = new Float64Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) {
    const idx = unravel(i, shape);
    values[i] = f(a[broadcastIndex(idx, aShape)], b[broadcastIndex(idx, bShape)]);
  }
  return { shape, values };
}

/** cond ? a : b elementwise with broadcasting of all three. */
export function whereRef(
  cond: ArrayLike<number>,
  condShape: readonly number[],
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
): { shape: number[]; values: Float64Array } {
  const shape = broadcastShapeRef(broadcastShapeRef(condShape, aShape), bShape);
  const values = new Float64Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) {
    const idx = unravel(i, shape);
    const c = cond[broadcastIndex(idx, condShape)] !== 0;
    values[i] = c ? a[broadcastIndex(idx, aShape)] : b[broadcastIndex(idx, bShape)];
  }
  return { shape, values };
}

/** float32 → int32 as an Int32Array stores a truncated number (NaN and ±Infinity give 0). */
export function castToInt32Ref(x: ArrayLike<number>): Int32Array {
  return Int32Array.from(x, (v) => (Number.isFinite(v) ? Math.trunc(v) : 0));
}

/** Cumulative sums of x [outer, n, inner] along the middle axis, in float64. */
export function cumsumRef(
  x: ArrayLike<number>,
  outer: number,
  n: number,
  inner: number,
  exclusive: boolean,
  reverse: boolean,
): Float64Array {
  const y = new Float64Array(outer * n * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = 0;
      for (let t = 0; t < n; t++) {
        const j = reverse ? n - 1 - t : t;
        const at = (o * n + j) * inner + i;
        if (exclusive) {
          y[at] = acc;
          acc += x[at];
        } else {
          acc += x[at];
          y[at] = acc;
        }
      }
    }
  }
  return y;
}

/**
 * The k largest of each row of x [rows, n], descending, ties by lower index, NaN first; values
 * and indices [rows, k].
 */
export function topkRef(x: ArrayLike<number>, rows: number, n: number, k: number) {
  const values = new Float64Array(rows * k);
  const indices = new Int32Array(rows * k);
  const rank = (v: number) => (Number.isNaN(v) ? Infinity : v);
  for (let r = 0; r < rows; r++) {
    const order = Array.from({ length: n }, (_, j) => j);
    order.sort((p, q) => {
      const vp = x[r * n + p];
      const vq = x[r * n + q];
      if (Number.isNaN(vp) !== Number.isNaN(vq)) return Number.isNaN(vp) ? -1 : 1;
      return rank(vq) - rank(vp) || p - q;
    });
    for (let j = 0; j < k; j++) {
      values[r * k + j] = x[r * n + order[j]];
      indices[r * k + j] = order[j];
    }
  }
  return { values, indices };
}

/** Reduces x of `shape` over `axes` with f(values of the slice), keeping the other dims in order. */
export function reduceAxesRef(
  x: ArrayLike<number>,
  shape: readonly number[],
  axes: readonly number[],
  f: (values: number[]) => number,
): { shape: number[]; values: Float64Array } {
  const outShape = shape.filter((_, d) => !axes.includes(d));
  const groups = new Map<number, number[]>();
  for (let i = 0; i < sizeOf(shape); i++) {
    const idx = unravel(i, shape);
    let flat = 0;
    shape.forEach((dim, d) => {
      if (!axes.includes(d)) flat = flat * dim + idx[d];
    });
    const g = groups.get(flat) ?? [];
    g.push(x[i]);
    groups.set(flat, g);
  }
  const values = new Float64Array(sizeOf(outShape));
  for (let o = 0; o < values.length; o++) values[o] = f(groups.get(o) ?? []);
  return { shape: outShape, values };
}

/** A vector norm of a list of numbers. */
export function vectorNormRef(v: number[], ord: number | 'euclidean' | 'fro'): number {
  const a = v.map(Math.abs);
  if (ord === 1) return a.reduce((s, t) => s + t, 0);
  if (ord === Infinity) return Math.max(...a);
  if (ord === -Infinity) return Math.min(...a);
  return Math.sqrt(a.reduce((s, t) => s + t * t, 0));
}

/** A matrix norm of m [rows][cols]: 'fro', 1 (largest column sum), ±Infinity (largest/smallest row sum). */
export function matrixNormRef(m: number[][], ord: number | 'euclidean' | 'fro'): number {
  if (ord === 'fro' || ord === 'euclidean') return vectorNormRef(m.flat(), 'euclidean');
  if (ord === 1) {
    const cols = m[0].map((_, j) => m.reduce((s, row) => s + Math.abs(row[j]), 0));
    return Math.max(...cols);
  }
  const rowSums = m.map((row) => row.reduce((s, t) => s + Math.abs(t), 0));
  return ord === Infinity ? Math.max(...rowSums) : Math.min(...rowSums);
}

/** Mean and population variance of a list of numbers, in float64. */
export function momentsRef(v: number[]): { mean: number; variance: number } {
  const mean = v.reduce((s, t) => s + t, 0) / v.length;
  return { mean, variance: v.reduce((s, t) => s + (t - mean) ** 2, 0) / v.length };
}

/** TensorFlow.js's range values (each the previous plus step, in float64). */
export function rangeRef(start: number, stop: number, step = 1): number[] {
  if (start === stop || (start < stop && step < 0) || (stop < start && step > 1)) return [];
  const n = Math.abs(Math.ceil((stop - start) / step));
  const delta = stop < start && step === 1 ? -1 : step;
  return Array.from({ length: n }, (_, i) => start + i * delta);
}

/** `num` evenly spaced numbers from start to stop inclusive, in float64. */
export function linspaceRef(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  return Array.from({ length: num }, (_, i) => start + ((stop - start) * i) / (num - 1));
}
