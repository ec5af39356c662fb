// Float64 reference activations, softmax and erf: the test oracle and the benchmark baseline.
import type { ActName } from '../backend/codes.js';

const SQRT_PI = Math.sqrt(Math.PI);

/** erf(x) = 2/√π · e^(−x²) · Σₙ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)): every term positive, no cancellation. */
function erfSeries(x: number): number {
  const x2 = 2 * x * x;
  let term = x;
  let sum = x;
  for (let k = 3; Math.abs(term) > 1e-17 * Math.abs(sum); k += 2) {
    term *= x2 / k;
    sum += term;
  }
  return (2 / SQRT_PI) * Math.exp(-x * x) * sum;
}

/** erfc(x) for x ≥ 2.5 by its continued fraction e^(−x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))). */
function erfcFraction(x: number): number {
  let f = x;
  for (let k = 120; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / SQRT_PI / f;
}

/** The error function in float64, accurate to about 1e-15 (absolute). */
export function erfReference(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const a = Math.abs(x);
  const r = a < 2.5 ? erfSeries(a) : 1 - erfcFraction(a);
  return x < 0 ? -r : r;
}

/** The complementary error function 1 − erf(x), with full relative accuracy in the right tail. */
export function erfcReference(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x >= 2.5) return erfcFraction(x);
  if (x <= -2.5) return 2 - erfcFraction(-x);
  return 1 - erfSeries(x);
}

/** Standard normal CDF Φ(x), accurate in the left tail too. */
export function normalCdfReference(x: number): number {
  return 0.5 * erfcReference(-x / Math.SQRT2);
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** f(x) of one activation; `alpha` is leakyRelu's negative slope and elu's scale. */
export function activationScalar(name: ActName, x: number, alpha = 0): number {
  switch (name) {
    case 'linear':
      return x;
    case 'relu':
      return Math.max(x, 0);
    case 'leakyRelu':
      return x > 0 ? x : alpha * x;
    case 'elu':
      return x > 0 ? x : alpha * Math.expm1(x);
    case 'sigmoid':
      return sigmoid(x);
    case 'tanh':
      return Math.tanh(x);
    case 'softplus':
      return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    case 'gelu':
      return x * normalCdfReference(x);
  }
}

/** f'(x) of one activation (relu'(0) = 0 as in tfjs). */
export function activationDerivativeScalar(name: ActName, x: number, alpha = 0): number {
  switch (name) {
    case 'linear':
      return 1;
    case 'relu':
      return x > 0 ? 1 : 0;
    case 'leakyRelu':
      return x > 0 ? 1 : alpha;
    case 'elu':
      return x > 0 ? 1 : alpha * Math.exp(x);
    case 'sigmoid':
      return sigmoid(x) * sigmoid(-x);
    case 'tanh':
      return 1 / Math.cosh(x) ** 2;
    case 'softplus':
      return sigmoid(x);
    case 'gelu':
      return normalCdfReference(x) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI);
  }
}

/** f(x) elementwise in float64. */
export function activationReference(name: ActName, x: ArrayLike<number>, alpha = 0): Float64Array {
  return Float64Array.from(x, (v) => activationScalar(name, v, alpha));
}

/** f'(x) elementwise in float64. */
export function activationDerivativeReference(name: ActName, x: ArrayLike<number>, alpha = 0): Float64Array {
  return Float64Array.from(x, (v) => activationDerivativeScalar(name, v, alpha));
}

/** dy · f'(x) elementwise in float64: what the backward kernel computes. */
export function activationBackwardReference(
  name: ActName,
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  alpha = 0,
): Float64Array {
  return Float64Array.from(x, (v, i) => dy[i] * activationDerivativeScalar(name, v, alpha));
}

function mapRows(
  x: ArrayLike<number>,
  rows: number,
  cols: number,
  fn: (row: number[], r: number) => number[],
): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: cols }, (_, j) => x[r * cols + j]);
    out.set(fn(row, r), r * cols);
  }
  return out;
}

/** log Σ e^x of one row, shifted by the row max. */
export function logSumExp(row: ArrayLike<number>): number {
  const m = Math.max(...Array.from(row));
  let s = 0;
  for (let j = 0; j < row.length; j++) s += Math.exp(row[j] - m);
  return m + Math.log(s);
}

/** Softmax of each row of a rows×cols matrix. */
export function softmaxReference(x: ArrayLike<number>, rows: number, cols: number): Float64Array {
  return mapRows(x, rows, cols, (row) => {
    const lse = logSumExp(row);
    return row.map((v) => Math.exp(v - lse));
  });
}

/** Log-softmax of each row. */
export function logSoftmaxReference(x: ArrayLike<number>, rows: number, cols: number): Float64Array {
  return mapRows(x, rows, cols, (row) => {
    const lse = logSumExp(row);
    return row.map((v) => v - lse);
  });
}

/** Gradient of softmax w.r.t. its input x: y ⊙ (dy − Σ dy⊙y) per row, y = softmax(x). */
export function softmaxBackwardReference(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  rows: number,
  cols: number,
): Float64Array {
  const y = softmaxReference(x, rows, cols);
  return mapRows(dy, rows, cols, (g, r) => {
    const p = Array.from(y.subarray(r * cols, (r + 1) * cols));
    const s = g.reduce((acc, v, j) => acc + v * p[j], 0);
    return g.map((v, j) => p[j] * (v - s));
  });
}

/** Gradient of log-softmax w.r.t. its input x: dy − softmax(x) · Σ dy per row. */
export function logSoftmaxBackwardReference(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  rows: number,
  cols: number,
): Float64Array {
  const y = softmaxReference(x, rows, cols);
  return mapRows(dy, rows, cols, (g, r) => {
    const s = g.reduce((acc, v) => acc + v, 0);
    return g.map((v, j) => v - y[r * cols + j] * s);
  });
}
