/**
 * A small synchronous LZMA decoder (raw LZMA1 data, as `xz --format=raw` writes it, after Igor
 * Pavlov's LzmaSpec.cpp). The browser bundle stores both Wasm modules as one LZMA stream: its
 * window spans both, so the relaxed-SIMD module costs little more than its differences from the plain
 * one, and LZMA's adaptive binary coding takes the plain module to ~10.5 KB where DEFLATE needs ~13.5.
 * Synchronous because the loader reads the module bytes synchronously. The encoder, run at build
 * time, is in lzma-encoder.ts.
 * @module
 */

/** Literal context bits, literal position bits and position bits (LZMA's lc, lp, pb). */
export interface LzmaProperties {
  lc: number;
  lp: number;
  pb: number;
}

/** The properties the Wasm modules are packed with (wasm compresses best with no literal context). */
export const WASM_LZMA: LzmaProperties = { lc: 0, lp: 0, pb: 0 };

/** How the probabilities of one stream are laid out (shared with the encoder). */
export function probabilityLayout(p: LzmaProperties) {
  const isMatch = 0;
  const isRep = isMatch + 192;
  const isRepG0 = isRep + 12;
  const isRepG1 = isRepG0 + 12;
  const isRepG2 = isRepG1 + 12;
  const isRep0Long = isRepG2 + 12;
  const posSlot = isRep0Long + 192;
  const posSpecial = posSlot + 256;
  const align = posSpecial + 114;
  const len = align + 16;
  const repLen = len + 514;
  const literal = repLen + 514;
  return {
    isMatch,
    isRep,
    isRepG0,
    isRepG1,
    isRepG2,
    isRep0Long,
    posSlot,
    posSpecial,
    align,
    len,
    repLen,
    literal,
    total: literal + (0x300 << (p.lc + p.lp)),
  };
}

// a length coder: choice, choice2, low[16][8], mid[16][8], high[256]
const CHOICE2 = 1;
const LOW = 2;
const MID = LOW + 128;
const HIGH = MID + 128;

/** The range decoder over `data`. */
class RangeDecoder {
  private range = 0xffffffff;
  private code: number;
  private pos = 5;

  constructor(
    private readonly data: Uint8Array,
    readonly probs: Uint16Array,
  ) {
    if (data.length < 5 || data[0] !== 0) throw new Error('lzma: bad stream start');
    this.code = ((data[1] << 24) | (data[2] << 16) | (data[3] << 8) | data[4]) >>> 0;
  }

  private normalize(): void {
    if (this.pos >= this.data.length) throw new Error('lzma: unexpected end of data');
    this.range *= 256;
    this.code = this.code * 256 + this.data[this.pos++];
  }

  /** One bit coded with the adaptive probability `probs[i]`. */
  bit(i: number): number {
    const p = this.probs[i];
    const bound = (this.range >>> 11) * p;
    let b = 0;
    if (this.code < bound) {
      this.range = bound;
      this.probs[i] = p + ((2048 - p) >>> 5);
    } else {
      this.code -= bound;
      this.range -= bound;
      this.probs[i] = p - (p >>> 5);
      b = 1;
    }
    if (this.range < 0x1000000) this.normalize();
    return b;
  }

  /** `bits` bits, most significant first, coded with a binary tree of probabilities at `base + 1...`. */
  tree(base: number, bits: number): number {
    // bit() written out: most bits decoded are here, before the JIT has warmed up
    const probs = this.probs;
    let range = this.range;
    let code = this.code;
    let m = 1;
    for (let i = 0; i < bits; i++) {
      const p = probs[base + m];
      const bound = (range >>> 11) * p;
      if (code < bound) {
        range = bound;
        probs[base + m] = p + ((2048 - p) >>> 5);
        m <<= 1;
      } else {
        code -= bound;
        range -= bound;
        probs[base + m] = p - (p >>> 5);
        m = (m << 1) | 1;
      }
      if (range < 0x1000000) {
        if (this.pos >= this.data.length) throw new Error('lzma: unexpected end of data');
        range *= 256;
        code = code * 256 + this.data[this.pos++];
      }
    }
    this.range = range;
    this.code = code;
    return m - (1 << bits);
  }

  /** As `tree`, least significant bit first. */
  reverseTree(base: number, bits: number): number {
    let m = 1;
    let symbol = 0;
    for (let i = 0; i < bits; i++) {
      const b = this.bit(base + m);
      m = (m << 1) | b;
      symbol |= b << i;
    }
    return symbol;
  }

