// How the browser bundle carries the Wasm modules (src/browser): raw DEFLATE decoding and the
// relaxed-from-plain delta, checked against node:zlib and on the real modules.
import { constants, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { RELAXED_WASM_BASE64, SIMD_WASM_BASE64 } from '../../src/backend/wasm-modules.generated.js';
import { inflateRaw } from '../../src/browser/inflate.js';
import { applyDelta, encodeDelta } from '../../src/browser/wasm-delta.js';
import { fromBase64, packModules, toBase64, unpackModules } from '../../src/browser/wasm-modules.js';

/** Deterministic bytes: a xorshift stream, optionally folded to a small alphabet so it compresses. */
function bytes(n: number, seed: number, alphabet = 256): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed | 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = (s >>> 0) % alphabet;
  }
  return out;
}

const simd = fromBase64(SIMD_WASM_BASE64);
const relaxed = fromBase64(RELAXED_WASM_BASE64);

describe('inflateRaw', () => {
  const inputs: Record<string, Uint8Array> = {
    empty: new Uint8Array(0),
    'one byte': Uint8Array.of(42),
    text: new TextEncoder().encode('neurasm '.repeat(1000)),
    'random (incompressible)': bytes(70_000, 1),
    'small alphabet': bytes(100_000, 2, 5),
    'long runs (overlapping copies)': new Uint8Array(50_000).fill(7),
    'wasm module': simd,
  };
  const settings = {
    'level 0 (stored blocks)': { level: 0 },
    'level 1': { level: 1 },
    'level 9': { level: 9 },
    'fixed Huffman codes': { level: 9, strategy: constants.Z_FIXED },
    'Huffman only': { level: 9, strategy: constants.Z_HUFFMAN_ONLY },
    'run-length': { level: 9, strategy: constants.Z_RLE },
  };
  for (const [name, input] of Object.entries(inputs)) {
    for (const [how, options] of Object.entries(settings)) {
      it(`decodes ${name}, ${how}`, () => {
        const out = inflateRaw(deflateRawSync(input, options), input.length);
        expect(Buffer.from(out).equals(Buffer.from(input))).toBe(true);
      });
    }
  }

  it('throws on a wrong length, truncated data and an invalid block type', () => {
    const packed = deflateRawSync(simd, { level: 9 });
    expect(() => inflateRaw(packed, simd.length - 1)).toThrow(/longer than the expected/);
    expect(() => inflateRaw(packed, simd.length + 1)).toThrow(/expected/);
    expect(() => inflateRaw(packed.subarray(0, packed.length >> 1), simd.length)).toThrow(/unexpected end of data/);
    expect(() => inflateRaw(Uint8Array.of(0b111), 10)).toThrow(/invalid block type/);
    expect(() => inflateRaw(Uint8Array.of(0b001, 0, 0, 0, 0), 10)).toThrow(/bad stored block/);
  });
});

describe('wasm delta', () => {
  it('rebuilds the relaxed module from the plain one, in a small patch', () => {
    const patch = encodeDelta(simd, relaxed);
    expect(Buffer.from(applyDelta(simd, patch)).equals(Buffer.from(relaxed))).toBe(true);
    expect(patch.length).toBeLessThan(relaxed.length / 5);
  });

  it('round-trips edited, unrelated and empty data', () => {
    const source = bytes(20_000, 3, 16);
    const edited = Uint8Array.from(source);
    for (let i = 100; i < edited.length; i += 997) edited[i] ^= 0x55;
    const spliced = new Uint8Array([...source.subarray(5000, 9000), ...bytes(300, 4), ...source.subarray(0, 5000)]);
    for (const target of [edited, spliced, bytes(5000, 5), new Uint8Array(0), source]) {
      expect(Buffer.from(applyDelta(source, encodeDelta(source, target))).equals(Buffer.from(target))).toBe(true);
    }
    expect(encodeDelta(source, source).length).toBeLessThan(10);
  });

  it('throws on a patch that does not fit the source', () => {
    const source = bytes(1000, 6);
    const patch = encodeDelta(source, source);
    expect(() => applyDelta(source.subarray(0, 500), patch)).toThrow(/copy outside the source/);
    expect(() => applyDelta(source, patch.subarray(0, 2))).toThrow(/patch made 0 bytes, expected 1000/);
    expect(() => applyDelta(source, Uint8Array.of(0x80))).toThrow(/truncated patch/);
  });
});

describe('packModules / unpackModules', () => {
  it('gives back both modules, byte for byte, from a much smaller form', () => {
    const packed = packModules(SIMD_WASM_BASE64, RELAXED_WASM_BASE64, (b) => deflateRawSync(b, { level: 9 }));
    expect(unpackModules(packed)).toEqual({ simd: SIMD_WASM_BASE64, relaxed: RELAXED_WASM_BASE64 });
    const size = packed.simdDeflated.length + packed.relaxedDelta.length;
    expect(size).toBeLessThan((SIMD_WASM_BASE64.length + RELAXED_WASM_BASE64.length) / 4);
  });

  it('refuses to pack what does not unpack', () => {
    const broken = (b: Uint8Array) => deflateRawSync(b.subarray(1));
    expect(() => packModules(SIMD_WASM_BASE64, RELAXED_WASM_BASE64, broken)).toThrow();
  });

  it('base64 helpers round-trip', () => {
    const b = bytes(100_001, 7);
    expect(Buffer.from(fromBase64(toBase64(b))).equals(Buffer.from(b))).toBe(true);
    expect(toBase64(b)).toBe(Buffer.from(b).toString('base64'));
  });
});
