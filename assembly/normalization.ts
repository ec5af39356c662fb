// Batch normalization of x [rows, cols] (row-major) over its rows: each column is one feature.
// Every kernel walks the columns in strips of four lanes (then one column at a time for the tail)
// and goes down all rows of a strip with the strip's statistics in registers, so nothing needs
// scratch memory. Column sums are accumulated in float64 (two f64x2 halves per strip).
// No multiply-add is fused, so both modules compute the same bits.

import { at } from './simd';

/** Lanes 0, 1 of a f32x4 as float64. */
@inline
function low64(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

/** Lanes 2, 3 of a f32x4 as float64. */
@inline
function high64(v: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 0, 1));
}

/** Two f64x2 halves, each divided by d, rounded back into one f32x4. */
@inline
function div32(lo: v128, hi: v128, d: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(f64x2.div(lo, d)), f32x4.demote_f64x2_zero(f64x2.div(hi, d)), 0, 1, 4, 5);
}

/**
 * Training forward: per column the batch mean, the biased variance (sum of squared deviations / rows,
 * as Keras) and invStd = 1 / sqrt(variance + epsilon) are written to mean, variance, invStd [cols];
 * y = (x − mean) · invStd · gamma + beta. Preconditions: rows >= 1. y may be x (in place).
 */
export function batchNormForwardTrain(
  x: usize, y: usize, gamma: usize, beta: usize, mean: usize, variance: usize, invStd: usize,
  rows: i32, cols: i32, epsilon: f32,
): void {
  const stride = <usize>cols << 2;
  const n = f64x2.splat(<f64>rows);
  const one = f32x4.splat(1);
  const eps = f32x4.splat(epsilon);
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    const col = <usize>c << 2;
    let s0 = f64x2.splat(0);
    let s1 = s0;
    let p = x + col;
    for (let r = 0; r < rows; r++, p += stride) {
      const v = v128.load(p);
      s0 = f64x2.add(s0, low64(v));
      s1 = f64x2.add(s1, high64(v));
    }
    const m = div32(s0, s1, n);
    let q0 = f64x2.splat(0);
    let q1 = q0;
    p = x + col;
    for (let r = 0; r < rows; r++, p += stride) {
      const d = f32x4.sub(v128.load(p), m);
      const d0 = low64(d);
      const d1 = high64(d);
      q0 = f64x2.add(q0, f64x2.mul(d0, d0));
      q1 = f64x2.add(q1, f64x2.mul(d1, d1));
    }
    const vr = div32(q0, q1, n);
    const inv = f32x4.div(one, f32x4.sqrt(f32x4.add(vr, eps)));
    v128.store(mean + col, m);
    v128.store(variance + col, vr);
    v128.store(invStd + col, inv);
    const g = v128.load(gamma + col);
    const b = v128.load(beta + col);
    p = x + col;
    let o = y + col;
    for (let r = 0; r < rows; r++, p += stride, o += stride) {
      v128.store(o, f32x4.add(f32x4.mul(f32x4.mul(f32x4.sub(v128.load(p), m), inv), g), b));
    }
  }
  for (; c < cols; c++) {
    let s: f64 = 0;
    let p = at(x, c);
    for (let r = 0; r < rows; r++, p += stride) s += <f64>load<f32>(p);
    const m = <f32>(s / <f64>rows);
    let q: f64 = 0;
    p = at(x, c);
    for (let r = 0; r < rows; r++, p += stride) {
      const d = <f64>(load<f32>(p) - m);
      q += d * d;
    }
    const vr = <f32>(q / <f64>rows);
    const inv = <f32>1 / Mathf.sqrt(vr + epsilon);
    store<f32>(at(mean, c), m);
    store<f32>(at(variance, c), vr);
    store<f32>(at(invStd, c), inv);
    const g = load<f32>(at(gamma, c));
    const b = load<f32>(at(beta, c));
    p = at(x, c);
    let o = at(y, c);
    for (let r = 0; r < rows; r++, p += stride, o += stride) store<f32>(o, (load<f32>(p) - m) * inv * g + b);
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
  const stride = <usize>cols << 2;
  const one = f32x4.splat(1);
  const eps = f32x4.splat(epsilon);
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    const col = <usize>c << 2;
    const m = v128.load(mean + col);
    const inv = f32x4.div(one, f32x4.sqrt(f32x4.add(v128.load(variance + col), eps)));
    v128.store(invStd + col, inv);
    const g = v128.load(gamma + col);
    const b = v128.load(beta + col);
    let p = x + col;
    let o = y + col;
    for (let r = 0; r < rows; r++, p += stride, o += stride) {
      v128.store(o, f32x4.add(f32x4.mul(f32x4.mul(f32x4.sub(v128.load(p), m), inv), g), b));
    }
  }
  for (; c < cols; c++) {
    const m = load<f32>(at(mean, c));
    const inv = <f32>1 / Mathf.sqrt(load<f32>(at(variance, c)) + epsilon);
    store<f32>(at(invStd, c), inv);
    const g = load<f32>(at(gamma, c));
    const b = load<f32>(at(beta, c));
    let p = at(x, c);
    let o = at(y, c);
    for (let r = 0; r < rows; r++, p += stride, o += stride) store<f32>(o, (load<f32>(p) - m) * inv * g + b);
  }
}

