// How the browser bundle carries the Wasm modules (src/browser): LZMA encoding and decoding, checked
// by round trips, against xz (where it is installed) and on the real modules.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RELAXED_WASM_BASE64, SIMD_WASM_BASE64 } from '../../src/backend/wasm-modules.generated.js';
import { decodeLzma } from '../../src/browser/lzma.js';
import { encodeLzma } from '../../src/browser/lzma-encoder.js';
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

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

const simd = fromBase64(SIMD_WASM_BASE64);
const relaxed = fromBase64(RELAXED_WASM_BASE64);

const inputs: Record<string, Uint8Array> = {
  empty: new Uint8Array(0),
  'one byte': Uint8Array.of(42),
  text: new TextEncoder().encode('neurasm '.repeat(1000)),
  'random (incompressible)': bytes(70_000, 1),
  'small alphabet': bytes(100_000, 2, 5),
  'long runs (overlapping copies)': new Uint8Array(50_000).fill(7),
  'repeats at many distances': Uint8Array.from({ length: 60_000 }, (_, i) => ((i * i) % 251) ^ (i >> 9)),
  'wasm module': simd,
};

/** xz, where installed: an independent LZMA implementation. */
const XZ = (() => {
  try {
    execFileSync('xz', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn('[wasm packing] xz is not installed: the LZMA streams were not checked against it');
    return false;
  }
})();
const scratch = mkdtempSync(join(tmpdir(), 'neurasm-lzma-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const RAW = ['--format=raw', '--lzma1=lc=0,lp=0,pb=0'];

describe('LZMA', () => {
  for (const [name, input] of Object.entries(inputs)) {
    it(`round-trips ${name}`, () => {
      const packed = encodeLzma(input);
      expect(same(decodeLzma(packed, input.length), input)).toBe(true);
    });
  }

  it('compresses the wasm module to well under what DEFLATE does (13.5 KB)', () => {
    expect(encodeLzma(simd).length).toBeLessThan(simd.length * 0.16);
  });

  it.runIf(XZ)("writes streams that xz decodes, and decodes xz's", () => {
    for (const [name, input] of Object.entries(inputs)) {
      const file = join(scratch, name.replace(/\W+/g, '-'));
      // ours, through xz (no end marker: xz writes every byte, maybe one more from the flushed
      // coder, then says the input ended)
      writeFileSync(`${file}.lzma`, encodeLzma(input));
      let decoded: Buffer;
      try {
        decoded = execFileSync('xz', [...RAW, '-dc', `${file}.lzma`], { stdio: ['ignore', 'pipe', 'ignore'] });
      } catch (e) {
        decoded = (e as { stdout: Buffer }).stdout;
      }
      expect(same(decoded.subarray(0, input.length), input), name).toBe(true);
      // xz's (with its end marker, 4 repeated distances, short reps), through ours
      writeFileSync(file, input);
      const theirs = execFileSync('xz', [...RAW.slice(0, 1), '--lzma1=preset=9e,lc=0,lp=0,pb=0', '-c', file]);
      expect(same(decodeLzma(theirs, input.length), input), name).toBe(true);
    }
  });

  it('throws on truncated data and a bad start', () => {
    const packed = encodeLzma(simd);
    expect(() => decodeLzma(packed.subarray(0, packed.length >> 1), simd.length)).toThrow(/unexpected end of data/);
    expect(() => decodeLzma(Uint8Array.of(1, 0, 0, 0, 0), 10)).toThrow(/bad stream start/);
    // a run is a literal and then matches: cut in a match
    expect(() => decodeLzma(encodeLzma(new Uint8Array(1000).fill(7)), 500)).toThrow(/longer than the expected 500/);
  });
});

describe('packModules / unpackModules', () => {
  it('gives back both modules, byte for byte, from a much smaller form', () => {
    const packed = packModules(SIMD_WASM_BASE64, RELAXED_WASM_BASE64);
    expect(unpackModules(packed)).toEqual({ simd: SIMD_WASM_BASE64, relaxed: RELAXED_WASM_BASE64 });
    expect(packed.lzma.length).toBeLessThan((SIMD_WASM_BASE64.length + RELAXED_WASM_BASE64.length) / 8);
    // the relaxed module costs little on top of the plain one
    expect(fromBase64(packed.lzma).length).toBeLessThan(encodeLzma(simd).length + relaxed.length / 20);
  });

  it('refuses to pack what does not unpack', () => {
    const broken = (b: Uint8Array) => encodeLzma(b.subarray(1));
    expect(() => packModules(SIMD_WASM_BASE64, RELAXED_WASM_BASE64, broken)).toThrow();
  });

  it('base64 helpers round-trip', () => {
    const b = bytes(100_001, 7);
    expect(same(fromBase64(toBase64(b)), b)).toBe(true);
    expect(toBase64(b)).toBe(Buffer.from(b).toString('base64'));
  });
});
