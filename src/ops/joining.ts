// Building bigger tensors from smaller ones: concat, stack, tile and pad. Each input is copied into
// its window of the output by one strided-copy kernel call; the gradients are strided views of dy
// (tile's also sums over the repeats).
import { stridedCopy } from '../backend/kernels/elementwise.js';
import { copyStrided } from '../backend/kernels/indexing.js';
import { DTypeError, formatShape, ShapeError, ValueError } from '../errors.js';
import { zeros } from './create.js';
import { checkIntList, checkTensorList } from './int-args.js';
import { sum } from './reduction.js';
import { contiguousStrides, stridedEmbed, stridedView } from './strided.js';
import { record } from './tape.js';
import { Tensor } from './tensor.js';
import { checkFits, checkTensor, describe, describeList, normalizeAxis } from './validate.js';

/** Throws a DTypeError unless every tensor has the first one's dtype. */
function checkSameDType(op: string, tensors: readonly Tensor[]): void {
  const bad = tensors.findIndex((t) => t.dtype !== tensors[0].dtype);
  if (bad >= 0) {
    throw new DTypeError(
      `${op}: expected every tensor to be ${tensors[0].dtype} (as tensors[0]), got ${tensors[bad].dtype} at tensors[${bad}]`,
    );
  }
}

/**
 * Copies each tensor into `out` at element offset offsets[i], through out's element strides
 * `outStrides[i]` over the tensor's own shape.
 */
function writeParts(out: Tensor, parts: readonly Tensor[], offsets: number[], outStrides: number[][]): void {
  parts.forEach((t, i) => {
    copyStrided(t.ptr(), out.ptr() + offsets[i] * 4, t.shape, contiguousStrides(t.shape), outStrides[i]);
  });
}

/**
 * Joins tensors along `axis` (negative counts from the end), as `tf.concat`: they have one rank (at
 * least 1) and one dtype, and equal dims except along `axis`.
 */
export function concat(tensors: Tensor[], axis = 0): Tensor {
  const op = 'concat';
  const list = checkTensorList(op, 'tensors', tensors);
  checkSameDType(op, list);
  const first = list[0];
  if (first.rank === 0)
    throw new ShapeError(`${op}: tensors[0] is a scalar; concat joins tensors of rank 1 or more (stack joins scalars)`);
  const a = normalizeAxis(op, axis, first.rank);
  list.forEach((t, i) => {
    if (t.rank !== first.rank || t.shape.some((d, k) => k !== a && d !== first.shape[k])) {
      throw new ShapeError(
        `${op}: tensors[${i}] has shape ${formatShape(t.shape)}, which does not match tensors[0]'s ${formatShape(first.shape)} outside axis ${a}`,
      );
    }
  });
  const shape = [...first.shape];
  shape[a] = list.reduce((n, t) => n + t.shape[a], 0);
  checkFits(op, 'the result', shape);
  const outStrides = contiguousStrides(shape);
  const starts: number[] = [];
  list.reduce((start, t) => {
    starts.push(start);
    return start + t.shape[a];
  }, 0);
  const out = new Tensor(shape, first.dtype);
  writeParts(
    out,
    list,
    starts.map((s) => s * outStrides[a]),
    list.map(() => outStrides),
  );
  return record(list, out, (dy) =>
    list.map((t, i) =>
      t.dtype === 'float32' ? stridedView(dy, t.shape, starts[i] * outStrides[a], outStrides) : null,
    ),
  );
}

/**
 * Stacks tensors of one shape and dtype along a new dim at `axis` (in [-(rank+1), rank]), as
 * `tf.stack`.
 */
