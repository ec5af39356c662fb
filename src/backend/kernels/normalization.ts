// Typed calls of the batch-normalization kernels (assembly/normalization.ts). Internal: pointers are
// byte offsets of float32 blocks in Wasm memory; x, y, dy, dx are [rows, cols] row-major, every
// per-feature block (gamma, beta, statistics, gradients) is [cols]. The layer validates arguments.
// Column sums are accumulated in float64 (in the shared scratch block); no multiply-add is fused, so
// both modules agree bit for bit.
import { workspace } from '../scratch.js';
import { kernels, passThrough } from './exports.js';

/** Scratch bytes of batchNormForwardTrain: one float64 sum per column (the module's formula). */
export const batchNormTrainScratchBytes = passThrough('batchNormTrainScratchBytes');

/** Scratch bytes of batchNormBackward: three float64 sums per column (the module's formula). */
export const batchNormBackwardScratchBytes = passThrough('batchNormBackwardScratchBytes');

/**
 * Training forward: writes each column's batch mean, biased variance (Σ(x − mean)² / rows, as Keras)
 * and invStd = 1 / √(variance + epsilon), then y = (x − mean) · invStd · gamma + beta.
 * Preconditions: rows >= 1, cols >= 1, epsilon > 0. y may be x; the statistics must not overlap x or y.
 */
export function batchNormForwardTrain(
  x: number,
  y: number,
  gamma: number,
  beta: number,
  mean: number,
  variance: number,
  invStd: number,
  rows: number,
  cols: number,
  epsilon: number,
): void {
  const work = workspace(batchNormTrainScratchBytes(cols));
  kernels().batchNormForwardTrain(x, y, gamma, beta, mean, variance, invStd, work, rows, cols, epsilon);
}

/**
 * The first pieces of batchNormForwardTrain, for a batch whose rows are split over threads that sum
 * their statistics in between: sums [cols] (float64) = Σ x over the rows, per column.
 */
export const batchNormColumnSums = passThrough('batchNormColumnSums');

/** sums [cols] (float64) = Σ (x − mean)² over the rows, per column, the difference taken in float32. */
export const batchNormDeviationSums = passThrough('batchNormDeviationSums');

/**
 * Inference forward from given statistics (the moving mean and variance): writes
 * invStd = 1 / √(variance + epsilon), then y = (x − mean) · invStd · gamma + beta.
 * Preconditions as for batchNormForwardTrain (rows may be 0: only invStd is written).
 */
export const batchNormForwardInference = passThrough('batchNormForwardInference');

/**
 * Backward of batchNormForwardTrain given its mean and invStd and the output gradient dy:
 * dbeta = Σ dy, dgamma = Σ dy · x̂ (x̂ = (x − mean) · invStd) and, when `dx` is not 0,
 * dx = gamma · invStd · (dy − dbeta / rows − x̂ · dgamma / rows). dx may be dy. Preconditions: rows >= 1.
 */
export function batchNormBackward(
  x: number,
  dy: number,
  dx: number,
  gamma: number,
  mean: number,
  invStd: number,
  dgamma: number,
  dbeta: number,
  rows: number,
  cols: number,
): void {
  const work = workspace(batchNormBackwardScratchBytes(cols));
  kernels().batchNormBackward(x, dy, dx, gamma, mean, invStd, dgamma, dbeta, work, rows, cols);
}

/**
 * The first piece of batchNormBackward, for a batch whose rows are split over threads: sums
 * [2 · cols] (float64) = Σ dy, then Σ dy · (x − mean), over the rows, per column.
 */
export const batchNormBackwardSums = passThrough('batchNormBackwardSums');

/**
 * The last piece of batchNormBackward: dx = gamma · invStd · (dy − meanDy − x̂ · meanDyXhat), with
 * x̂ = (x − mean) · invStd and the float32 column terms meanDy, meanDyXhat [cols]. dx may be dy.
 */
export const batchNormBackwardInput = passThrough('batchNormBackwardInput');

/**
 * Keras' moving-statistics update over n values, in place: moving = moving · momentum +
 * batch · (1 − momentum), for the mean and the variance (1 − momentum is computed in float64).
 */
export function batchNormMovingUpdate(
  movingMean: number,
  movingVariance: number,
  mean: number,
  variance: number,
  n: number,
  momentum: number,
): void {
  kernels().batchNormMovingUpdate(movingMean, movingVariance, mean, variance, n, momentum, 1 - momentum);
}
