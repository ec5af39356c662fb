// Int8 weights for quantized inference (nn.quantize). A weight matrix is stored as int8 values in
// [−127, 127] with a float scale per output column (or one for all), packed once into the layout of
// the module's int8 GEMM. Its product quantizes the input rows to unsigned 7-bit codes — per row at
// run time (dynamic) or with a scale and zero point fixed by calibration (static) — and runs the int8
// GEMM with the scales, the bias and the activation in its epilogue. An embedding table is stored
// the same way with a scale per row. Forward only: a quantized model is for inference.
import { Act } from '../backend/codes.js';
import {
  gatherInt8Rows,
  qgemm,
  qgemmPack,
  qgemmPackedBytes,
  qgemmRowBytes,
  quantizeRows,
  quantizeRowsSymmetric,
  quantizeSymmetric,
} from '../backend/kernels/qgemm.js';
import { backend } from '../backend/loader.js';
import { ValueError } from '../errors.js';
import { fromFlat } from './create.js';
import type { OutputDifferentiable } from './dense.js';
import { keep } from './engine.js';
import { record } from './tape.js';
import { Tensor } from './tensor.js';

/** The largest depth of an int8 product: 127·127·k must fit the kernel's int32 sums. */
export const MAX_INT8_DEPTH = 100_000;

/** How a quantized product turns its input into 7-bit codes. */
export interface InputQuantization {
  /** Step between codes; the codes are round(x / scale) + zeroPoint, clamped to [0, 127]. */
  readonly scale: number;
  /** The code of 0, in [0, 127]. */
  readonly zeroPoint: number;
}

/** A Wasm block of `bytes` bytes owned by a tensor (so that traces, memory() and dispose see it). */
function byteBlock(bytes: number): Tensor {
  return keep(new Tensor([Math.max(1, Math.ceil(bytes / 4))], 'int32'));
}

/** Copies bytes into a block. */
function writeBytes(block: Tensor, bytes: Int8Array): void {
  const ptr = block.ptr();
  backend().views.u8.set(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), ptr);
}

/**
 * int8 codes and scales of float values, by the module's kernel (one definition of the rounding):
 * per column of a [rows×columns] matrix (`per` 'column'), one scale for all ('tensor'), or per row
 * ('row', an embedding table).
 */
export function int8Codes(
  values: Float32Array,
  rows: number,
  columns: number,
  per: 'column' | 'tensor' | 'row',
): { codes: Int8Array; scales: Float32Array } {
  const input = new Tensor([values.length], 'float32');
  const codes = byteBlock(values.length);
  const scales = new Tensor([per === 'row' ? rows : columns], 'float32');
  try {
    input.view().set(values);
    if (per === 'row') quantizeRowsSymmetric(input.ptr(), rows, columns, codes.ptr(), scales.ptr());
    else quantizeSymmetric(input.ptr(), rows, columns, per === 'column' ? 1 : 0, codes.ptr(), scales.ptr());
    const u8 = backend().views.u8;
    const at = codes.ptr();
    return {
      codes: new Int8Array(u8.slice(at, at + values.length).buffer),
      scales: scales.view().slice() as Float32Array,
    };
  } finally {
    input.dispose();
    codes.dispose();
    scales.dispose();
  }
}

/**
 * A weight matrix [depth×columns] (a Dense kernel) as int8 codes with a scale per column, packed
 * for the int8 GEMM. `codes` and `scales` are the values a model file stores; `dispose()` frees the
 * packed copy in Wasm memory.
 */
export class QuantizedMatrix {
  private readonly packed: Tensor;
  private readonly scaleTensor: Tensor;
  private codeValues: Int8Array;
  private scaleValues: Float32Array;

  private constructor(
    /** Rows: the depth of the product (input features). */
    readonly depth: number,
    /** Columns: output features. */
    readonly columns: number,
    codes: Int8Array,
    scales: Float32Array,
  ) {
    this.packed = byteBlock(qgemmPackedBytes(depth, columns));
    this.scaleTensor = keep(new Tensor([columns], 'float32'));
    this.codeValues = codes;
    this.scaleValues = scales;
    this.write(codes, scales);
  }

  /** int8 codes, row-major [depth×columns]. */
  get codes(): Int8Array {
    return this.codeValues;
  }

  /** Scale of each column (all equal when quantized per tensor). */
  get scales(): Float32Array {
    return this.scaleValues;
  }

  /** Packs codes and scales into this matrix's Wasm blocks (the same addresses, so recorded traces see them). */
  private write(codes: Int8Array, scales: Float32Array): void {
    const raw = byteBlock(this.depth * this.columns);
    try {
      writeBytes(raw, codes);
      qgemmPack(raw.ptr(), this.depth, this.columns, this.packed.ptr());
      this.scaleTensor.view().set(scales);
    } finally {
      raw.dispose();
    }
  }

  /** Replaces the codes and scales (of this matrix's sizes, checked by the caller) in place. */
  replace(codes: Int8Array, scales: Float32Array): void {
    this.write(codes, scales);
    this.codeValues = codes.slice();
    this.scaleValues = scales.slice();
  }

  /** A matrix from stored codes and scales (checked by the caller). */
  static fromCodes(codes: Int8Array, scales: Float32Array, depth: number, columns: number): QuantizedMatrix {
    return new QuantizedMatrix(depth, columns, codes.slice(), scales.slice());
  }

  /** The float values the codes stand for: code · scale of its column. */
  dequantize(): Float32Array {
    const out = new Float32Array(this.codes.length);
    for (let i = 0; i < out.length; i++) out[i] = this.codes[i] * this.scales[i % this.columns];
    return out;
  }

