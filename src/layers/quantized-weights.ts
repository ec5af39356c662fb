// Checks of the stored weights of quantized layers: int8 codes and their scales.
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import type { Tensor } from '../ops/tensor.js';

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
