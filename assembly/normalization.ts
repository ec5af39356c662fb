// Batch normalization of x [rows, cols] (row-major) over its rows: each column is one feature.
// Every pass walks the rows in memory order, four columns at a time (then a scalar tail), with the
// per-column statistics in small arrays that stay in L1. Column sums are accumulated in float64 in
// a scratch block the caller passes in. (Walking down four-column strips instead, with the sums in
// registers, measured 2-5x slower at 256x512 and 1024x256, where the row stride is a power of two,
// and about 1.4x faster at 128x10 and 32x64, where either takes a few microseconds.) No multiply-add
// is fused, so both modules compute the same bits.

import { at, flush, flush1 } from './simd';

/** Byte offset of float64 element `i` of an array starting at `base`. */
@inline
function at64(base: usize, i: i32): usize {
  return base + (<usize>i << 3);
}

/** Adds the four lanes of v, as float64, into acc[c .. c + 4). */
@inline
function accumulate4(acc: usize, c: i32, v: v128): void {
  const p = at64(acc, c);
  v128.store(p, f64x2.add(v128.load(p), f64x2.promote_low_f32x4(v)));
  v128.store(p, f64x2.add(v128.load(p, 16), f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 0, 1))), 16);
}

/** acc[c .. c + 4) divided by d, rounded to a f32x4. */
@inline
function quotient4(acc: usize, c: i32, d: v128): v128 {
  const p = at64(acc, c);
  const lo = f32x4.demote_f64x2_zero(f64x2.div(v128.load(p), d));
  const hi = f32x4.demote_f64x2_zero(f64x2.div(v128.load(p, 16), d));
  return v128.shuffle<f32>(lo, hi, 0, 1, 4, 5);
}

/** Sets n float64 values to 0. */
@inline
function zero64(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 3);
}

/** Scratch bytes batchNormForwardTrain needs for `cols` columns. */
export function batchNormTrainScratchBytes(cols: i32): i32 {
  return cols << 3;
}

/**
 * Training forward: per column the batch mean, the biased variance (Σ(x − mean)² / rows, as Keras)
 * and invStd = 1 / sqrt(variance + epsilon) are written to mean, variance, invStd [cols];
 * y = (x − mean) · invStd · gamma + beta. Preconditions: rows >= 1; scratch holds
 * batchNormTrainScratchBytes(cols) bytes. y may be x (in place).
 */
export function batchNormForwardTrain(
  x: usize, y: usize, gamma: usize, beta: usize, mean: usize, variance: usize, invStd: usize, scratch: usize,
  rows: i32, cols: i32, epsilon: f32,
): void {
  const n = <f64>rows;
  sumColumns(x, scratch, rows, cols);
  dividedSums(scratch, mean, n, cols);
  sumSquaredDeviations(x, mean, scratch, rows, cols);
  dividedSums(scratch, variance, n, cols);
  batchNormForwardInference(x, y, gamma, beta, mean, variance, invStd, rows, cols, epsilon);
}

/**
 * The pieces of batchNormForwardTrain, for a batch whose rows are split over threads that sum their
 * statistics between the pieces: sums [cols] (float64) = Σ over the rows of x, per column.
 */
export function batchNormColumnSums(x: usize, sums: usize, rows: i32, cols: i32): void {
  sumColumns(x, sums, rows, cols);
}

/** sums [cols] (float64) = Σ over the rows of (x − mean)², per column (the float32 difference, squared in float64). */
export function batchNormDeviationSums(x: usize, mean: usize, sums: usize, rows: i32, cols: i32): void {
  sumSquaredDeviations(x, mean, sums, rows, cols);
}

/** acc [cols] (float64) = Σ over the rows of x. */
@inline
function sumColumns(x: usize, acc: usize, rows: i32, cols: i32): void {
  const cols4 = cols & ~3;
  zero64(acc, cols);
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * <usize>cols) << 2);
    let c = 0;
    for (; c < cols4; c += 4) accumulate4(acc, c, v128.load(at(row, c)));
    for (; c < cols; c++) store<f64>(at64(acc, c), load<f64>(at64(acc, c)) + <f64>load<f32>(at(row, c)));
  }
}

