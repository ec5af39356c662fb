import { backend } from '../backend/loader.js';
import { isRecording, markUnreplayable, noteTensorRead, noteTraceObject } from '../backend/trace.js';
import { DisposedError, formatShape } from '../errors.js';
import { forgetTensor, releaseTensor, trackTensor } from './tracking.js';

/**
 * Element types a tensor can hold. A bool tensor stores int32 0/1 in Wasm memory; its `dataSync()`
 * is a Uint8Array, as in TensorFlow.js.
 */
export type DType = 'float32' | 'int32' | 'bool';

/** The typed array that holds a dtype's values. */
export type TypedArray = Float32Array | Int32Array;

/** The typed array of each dtype. */
export interface DataTypeMap {
  float32: Float32Array;
  int32: Int32Array;
  bool: Uint8Array;
}

/** Nested arrays of numbers, as `arraySync()` returns them (a number for a scalar). */
export type NestedArray = number | NestedArray[];

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The chainable methods (`x.add(y).relu()`), declared below; chain.ts defines them on the prototype. */
export interface Tensor extends TensorMethods {}

/**
 * An immutable n-dimensional array in Wasm linear memory. The object holds the shape, the dtype
 * and a byte offset; the numbers stay in Wasm memory until `dispose()` (or the end of a `tidy`).
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: chain.ts defines every method of TensorMethods
export class Tensor {
  /** Unique id. */
  readonly id: number;
  /** Dimensions, outermost first. */
  readonly shape: readonly number[];
  /** Element type. */
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
  /** @internal byte offset of the data in linear memory */
  readonly dataPtr: number;
  /** @internal module generation the memory belongs to */
  readonly generation: number;
  private disposed = false;

  /** @internal Use `nn.tensor`, `nn.zeros`, ... to make tensors. */
  constructor(shape: readonly number[], dtype: DType, inScope = true) {
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = sizeOf(shape);
    const b = backend();
    this.generation = b.generation;
    this.dataPtr = b.allocator.alloc(this.size * 4);
    this.id = trackTensor(this, this.dataPtr, this.size * 4, inScope);
    if (isRecording()) noteTraceObject(this);
  }

  /** @internal The trace this tensor was made in was disposed: the tensor is disposed, its memory the trace's. */
  releaseFromTrace(): void {
    if (this.disposed) return;
    this.disposed = true;
    forgetTensor(this, this.size * 4);
  }

  /**
   * @internal The values, for JavaScript to read: a trace being recorded cannot replay what
   * JavaScript does with them, so reading marks it as not replayable.
   */
  readValues(op: string): TypedArray {
    if (isRecording()) markUnreplayable(`${op} read the values of tensor ${this.id} ${formatShape(this.shape)}`);
    return this.view(op);
  }

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** Whether `dispose()` was called. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** @internal Throws a clear error if this tensor cannot be read any more; returns its byte offset. */
  ptr(op = 'tensor'): number {
    if (this.disposed) throw new DisposedError(`${op}: tensor ${this.id} ${formatShape(this.shape)} was disposed`);
    if (this.generation !== backend().generation) {
      throw new DisposedError(`${op}: tensor ${this.id} belongs to a backend module that was replaced by ready()`);
    }
    if (isRecording()) noteTensorRead(this, this.dataPtr);
    return this.dataPtr;
  }

  /** @internal A live view of the data; valid only until the next allocation. */
  view(op = 'tensor'): TypedArray {
    const p = this.ptr(op) >>> 2;
    const views = backend().views;
    return this.dtype === 'float32' ? views.f32.subarray(p, p + this.size) : views.i32.subarray(p, p + this.size);
  }

  /**
   * A copy of the values as a flat typed array: Float32Array for float32, Int32Array for int32,
   * Uint8Array (0/1) for bool. As in TensorFlow.js, name the dtype to get the type statically:
   * `t.dataSync<'int32'>()`.
   */
  dataSync<D extends DType = 'float32'>(): DataTypeMap[D] {
    return this.copyOut('dataSync') as DataTypeMap[D];
  }

  /** A copy of the values as a flat typed array (async, as in TensorFlow.js). */
  async data<D extends DType = 'float32'>(): Promise<DataTypeMap[D]> {
    return this.copyOut('data') as DataTypeMap[D];
  }

  private copyOut(op: string): Float32Array | Int32Array | Uint8Array {
    const view = this.readValues(op);
    return this.dtype === 'bool' ? Uint8Array.from(view) : view.slice();
  }

  /** The values as nested arrays (a number for a scalar). */
  arraySync(): NestedArray {
    return this.nested('arraySync');
  }

  private nested(op: string): NestedArray {
    const flat = this.readValues(op);
    if (this.rank === 0) return flat[0];
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = this.shape[dim];
      const stride = sizeOf(this.shape.slice(dim + 1));
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = dim === this.rank - 1 ? flat[offset + i] : build(dim + 1, offset + i * stride);
      }
      return out;
    };
    return build(0, 0);
  }

  /** The values as nested arrays (async, as in TensorFlow.js). */
  async array(): Promise<NestedArray> {
    return this.nested('array');
  }

  /** Frees the memory. Using the tensor afterwards throws; disposing twice is harmless. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    releaseTensor(this, this.dataPtr, this.size * 4, this.generation);
  }

  /** A readable rendering of shape, dtype and values (long axes are elided). */
  toString(): string {
    if (this.disposed) return `Tensor (disposed) ${formatShape(this.shape)}`;
    const flat = this.readValues('toString');
    const fmt = (v: number) =>
      this.dtype === 'bool'
        ? String(v !== 0)
        : this.dtype === 'int32'
          ? String(v)
          : Number(v.toPrecision(6)).toString();
    const render = (dim: number, offset: number, indent: string): string => {
      if (dim === this.rank) return fmt(flat[offset]);
      const n = this.shape[dim];
      const stride = sizeOf(this.shape.slice(dim + 1));
      const shown = n > 20 ? [0, 1, 2, -1, n - 3, n - 2, n - 1] : [...Array(n).keys()];
      const parts = shown.map((i) => (i < 0 ? '...' : render(dim + 1, offset + i * stride, `${indent} `)));
      const sep = dim === this.rank - 1 ? ', ' : `,\n${indent} `;
      return `[${parts.join(sep)}]`;
    };
    return `Tensor ${this.dtype} ${formatShape(this.shape)}\n  ${render(0, 0, '  ')}`;
  }

  /** Prints `toString()` to the console. */
  print(): void {
    console.log(this.toString());
  }
}

