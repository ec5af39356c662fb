// Taking parts of a tensor: slice, stridedSlice, split and unstack. Each part is a strided view of
// x's elements (src/ops/strided.ts), whose gradient writes dy back into zeros of x's shape.
import { formatShape, ShapeError, ValueError } from '../errors.js';
import { checkIntList } from './int-args.js';
import { contiguousStrides, stridedView } from './strided.js';
import type { Tensor } from './tensor.js';
import { checkInt, checkTensor, describe, normalizeAxis } from './validate.js';

/** Completes a slice argument given as a number or a short array: `fill` for the missing dims. */
function sliceArg(op: string, arg: string, v: unknown, rank: number, fill: number, min: number): number[] {
  if (typeof v === 'number') {
    if (rank === 0) throw new ValueError(`${op}: ${arg} is a number, but x is a scalar (use [])`);
    return [checkInt(op, arg, v, min), ...new Array<number>(rank - 1).fill(fill)];
  }
  const list = checkIntList(op, arg, v, { min, maxLength: rank });
  return [...list, ...new Array<number>(rank - list.length).fill(fill)];
}

/**
 * The part of x that starts at `begin` and has `size` elements along each dim, as `tf.slice`.
 * `begin` and `size` may be numbers (for the first dim) or arrays shorter than x's rank (the other
 * dims start at 0 and run to the end); a size of -1 runs to the end of its dim.
 */
export function slice(x: Tensor, begin: number | number[], size?: number | number[]): Tensor {
  const op = 'slice';
  checkTensor(op, 'x', x);
  const b = sliceArg(op, 'begin', begin, x.rank, 0, 0);
  const s = size === undefined || size === null ? x.shape.map(() => -1) : sliceArg(op, 'size', size, x.rank, -1, -1);
  const sizes = s.map((n, d) => (n === -1 ? x.shape[d] - b[d] : n));
  if (sizes.some((n, d) => n < 0 || b[d] + n > x.shape[d])) {
    throw new ShapeError(
      `${op}: begin [${b.join(', ')}] with size [${s.join(', ')}] reaches outside x of shape ${formatShape(x.shape)}`,
    );
  }
  const strides = contiguousStrides(x.shape);
  const offset = sizes.includes(0) ? 0 : b.reduce((o, v, d) => o + v * strides[d], 0);
  return stridedView(x, sizes, offset, strides);
}

/** Whether bit `d` of a mask is set (masks cover dims 0..30). */
function bit(mask: number, d: number): boolean {
  return d < 31 && (mask & (1 << d)) !== 0;
}

/**
 * x[begin:end:strides] per dim, as `tf.stridedSlice` (TensorFlow's rules): negative begin and end
 * count from the end, bounds are clamped to the dim, strides may be negative (walking backwards),
 * bit d of `beginMask` / `endMask` ignores begin[d] / end[d] and takes the whole range in the
 * stride's direction, and bit d of `shrinkAxisMask` takes the single element begin[d] and drops
 * dim d. begin, end and strides may be shorter than x's rank (the other dims are taken whole).
 * `ellipsisMask` and `newAxisMask` are not supported: a non-zero one throws a ValueError.
 */
export function stridedSlice(
  x: Tensor,
  begin: number[],
  end: number[],
  strides?: number[],
  beginMask = 0,
  endMask = 0,
  ellipsisMask = 0,
  newAxisMask = 0,
  shrinkAxisMask = 0,
): Tensor {
  const op = 'stridedSlice';
  checkTensor(op, 'x', x);
  const b = checkIntList(op, 'begin', begin, { maxLength: x.rank });
  const e = checkIntList(op, 'end', end, { length: b.length });
  const st =
    strides === undefined || strides === null
      ? b.map(() => 1)
      : checkIntList(op, 'strides', strides, { length: b.length });
  const masks = { beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask };
  for (const [name, m] of Object.entries(masks)) checkInt(op, name, m, 0, 2 ** 31 - 1);
  if (ellipsisMask !== 0 || newAxisMask !== 0) {
    throw new ValueError(
      `${op}: ellipsisMask and newAxisMask are not supported (got ${ellipsisMask} and ${newAxisMask}); ` +
        'give begin/end for the leading dims instead, and expandDims for new axes',
    );
  }
  const xStrides = contiguousStrides(x.shape);
  const shape: number[] = [];
  const viewStrides: number[] = [];
  let offset = 0;
  x.shape.forEach((dim, d) => {
    if (d >= b.length) {
      shape.push(dim);
      viewStrides.push(xStrides[d]);
      return;
    }
    if (bit(shrinkAxisMask, d)) {
      const i = b[d] < 0 ? b[d] + dim : b[d];
      if (i < 0 || i >= dim) {
        throw new ShapeError(
          `${op}: begin[${d}] = ${b[d]} is outside dim ${d} of size ${dim}, which shrinkAxisMask takes`,
        );
      }
      offset += i * xStrides[d];
      return;
    }
    const s = st[d];
    if (s === 0) throw new ValueError(`${op}: strides[${d}] is 0 (a stride must not be 0)`);
    const [lo, hi] = s > 0 ? [0, dim] : [-1, dim - 1];
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, lo), hi);
    const first = bit(beginMask, d) ? (s > 0 ? 0 : dim - 1) : clamp(b[d]);
    const stop = bit(endMask, d) ? (s > 0 ? dim : -1) : clamp(e[d]);
    const n = Math.max(0, Math.ceil((stop - first) / s));
    shape.push(n);
    viewStrides.push(s * xStrides[d]);
    if (n > 0) offset += first * xStrides[d];
  });
  return stridedView(x, shape, shape.includes(0) ? 0 : offset, viewStrides);
}