/** acc [cols] (float64) = Σ over the rows of (x − mean)², the difference taken in float32. */
@inline
function sumSquaredDeviations(x: usize, mean: usize, acc: usize, rows: i32, cols: i32): void {
  const cols4 = cols & ~3;
  zero64(acc, cols);
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * <usize>cols) << 2);
    let c = 0;
    for (; c < cols4; c += 4) {
      const d = f32x4.sub(v128.load(at(row, c)), v128.load(at(mean, c)));
      const p = at64(acc, c);
      const d0 = f64x2.promote_low_f32x4(d);
      const d1 = f64x2.promote_low_f32x4(f32x4.shuffle(d, d, 2, 3, 0, 1));
      v128.store(p, f64x2.add(v128.load(p), f64x2.mul(d0, d0)));
      v128.store(p, f64x2.add(v128.load(p, 16), f64x2.mul(d1, d1)), 16);
    }
    for (; c < cols; c++) {
      const d = <f64>(load<f32>(at(row, c)) - load<f32>(at(mean, c)));
      store<f64>(at64(acc, c), load<f64>(at64(acc, c)) + d * d);
    }
  }
}

/** out [cols] = acc [cols] (float64) / n, rounded to float32. */
@inline
function dividedSums(acc: usize, out: usize, n: f64, cols: i32): void {
  const nv = f64x2.splat(n);
  let c = 0;
  for (; c + 4 <= cols; c += 4) v128.store(at(out, c), quotient4(acc, c, nv));
  for (; c < cols; c++) store<f32>(at(out, c), <f32>(load<f64>(at64(acc, c)) / n));
}

/** y = (x − mean) · invStd · gamma + beta, row by row (y may be x). */
@inline
function normalizeRows(x: usize, y: usize, gamma: usize, beta: usize, mean: usize, invStd: usize, rows: i32, cols: i32): void {
  const cols4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const offset = (<usize>r * <usize>cols) << 2;
    const src = x + offset;
    const dst = y + offset;
    let c = 0;
    for (; c < cols4; c += 4) {
      const xc = f32x4.sub(v128.load(at(src, c)), v128.load(at(mean, c)));
      const scaled = f32x4.mul(f32x4.mul(xc, v128.load(at(invStd, c))), v128.load(at(gamma, c)));
      v128.store(at(dst, c), f32x4.add(scaled, v128.load(at(beta, c))));
    }
    for (; c < cols; c++) {
      const xc = load<f32>(at(src, c)) - load<f32>(at(mean, c));
      store<f32>(at(dst, c), xc * load<f32>(at(invStd, c)) * load<f32>(at(gamma, c)) + load<f32>(at(beta, c)));
    }
  }
}

/**
 * Inference forward from given statistics: invStd = 1 / sqrt(variance + epsilon) is written to
 * invStd [cols], and y = (x − mean) · invStd · gamma + beta. y may be x (in place).
 */
export function batchNormForwardInference(
  x: usize, y: usize, gamma: usize, beta: usize, mean: usize, variance: usize, invStd: usize,
  rows: i32, cols: i32, epsilon: f32,
): void {
  const one = f32x4.splat(1);
  const eps = f32x4.splat(epsilon);
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    v128.store(at(invStd, c), f32x4.div(one, f32x4.sqrt(f32x4.add(v128.load(at(variance, c)), eps))));
  }
  for (; c < cols; c++) store<f32>(at(invStd, c), <f32>1 / Mathf.sqrt(load<f32>(at(variance, c)) + epsilon));
  normalizeRows(x, y, gamma, beta, mean, invStd, rows, cols);
}