/** Whether a value is a Tensor. */
export function isTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}

// What ops take as operands, and the chainable methods' declarations: here, beside the class they
// merge into, so that tensor.ts need not import chain.ts (the top of ops, which defines them).

/** Nested arrays of booleans (a bool tensor's values, as TensorFlow.js takes them). */
export type NestedBoolArray = boolean | NestedBoolArray[];

/**
 * Values a tensor can be made from: a number, nested arrays of numbers (or of booleans, which make
 * a bool tensor), or a typed array.
 */
export type TensorLike = number | NestedArray | NestedBoolArray | TypedArray | Uint8Array | ArrayLike<number>;

/**
 * A tensor, or a number or nested arrays of numbers (or a typed array) that an op turns into a
 * float32 tensor, as TensorFlow.js converts them (`nn.add(x, [1, 2, 3])`).
 */
export type Operand = Tensor | number | NestedArray | Float32Array | Int32Array;

/** A bool tensor or booleans, as the logical ops take them. */
export type BoolOperand = Tensor | boolean | TensorLike;

/** The orders `norm` takes: 'euclidean' and 'fro' (2-norm / Frobenius), 1, 2, Infinity, -Infinity. */
export type NormOrder = number | 'euclidean' | 'fro';

/**
 * The chainable methods of every Tensor, merged into the class by type below (so the published
 * typings carry them in the class itself); chain.ts, the top of ops, defines them on its prototype.
 */
