// Plain-JavaScript reference of the int8 kernels (assembly/qgemm.ts): exact integers, Math.fround at
// every float32 step, rounding half to even, so the kernels must match it bit for bit.

const f = Math.fround;

/**
 * x rounded to the nearest integer, ties to even, as f32.nearest: the sign of x kept on a zero result
 * (−0.5 → −0); ±Infinity and NaN unchanged.
 */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const lo = Math.floor(x);
  const d = x - lo;
  const r = d < 0.5 ? lo : d > 0.5 ? lo + 1 : lo % 2 === 0 ? lo : lo + 1;
  return r === 0 && x < 0 ? -0 : r;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi);
}

/** What quantizeRows writes: q unpadded [m×k] (unsigned 7-bit), a scale and a zero point per row. */
export interface QuantizedRows {
  q: Uint8Array;
  rowScale: Float32Array;
  rowZero: Int32Array;
}

/**
 * Unsigned 7-bit quantization of the rows of x f32 [m×k]. scale <= 0: per row, lo = min(0, min x),
 * hi = max(0, max x), s = (hi − lo) / 127 (1 and zero point 0 if that is 0), zp = clamp(nearest(−lo /
 * s), 0, 127); scale > 0: s = scale and zp = zeroPoint. q = clamp(nearest(x / s) + zp, 0, 127). A row
 * holding NaN or ±Infinity: q = 0, zp = 0, s = NaN.
 */
export function quantizeRowsReference(
  x: ArrayLike<number>,
  m: number,
  k: number,
  scale: number,
  zeroPoint: number,
): QuantizedRows {
  const q = new Uint8Array(m * k);
  const rowScale = new Float32Array(m);
  const rowZero = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    let lo = 0;
    let hi = 0;
    for (let p = 0; p < k; p++) {
      lo = Math.min(lo, x[i * k + p]);
      hi = Math.max(hi, x[i * k + p]);
    }
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
      rowScale[i] = Number.NaN;
      continue;
    }
    let s = f(scale);
    let zp = zeroPoint;
    if (!(scale > 0)) {
      s = f(f(hi - lo) / 127);
      if (s === 0) {
        s = 1;
        zp = 0;
      } else {
        zp = clamp(roundHalfEven(f(-lo / s)), 0, 127);
      }
    }
    rowScale[i] = s;
    rowZero[i] = zp;
    for (let p = 0; p < k; p++) {
      q[i * k + p] = clamp(f(roundHalfEven(f(x[i * k + p] / s)) + zp), 0, 127);
    }
  }
  return { q, rowScale, rowZero };
}

/** What the symmetric weight quantizers write: int8 values and their scales. */
export interface SymmetricInt8 {
  q: Int8Array;
  scales: Float32Array;
}

function symmetricScale(maxAbs: number): number {
  const s = f(maxAbs / 127);
  return s === 0 ? 1 : s;
}

function symmetricValue(w: number, s: number): number {
  return clamp(roundHalfEven(f(w / s)), -127, 127);
}

/**
 * Symmetric int8 weights of w f32 [k×n]: scale_j = max_k |w[k,j]| / 127 per column (perChannel) or
 * max |w| / 127 in every slot, 1 where 0; q = clamp(nearest(w / scale), -127, 127).
 */
export function quantizeSymmetricReference(
  w: ArrayLike<number>,
  k: number,
  n: number,
  perChannel: boolean,
): SymmetricInt8 {
  const scales = new Float32Array(n);
  const maxAbs = new Float64Array(n);
  let all = 0;
  for (let p = 0; p < k; p++) {
    for (let j = 0; j < n; j++) {
      const a = Math.abs(w[p * n + j]);
      maxAbs[j] = Math.max(maxAbs[j], a);
      all = Math.max(all, a);
    }
  }
  for (let j = 0; j < n; j++) scales[j] = symmetricScale(perChannel ? maxAbs[j] : all);
  const q = new Int8Array(k * n);
  for (let p = 0; p < k; p++) {
    for (let j = 0; j < n; j++) q[p * n + j] = symmetricValue(w[p * n + j], scales[j]);
  }
  return { q, scales };
}

/** Symmetric int8 rows of w f32 [rows×d] (embedding tables): one scale per row, as above. */
export function quantizeRowsSymmetricReference(w: ArrayLike<number>, rows: number, d: number): SymmetricInt8 {
  const scales = new Float32Array(rows);
  const q = new Int8Array(rows * d);
  for (let i = 0; i < rows; i++) {
    let maxAbs = 0;
    for (let j = 0; j < d; j++) maxAbs = Math.max(maxAbs, Math.abs(w[i * d + j]));
    scales[i] = symmetricScale(maxAbs);
    for (let j = 0; j < d; j++) q[i * d + j] = symmetricValue(w[i * d + j], scales[i]);
  }
  return { q, scales };
}

/**
 * The int8 product before its activation: C[i,j] = ((f32(acc) · rowScale[i]) · colScale[j]) + bias[j]
 * in float32, left to right, with acc = Σ_k w[k,j]·q[i,k] − rowZero[i]·Σ_k w[k,j] exact; no bias
 * added when `bias` is null. q unpadded [m×k], w int8 [k×n].
 */
export function qgemmReference(
  q: ArrayLike<number>,
  rowScale: ArrayLike<number>,
  rowZero: ArrayLike<number>,
  w: ArrayLike<number>,
  colScale: ArrayLike<number>,
  bias: ArrayLike<number> | null,
  m: number,
  k: number,
  n: number,
): Float32Array {
  const colSum = new Float64Array(n);
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) colSum[j] += w[p * n + j];
  const out = new Float32Array(m * n);
  const dot = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    dot.fill(0);
    for (let p = 0; p < k; p++) {
      const qv = q[i * k + p];
      if (qv !== 0) for (let j = 0; j < n; j++) dot[j] += w[p * n + j] * qv;
    }
    for (let j = 0; j < n; j++) {
      const acc = dot[j] - rowZero[i] * colSum[j];
      let v = f(f(f(acc) * rowScale[i]) * colScale[j]);
      if (bias) v = f(v + bias[j]);
      out[i * n + j] = v;
    }
  }
  return out;
}

/** out[i, :] = f32(table[ids[i], :]) · scales[ids[i]]: the int8 embedding lookup. */
export function gatherInt8RowsReference(
  table: ArrayLike<number>,
  scales: ArrayLike<number>,
  ids: ArrayLike<number>,
  d: number,
): Float32Array {
  const out = new Float32Array(ids.length * d);
  for (let i = 0; i < ids.length; i++) {
    for (let j = 0; j < d; j++) out[i * d + j] = f(table[ids[i] * d + j] * scales[ids[i]]);
  }
  return out;
}
