/**
 * An LZMA encoder for the build (tsup.config.ts packs the Wasm modules with it); lzma.ts decodes its
 * output, and so does `xz --format=raw --lzma1=lc=0,lp=0,pb=0`. Matches come from hash chains over
 * the whole input (the window is the input), chosen by a forward pass that prices literals, matches
 * and the four repeated distances with the coder's current probabilities, as LZMA's optimal parser
 * does in a simpler form. Slow-ish and allocation-happy: build time only.
 * @module
 */
import { type LzmaProperties, probabilityLayout, WASM_LZMA } from './lzma.js';

const MIN_MATCH = 2;
const MAX_MATCH = 273;
const HASH_BITS = 16;
const CHAIN = 512;

/** The range coder, bit for bit the counterpart of lzma.ts's decoder. */
class RangeEncoder {
  readonly out: number[] = [];
  private low = 0;
  private range = 0xffffffff;
  private cache = 0;
  private cacheSize = 1;

  constructor(readonly probs: Uint16Array) {}

  bit(i: number, b: number): void {
    const p = this.probs[i];
    const bound = (this.range >>> 11) * p;
    if (b === 0) {
      this.range = bound;
      this.probs[i] = p + ((2048 - p) >>> 5);
    } else {
      this.low += bound;
      this.range -= bound;
      this.probs[i] = p - (p >>> 5);
    }
    while (this.range < 0x1000000) {
      this.range *= 256;
      this.shiftLow();
    }
  }

  directBits(value: number, bits: number): void {
    for (let i = bits - 1; i >= 0; i--) {
      this.range = this.range >>> 1;
      if (Math.floor(value / 2 ** i) & 1) this.low += this.range;
      while (this.range < 0x1000000) {
        this.range *= 256;
        this.shiftLow();
      }
    }
  }

  private shiftLow(): void {
    const low32 = this.low % 0x100000000;
    if (low32 < 0xff000000 || this.low >= 0x100000000) {
      const carry = this.low >= 0x100000000 ? 1 : 0;
      let temp = this.cache;
      do {
        this.out.push((temp + carry) & 0xff);
        temp = 0xff;
      } while (--this.cacheSize !== 0);
      this.cache = low32 >>> 24;
    }
    this.cacheSize++;
    this.low = (low32 % 0x1000000) * 256;
  }

  finish(): Uint8Array {
    for (let i = 0; i < 5; i++) this.shiftLow();
    return Uint8Array.from(this.out);
  }
}

/** Cost in bits of coding a bit whose probability is p / 2048 (a 0 with probability p, a 1 with 2048 - p). */
const PRICES = Float64Array.from({ length: 2049 }, (_, p) => (p === 0 ? 1e9 : -Math.log2(p / 2048)));

// a length coder's parts (as in lzma.ts)
const CHOICE2 = 1;
const LOW = 2;
const MID = LOW + 128;
const HIGH = MID + 128;

/** A step of the parse: a literal (len 1, dist -1), a short rep (len 1, rep 0), a rep or a match. */
interface Step {
  len: number;
  /** 0..3: a repeated distance; -1: a literal; 4: a new match at `dist`. */
  kind: number;
  /** Distance minus one of a new match. */
  dist: number;
}

