/**
 * Base64 for the whole library: the embedded Wasm modules and data sets, and model weights kept
 * in browser storage. `atob`/`btoa` exist in Node (>= 16) and browsers alike.
 * @module
 */

/** The bytes of a base64 string; throws the platform's DOMException (`InvalidCharacterError`) if it is not base64. */
export function fromBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** The base64 of bytes. */
export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  // in slices: String.fromCharCode takes its arguments on the stack
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