export interface TensorMethods {
  /** this + b, with broadcasting (`nn.add`). */
  add(b: Operand): Tensor;
  /** this − b, with broadcasting (`nn.sub`). */
  sub(b: Operand): Tensor;
  /** this · b elementwise, with broadcasting (`nn.mul`). */
  mul(b: Operand): Tensor;
  /** this / b elementwise, with broadcasting (`nn.div`). */
  div(b: Operand): Tensor;
  /** Elementwise maximum with b, with broadcasting (`nn.maximum`). */
  maximum(b: Operand): Tensor;
  /** Elementwise minimum with b, with broadcasting (`nn.minimum`). */
  minimum(b: Operand): Tensor;
  /** Matrix product this · b of rank-2 tensors, optionally transposed (`nn.matMul`). */
  matMul(b: Tensor, transposeA?: boolean, transposeB?: boolean): Tensor;
  /** −this (`nn.neg`). */
  neg(): Tensor;
  /** eˣ elementwise (`nn.exp`). */
  exp(): Tensor;
  /** Natural logarithm elementwise (`nn.log`). */
  log(): Tensor;
  /** Square root elementwise (`nn.sqrt`). */
  sqrt(): Tensor;
  /** x² elementwise (`nn.square`). */
  square(): Tensor;
  /** |x| elementwise (`nn.abs`). */
  abs(): Tensor;
  /** Clamps every element into [min, max] (`nn.clipByValue`). */
  clipByValue(min: number, max: number): Tensor;
  /** max(x, 0) elementwise (`nn.relu`). */
  relu(): Tensor;
  /** 1 / (1 + e⁻ˣ) elementwise (`nn.sigmoid`). */
  sigmoid(): Tensor;
  /** Hyperbolic tangent elementwise (`nn.tanh`). */
  tanh(): Tensor;
  /** Softmax along the last axis (`nn.softmax`). */
  softmax(dim?: number): Tensor;
  /** Sum over `axis`, all axes when left out (`nn.sum`). */
  sum(axis?: number | number[], keepDims?: boolean): Tensor;
  /** Mean over `axis`, all axes when left out (`nn.mean`). */
  mean(axis?: number | number[], keepDims?: boolean): Tensor;
  /** Maximum over `axis`, all axes when left out (`nn.max`). */
  max(axis?: number | number[], keepDims?: boolean): Tensor;
  /** Minimum over `axis`, all axes when left out (`nn.min`). */
  min(axis?: number | number[], keepDims?: boolean): Tensor;
  /** Index of the maximum along `axis` (default 0), as int32 (`nn.argMax`). */
  argMax(axis?: number): Tensor;
  /** Index of the minimum along `axis` (default 0), as int32 (`nn.argMin`). */
  argMin(axis?: number): Tensor;
  /** A copy with a new shape of the same size; one dimension may be -1 (`nn.reshape`). */
  reshape(shape: number[]): Tensor;
  /** Permutes the axes, reversing them when `perm` is left out (`nn.transpose`). */
  transpose(perm?: number[]): Tensor;
  /** Inserts a dimension of size 1 at `axis` (`nn.expandDims`). */
  expandDims(axis?: number): Tensor;
  /** Removes dimensions of size 1, all or those in `axis` (`nn.squeeze`). */
  squeeze(axis?: number | number[]): Tensor;
  /** Converts to another dtype (`nn.cast`). */
  cast(dtype: DType): Tensor;
  /** The tensor as a rank-1 tensor (`reshape([-1])`). */
  flatten(): Tensor;
  /** A copy in fresh memory (`nn.clone`). */
  clone(): Tensor;
  /** The part starting at `begin` with `size` elements per dim, -1 to the end (`nn.slice`). */
  slice(begin: number | number[], size?: number | number[]): Tensor;
  /** this[begin:end:strides] per dim, TensorFlow's rules and masks (`nn.stridedSlice`). */
  stridedSlice(
    begin: number[],
    end: number[],
    strides?: number[],
    beginMask?: number,
    endMask?: number,
    ellipsisMask?: number,
    newAxisMask?: number,
    shrinkAxisMask?: number,
  ): Tensor;
  /** Slices along `axis` at int32 `indices` (`nn.gather`). */
  gather(indices: Tensor | NestedArray, axis?: number, batchDims?: number): Tensor;
  /** Repeated reps[d] times along each dim d (`nn.tile`). */
  tile(reps: number[]): Tensor;
  /** Padded with [before, after] elements of constantValue per dim (`nn.pad`). */
  pad(paddings: Array<[number, number]>, constantValue?: number): Tensor;
  /** Joined with x (one tensor or several) along `axis` (`nn.concat([this, ...x])`). */
  concat(x: Tensor | Tensor[], axis?: number): Tensor;
  /** Split along `axis` into equal parts or parts of the given sizes (`nn.split`). */
  split(numOrSizeSplits: number | number[], axis?: number): Tensor[];
  /** The tensors along `axis`, each without that dim (`nn.unstack`). */
  unstack(axis?: number): Tensor[];
  /** this ^ exp elementwise, with broadcasting (`nn.pow`). */
  pow(exp: Operand): Tensor;
  /** this == b elementwise as bool, with broadcasting (`nn.equal`). */
  equal(b: Operand): Tensor;
  /** this != b elementwise as bool, with broadcasting (`nn.notEqual`). */
  notEqual(b: Operand): Tensor;
  /** this > b elementwise as bool, with broadcasting (`nn.greater`). */
  greater(b: Operand): Tensor;
  /** this >= b elementwise as bool, with broadcasting (`nn.greaterEqual`). */
  greaterEqual(b: Operand): Tensor;
  /** this < b elementwise as bool, with broadcasting (`nn.less`). */
  less(b: Operand): Tensor;
  /** this <= b elementwise as bool, with broadcasting (`nn.lessEqual`). */
  lessEqual(b: Operand): Tensor;
  /** this AND b on bool tensors (`nn.logicalAnd`). */
  logicalAnd(b: BoolOperand): Tensor;
  /** this OR b on bool tensors (`nn.logicalOr`). */
  logicalOr(b: BoolOperand): Tensor;
  /** this XOR b on bool tensors (`nn.logicalXor`). */
  logicalXor(b: BoolOperand): Tensor;
  /** NOT this, on a bool tensor (`nn.logicalNot`). */
  logicalNot(): Tensor;
  /** this where `condition` holds, else x (`nn.where(condition, this, x)`, as tfjs's `x.where`). */
  where(condition: Tensor | TensorLike, x: Operand): Tensor;
  /** Cumulative sum along `axis` (`nn.cumsum`). */
  cumsum(axis?: number, exclusive?: boolean, reverse?: boolean): Tensor;
  /** The k largest entries along the last axis and their indices (`nn.topk`). */
  topk(k?: number, sorted?: boolean): { values: Tensor; indices: Tensor };
  /** A vector or matrix norm (`nn.norm`). */
  norm(ord?: NormOrder, axis?: number | number[] | null, keepDims?: boolean): Tensor;
}