/**
 * Splits x along `axis` into `numOrSizeSplits` equal parts (a number that divides the dim), or into
 * parts of the listed sizes (one of them may be -1: the rest of the dim), as `tf.split`.
 */
export function split(x: Tensor, numOrSizeSplits: number | number[], axis = 0): Tensor[] {
  const op = 'split';
  checkTensor(op, 'x', x);
  if (x.rank === 0) throw new ShapeError(`${op}: x is a scalar; expected a tensor of rank 1 or more`);
  const a = normalizeAxis(op, axis, x.rank);
  const dim = x.shape[a];
  let sizes: number[];
  if (typeof numOrSizeSplits === 'number') {
    const n = checkInt(op, 'numOrSizeSplits', numOrSizeSplits, 1);
    if (dim % n !== 0) {
      throw new ShapeError(`${op}: dim ${a} of x (size ${dim}) does not split into ${n} equal parts`);
    }
    sizes = new Array<number>(n).fill(dim / n);
  } else if (Array.isArray(numOrSizeSplits)) {
    sizes = checkIntList(op, 'numOrSizeSplits', numOrSizeSplits, { min: -1, maxLength: Number.POSITIVE_INFINITY });
    const inferAt = sizes.indexOf(-1);
    if (inferAt !== sizes.lastIndexOf(-1)) throw new ValueError(`${op}: numOrSizeSplits has more than one -1`);
    const known = sizes.reduce((t, v) => (v === -1 ? t : t + v), 0);
    if (inferAt >= 0 ? known > dim : known !== dim) {
      const total = inferAt >= 0 ? `${known} plus -1` : known;
      throw new ShapeError(
        `${op}: the sizes in numOrSizeSplits add up to ${total}, not to dim ${a} of x (size ${dim})`,
      );
    }
    if (inferAt >= 0) sizes[inferAt] = dim - known;
  } else {
    throw new ValueError(
      `${op}: expected numOrSizeSplits to be a positive integer or an array of sizes, got ${describe(numOrSizeSplits)}`,
    );
  }
  const strides = contiguousStrides(x.shape);
  return views(sizes, (size, start) => {
    const shape = [...x.shape];
    shape[a] = size;
    return stridedView(x, shape, start * strides[a], strides);
  });
}

/** Runs `make` for each part (its size and start along the axis); disposes the parts made so far if one fails. */
function views(sizes: number[], make: (size: number, start: number) => Tensor): Tensor[] {
  const out: Tensor[] = [];
  try {
    let start = 0;
    for (const size of sizes) {
      out.push(make(size, start));
      start += size;
    }
  } catch (err) {
    for (const t of out) t.dispose();
    throw err;
  }
  return out;
}

/** The x.shape[axis] tensors along `axis` (each without that dim), as `tf.unstack`. */
export function unstack(x: Tensor, axis = 0): Tensor[] {
  const op = 'unstack';
  checkTensor(op, 'x', x);
  if (x.rank === 0) throw new ShapeError(`${op}: x is a scalar; expected a tensor of rank 1 or more`);
  const a = normalizeAxis(op, axis, x.rank);
  const strides = contiguousStrides(x.shape);
  const shape = x.shape.filter((_, d) => d !== a);
  const partStrides = strides.filter((_, d) => d !== a);
  return views(new Array<number>(x.shape[a]).fill(1), (_size, start) =>
    stridedView(x, shape, start * strides[a], partStrides),
  );
}
