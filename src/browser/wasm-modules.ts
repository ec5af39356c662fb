/**
 * How the browser bundle carries the two Wasm modules: one LZMA stream of the plain-SIMD module
 * followed by the relaxed-SIMD one (lzma.ts), whose matches reach back into the plain module, so
 * the second costs about 1.3 KB. `packModules` runs at build time (tsup.config.ts); `unpackModules`
 * runs once when the bundle loads and gives back the base64 strings the loader expects from
 * src/backend/wasm-modules.generated.ts.
 * @module
 */
import { decodeLzma } from './lzma.js';
import { encodeLzma } from './lzma-encoder.js';

/** The modules as the bundle stores them. */
export interface PackedModules {
  /** The plain-SIMD module then the relaxed-SIMD module, raw LZMA (lc = lp = pb = 0), base64. */
  lzma: string;
  /** The plain module's length in bytes. */
  simdLength: number;
  /** The relaxed module's length in bytes. */
  relaxedLength: number;
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
  const both = decodeLzma(fromBase64(packed.lzma), packed.simdLength + packed.relaxedLength);
  return { simd: toBase64(both.subarray(0, packed.simdLength)), relaxed: toBase64(both.subarray(packed.simdLength)) };
}

/**
 * Packs both modules (build time; a second or two); throws unless unpacking gives back the same
 * bytes. `compress` is for tests.
 */
export function packModules(simdB64: string, relaxedB64: string, compress = encodeLzma): PackedModules {
  const simd = fromBase64(simdB64);
  const relaxed = fromBase64(relaxedB64);
  const both = new Uint8Array(simd.length + relaxed.length);
  both.set(simd);
  both.set(relaxed, simd.length);
  const packed: PackedModules = {
    lzma: toBase64(compress(both)),
    simdLength: simd.length,
    relaxedLength: relaxed.length,
  };
  const back = unpackModules(packed);
  if (back.simd !== simdB64 || back.relaxed !== relaxedB64) {
    throw new Error('packModules: the packed Wasm modules do not unpack to the same bytes');
  }
  return packed;
}