export function stack(tensors: Tensor[], axis = 0): Tensor {
  const op = 'stack';
  const list = checkTensorList(op, 'tensors', tensors);
  checkSameDType(op, list);
  const first = list[0];
  const bad = list.findIndex((t) => t.rank !== first.rank || t.shape.some((d, k) => d !== first.shape[k]));
  if (bad >= 0) {
    throw new ShapeError(
      `${op}: expected every tensor to have tensors[0]'s shape ${formatShape(first.shape)}, got ${formatShape(list[bad].shape)} at tensors[${bad}]`,
    );
  }
  const a = normalizeAxis(op, axis, first.rank + 1);
  const shape = [...first.shape];
  shape.splice(a, 0, list.length);
  checkFits(op, 'the result', shape);
  const outStrides = contiguousStrides(shape);
  const partStrides = outStrides.filter((_, d) => d !== a);
  const out = new Tensor(shape, first.dtype);
  writeParts(
    out,
    list,
    list.map((_, i) => i * outStrides[a]),
    list.map(() => partStrides),
  );
  return record(list, out, (dy) =>
    list.map((t, i) => (t.dtype === 'float32' ? stridedView(dy, t.shape, i * outStrides[a], partStrides) : null)),
  );
}

/** x repeated reps[d] times along each dim d (reps has one non-negative integer per dim), as `tf.tile`. */
export function tile(x: Tensor, reps: number[]): Tensor {
  const op = 'tile';
  checkTensor(op, 'x', x);
  const r = checkIntList(op, 'reps', reps, { min: 0, length: x.rank });
  const shape = x.shape.map((d, i) => d * r[i]);
  checkFits(op, 'the result', shape);
  // The output read as [r0, d0, r1, d1, ...]: the repeat dims walk x with stride 0.
  const inStrides = contiguousStrides(x.shape);
  const split = x.shape.flatMap((d, i) => [r[i], d]);
  const splitStrides = inStrides.flatMap((s) => [0, s]);
  const y = new Tensor(shape, x.dtype);
  stridedCopy(x.ptr(), y.ptr(), split, splitStrides);
  return record([x], y, (dy) => {
    if (x.dtype !== 'float32') return [null];
    if (x.rank === 0) return [dy];
    if (r.includes(0)) return [zeros([...x.shape])]; // nothing of x reached the output
    const repeats = stridedView(dy, split, 0, contiguousStrides(split));
    return [
      sum(
        repeats,
        split.map((_, k) => k).filter((k) => k % 2 === 0),
      ),
    ];
  });
}

/**
 * x with paddings[d] = [before, after] elements of `constantValue` around each dim d, as `tf.pad`
 * (x of rank 1 or more). An int32 x takes an integer constantValue (a bool x 0 or 1).
 */
export function pad(x: Tensor, paddings: Array<[number, number]>, constantValue = 0): Tensor {
  const op = 'pad';
  checkTensor(op, 'x', x);
  if (x.rank === 0) throw new ShapeError(`${op}: x is a scalar; pad takes a tensor of rank 1 or more`);
  if (!Array.isArray(paddings) || paddings.length !== x.rank) {
    throw new ValueError(
      `${op}: expected paddings to be an array of ${x.rank} [before, after] pairs (one per dim of x), got ${describeList(paddings)}`,
    );
  }
  const pairs = Array.from(paddings as unknown[], (p, d) =>
    checkIntList(op, `paddings[${d}]`, p, { min: 0, length: 2 }),
  );
  const fits =
    x.dtype === 'float32'
      ? true
      : x.dtype === 'int32'
        ? Number.isInteger(constantValue) && constantValue >= -(2 ** 31) && constantValue < 2 ** 31
        : constantValue === 0 || constantValue === 1;
  if (typeof constantValue !== 'number' || !fits) {
    const expected =
      x.dtype === 'float32'
        ? 'a number'
        : x.dtype === 'int32'
          ? 'an int32 integer (x is int32)'
          : `0 or 1 (x is ${x.dtype})`;
    throw new ValueError(`${op}: expected constantValue to be ${expected}, got ${describe(constantValue)}`);
  }
  const shape = x.shape.map((d, i) => pairs[i][0] + d + pairs[i][1]);
  checkFits(op, 'the result', shape);
  const outStrides = contiguousStrides(shape);
  const offset = x.size === 0 ? 0 : pairs.reduce((o, [before], d) => o + before * outStrides[d], 0);
  return stridedEmbed(x, shape, offset, outStrides, constantValue);
}
