// Encoding and decoding of weight data: binary little-endian values concatenated in manifest order,
// optionally quantized. Every check happens here, before any tensor exists.
import { ModelFormatError } from './errors.js';
import { fromFloat16Bits, quantizeAffine, toFloat16Bits } from './quantization.js';
import type { WeightQuantization, WeightsManifestEntry, WeightsManifestGroupConfig } from './types.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Largest number of values one weight may have (2^28 values, 1 GiB as float32). */
export const MAX_WEIGHT_VALUES = 2 ** 28;

/** Bytes per value of the dtypes (and quantized dtypes) neurasm reads. */
const BYTES: Record<string, number> = { float32: 4, int32: 4, int8: 1, uint8: 1, uint16: 2, float16: 2 };

/** A decoded weight: its manifest entry and values. */
export interface DecodedWeight {
  spec: WeightsManifestEntry;
  values: Float32Array | Int32Array | Int8Array;
}

/** A weight to encode. */
export interface WeightToEncode {
  name: string;
  shape: number[];
  /** float32 or int32 values, or int8 codes (written as they are, never quantized again). */
  values: Float32Array | Int32Array | Int8Array;
  group?: 'optimizer';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Joins shards into one buffer (tfjs's weightData may be one buffer or several). */
export function joinBuffers(data: ArrayBuffer | ArrayBuffer[] | ArrayBufferView, where: string): ArrayBuffer {
  if (data instanceof ArrayBuffer) return data;
  if (ArrayBuffer.isView(data)) {
    return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  }
  if (!Array.isArray(data) || data.some((b) => !(b instanceof ArrayBuffer))) {
    throw new ModelFormatError(`${where}: expected weightData to be an ArrayBuffer or an array of them`);
  }
  if (data.length === 1) return data[0];
  const total = data.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out.buffer;
}

function checkQuantization(q: unknown, dtype: string, at: string): WeightQuantization {
  if (!isObject(q)) throw new ModelFormatError(`${at}.quantization: expected an object, got ${show(q)}`);
  if (q.dtype === 'float16') {
    if (dtype !== 'float32') {
      throw new ModelFormatError(`${at}: float16 quantization applies to float32 weights only, not ${dtype}`);
    }
    return { dtype: 'float16' };
  }
  if (q.dtype !== 'uint8' && q.dtype !== 'uint16') {
    throw new ModelFormatError(
      `${at}.quantization.dtype: expected 'uint8', 'uint16' or 'float16', got ${show(q.dtype)}`,
    );
  }
  for (const key of ['min', 'scale'] as const) {
    if (typeof q[key] !== 'number' || !Number.isFinite(q[key])) {
      throw new ModelFormatError(`${at}.quantization.${key}: expected a finite number, got ${show(q[key])}`);
    }
  }
  return { dtype: q.dtype, min: q.min as number, scale: q.scale as number };
}

/** Validates one manifest entry and returns a clean copy. `at` locates it in messages. */
export function checkWeightSpec(entry: unknown, at: string): WeightsManifestEntry {
  if (!isObject(entry)) throw new ModelFormatError(`${at}: expected a weight entry object, got ${show(entry)}`);
  const { name, shape, dtype, group } = entry;
  if (typeof name !== 'string' || name === '') {
    throw new ModelFormatError(`${at}.name: expected a non-empty string, got ${show(name)}`);
  }
  const where = `${at} ("${name}")`;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ModelFormatError(`${where}.shape: expected an array of non-negative integers, got ${show(shape)}`);
  }
  let size = 1;
  for (const d of shape as number[]) size *= d;
  if (size > MAX_WEIGHT_VALUES) {
    throw new ModelFormatError(`${where}: shape ${show(shape)} has ${size} values, more than neurasm loads`);
  }
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'int8') {
    throw new ModelFormatError(`${where}.dtype: neurasm reads float32, int32 and int8 weights, got ${show(dtype)}`);
  }
  if (group !== undefined && group !== null && group !== 'model' && group !== 'optimizer') {
    throw new ModelFormatError(`${where}.group: expected 'model' or 'optimizer', got ${show(group)}`);
  }
  const spec: WeightsManifestEntry = { name, shape: [...(shape as number[])], dtype };
  if (group === 'model' || group === 'optimizer') spec.group = group;
  if (entry.quantization !== undefined && entry.quantization !== null) {
    if (dtype === 'int8') throw new ModelFormatError(`${where}.quantization: int8 codes are not quantized again`);
    spec.quantization = checkQuantization(entry.quantization, dtype, where);
  }
  return spec;
}

/** Bytes a (checked) weight takes in the binary data. */
export function weightByteLength(spec: WeightsManifestEntry): number {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  return size * BYTES[spec.quantization ? spec.quantization.dtype : spec.dtype];
}

/** Validates a `weightsManifest` (an array of `{paths, weights}` groups); returns clean groups. */
export function checkManifest(manifest: unknown, where: string): WeightsManifestGroupConfig[] {
  if (!Array.isArray(manifest)) {
    throw new ModelFormatError(
      `${where}: expected weightsManifest to be an array of {paths, weights}, got ${show(manifest)}`,
    );
  }
  return manifest.map((group, g) => {
    const at = `${where}: weightsManifest[${g}]`;
    if (!isObject(group)) throw new ModelFormatError(`${at}: expected {paths, weights}, got ${show(group)}`);
    const { paths, weights } = group;
    if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string' || p === '')) {
      throw new ModelFormatError(`${at}.paths: expected an array of file names, got ${show(paths)}`);
    }
    if (!Array.isArray(weights)) throw new ModelFormatError(`${at}.weights: expected an array, got ${show(weights)}`);
    return {
      paths: [...(paths as string[])],
      weights: weights.map((w, i) => checkWeightSpec(w, `${at}.weights[${i}]`)),
    };
  });
}

