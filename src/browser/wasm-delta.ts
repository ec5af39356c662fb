/**
 * A byte delta between the two Wasm modules, so the browser bundle carries the plain-SIMD module
 * whole and the relaxed-SIMD one as a small patch against it. The two are compiled from the same
 * source and differ mostly where `madd` became one `f32x4.relaxed_madd` instead of a mul and an add;
 * gzip alone cannot share their bytes (they are farther apart than its 32 KB window).
 *
 * Patch format, all numbers unsigned LEB128: the target length, then operations until the end:
 * `2n` copies n bytes of the source, starting at (end of the previous copy + zigzag-decoded next
 * number); `2n + 1` inserts the n literal bytes that follow.
 * @module
 */

const MIN_MATCH = 8;
const MAX_CANDIDATES = 64;

function pushVarint(out: number[], n: number): void {
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

/** Reads an unsigned LEB128 at `pos`; returns the value and the position after it. */
function readVarint(bytes: Uint8Array, pos: number): [number, number] {
  let n = 0;
  let scale = 1;
  for (;;) {
    if (pos >= bytes.length) throw new Error('wasm delta: truncated patch');
    const b = bytes[pos++];
    n += (b & 0x7f) * scale;
    if (b < 0x80) return [n, pos];
    scale *= 128;
  }
}

/**
 * The patch that turns `source` into `target` (build time): greedy longest matches of at least
 * 8 bytes found through a hash of 8-byte windows, literals elsewhere.
 */
export function encodeDelta(source: Uint8Array, target: Uint8Array): Uint8Array {
  const key = (b: Uint8Array, i: number) =>
    (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) ^
    Math.imul(b[i + 4] | (b[i + 5] << 8) | (b[i + 6] << 16) | (b[i + 7] << 24), 0x9e3779b1);
  const index = new Map<number, number[]>();
  for (let i = 0; i + MIN_MATCH <= source.length; i++) {
    const k = key(source, i);
    const list = index.get(k);
    if (list) list.push(i);
    else index.set(k, [i]);
  }
  const out: number[] = [];
  pushVarint(out, target.length);
  let literal: number[] = [];
  const flushLiteral = () => {
    if (literal.length === 0) return;
    pushVarint(out, literal.length * 2 + 1);
    for (const b of literal) out.push(b);
    literal = [];
  };
  let copyEnd = 0;
  for (let j = 0; j < target.length; ) {
    let best = 0;
    let bestAt = -1;
    if (j + MIN_MATCH <= target.length) {
      const candidates = index.get(key(target, j)) ?? [];
      // prefer sources near the previous copy: their offsets encode in fewer bytes
      for (const i of candidates.slice(-MAX_CANDIDATES)) {
        let n = 0;
        while (i + n < source.length && j + n < target.length && source[i + n] === target[j + n]) n++;
        if (n > best || (n === best && Math.abs(i - copyEnd) < Math.abs(bestAt - copyEnd))) {
          best = n;
          bestAt = i;
        }
      }
    }
    if (best >= MIN_MATCH) {
      flushLiteral();
      pushVarint(out, best * 2);
      const d = bestAt - copyEnd;
      pushVarint(out, d < 0 ? -d * 2 - 1 : d * 2);
      copyEnd = bestAt + best;
      j += best;
    } else literal.push(target[j++]);
  }
  flushLiteral();
  return Uint8Array.from(out);
}

/** Applies a patch from `encodeDelta` to `source`; throws on a patch that does not fit it. */
export function applyDelta(source: Uint8Array, patch: Uint8Array): Uint8Array<ArrayBuffer> {
  let [length, pos] = readVarint(patch, 0);
  const out = new Uint8Array(length);
  let at = 0;
  let copyEnd = 0;
  while (pos < patch.length) {
    let op: number;
    [op, pos] = readVarint(patch, pos);
    const n = Math.floor(op / 2);
    if (at + n > length) throw new Error('wasm delta: patch writes past the target length');
    if (op % 2 === 1) {
      if (pos + n > patch.length) throw new Error('wasm delta: truncated patch');
      out.set(patch.subarray(pos, pos + n), at);
      pos += n;
    } else {
      let z: number;
      [z, pos] = readVarint(patch, pos);
      const from = copyEnd + (z % 2 === 1 ? -(z + 1) / 2 : z / 2);
      if (from < 0 || from + n > source.length) throw new Error('wasm delta: copy outside the source');
      out.set(source.subarray(from, from + n), at);
      copyEnd = from + n;
    }
    at += n;
  }
  if (at !== length) throw new Error(`wasm delta: patch made ${at} bytes, expected ${length}`);
  return out;
}