/** Scratch bytes batchNormBackward needs for `cols` columns. */
export function batchNormBackwardScratchBytes(cols: i32): i32 {
  return cols * 24;
}

/**
 * Backward of batchNormForwardTrain, from its mean and invStd and the gradient dy of y:
 * dbeta = Σ dy, dgamma = Σ dy · x̂ with x̂ = (x − mean) · invStd, and, when dx is not 0,
 * dx = gamma · invStd · (dy − dbeta / rows − x̂ · dgamma / rows). Preconditions: rows >= 1; scratch
 * holds batchNormBackwardScratchBytes(cols) bytes. dx may be dy (in place).
 */
export function batchNormBackward(
  x: usize, dy: usize, dx: usize, gamma: usize, mean: usize, invStd: usize, dgamma: usize, dbeta: usize,
  scratch: usize, rows: i32, cols: i32,
): void {
  const n = <f64>rows;
  // float64 sums of dy and dy·(x − mean), then the float32 per-column terms of dx
  const sumDy = scratch;
  const sumDyXc = scratch + (<usize>cols << 3);
  const meanDy = scratch + (<usize>cols << 4);
  const meanDyXhat = meanDy + (<usize>cols << 2);
  backwardSums(x, dy, mean, sumDy, sumDyXc, rows, cols);
  for (let c = 0; c < cols; c++) {
    const s = load<f64>(at64(sumDy, c));
    const t = load<f64>(at64(sumDyXc, c)) * <f64>load<f32>(at(invStd, c));
    store<f32>(at(dbeta, c), <f32>s);
    store<f32>(at(dgamma, c), <f32>t);
    store<f32>(at(meanDy, c), <f32>(s / n));
    store<f32>(at(meanDyXhat, c), <f32>(t / n));
  }
  if (dx == 0) return;
  backwardInput(x, dy, dx, gamma, mean, invStd, meanDy, meanDyXhat, rows, cols);
}

/**
 * The first piece of batchNormBackward, for a batch whose rows are split over threads: sums [2 · cols]
 * (float64) = Σ dy, then Σ dy · (x − mean), over the rows, per column.
 */
export function batchNormBackwardSums(x: usize, dy: usize, mean: usize, sums: usize, rows: i32, cols: i32): void {
  backwardSums(x, dy, mean, sums, sums + (<usize>cols << 3), rows, cols);
}

/**
 * The last piece of batchNormBackward: dx = gamma · invStd · (dy − meanDy − x̂ · meanDyXhat) with
 * x̂ = (x − mean) · invStd, from the float32 terms meanDy and meanDyXhat [cols]. dx may be dy.
 */
export function batchNormBackwardInput(
  x: usize, dy: usize, dx: usize, gamma: usize, mean: usize, invStd: usize, meanDy: usize, meanDyXhat: usize,
  rows: i32, cols: i32,
): void {
  backwardInput(x, dy, dx, gamma, mean, invStd, meanDy, meanDyXhat, rows, cols);
}

/** sumDy [cols] and sumDyXc [cols] (float64) = Σ dy and Σ dy · (x − mean) over the rows. */
@inline
function backwardSums(x: usize, dy: usize, mean: usize, sumDy: usize, sumDyXc: usize, rows: i32, cols: i32): void {
  const cols4 = cols & ~3;
  zero64(sumDy, cols);
  zero64(sumDyXc, cols);
  for (let r = 0; r < rows; r++) {
    const offset = (<usize>r * <usize>cols) << 2;
    const xr = x + offset;
    const gr = dy + offset;
    let c = 0;
    for (; c < cols4; c += 4) {
      const d = v128.load(at(gr, c));
      accumulate4(sumDy, c, d);
      accumulate4Product(sumDyXc, c, d, f32x4.sub(v128.load(at(xr, c)), v128.load(at(mean, c))));
    }
    for (; c < cols; c++) {
      const d = <f64>load<f32>(at(gr, c));
      store<f64>(at64(sumDy, c), load<f64>(at64(sumDy, c)) + d);
      const xc = <f64>(load<f32>(at(xr, c)) - load<f32>(at(mean, c)));
      store<f64>(at64(sumDyXc, c), load<f64>(at64(sumDyXc, c)) + d * xc);
    }
  }
}

