import { backend } from '../backend/loader.js';
import { isRecording, markUnreplayable, noteTraceObject } from '../backend/trace.js';
import { DisposedError, formatShape } from '../errors.js';
import type { TensorMethods } from './chain.js';
import { forgetTensor, releaseTensor, setTensorCheck, trackTensor } from './engine.js';

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

/** The chainable methods (`x.add(y).relu()`): declared in chain.ts, which defines them on the prototype. */
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
    const flat = this.view('toString');
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

setTensorCheck((v: unknown): v is Tensor => v instanceof Tensor);

/** Whether a value is a Tensor. */
export function isTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}
