import { formatBytes, MAX_WASM_BYTES } from '../backend/memory.js';
import { BackendError, DTypeError, formatShape, ShapeError, ValueError } from '../errors.js';
import { type DType, isTensor, sizeOf, type Tensor } from './tensor.js';

/** Most dimensions a tensor may have (as numpy); deeper nesting is taken for a mistake. */
export const MAX_RANK = 32;

/** Describes any value briefly for an error message. */
export function describe(v: unknown): string {
  if (isTensor(v)) return `a ${v.dtype} tensor of shape ${formatShape(v.shape)}`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as ArrayLike<number>).length}`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n (a BigInt)`;
  return typeof v;
}

/**
 * Describes a shape, axis list or permutation for a message: its entries when it is a short array
 * (`[2, NaN]`, where JSON would show `[2, null]`), else as `describe` does.
 */
export function describeList(v: unknown): string {
  if (!Array.isArray(v) || v.length > 16) return describe(v);
  const entries = Array.from(v, (e) => (Array.isArray(e) ? '[...]' : typeof e === 'bigint' ? `${e}n` : describe(e)));
  return `[${entries.join(', ')}]`;
}

/** Throws unless `v` is a live tensor; returns it. */
export function checkTensor(op: string, arg: string, v: unknown): Tensor {
  if (!isTensor(v)) throw new ValueError(`${op}: expected ${arg} to be a Tensor, got ${describe(v)}`);
  v.ptr(`${op} (${arg})`);
  return v;
}

/** Throws unless the tensor has the given dtype. */
export function checkDType(op: string, arg: string, t: Tensor, dtype: DType): void {
  if (t.dtype !== dtype) throw new DTypeError(`${op}: expected ${arg} to be ${dtype}, got ${t.dtype}`);
}

/** Throws unless the tensor is float32 (the dtype of every arithmetic kernel). */
export function checkFloat(op: string, arg: string, t: Tensor): void {
  if (t.dtype !== 'float32') {
    throw new DTypeError(`${op}: expected ${arg} to be float32, got ${t.dtype} (cast it first: nn.cast(x, 'float32'))`);
  }
}

/** Throws unless `n` is a finite number. */
export function checkNumber(op: string, arg: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new ValueError(`${op}: expected ${arg} to be a finite number, got ${describe(n)}`);
  }
  return n;
}

/** Throws unless `n` is an integer within [min, max]. */
export function checkInt(op: string, arg: string, n: unknown, min = -Infinity, max = Infinity): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    const range = max === Infinity ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new ValueError(`${op}: expected ${arg} to be an integer ${range}, got ${describe(n)}`);
  }
  return n;
}

/**
 * Throws unless `shape` is an array of at most MAX_RANK non-negative integers whose float32 data
 * fits in wasm32 memory; returns a copy.
 */
export function checkShape(op: string, arg: string, shape: unknown): number[] {
  checkRank(op, arg, shape);
  if (!Array.isArray(shape) || Array.from(shape).some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(`${op}: expected ${arg} to be an array of non-negative integers, got ${describeList(shape)}`);
  }
  checkFits(op, arg, shape);
  return [...shape];
}

/** Throws a ShapeError when `shape` is an array longer than MAX_RANK (checked before reading its entries). */
export function checkRank(op: string, arg: string, shape: unknown): void {
  if (Array.isArray(shape) && shape.length > MAX_RANK) {
    throw new ShapeError(`${op}: expected ${arg} to have at most ${MAX_RANK} dimensions, got ${shape.length}`);
  }
}

/** Throws a BackendError when a tensor of `shape` (non-negative integers) can never fit in wasm32 memory. */
export function checkFits(op: string, arg: string, shape: readonly number[]): void {
  const count = sizeOf(shape);
  if (count * 4 <= MAX_WASM_BYTES) return;
  // The count can overflow to Infinity: show its order of magnitude instead.
  const log10 = shape.reduce((s, d) => s + Math.log10(d), 0);
  const elements = Number.isFinite(count) ? String(count) : `about 1e+${Math.floor(log10)}`;
  const log10Bytes = log10 + Math.log10(4);
  const bytes =
    count * 4 < 2 ** 50
      ? formatBytes(count * 4)
      : `about ${(10 ** (log10Bytes % 1)).toFixed(0)}e+${Math.floor(log10Bytes)} bytes`;
  throw new BackendError(
    `${op}: ${arg} ${formatShape(shape)} asks for ${elements} elements (${bytes} of float32/int32 data), ` +
      'more than wasm32 memory can ever hold (4 GiB)',
  );
}

/** Normalises an axis (negative counts from the end); throws if it is out of range for `rank`. */
export function normalizeAxis(op: string, axis: unknown, rank: number): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis)) {
    throw new ValueError(`${op}: expected axis to be an integer, got ${describeList(axis)}`);
  }
  if (axis < -rank || axis >= Math.max(rank, 1)) {
    throw new ValueError(
      `${op}: axis ${axis} is out of range for a tensor of rank ${rank} (expected an integer in [${-rank}, ${Math.max(rank, 1)}))`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/** Normalises a list of axes (or all axes when undefined); sorted, duplicates rejected. */
export function normalizeAxes(op: string, axis: number | number[] | undefined | null, rank: number): number[] {
  if (axis === undefined || axis === null) return [...Array(rank).keys()];
  if (Array.isArray(axis) && axis.length > Math.max(rank, 1)) {
    throw new ValueError(`${op}: axis lists ${axis.length} axes, but the tensor has rank ${rank}`);
  }
  const list = (Array.isArray(axis) ? axis : [axis]).map((a) => normalizeAxis(op, a, rank));
  const sorted = [...new Set(list)].sort((a, b) => a - b);
  if (sorted.length !== list.length) throw new ValueError(`${op}: axis ${describeList(axis)} repeats an axis`);
  return sorted;
}

/** The numpy broadcast of two shapes, or a ShapeError naming the op and both shapes. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Whether two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
