// sum and mean over axes, and sumToShape, which folds a broadcast gradient back with them: below
// arithmetic and the shape ops, whose gradients use it. reduction.ts adds max, min, argMax, argMin.
import { Reduce, type ReduceName } from '../backend/codes.js';
import { broadcastStrides, copy, scale, stridedCopy } from '../backend/kernels/elementwise.js';
import { reduceAxis } from '../backend/kernels/reduce.js';
import { formatShape, ShapeError, ValueError } from '../errors.js';
import { reshape } from './reshape.js';
import { record } from './tape.js';
import { sizeOf, Tensor } from './tensor.js';
import { checkFloat, checkTensor, normalizeAxes, sameShape } from './validate.js';

/** Groups sorted axes into runs of adjacent axes, last run first (the order they are reduced in). */
function axisRuns(axes: number[]): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (const a of axes) {
    const last = runs[runs.length - 1];
    if (last && last[1] === a - 1) last[1] = a;
    else runs.push([a, a]);
  }
  return runs.reverse();
}

/** Runs a reduction kernel over the given axes, one run of adjacent axes at a time. */
function reduceRaw(x: Tensor, axes: number[], op: ReduceName): Tensor {
  let current = x;
  let shape = [...x.shape];
  for (const [first, last] of axisRuns(axes)) {
    const outer = sizeOf(shape.slice(0, first));
    const axisLen = sizeOf(shape.slice(first, last + 1));
    const inner = sizeOf(shape.slice(last + 1));
    shape = [...shape.slice(0, first), ...shape.slice(last + 1)];
    const next = new Tensor(shape, 'float32');
    reduceAxis(Reduce[op], current.ptr(), next.ptr(), outer, axisLen, inner);
    if (current !== x) current.dispose();
    current = next;
  }
  if (current === x) {
    // nothing to reduce: an untracked copy (the caller records the op)
    current = new Tensor(shape, 'float32');
    copy(x.ptr(), current.ptr(), x.size);
  }
  return current;
}

/** The shape `x` has after reducing `axes` with keepDims. */
function keptShape(shape: readonly number[], axes: number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/**
 * @internal Reduces `x` over `axis` with `opName`'s kernel and records the gradient: dy spread over
 * the reduced axes, scaled for mean; for max and min, `extreme(spread, y, kept)` sends it to the
 * elements equal to the extreme value (`kept`: the shape of y with the reduced axes kept as 1).
 */
export function reduction(
  opName: ReduceName,
  x: Tensor,
  axis: number | number[] | undefined,
  keepDims: boolean,
  extreme?: (spread: Tensor, y: Tensor, kept: number[]) => Tensor,
): Tensor {
  checkTensor(opName, 'x', x);
  checkFloat(opName, 'x', x);
  const axes = normalizeAxes(opName, axis, x.rank);
  if (axes.some((a) => x.shape[a] === 0)) {
    throw new ShapeError(`${opName}: cannot reduce an empty axis of ${formatShape(x.shape)}`);
  }
  const raw = reduceRaw(x, axes, opName);
  const y = keepDims ? reshapeOwned(raw, keptShape(x.shape, axes)) : raw;
  return record([x], y, (dy) => {
    // dy spread over the reduced axes: dy's values read with 0 strides there (no copy of dy first)
    const spread = new Tensor(x.shape, 'float32');
    stridedCopy(dy.ptr(), spread.ptr(), x.shape, broadcastStrides(keptShape(x.shape, axes), x.shape));
    if (opName === 'sum') return [spread];
    if (opName === 'mean') {
      scale(spread.ptr(), spread.ptr(), spread.size, 1 / sizeOf(axes.map((a) => x.shape[a])));
      return [spread];
    }
    if (!extreme) throw new ValueError(`${opName}: no gradient`);
    return [extreme(spread, y, keptShape(x.shape, axes))];
  });
}

/** Reshapes a tensor this module just made, disposing the original. */
function reshapeOwned(t: Tensor, shape: number[]): Tensor {
  if (sameShape(t.shape, shape)) return t;
  const r = reshape(t, shape);
  t.dispose();
  return r;
}

/** Sum over `axis` (all axes when left out). */
export function sum(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  return reduction('sum', x, axis, keepDims);
}

/** Mean over `axis` (all axes when left out). */
export function mean(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  return reduction('mean', x, axis, keepDims);
}

/**
 * @internal Sums a broadcast gradient back to the shape of the input it came from: over leading
 * extra axes and over axes where the input had size 1.
 */
export function sumToShape(dy: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(dy.shape, shape)) return dy;
  const offset = dy.rank - shape.length;
  const axes: number[] = [];
  dy.shape.forEach((d, i) => {
    if (i < offset || (shape[i - offset] === 1 && d !== 1)) axes.push(i);
  });
  const summed = sum(dy, axes);
  return sameShape(summed.shape, shape) ? summed : reshape(summed, [...shape]);
}