/** dx = gamma · invStd · (dy − meanDy − x̂ · meanDyXhat), row by row (dx may be dy). */
@inline
function backwardInput(
  x: usize, dy: usize, dx: usize, gamma: usize, mean: usize, invStd: usize, meanDy: usize, meanDyXhat: usize,
  rows: i32, cols: i32,
): void {
  const cols4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const offset = (<usize>r * <usize>cols) << 2;
    const xr = x + offset;
    const gr = dy + offset;
    const out = dx + offset;
    let c = 0;
    for (; c < cols4; c += 4) {
      const inv = v128.load(at(invStd, c));
      const xhat = f32x4.mul(f32x4.sub(v128.load(at(xr, c)), v128.load(at(mean, c))), inv);
      const centred = f32x4.sub(v128.load(at(gr, c)), v128.load(at(meanDy, c)));
      const t = f32x4.sub(centred, f32x4.mul(xhat, v128.load(at(meanDyXhat, c))));
      v128.store(at(out, c), f32x4.mul(t, f32x4.mul(v128.load(at(gamma, c)), inv)));
    }
    for (; c < cols; c++) {
      const inv = load<f32>(at(invStd, c));
      const xhat = (load<f32>(at(xr, c)) - load<f32>(at(mean, c))) * inv;
      const t = load<f32>(at(gr, c)) - load<f32>(at(meanDy, c)) - xhat * load<f32>(at(meanDyXhat, c));
      store<f32>(at(out, c), t * (load<f32>(at(gamma, c)) * inv));
    }
  }
}

/** Adds the four lane products a·b, computed in float64, into acc[c .. c + 4). */
@inline
function accumulate4Product(acc: usize, c: i32, a: v128, b: v128): void {
  const p = at64(acc, c);
  const a1 = f32x4.shuffle(a, a, 2, 3, 0, 1);
  const b1 = f32x4.shuffle(b, b, 2, 3, 0, 1);
  const lo = f64x2.mul(f64x2.promote_low_f32x4(a), f64x2.promote_low_f32x4(b));
  const hi = f64x2.mul(f64x2.promote_low_f32x4(a1), f64x2.promote_low_f32x4(b1));
  v128.store(p, f64x2.add(v128.load(p), lo));
  v128.store(p, f64x2.add(v128.load(p, 16), hi), 16);
}

/**
 * Keras' moving statistics update, in place over n values:
 * movingMean = movingMean · momentum + mean · oneMinusMomentum, and the same for the variance;
 * subnormal results are stored as 0 (a dead unit's statistics decay geometrically).
 */
export function batchNormMovingUpdate(
  movingMean: usize, movingVariance: usize, mean: usize, variance: usize, n: i32, momentum: f32, oneMinusMomentum: f32,
): void {
  const mo = f32x4.splat(momentum);
  const om = f32x4.splat(oneMinusMomentum);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const pm = at(movingMean, i);
    const pv = at(movingVariance, i);
    v128.store(pm, flush(f32x4.add(f32x4.mul(v128.load(pm), mo), f32x4.mul(v128.load(at(mean, i)), om))));
    v128.store(pv, flush(f32x4.add(f32x4.mul(v128.load(pv), mo), f32x4.mul(v128.load(at(variance, i)), om))));
  }
  for (; i < n; i++) {
    const pm = at(movingMean, i);
    const pv = at(movingVariance, i);
    store<f32>(pm, flush1(load<f32>(pm) * momentum + load<f32>(at(mean, i)) * oneMinusMomentum));
    store<f32>(pv, flush1(load<f32>(pv) * momentum + load<f32>(at(variance, i)) * oneMinusMomentum));
  }
}