/**
 * Backward of batchNormForwardTrain, from its mean and invStd and the gradient dy of y:
 * dbeta = Σ dy, dgamma = Σ dy · x̂ with x̂ = (x − mean) · invStd, and, when dx is not 0,
 * dx = gamma · invStd · (dy − dbeta / rows − x̂ · dgamma / rows). dx may be dy (in place).
 */
export function batchNormBackward(
  x: usize, dy: usize, dx: usize, gamma: usize, mean: usize, invStd: usize, dgamma: usize, dbeta: usize,
  rows: i32, cols: i32,
): void {
  const stride = <usize>cols << 2;
  const n = f64x2.splat(<f64>rows);
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    const col = <usize>c << 2;
    const m = v128.load(mean + col);
    const inv = v128.load(invStd + col);
    let s0 = f64x2.splat(0);
    let s1 = s0;
    let t0 = s0;
    let t1 = s0;
    let p = x + col;
    let g = dy + col;
    for (let r = 0; r < rows; r++, p += stride, g += stride) {
      const d = v128.load(g);
      const xc = f32x4.sub(v128.load(p), m);
      const d0 = low64(d);
      const d1 = high64(d);
      s0 = f64x2.add(s0, d0);
      s1 = f64x2.add(s1, d1);
      t0 = f64x2.add(t0, f64x2.mul(d0, low64(xc)));
      t1 = f64x2.add(t1, f64x2.mul(d1, high64(xc)));
    }
    // dgamma = invStd · Σ dy·(x − mean), in float64 before rounding
    const inv0 = low64(inv);
    const inv1 = high64(inv);
    t0 = f64x2.mul(t0, inv0);
    t1 = f64x2.mul(t1, inv1);
    const one = f64x2.splat(1);
    v128.store(dbeta + col, div32(s0, s1, one));
    v128.store(dgamma + col, div32(t0, t1, one));
    if (dx == 0) continue;
    const meanDy = div32(s0, s1, n);
    const meanDyXhat = div32(t0, t1, n);
    const scale = f32x4.mul(v128.load(gamma + col), inv);
    p = x + col;
    g = dy + col;
    let o = dx + col;
    for (let r = 0; r < rows; r++, p += stride, g += stride, o += stride) {
      const xhat = f32x4.mul(f32x4.sub(v128.load(p), m), inv);
      const t = f32x4.sub(f32x4.sub(v128.load(g), meanDy), f32x4.mul(xhat, meanDyXhat));
      v128.store(o, f32x4.mul(t, scale));
    }
  }
  for (; c < cols; c++) {
    const m = load<f32>(at(mean, c));
    const inv = load<f32>(at(invStd, c));
    let s: f64 = 0;
    let t: f64 = 0;
    let p = at(x, c);
    let g = at(dy, c);
    for (let r = 0; r < rows; r++, p += stride, g += stride) {
      const d = <f64>load<f32>(g);
      s += d;
      t += d * <f64>(load<f32>(p) - m);
    }
    t *= <f64>inv;
    store<f32>(at(dbeta, c), <f32>s);
    store<f32>(at(dgamma, c), <f32>t);
    if (dx == 0) continue;
    const meanDy = <f32>(s / <f64>rows);
    const meanDyXhat = <f32>(t / <f64>rows);
    const scale = load<f32>(at(gamma, c)) * inv;
    p = at(x, c);
    g = at(dy, c);
    let o = at(dx, c);
    for (let r = 0; r < rows; r++, p += stride, g += stride, o += stride) {
      const xhat = (load<f32>(p) - m) * inv;
      store<f32>(o, (load<f32>(g) - meanDy - xhat * meanDyXhat) * scale);
    }
  }
}

/**
 * Keras' moving statistics update, in place over n values:
 * movingMean = movingMean · momentum + mean · oneMinusMomentum, and the same for the variance.
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
    v128.store(pm, f32x4.add(f32x4.mul(v128.load(pm), mo), f32x4.mul(v128.load(at(mean, i)), om)));
    v128.store(pv, f32x4.add(f32x4.mul(v128.load(pv), mo), f32x4.mul(v128.load(at(variance, i)), om)));
  }
  for (; i < n; i++) {
    const pm = at(movingMean, i);
    const pv = at(movingVariance, i);
    store<f32>(pm, load<f32>(pm) * momentum + load<f32>(at(mean, i)) * oneMinusMomentum);
    store<f32>(pv, load<f32>(pv) * momentum + load<f32>(at(variance, i)) * oneMinusMomentum);
  }
}
