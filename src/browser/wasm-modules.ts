/**
 * How the browser bundle carries the two Wasm modules: the plain-SIMD module deflated, the
 * relaxed-SIMD module as a delta against it. `packModules` runs at build time (tsup.config.ts);
 * `unpackModules` runs once when the bundle loads and gives back the base64 strings the loader
 * expects from src/backend/wasm-modules.generated.ts.
 * @module
 */
import { inflateRaw } from './inflate.js';
import { applyDelta, encodeDelta } from './wasm-delta.js';

/** The modules as the bundle stores them. */
export interface PackedModules {
  /** The plain-SIMD module, raw DEFLATE, base64. */
  simdDeflated: string;
  /** Its length in bytes. */
  simdLength: number;
  /** The relaxed-SIMD module as a delta against the plain one, base64. */
  relaxedDelta: string;
}

/** The bytes of a base64 string. */
export function fromBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** The base64 of bytes. */
export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** Both modules, base64, from their packed form. */
export function unpackModules(packed: PackedModules): { simd: string; relaxed: string } {
  const simd = inflateRaw(fromBase64(packed.simdDeflated), packed.simdLength);
  return { simd: toBase64(simd), relaxed: toBase64(applyDelta(simd, fromBase64(packed.relaxedDelta))) };
}

/**
 * Packs both modules (build time), given a raw-DEFLATE compressor; throws unless unpacking gives
 * back the same bytes.
 */
export function packModules(
  simdB64: string,
  relaxedB64: string,
  deflateRaw: (bytes: Uint8Array) => Uint8Array,
): PackedModules {
  const simd = fromBase64(simdB64);
  const packed: PackedModules = {
    simdDeflated: toBase64(deflateRaw(simd)),
    simdLength: simd.length,
    relaxedDelta: toBase64(encodeDelta(simd, fromBase64(relaxedB64))),
  };
  const back = unpackModules(packed);
  if (back.simd !== simdB64 || back.relaxed !== relaxedB64) {
    throw new Error('packModules: the packed Wasm modules do not unpack to the same bytes');
  }
  return packed;
}
