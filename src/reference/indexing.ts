// Plain-JS slicing, joining and gathering in float64: the oracles of test/kernels/indexing.test.ts
// and test/ops/indexing-*.test.ts. Tensors are flat row-major arrays with their shapes; each
// function walks output elements one by one, written for plainness, not speed.
import { sizeOf } from './elementwise.js';

/** A flat row-major array with its shape. */
export interface RefTensor {
  values: Float64Array;
  shape: number[];
}

/** The coordinates of flat index i in a row-major shape. */
function coordsOf(i: number, shape: readonly number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return c;
}

/** The flat index of coordinates in a row-major shape. */
function flatOf(coords: readonly number[], shape: readonly number[]): number {
  let idx = 0;
  for (let d = 0; d < shape.length; d++) idx = idx * shape[d] + coords[d];
  return idx;
}

/** Picks, along every dim d, the input positions `picks[d]`: the product of the lists. */
function pickRef(x: ArrayLike<number>, shape: readonly number[], picks: number[][]): RefTensor {
  const outShape = picks.map((p) => p.length);
  const values = new Float64Array(sizeOf(outShape));
  for (let i = 0; i < values.length; i++) {
    const c = coordsOf(i, outShape);
    values[i] =
      x[
        flatOf(
          c.map((k, d) => picks[d][k]),
          shape,
        )
      ];
  }
  return { values, shape: outShape };
}

/**
 * The kernel contract of copyStrided: a copy of `y` where, for every index i of `shape`,
 * y[yOffset + Σ i_d·yStrides[d]] = x[xOffset + Σ i_d·xStrides[d]].
 */
export function copyStridedRef(
  x: ArrayLike<number>,
  xOffset: number,
  y: ArrayLike<number>,
  yOffset: number,
  shape: readonly number[],
  xStrides: readonly number[],
  yStrides: readonly number[],
): Float64Array {
  const out = Float64Array.from(y);
  const n = sizeOf(shape);
  for (let i = 0; i < n; i++) {
    const c = coordsOf(i, shape);
    let xi = xOffset;
    let yi = yOffset;
    for (let d = 0; d < shape.length; d++) {
      xi += c[d] * xStrides[d];
      yi += c[d] * yStrides[d];
    }
    out[yi] = x[xi];
  }
  return out;
}

/** x[begin_d : begin_d + size_d] along every dim (begin and size complete and in range). */
export function sliceRef(x: ArrayLike<number>, shape: readonly number[], begin: number[], size: number[]): RefTensor {
  return pickRef(
    x,
    shape,
    shape.map((_, d) => Array.from({ length: size[d] }, (_, k) => begin[d] + k)),
  );
}

/**
 * TensorFlow's strided slice, dim by dim: negative begin/end count from the end, masked ends take
 * the whole range in the stride's direction, bounds are clamped, shrunk dims take one index and
 * vanish. Arrays shorter than the rank leave the remaining dims whole.
 */
export function stridedSliceRef(
  x: ArrayLike<number>,
  shape: readonly number[],
  begin: number[],
  end: number[],
  strides: number[],
  beginMask = 0,
  endMask = 0,
  shrinkAxisMask = 0,
): RefTensor {
  const picks = shape.map((dim, d) => {
    if (d >= begin.length) return Array.from({ length: dim }, (_, k) => k);
    if (shrinkAxisMask & (1 << d)) return [begin[d] < 0 ? begin[d] + dim : begin[d]];
    const s = strides[d] ?? 1;
    const lo = s > 0 ? 0 : -1;
    const hi = s > 0 ? dim : dim - 1;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, lo), hi);
    const b = beginMask & (1 << d) ? (s > 0 ? 0 : dim - 1) : clamp(begin[d]);
    const e = endMask & (1 << d) ? (s > 0 ? dim : -1) : clamp(end[d]);
    const list: number[] = [];
    for (let i = b; s > 0 ? i < e : i > e; i += s) list.push(i);
    return list;
  });
  const picked = pickRef(x, shape, picks);
  picked.shape = picked.shape.filter((_, d) => !(d < begin.length && shrinkAxisMask & (1 << d)));
  return picked;
}