  /** `bits` bits with probability 1/2. */
  directBits(bits: number): number {
    let result = 0;
    for (let i = 0; i < bits; i++) {
      this.range = this.range >>> 1;
      let b = 0;
      if (this.code >= this.range) {
        this.code -= this.range;
        b = 1;
      }
      result = result * 2 + b;
      if (this.range < 0x1000000) this.normalize();
    }
    return result;
  }

  /** A match length minus 2, from the length coder at `base`. */
  length(base: number, posState: number): number {
    if (this.bit(base) === 0) return this.tree(base + LOW + (posState << 3), 3);
    if (this.bit(base + CHOICE2) === 0) return 8 + this.tree(base + MID + (posState << 3), 3);
    return 16 + this.tree(base + HIGH, 8);
  }
}

/** Decodes `outLength` bytes of raw LZMA1 data (an end marker, if any, is not needed). */
export function decodeLzma(data: Uint8Array, outLength: number, props: LzmaProperties = WASM_LZMA): Uint8Array {
  const at = probabilityLayout(props);
  const rc = new RangeDecoder(data, new Uint16Array(at.total).fill(1024));
  const out = new Uint8Array(outLength);
  const pbMask = (1 << props.pb) - 1;
  const lpMask = (1 << props.lp) - 1;
  let state = 0;
  let rep0 = 0;
  let rep1 = 0;
  let rep2 = 0;
  let rep3 = 0;
  let pos = 0;
  while (pos < outLength) {
    const posState = pos & pbMask;
    if (rc.bit(at.isMatch + (state << 4) + posState) === 0) {
      const prev = pos > 0 ? out[pos - 1] : 0;
      const base = at.literal + 0x300 * (((pos & lpMask) << props.lc) + (prev >>> (8 - props.lc)));
      let symbol = 1;
      if (state >= 7) {
        if (rep0 >= pos) throw new Error('lzma: match before the start');
        let matchByte = out[pos - rep0 - 1];
        do {
          const matchBit = (matchByte >>> 7) & 1;
          matchByte <<= 1;
          const b = rc.bit(base + ((1 + matchBit) << 8) + symbol);
          symbol = (symbol << 1) | b;
          if (matchBit !== b) break;
        } while (symbol < 0x100);
      }
      if (symbol === 1) symbol = rc.tree(base, 8);
      else while (symbol < 0x100) symbol = (symbol << 1) | rc.bit(base + symbol);
      out[pos++] = symbol & 0xff;
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      continue;
    }
    let len: number;
    if (rc.bit(at.isRep + state) === 1) {
      if (pos === 0) throw new Error('lzma: match before the start');
      if (rc.bit(at.isRepG0 + state) === 0) {
        if (rc.bit(at.isRep0Long + (state << 4) + posState) === 0) {
          state = state < 7 ? 9 : 11;
          out[pos] = out[pos - rep0 - 1];
          pos++;
          continue;
        }
      } else {
        let dist: number;
        if (rc.bit(at.isRepG1 + state) === 0) dist = rep1;
        else {
          if (rc.bit(at.isRepG2 + state) === 0) dist = rep2;
          else {
            dist = rep3;
            rep3 = rep2;
          }
          rep2 = rep1;
        }
        rep1 = rep0;
        rep0 = dist;
      }
      len = rc.length(at.repLen, posState);
      state = state < 7 ? 8 : 11;
    } else {
      rep3 = rep2;
      rep2 = rep1;
      rep1 = rep0;
      len = rc.length(at.len, posState);
      state = state < 7 ? 7 : 10;
      const slot = rc.tree(at.posSlot + (Math.min(len, 3) << 6), 6);
      if (slot < 4) rep0 = slot;
      else {
        const bits = (slot >>> 1) - 1;
        rep0 = (2 | (slot & 1)) * 2 ** bits;
        if (slot < 14) rep0 += rc.reverseTree(at.posSpecial + rep0 - slot - 1, bits);
        else rep0 += rc.directBits(bits - 4) * 16 + rc.reverseTree(at.align - 1, 4);
        // the end marker
        if (rep0 === 0xffffffff) break;
      }
    }
    len += 2;
    if (rep0 >= pos) throw new Error('lzma: match before the start');
    if (pos + len > outLength) throw new Error(`lzma: the data is longer than the expected ${outLength} bytes`);
    const from = pos - rep0 - 1;
    if (len <= rep0 + 1) out.copyWithin(pos, from, from + len);
    else for (let i = 0; i < len; i++) out[pos + i] = out[from + i];
    pos += len;
  }
  if (pos !== outLength) throw new Error(`lzma: the data ends after ${pos} bytes, expected ${outLength}`);
  return out;
}