function readValues(
  spec: WeightsManifestEntry,
  bytes: ArrayBuffer,
  offset: number,
  length: number,
): Float32Array | Int32Array | Int8Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const chunk = bytes.slice(offset, offset + length);
  if (spec.dtype === 'int8') return new Int8Array(chunk);
  const q = spec.quantization;
  const out = spec.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
  const view = new DataView(chunk);
  if (q?.dtype === 'float16') {
    for (let i = 0; i < size; i++) out[i] = fromFloat16Bits(view.getUint16(2 * i, true));
  } else if (q) {
    const { min, scale } = q as Required<WeightQuantization>;
    const codes = q.dtype === 'uint8' ? new Uint8Array(chunk) : null;
    for (let i = 0; i < size; i++) {
      const v = (codes ? codes[i] : view.getUint16(2 * i, true)) * scale + min;
      out[i] = spec.dtype === 'int32' ? Math.round(v) : v;
    }
  } else if (LITTLE_ENDIAN) {
    out.set(spec.dtype === 'int32' ? new Int32Array(chunk) : new Float32Array(chunk));
  } else {
    for (let i = 0; i < size; i++) {
      out[i] = spec.dtype === 'int32' ? view.getInt32(4 * i, true) : view.getFloat32(4 * i, true);
    }
  }
  return out;
}

/**
 * Decodes weight data for checked specs: the data must be exactly as long as the specs say, names
 * unique, and every float value finite. `where` names the source in messages.
 */
export function decodeWeights(
  specs: readonly WeightsManifestEntry[],
  data: ArrayBuffer,
  where: string,
): Map<string, DecodedWeight> {
  const need = specs.reduce((n, s) => n + weightByteLength(s), 0);
  if (data.byteLength !== need) {
    const what = data.byteLength < need ? 'shorter' : 'longer';
    throw new ModelFormatError(
      `${where}: the weight data is ${what} than the manifest says: ${data.byteLength} bytes, expected ${need}`,
    );
  }
  const out = new Map<string, DecodedWeight>();
  let offset = 0;
  for (const spec of specs) {
    if (out.has(spec.name)) throw new ModelFormatError(`${where}: weight "${spec.name}" appears twice in the manifest`);
    const length = weightByteLength(spec);
    const values = readValues(spec, data, offset, length);
    offset += length;
    if (values instanceof Float32Array) {
      for (let i = 0; i < values.length; i++) {
        if (!Number.isFinite(values[i])) {
          throw new ModelFormatError(
            `${where}: weight "${spec.name}" has ${values[i]} at index ${i}; weights must be finite`,
          );
        }
      }
    }
    out.set(spec.name, { spec, values });
  }
  return out;
}

/**
 * Throws a ModelFormatError at the first negative value of a weight whose values cannot be negative;
 * `what` says what it is ("a moving variance").
 */
export function checkNonNegative(values: ArrayLike<number>, name: string, what: string, where: string): void {
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0) {
      throw new ModelFormatError(`${where}: weight "${name}" has ${values[i]} at index ${i}; ${what} must be >= 0`);
    }
  }
}

/** Encodes weights in order, quantizing float32 model weights if asked; returns specs and bytes. */
export function encodeWeights(
  weights: readonly WeightToEncode[],
  quantize?: 'uint8' | 'uint16' | 'float16',
): { specs: WeightsManifestEntry[]; data: ArrayBuffer } {
  const parts: Uint8Array[] = [];
  const specs: WeightsManifestEntry[] = [];
  for (const w of weights) {
    if (w.values instanceof Int8Array) {
      specs.push({ name: w.name, shape: [...w.shape], dtype: 'int8' });
      parts.push(new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength).slice());
      continue;
    }
    const dtype = w.values instanceof Int32Array ? 'int32' : 'float32';
    const spec: WeightsManifestEntry = { name: w.name, shape: [...w.shape], dtype };
    if (w.group) spec.group = w.group;
    const q = quantize && dtype === 'float32' && !w.group ? quantize : undefined;
    if (q === 'float16') {
      const bits = new Uint8Array(w.values.length * 2);
      const view = new DataView(bits.buffer);
      for (let i = 0; i < w.values.length; i++) view.setUint16(2 * i, toFloat16Bits(w.values[i]), true);
      spec.quantization = { dtype: 'float16' };
      parts.push(bits);
    } else if (q) {
      const { codes, params } = quantizeAffine(w.values, q);
      const bytes = new Uint8Array(codes.byteLength);
      if (codes instanceof Uint8Array || LITTLE_ENDIAN) bytes.set(new Uint8Array(codes.buffer));
      else for (let i = 0; i < codes.length; i++) new DataView(bytes.buffer).setUint16(2 * i, codes[i], true);
      spec.quantization = { dtype: q, min: params.min, scale: params.scale };
      parts.push(bytes);
    } else {
      const bytes = new Uint8Array(w.values.length * 4);
      if (LITTLE_ENDIAN) bytes.set(new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength));
      else {
        const view = new DataView(bytes.buffer);
        for (let i = 0; i < w.values.length; i++) {
          if (dtype === 'int32') view.setInt32(4 * i, w.values[i], true);
          else view.setFloat32(4 * i, w.values[i], true);
        }
      }
      parts.push(bytes);
    }
    specs.push(spec);
  }
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const data = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    data.set(p, offset);
    offset += p.byteLength;
  }
  return { specs, data: data.buffer };
}