/** Tensors of equal shape but along `axis`, joined along it. */
export function concatRef(xs: readonly RefTensor[], axis: number): RefTensor {
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((s, t) => s + t.shape[axis], 0);
  const values = new Float64Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) {
    const c = coordsOf(i, shape);
    let k = 0;
    while (c[axis] >= xs[k].shape[axis]) c[axis] -= xs[k++].shape[axis];
    values[i] = xs[k].values[flatOf(c, xs[k].shape)];
  }
  return { values, shape };
}

/** Tensors of one shape, stacked along a new dim at `axis`. */
export function stackRef(xs: readonly RefTensor[], axis: number): RefTensor {
  const shape = [...xs[0].shape];
  shape.splice(axis, 0, xs.length);
  const values = new Float64Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) {
    const c = coordsOf(i, shape);
    const [k] = c.splice(axis, 1);
    values[i] = xs[k].values[flatOf(c, xs[k].shape)];
  }
  return { values, shape };
}

/** x repeated reps[d] times along every dim d. */
export function tileRef(x: ArrayLike<number>, shape: readonly number[], reps: number[]): RefTensor {
  const outShape = shape.map((d, i) => d * reps[i]);
  const values = new Float64Array(sizeOf(outShape));
  for (let i = 0; i < values.length; i++) {
    const c = coordsOf(i, outShape);
    values[i] =
      x[
        flatOf(
          c.map((v, d) => v % shape[d]),
          shape,
        )
      ];
  }
  return { values, shape: outShape };
}

/** x with paddings[d] = [before, after] elements of `value` around every dim d. */
export function padRef(x: ArrayLike<number>, shape: readonly number[], paddings: number[][], value: number): RefTensor {
  const outShape = shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
  const values = new Float64Array(sizeOf(outShape));
  for (let i = 0; i < values.length; i++) {
    const c = coordsOf(i, outShape).map((v, d) => v - paddings[d][0]);
    const inside = c.every((v, d) => v >= 0 && v < shape[d]);
    values[i] = inside ? x[flatOf(c, shape)] : value;
  }
  return { values, shape: outShape };
}

/**
 * x.shape[:axis] + indicesShape + x.shape[axis+1:]: slices of x along `axis` at the indices;
 * an index outside [0, x.shape[axis]) gives zeros (neurasm's rule).
 */
export function gatherRef(
  x: ArrayLike<number>,
  shape: readonly number[],
  indices: ArrayLike<number>,
  indicesShape: readonly number[],
  axis: number,
): RefTensor {
  const outShape = [...shape.slice(0, axis), ...indicesShape, ...shape.slice(axis + 1)];
  const values = new Float64Array(sizeOf(outShape));
  const ir = indicesShape.length;
  for (let i = 0; i < values.length; i++) {
    const c = coordsOf(i, outShape);
    const k = indices[flatOf(c.slice(axis, axis + ir), indicesShape)];
    if (k < 0 || k >= shape[axis]) continue;
    values[i] = x[flatOf([...c.slice(0, axis), k, ...c.slice(axis + ir)], shape)];
  }
  return { values, shape: outShape };
}

/**
 * The gradient of gatherRef for x: zeros of `shape` with each slice of dy added at its index
 * (repeated indices sum, out-of-range ones are dropped).
 */
export function scatterAddRef(
  dy: ArrayLike<number>,
  shape: readonly number[],
  indices: ArrayLike<number>,
  indicesShape: readonly number[],
  axis: number,
): Float64Array {
  const dyShape = [...shape.slice(0, axis), ...indicesShape, ...shape.slice(axis + 1)];
  const out = new Float64Array(sizeOf(shape));
  const ir = indicesShape.length;
  for (let i = 0; i < dy.length; i++) {
    const c = coordsOf(i, dyShape);
    const k = indices[flatOf(c.slice(axis, axis + ir), indicesShape)];
    if (k < 0 || k >= shape[axis]) continue;
    out[flatOf([...c.slice(0, axis), k, ...c.slice(axis + ir)], shape)] += dy[i];
  }
  return out;
}