  /** @internal byte offsets of the packed block and the column scales */
  pointers(): { packed: number; scales: number } {
    return { packed: this.packed.ptr('quantized product'), scales: this.scaleTensor.ptr('quantized product') };
  }

  /** Frees the packed copy. */
  dispose(): void {
    this.packed.dispose();
    this.scaleTensor.dispose();
  }
}

/**
 * An embedding table [rows×width] as int8 codes with a scale per row: a lookup gives code · scale
 * of the rows it picks.
 */
export class QuantizedTable {
  private readonly table: Tensor;
  private readonly scaleTensor: Tensor;
  private codeValues: Int8Array;
  private scaleValues: Float32Array;

  private constructor(
    /** Number of rows (the vocabulary). */
    readonly rows: number,
    /** Values per row. */
    readonly width: number,
    codes: Int8Array,
    scales: Float32Array,
  ) {
    this.table = byteBlock(rows * width);
    this.scaleTensor = keep(new Tensor([rows], 'float32'));
    this.codeValues = codes;
    this.scaleValues = scales;
    this.replace(codes, scales);
  }

  /** int8 codes, row-major [rows×width]. */
  get codes(): Int8Array {
    return this.codeValues;
  }

  /** Scale of each row. */
  get scales(): Float32Array {
    return this.scaleValues;
  }

  /** Replaces the codes and scales (of this table's sizes, checked by the caller) in place. */
  replace(codes: Int8Array, scales: Float32Array): void {
    writeBytes(this.table, codes);
    this.scaleTensor.view().set(scales);
    this.codeValues = codes.slice();
    this.scaleValues = scales.slice();
  }

  /** A table from stored codes and scales (checked by the caller). */
  static fromCodes(codes: Int8Array, scales: Float32Array, rows: number, width: number): QuantizedTable {
    return new QuantizedTable(rows, width, codes, scales);
  }

  /** The float values the codes stand for. */
  dequantize(): Float32Array {
    const out = new Float32Array(this.codes.length);
    for (let i = 0; i < out.length; i++) out[i] = this.codes[i] * this.scales[Math.floor(i / this.width)];
    return out;
  }

  /** Rows of the table at int32 `ids` (each in [0, rows), checked by the caller): [...ids.shape, width]. */
  lookup(ids: Tensor): Tensor {
    const y = new Tensor([...ids.shape, this.width], 'float32');
    if (ids.size > 0) {
      gatherInt8Rows(this.table.ptr(), this.scaleTensor.ptr(), ids.ptr(), ids.size, this.width, y.ptr());
    }
    return record([ids], y, noGradient);
  }

  /** Frees the table's Wasm memory. */
  dispose(): void {
    this.table.dispose();
    this.scaleTensor.dispose();
  }
}

/**
 * The 7-bit quantization the kernel gives a row whose values span [lo, hi] (widened to hold 0, so
 * that 0 has an exact code): the step (hi − lo) / 127 and the code of 0, found by quantizing the row
 * [lo, hi] itself, so a static range and a dynamic row are quantized by one formula. A range too wide
 * for float32 steps (or holding no finite value) gets scale 1 and zero point 0.
 */
export function rangeQuantization(lo: number, hi: number): InputQuantization {
  const x = fromFlat([2], 'float32', [lo, hi]);
  const codes = byteBlock(qgemmRowBytes(2));
  const scale = new Tensor([1], 'float32');
  const zero = new Tensor([1], 'int32');
  try {
    quantizeRows(x.ptr(), 1, 2, codes.ptr(), scale.ptr(), zero.ptr(), 0, 0);
    const s = scale.view()[0];
    return Number.isFinite(s) && s > 0 ? { scale: s, zeroPoint: zero.view()[0] } : { scale: 1, zeroPoint: 0 };
  } finally {
    for (const t of [x, codes, scale, zero]) t.dispose();
  }
}

function noGradient(): never {
  throw new ValueError(
    'a quantized layer has no gradient: quantized models are for inference; train the float model and quantize it again',
  );
}

/**
 * act(x · W + bias) with W int8: x [..., depth] float32 is quantized to 7-bit codes (per row, or with
 * `input`'s fixed scale), multiplied in int32 and scaled back with the bias and activation in the
 * epilogue. The caller has checked shapes; `bias` is float32 [columns] or null.
 */
export function quantizedMatMul(
  x: Tensor,
  matrix: QuantizedMatrix,
  bias: Tensor | null,
  activation: OutputDifferentiable,
  alpha: number,
  input: InputQuantization | null,
): Tensor {
  const k = matrix.depth;
  const rows = x.size / k;
  const n = matrix.columns;
  const y = new Tensor([...x.shape.slice(0, -1), n], 'float32');
  if (rows > 0) {
    const codes = new Tensor([Math.ceil((rows * qgemmRowBytes(k)) / 4)], 'int32');
    const rowScales = new Tensor([rows], 'float32');
    const rowZeros = new Tensor([rows], 'int32');
    try {
      quantizeRows(
        x.ptr(),
        rows,
        k,
        codes.ptr(),
        rowScales.ptr(),
        rowZeros.ptr(),
        input?.scale ?? 0,
        input?.zeroPoint ?? 0,
      );
      const { packed, scales } = matrix.pointers();
      qgemm(
        codes.ptr(),
        rowScales.ptr(),
        rowZeros.ptr(),
        packed,
        scales,
        bias ? bias.ptr() : 0,
        y.ptr(),
        rows,
        k,
        n,
        Act[activation],
        alpha,
      );
    } finally {
      codes.dispose();
      rowScales.dispose();
      rowZeros.dispose();
    }
  }
  return record([x], y, noGradient);
}
