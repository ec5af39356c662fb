// A row-sparse gradient: the gradient of a [rows, ...] tensor that is zero except at some rows, held
// as those rows' int32 indices and values (TensorFlow's IndexedSlices). gather along axis 0 makes
// one; the tape sums them (gradients.ts: sparse + sparse concatenates, sparse + dense densifies)
// and the model's train pass hands them to the optimizer, which updates from the rows without a
// dense gradient. Everything here runs kernels only (no values are read in JavaScript), so a
// traced pass replays it.
import { copy } from '../backend/kernels/elementwise.js';
import { scatterAddRows } from '../backend/kernels/indexing.js';
import { clone } from './create.js';
import { sizeOf, Tensor } from './tensor.js';

/**
 * Rows of a gradient of shape `shape` ([rows, ...rowShape]): row `indices[i]` (flat
 * order) adds values[i] (the i-th block of rowSize = size / rows floats of `values`, whatever its
 * shape). Repeated indices sum; indices outside [0, rows) contribute nothing. A plain object, so
 * that `tidy` keeps its tensors when it is returned.
 */
export interface RowSparse {
  readonly kind: 'rowSparse';
  /** The dense gradient's shape. */
  readonly shape: readonly number[];
  /** int32 row indices, any shape (read flat). */
  readonly indices: Tensor;
  /** float32 rows, indices.size × rowSize values, any shape (read flat). */
  readonly values: Tensor;
}

/** @internal A row-sparse gradient of a tensor of `shape`; values holds indices.size rows. */
export function rowSparse(shape: readonly number[], indices: Tensor, values: Tensor): RowSparse {
  return { kind: 'rowSparse', shape, indices, values };
}

/** @internal Whether a gradient is row-sparse. */
export function isRowSparse(g: unknown): g is RowSparse {
  return typeof g === 'object' && g !== null && (g as { kind?: unknown }).kind === 'rowSparse';
}

/** @internal Values per row of a row-sparse gradient. */
export function rowSizeOf(g: RowSparse): number {
  return g.shape[0] === 0 ? 0 : sizeOf(g.shape) / g.shape[0];
}

/** @internal The dense gradient: zeros plus each row at its index (the scatter-add of gather's gradient). */
export function densify(g: RowSparse): Tensor {
  const dx = new Tensor(g.shape, 'float32');
  scatterAddRows(g.values.ptr(), g.indices.ptr(), dx.ptr(), 1, g.shape[0], rowSizeOf(g), g.indices.size);
  return dx;
}

/** @internal Both tensors' values one after the other, flat (a row-sparse sum's indices or values). */
export function concatFlat(a: Tensor, b: Tensor): Tensor {
  const out = new Tensor([a.size + b.size], a.dtype);
  copy(a.ptr(), out.ptr(), a.size);
  copy(b.ptr(), out.ptr() + a.size * 4, b.size);
  return out;
}

/**
 * @internal A gradient to hand out that shares no tensor with `taken` (inputs, dy, other gradients):
 * the indices are always copied (they are the caller's ids, e.g. a step's input buffer), the values
 * when taken.
 */
export function ownRowSparse(g: RowSparse, taken: ReadonlySet<Tensor>): RowSparse {
  return rowSparse(g.shape, clone(g.indices), taken.has(g.values) ? clone(g.values) : g.values);
}
