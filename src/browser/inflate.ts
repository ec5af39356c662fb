/**
 * A small synchronous raw-DEFLATE decoder (RFC 1951), after Jørgen Ibsen's tinf. The browser bundle
 * stores the Wasm module deflated: base64 of Wasm bytes gzips to ~21 KB, base64 of their deflate
 * stream to ~13 KB. Synchronous because the loader reads the module bytes synchronously
 * (`DecompressionStream` is asynchronous, and newer than WebAssembly SIMD in some browsers).
 * @module
 */

/** A canonical Huffman code: how many codes of each bit length, and the symbols in code order. */
interface Tree {
  counts: Uint16Array;
  symbols: Uint16Array;
}

const newTree = (): Tree => ({ counts: new Uint16Array(16), symbols: new Uint16Array(288) });

/** Extra bits and base values of the length codes (257..285) and distance codes (0..29). */
const lengthBits = new Uint8Array(30);
const lengthBase = new Uint16Array(30);
const distBits = new Uint8Array(30);
const distBase = new Uint16Array(30);

function buildBitsBase(bits: Uint8Array, base: Uint16Array, delta: number, first: number): void {
  for (let i = 0; i < 30; i++) bits[i] = i < delta ? 0 : ((i - delta) / delta) | 0;
  for (let i = 0, sum = first; i < 30; i++) {
    base[i] = sum;
    sum += 1 << bits[i];
  }
}
buildBitsBase(lengthBits, lengthBase, 4, 3);
buildBitsBase(distBits, distBase, 2, 1);
// length code 285 is 258 with no extra bits
lengthBits[28] = 0;
lengthBase[28] = 258;

/** The order in which a dynamic block lists its code-length code lengths. */
const CLEN_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

function buildTree(t: Tree, lengths: Uint8Array, offset: number, num: number): void {
  t.counts.fill(0);
  for (let i = 0; i < num; i++) t.counts[lengths[offset + i]]++;
  t.counts[0] = 0;
  const offs = new Uint16Array(16);
  for (let i = 0, sum = 0; i < 16; i++) {
    offs[i] = sum;
    sum += t.counts[i];
  }
  for (let i = 0; i < num; i++) {
    const len = lengths[offset + i];
    if (len) t.symbols[offs[len]++] = i;
  }
}

const fixedLit = newTree();
const fixedDist = newTree();
{
  const lengths = new Uint8Array(288);
  lengths.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
  buildTree(fixedLit, lengths, 0, 288);
  buildTree(fixedDist, new Uint8Array(30).fill(5), 0, 30);
}

class Reader {
  pos = 0;
  private tag = 0;
  private count = 0;
  constructor(readonly src: Uint8Array) {}

  /** `n` bits (n <= 16), least significant first. */
  bits(n: number): number {
    while (this.count < n) {
      if (this.pos >= this.src.length) throw new Error('inflate: unexpected end of data');
      this.tag |= this.src[this.pos++] << this.count;
      this.count += 8;
    }
    const v = this.tag & ((1 << n) - 1);
    this.tag >>>= n;
    this.count -= n;
    return v;
  }

  /** Drops the bits left in the current byte (before a stored block). */
  align(): void {
    this.tag = 0;
    this.count = 0;
  }

  symbol(t: Tree): number {
    let sum = 0;
    let cur = 0;
    let len = 0;
    // walk the canonical code one bit at a time: cur goes negative inside the right length's codes
    do {
      cur = 2 * cur + this.bits(1);
      if (++len > 15) throw new Error('inflate: invalid Huffman code');
      sum += t.counts[len];
      cur -= t.counts[len];
    } while (cur >= 0);
    return t.symbols[sum + cur];
  }
}

function dynamicTrees(r: Reader, lit: Tree, dist: Tree): void {
  const hlit = r.bits(5) + 257;
  const hdist = r.bits(5) + 1;
  const hclen = r.bits(4) + 4;
  const lengths = new Uint8Array(288 + 32);
  for (let i = 0; i < hclen; i++) lengths[CLEN_ORDER[i]] = r.bits(3);
  const codeTree = newTree();
  buildTree(codeTree, lengths, 0, 19);
  lengths.fill(0);
  for (let n = 0; n < hlit + hdist; ) {
    const sym = r.symbol(codeTree);
    if (sym < 16) {
      lengths[n++] = sym;
      continue;
    }
    let value = 0;
    let repeat: number;
    if (sym === 16) {
      if (n === 0) throw new Error('inflate: repeat with no previous length');
      value = lengths[n - 1];
      repeat = 3 + r.bits(2);
    } else if (sym === 17) repeat = 3 + r.bits(3);
    else repeat = 11 + r.bits(7);
    if (n + repeat > hlit + hdist) throw new Error('inflate: too many code lengths');
    lengths.fill(value, n, n + repeat);
    n += repeat;
  }
  buildTree(lit, lengths, 0, hlit);
  buildTree(dist, lengths, hlit, hdist);
}

/** Decodes a raw DEFLATE stream whose decoded length is known; throws on corrupt data or another length. */
export function inflateRaw(src: Uint8Array, length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  const r = new Reader(src);
  const lit = newTree();
  const dist = newTree();
  let at = 0;
  const room = (n: number) => {
    if (at + n > length) throw new Error(`inflate: data longer than the expected ${length} bytes`);
  };
  let last = 0;
  while (!last) {
    last = r.bits(1);
    const type = r.bits(2);
    if (type === 0) {
      r.align();
      const p = r.pos;
      if (p + 4 > src.length) throw new Error('inflate: unexpected end of data');
      const len = src[p] | (src[p + 1] << 8);
      if ((len ^ (src[p + 2] | (src[p + 3] << 8))) !== 0xffff) throw new Error('inflate: bad stored block');
      if (p + 4 + len > src.length) throw new Error('inflate: unexpected end of data');
      room(len);
      out.set(src.subarray(p + 4, p + 4 + len), at);
      at += len;
      r.pos = p + 4 + len;
      continue;
    }
    if (type === 3) throw new Error('inflate: invalid block type');
    const [lt, dt] = type === 1 ? [fixedLit, fixedDist] : [lit, dist];
    if (type === 2) dynamicTrees(r, lit, dist);
    for (;;) {
      const sym = r.symbol(lt);
      if (sym === 256) break;
      if (sym < 256) {
        room(1);
        out[at++] = sym;
        continue;
      }
      const l = sym - 257;
      if (l > 28) throw new Error('inflate: invalid length code');
      const len = lengthBase[l] + r.bits(lengthBits[l]);
      const d = r.symbol(dt);
      if (d > 29) throw new Error('inflate: invalid distance code');
      const offset = distBase[d] + r.bits(distBits[d]);
      if (offset > at) throw new Error('inflate: distance before the start of the data');
      room(len);
      // byte by byte: the source may overlap what is being written
      for (let i = 0; i < len; i++, at++) out[at] = out[at - offset];
    }
  }
  if (at !== length) throw new Error(`inflate: got ${at} bytes, expected ${length}`);
  return out;
}