/** Raw LZMA1 data for `data` (no end marker; the decoder is told the length). */
export function encodeLzma(data: Uint8Array, props: LzmaProperties = WASM_LZMA): Uint8Array {
  if (props.pb !== 0 || props.lp !== 0) throw new Error('encodeLzma: only pb = lp = 0 is implemented');
  const at = probabilityLayout(props);
  const rc = new RangeEncoder(new Uint16Array(at.total).fill(1024));
  const probs = rc.probs;
  const n = data.length;

  // hash chains of 3-byte prefixes over the whole input
  const head = new Int32Array(1 << HASH_BITS).fill(-1);
  const prev = new Int32Array(n).fill(-1);
  const hash = (i: number) =>
    Math.imul((data[i] << 16) | (data[i + 1] << 8) | data[i + 2], 0x9e3779b1) >>> (32 - HASH_BITS);
  for (let i = 0; i + 2 < n; i++) {
    const h = hash(i);
    prev[i] = head[h];
    head[h] = i;
  }
  const matchLength = (a: number, b: number, max: number) => {
    let l = 0;
    while (l < max && data[a + l] === data[b + l]) l++;
    return l;
  };
  /** For each length 2..max, the smallest distance (minus one) that gives it. */
  const matchesAt = (i: number): Int32Array => {
    const max = Math.min(MAX_MATCH, n - i);
    const best = new Int32Array(max + 1).fill(-1);
    if (max < 3) return best;
    let top = 2;
    let steps = 0;
    for (let j = prev[i]; j >= 0 && steps < CHAIN; j = prev[j], steps++) {
      if (data[j + top] !== data[i + top]) continue;
      const l = matchLength(j, i, max);
      for (let k = top + 1; k <= l; k++) best[k] = i - j - 1;
      if (l > top) top = l;
      if (top === max) break;
    }
    return best;
  };

  const price = (i: number, b: number) => PRICES[b ? 2048 - probs[i] : probs[i]];
  const treePrice = (base: number, bits: number, symbol: number) => {
    let cost = 0;
    let m = 1;
    for (let i = bits - 1; i >= 0; i--) {
      const b = (symbol >>> i) & 1;
      cost += price(base + m, b);
      m = (m << 1) | b;
    }
    return cost;
  };
  const lengthPrice = (base: number, len: number) => {
    const l = len - MIN_MATCH;
    if (l < 8) return price(base, 0) + treePrice(base + LOW, 3, l);
    if (l < 16) return price(base, 1) + price(base + CHOICE2, 0) + treePrice(base + MID, 3, l - 8);
    return price(base, 1) + price(base + CHOICE2, 1) + treePrice(base + HIGH, 8, l - 16);
  };
  const slotOf = (dist: number) => {
    if (dist < 4) return dist;
    const top = 31 - Math.clz32(dist);
    return 2 * top + ((dist >>> (top - 1)) & 1);
  };
  const distancePrice = (dist: number, len: number) => {
    const slot = slotOf(dist);
    let cost = treePrice(at.posSlot + (Math.min(len - MIN_MATCH, 3) << 6), 6, slot);
    if (slot >= 4) {
      const bits = (slot >>> 1) - 1;
      const base = (2 | (slot & 1)) * 2 ** bits;
      if (slot < 14) cost += reverseTreePrice(at.posSpecial + base - slot - 1, bits, dist - base);
      else cost += bits - 4 + reverseTreePrice(at.align - 1, 4, (dist - base) & 15);
    }
    return cost;
  };
  const reverseTreePrice = (base: number, bits: number, symbol: number) => {
    let cost = 0;
    let m = 1;
    for (let i = 0; i < bits; i++) {
      const b = (symbol >>> i) & 1;
      cost += price(base + m, b);
      m = (m << 1) | b;
    }
    return cost;
  };
  const literalPrice = (i: number, state: number, rep0: number) => {
    const base = at.literal + 0x300 * (i > 0 ? data[i - 1] >>> (8 - props.lc) : 0);
    if (state < 7) return treePrice(base, 8, data[i]);
    // a literal after a match is coded against the byte at the last distance
    let matchByte = data[i - rep0 - 1];
    let cost = 0;
    let m = 1;
    for (let k = 7; k >= 0; k--) {
      const b = (data[i] >>> k) & 1;
      const matchBit = (matchByte >>> 7) & 1;
      matchByte = (matchByte << 1) & 0xff;
      cost += price(base + ((1 + matchBit) << 8) + m, b);
      m = (m << 1) | b;
      if (matchBit !== b) {
        for (let r = k - 1; r >= 0; r--) {
          const b2 = (data[i] >>> r) & 1;
          cost += price(base + m, b2);
          m = (m << 1) | b2;
        }
        break;
      }
    }
    return cost;
  };

  // the coder's state, advanced as steps are written
  let state = 0;
  const reps = [0, 0, 0, 0];

  const write = (i: number, s: Step) => {
    if (s.kind === -1) {
      rc.bit(at.isMatch + (state << 4), 0);
      const base = at.literal + 0x300 * (i > 0 ? data[i - 1] >>> (8 - props.lc) : 0);
      let symbol = 1;
      if (state >= 7) {
        let matchByte = data[i - reps[0] - 1];
        let k = 7;
        for (; k >= 0; k--) {
          const b = (data[i] >>> k) & 1;
          const matchBit = (matchByte >>> 7) & 1;
          matchByte = (matchByte << 1) & 0xff;
          rc.bit(base + ((1 + matchBit) << 8) + symbol, b);
          symbol = (symbol << 1) | b;
          if (matchBit !== b) {
            k--;
            break;
          }
        }
        for (; k >= 0; k--) {
          const b = (data[i] >>> k) & 1;
          rc.bit(base + symbol, b);
          symbol = (symbol << 1) | b;
        }
      } else {
        for (let k = 7; k >= 0; k--) {
          const b = (data[i] >>> k) & 1;
          rc.bit(base + symbol, b);
          symbol = (symbol << 1) | b;
        }
      }
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      return;
    }
    rc.bit(at.isMatch + (state << 4), 1);
    if (s.kind === 4) {
      rc.bit(at.isRep + state, 0);
      writeLength(at.len, s.len);
      const slot = slotOf(s.dist);
      writeTree(at.posSlot + (Math.min(s.len - MIN_MATCH, 3) << 6), 6, slot);
      if (slot >= 4) {
        const bits = (slot >>> 1) - 1;
        const base = (2 | (slot & 1)) * 2 ** bits;
        const rest = s.dist - base;
        if (slot < 14) writeReverseTree(at.posSpecial + base - slot - 1, bits, rest);
        else {
          rc.directBits(Math.floor(rest / 16), bits - 4);
          writeReverseTree(at.align - 1, 4, rest & 15);
        }
      }
      reps.unshift(s.dist);
      reps.length = 4;
      state = state < 7 ? 7 : 10;
      return;
    }
    rc.bit(at.isRep + state, 1);
    if (s.kind === 0) {
      rc.bit(at.isRepG0 + state, 0);
      rc.bit(at.isRep0Long + (state << 4), s.len === 1 ? 0 : 1);
      if (s.len === 1) {
        state = state < 7 ? 9 : 11;
        return;
      }
    } else {
      rc.bit(at.isRepG0 + state, 1);
      rc.bit(at.isRepG1 + state, s.kind === 1 ? 0 : 1);
      if (s.kind > 1) rc.bit(at.isRepG2 + state, s.kind === 2 ? 0 : 1);
      const [d] = reps.splice(s.kind, 1);
      reps.unshift(d);
    }
    writeLength(at.repLen, s.len);
    state = state < 7 ? 8 : 11;
  };
  const writeTree = (base: number, bits: number, symbol: number) => {
    let m = 1;
    for (let i = bits - 1; i >= 0; i--) {
      const b = (symbol >>> i) & 1;
      rc.bit(base + m, b);
      m = (m << 1) | b;
    }
  };
  const writeReverseTree = (base: number, bits: number, symbol: number) => {
    let m = 1;
    for (let i = 0; i < bits; i++) {
      const b = (symbol >>> i) & 1;
      rc.bit(base + m, b);
      m = (m << 1) | b;
    }
  };
  const writeLength = (base: number, len: number) => {
    const l = len - MIN_MATCH;
    if (l < 8) {
      rc.bit(base, 0);
      writeTree(base + LOW, 3, l);
    } else if (l < 16) {
      rc.bit(base, 1);
      rc.bit(base + CHOICE2, 0);
      writeTree(base + MID, 3, l - 8);
    } else {
      rc.bit(base, 1);
      rc.bit(base + CHOICE2, 1);
      writeTree(base + HIGH, 8, l - 16);
    }
  };

  // the parse: a forward pass over a window of positions prices every way to reach each position
  // from the coder's state at the window's start, then the cheapest path is written
  const WINDOW = 4096;
  let i = 0;
  while (i < n) {
    const end = Math.min(n, i + WINDOW);
    const cost = new Float64Array(end - i + 1).fill(Number.POSITIVE_INFINITY);
    const from: Step[] = new Array(end - i + 1);
    const stateAt = new Int32Array(end - i + 1);
    const repsAt: number[][] = new Array(end - i + 1);
    const matchLenPrice = Float64Array.from({ length: MAX_MATCH + 1 }, (_, l) =>
      l < MIN_MATCH ? 0 : lengthPrice(at.len, l),
    );
    const repLenPrice = Float64Array.from({ length: MAX_MATCH + 1 }, (_, l) =>
      l < MIN_MATCH ? 0 : lengthPrice(at.repLen, l),
    );
    cost[0] = 0;
    stateAt[0] = state;
    repsAt[0] = reps.slice();
    for (let k = 0; k < end - i; k++) {
      if (cost[k] === Number.POSITIVE_INFINITY) continue;
      const p = i + k;
      const st = stateAt[k];
      const rp = repsAt[k];
      const isMatch0 = price(at.isMatch + (st << 4), 0);
      const isMatch1 = price(at.isMatch + (st << 4), 1);
      const relax = (len: number, c: number, step: Step) => {
        const t = k + len;
        if (t > end - i || c >= cost[t]) return;
        cost[t] = c;
        from[t] = step;
        if (step.kind === -1) {
          stateAt[t] = st < 4 ? 0 : st < 10 ? st - 3 : st - 6;
          repsAt[t] = rp;
        } else if (step.kind === 4) {
          stateAt[t] = st < 7 ? 7 : 10;
          repsAt[t] = [step.dist, rp[0], rp[1], rp[2]];
        } else if (step.len === 1) {
          stateAt[t] = st < 7 ? 9 : 11;
          repsAt[t] = rp;
        } else {
          stateAt[t] = st < 7 ? 8 : 11;
          const r = rp.slice();
          const [d] = r.splice(step.kind, 1);
          r.unshift(d);
          repsAt[t] = r;
        }
      };
      relax(1, cost[k] + isMatch0 + literalPrice(p, st, rp[0]), { len: 1, kind: -1, dist: -1 });
      if (p === 0) continue;
      const max = Math.min(MAX_MATCH, n - p);
      const repCost = cost[k] + isMatch1 + price(at.isRep + st, 1);
      for (let r = 0; r < 4; r++) {
        const d = rp[r];
        if (d >= p) continue;
        const l = matchLength(p - d - 1, p, max);
        let head = repCost;
        if (r === 0) {
          head += price(at.isRepG0 + st, 0);
          if (l >= 1) relax(1, head + price(at.isRep0Long + (st << 4), 0), { len: 1, kind: 0, dist: d });
          head += price(at.isRep0Long + (st << 4), 1);
        } else {
          head += price(at.isRepG0 + st, 1) + price(at.isRepG1 + st, r === 1 ? 0 : 1);
          if (r > 1) head += price(at.isRepG2 + st, r === 2 ? 0 : 1);
        }
        for (let len = MIN_MATCH; len <= l; len++) relax(len, head + repLenPrice[len], { len, kind: r, dist: d });
      }
      const best = matchesAt(p);
      const matchCost = cost[k] + isMatch1 + price(at.isRep + st, 0);
      let lastDist = -1;
      const distCost = [0, 0, 0, 0];
      for (let len = 3; len < best.length; len++) {
        if (best[len] < 0) continue;
        if (best[len] !== lastDist) {
          lastDist = best[len];
          for (let ls = 1; ls < 4; ls++) distCost[ls] = distancePrice(lastDist, ls + MIN_MATCH);
        }
        relax(len, matchCost + matchLenPrice[len] + distCost[Math.min(len - MIN_MATCH, 3)], {
          len,
          kind: 4,
          dist: best[len],
        });
      }
    }
    // walk back from the window's end and write the steps in order
    const path: Step[] = [];
    for (let t = end - i; t > 0; t -= from[t].len) path.push(from[t]);
    for (let s = path.length - 1, p = i; s >= 0; p += path[s].len, s--) write(p, path[s]);
    i = end;
  }
  return rc.finish();
}
