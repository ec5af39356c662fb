// What the quantized layers share: checks of their int8 codes and scales, their stored weights, and
// the static quantization of their input.
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { fromFlat } from '../ops/create.js';
import type { InputQuantization, QuantizedMatrix } from '../ops/quantized.js';
import type { Tensor } from '../ops/tensor.js';
import { checkTensor, describe, sameShape } from '../ops/validate.js';
import type { StoredWeight } from './layer.js';

/** Throws unless `codes` holds `count` int8 codes in [−127, 127] (−128 is not a symmetric code). */
export function checkCodes(where: string, name: string, codes: unknown, count: number): void {
  if (!(codes instanceof Int8Array)) throw new ValueError(`${where}: expected ${name} as an Int8Array of codes`);
  if (codes.length !== count) {
    throw new ShapeError(`${where}: expected ${count} ${name} codes, got ${codes.length}`);
  }
  const at = codes.indexOf(-128);
  if (at >= 0) throw new ValueError(`${where}: ${name} codes must be in [-127, 127], got -128 at index ${at}`);
}

/** Throws unless `scales` holds `count` finite float scales > 0. */
export function checkScales(where: string, name: string, scales: unknown, count: number): void {
  if (!(scales instanceof Float32Array)) throw new ValueError(`${where}: expected ${name} as a Float32Array`);
  if (scales.length !== count) throw new ShapeError(`${where}: expected ${count} ${name} values, got ${scales.length}`);
  for (let i = 0; i < count; i++) {
    const s = scales[i];
    if (!(Number.isFinite(s) && s > 0)) {
      throw new ValueError(`${where}: ${name} values must be finite and > 0, got ${s} at index ${i}`);
    }
  }
}

/** The int8 codes an int32 tensor holds (as getWeights gives them), each checked to be in [−127, 127]. */
export function codesOf(where: string, name: string, t: Tensor): Int8Array {
  if (t.dtype !== 'int32') throw new DTypeError(`${where}: expected ${name} as int32 codes, got ${t.dtype}`);
  const values = t.dataSync<'int32'>();
  const codes = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < -127 || v > 127)
      throw new ValueError(`${where}: ${name} codes must be in [-127, 127], got ${v} at index ${i}`);
    codes[i] = v;
  }
  return codes;
}

/** A quantized layer's weights as getWeights gives them: its stored weights, int8 codes as int32 tensors. */
export function weightTensors(stored: readonly StoredWeight[]): Tensor[] {
  return stored.map((w) =>
    w.values instanceof Int8Array ? fromFlat(w.shape, 'int32', w.values) : fromFlat(w.shape, 'float32', w.values),
  );
}

/**
 * The values of `weights` (what getWeights gives) by stored name, each checked against the layer's
 * stored weights: count, shapes, int32 codes in [−127, 127] or float32 values. `where` names the call.
 */
export function storedValuesOf(
  where: string,
  stored: readonly StoredWeight[],
  weights: unknown,
): Map<string, Float32Array | Int8Array> {
  const names = stored.map((w) => w.name.slice(w.name.lastIndexOf('/') + 1));
  if (!Array.isArray(weights) || weights.length !== stored.length) {
    throw new ValueError(
      `${where}: expected ${stored.length} weight tensors [${names.join(', ')}], got ${describe(weights)}`,
    );
  }
  const out = new Map<string, Float32Array | Int8Array>();
  stored.forEach((w, i) => {
    const t = checkTensor(where, `weights[${i}]`, weights[i]);
    if (!sameShape(t.shape, w.shape)) {
      throw new ShapeError(`${where}: expected ${names[i]} [${w.shape.join(', ')}], got [${t.shape.join(', ')}]`);
    }
    if (w.values instanceof Int8Array) out.set(w.name, codesOf(where, names[i], t));
    else if (t.dtype !== 'float32') throw new DTypeError(`${where}: expected ${names[i]} as float32, got ${t.dtype}`);
    else out.set(w.name, t.dataSync() as Float32Array);
  });
  return out;
}

/** Whether scale and zero point make a static input quantization: a finite scale > 0, an integer zero point in [0, 127]. */
export function isInputQuantization(scale: unknown, zeroPoint: unknown): boolean {
  return (
    typeof scale === 'number' &&
    Number.isFinite(scale) &&
    scale > 0 &&
    Number.isInteger(zeroPoint) &&
    (zeroPoint as number) >= 0 &&
    (zeroPoint as number) <= 127
  );
}

/** Checks a layer's `inputQuantization` option: null (dynamic), or a static quantization. */
export function checkInputQuantization(where: string, q: unknown): InputQuantization | null {
  if (q === undefined || q === null) return null;
  const v = q as Partial<InputQuantization>;
  if (typeof q !== 'object' || !isInputQuantization(v.scale, v.zeroPoint)) {
    throw new ValueError(
      `${where}: expected inputQuantization to be null or {scale > 0, zeroPoint: an integer in [0, 127]}, got ${describe(q)}`,
    );
  }
  return { scale: v.scale as number, zeroPoint: v.zeroPoint as number };
}

/** The `input_quantization` of a layer config, as model files write it. */
export function inputQuantizationConfig(q: InputQuantization | null): { scale: number; zero_point: number } | null {
  return q ? { scale: q.scale, zero_point: q.zeroPoint } : null;
}

/**
 * The stored weights of an int8 kernel with a bias and a scale per unit, Keras's order for its int8
 * layers: `kernel` (codes, of `kernelShape`), `bias` (if any), `kernel_scale`.
 */
export function kernelBiasScale(
  layerName: string,
  kernelShape: number[],
  matrix: QuantizedMatrix,
  bias: Float32Array | null,
): StoredWeight[] {
  const units = matrix.columns;
  const out: StoredWeight[] = [{ name: `${layerName}/kernel`, shape: kernelShape, values: matrix.codes }];
  if (bias) out.push({ name: `${layerName}/bias`, shape: [units], values: bias });
  out.push({ name: `${layerName}/kernel_scale`, shape: [units], values: matrix.scales });
  return out;
}

/** The codes, scales and bias of `kernelBiasScale`'s weights, from a model file's values by name. */
export function kernelBiasScaleValues(
  layerName: string,
  values: ReadonlyMap<string, Float32Array | Int8Array>,
  useBias: boolean,
): { codes: Int8Array; scales: Float32Array; bias: Float32Array | null } {
  return {
    codes: values.get(`${layerName}/kernel`) as Int8Array,
    scales: values.get(`${layerName}/kernel_scale`) as Float32Array,
    bias: useBias ? (values.get(`${layerName}/bias`) as Float32Array) : null,
  };
}
