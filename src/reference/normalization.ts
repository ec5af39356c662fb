// Plain-JavaScript batch normalization in float64: the oracle of assembly/normalization.ts and of the
// BatchNormalization layer. x and dy are [rows, cols] row-major; statistics are per column.
import { flushSubnormal } from './math.js';

/** Per-column mean and biased variance (Σ(x − mean)² / rows, as Keras) of x [rows, cols]. */
export function columnMomentsReference(
  x: ArrayLike<number>,
  rows: number,
  cols: number,
): { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(cols);
  const variance = new Float64Array(cols);
  for (let c = 0; c < cols; c++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += x[r * cols + c];
    mean[c] = s / rows;
    let q = 0;
    for (let r = 0; r < rows; r++) q += (x[r * cols + c] - mean[c]) ** 2;
    variance[c] = q / rows;
  }
  return { mean, variance };
}

/** y = (x − mean) / √(variance + epsilon) · gamma + beta, per column. */
export function batchNormReference(
  x: ArrayLike<number>,
  rows: number,
  cols: number,
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  epsilon: number,
): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      y[i] = ((x[i] - mean[c]) / Math.sqrt(variance[c] + epsilon)) * gamma[c] + beta[c];
    }
  }
  return y;
}

/** Training forward: normalizes with the batch's own statistics and returns them too. */
export function batchNormTrainReference(
  x: ArrayLike<number>,
  rows: number,
  cols: number,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  epsilon: number,
): { y: Float64Array; mean: Float64Array; variance: Float64Array } {
  const { mean, variance } = columnMomentsReference(x, rows, cols);
  return { y: batchNormReference(x, rows, cols, mean, variance, gamma, beta, epsilon), mean, variance };
}

/**
 * Gradients of the training forward for the output gradient dy (the standard formula):
 * dbeta = Σ dy, dgamma = Σ dy·x̂, dx = gamma/σ · (dy − mean(dy) − x̂·mean(dy·x̂)),
 * where x̂ = (x − μ)/σ, σ = √(var + epsilon) with the batch statistics.
 */
export function batchNormBackwardReference(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  rows: number,
  cols: number,
  gamma: ArrayLike<number>,
  epsilon: number,
): { dx: Float64Array; dgamma: Float64Array; dbeta: Float64Array } {
  const { mean, variance } = columnMomentsReference(x, rows, cols);
  const dx = new Float64Array(rows * cols);
  const dgamma = new Float64Array(cols);
  const dbeta = new Float64Array(cols);
  for (let c = 0; c < cols; c++) {
    const sigma = Math.sqrt(variance[c] + epsilon);
    const xhat = (r: number) => (x[r * cols + c] - mean[c]) / sigma;
    for (let r = 0; r < rows; r++) {
      dbeta[c] += dy[r * cols + c];
      dgamma[c] += dy[r * cols + c] * xhat(r);
    }
    for (let r = 0; r < rows; r++) {
      dx[r * cols + c] = (gamma[c] / sigma) * (dy[r * cols + c] - dbeta[c] / rows - (xhat(r) * dgamma[c]) / rows);
    }
  }
  return { dx, dgamma, dbeta };
}

/**
 * Keras' moving update, in place: moving = moving·momentum + batch·(1 − momentum), flushed to 0 below
 * the float32 normal range as the kernel stores it.
 */
export function movingUpdateReference(moving: Float64Array, batch: ArrayLike<number>, momentum: number): void {
  for (let i = 0; i < moving.length; i++) moving[i] = flushSubnormal(moving[i] * momentum + batch[i] * (1 - momentum));
}
