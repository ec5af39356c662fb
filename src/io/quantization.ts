// Weight quantization as the tfjs converter writes it (tfjs-converter quantization.py): affine
// uint8/uint16 with the range nudged so that 0 is exact, and IEEE 754 half floats.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The IEEE half-float bits nearest to `value` (round to nearest even; overflow gives ±Infinity). */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf or NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // too large: Infinity
  if (e <= 0) {
    if (e < -10) return sign; // underflows to ±0
    // subnormal half: shift the mantissa (with its implicit 1) right, rounding to nearest even
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let h = mant >>> shift;
    if (rest > half || (rest === half && (h & 1) === 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++; // a carry into the exponent is right
  return sign | h;
}

/** The value of IEEE half-float bits. */
export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Rounds half to even, as numpy's round (and so the tfjs converter) does. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d !== 0.5) return d < 0.5 ? f : f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Affine quantization parameters: value = q · scale + min. */
export interface AffineParams {
  min: number;
  scale: number;
}

/** Quantizes values to uint8/uint16 as the tfjs converter does; returns the codes and parameters. */
export function quantizeAffine(
  values: ArrayLike<number>,
  dtype: 'uint8' | 'uint16',
): { codes: Uint8Array | Uint16Array; params: AffineParams } {
  const n = values.length;
  const codes = dtype === 'uint8' ? new Uint8Array(n) : new Uint16Array(n);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  if (n === 0 || lo === hi) return { codes, params: { min: n === 0 ? 0 : lo, scale: 1 } };
  const qmax = dtype === 'uint8' ? 255 : 65535;
  const scale = (hi - lo) / qmax;
  let min = lo;
  let max = hi;
  if (lo <= 0 && hi >= 0) {
    // nudge the range so that 0 is one of the quantized values
    const zero = roundHalfEven(-lo / scale);
    min = -zero * scale;
    max = qmax * scale + min;
  }
  for (let i = 0; i < n; i++) {
    const v = Math.min(Math.max(values[i], min), max);
    codes[i] = Math.min(qmax, Math.max(0, roundHalfEven((v - min) / scale)));
  }
  return { codes, params: { min, scale } };
}
