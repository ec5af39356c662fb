// Activation kernels (forward and derivative) and row-wise softmax / log-softmax.
// Each exported kernel dispatches once on the activation code to a loop specialised by a constant
// code (the inlined switch folds away), so every loop body is branch-free SIMD. Scalar tails run the
// same four-lane code on a splat and keep lane 0, so tail and body round identically. The forward
// functions themselves live in mathf4.ts (activation4), shared with the GEMM epilogue.

import {
  ACT_ELU,
  ACT_GELU,
  ACT_LEAKY_RELU,
  ACT_LINEAR,
  ACT_RELU,
  ACT_SIGMOID,
  ACT_SOFTPLUS,
  ACT_TANH,
} from './codes';
import { activation1, activation4, exp4, normalCdf4, sigmoid4 } from './mathf4';
import { hsum, rowMax, rowSum, scaleRow } from './rows';
import { madd } from './simd';

const INV_SQRT_2PI: f32 = 0.39894228040143268;

/** Whether the derivative of `op` reads the input x (else only the output y, or neither). */
@inline
function backwardReadsX(op: i32): bool {
  return op == ACT_RELU || op == ACT_LEAKY_RELU || op == ACT_ELU || op == ACT_SOFTPLUS || op == ACT_GELU;
}

/** Whether the derivative of `op` reads the forward output y. */
@inline
function backwardReadsY(op: i32): bool {
  return op == ACT_ELU || op == ACT_SIGMOID || op == ACT_TANH;
}

/** dy · f'(x) for a constant activation code, from the input x and/or the output y. */
@inline
function backward4(op: i32, x: v128, y: v128, dy: v128, alpha: v128): v128 {
  const zero = f32x4.splat(0.0);
  const one = f32x4.splat(1.0);
  switch (op) {
    case ACT_RELU:
      return v128.and(dy, f32x4.gt(x, zero));
    case ACT_LEAKY_RELU:
      return v128.bitselect(dy, f32x4.mul(dy, alpha), f32x4.gt(x, zero));
    case ACT_ELU:
      return v128.bitselect(dy, f32x4.mul(dy, f32x4.add(y, alpha)), f32x4.gt(x, zero));
    case ACT_SIGMOID:
      return f32x4.mul(dy, f32x4.mul(y, f32x4.sub(one, y)));
    case ACT_TANH:
      return f32x4.mul(dy, f32x4.sub(one, f32x4.mul(y, y)));
    case ACT_SOFTPLUS:
      return f32x4.mul(dy, sigmoid4(x));
    case ACT_GELU: {
      // Φ(x) + x·φ(x), φ(x) = e^(−x²/2) / √(2π).
      const phi = f32x4.mul(exp4(f32x4.mul(f32x4.splat(-0.5), f32x4.mul(x, x))), f32x4.splat(INV_SQRT_2PI));
      return f32x4.mul(dy, madd(x, phi, normalCdf4(x)));
    }
    default:
      return dy;
  }
}

@inline
function forwardLoop(op: i32, x: usize, y: usize, n: i32, alpha: f32): void {
  const a = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, activation4(op, v128.load(x + o), a));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, activation1(op, load<f32>(x + o), a));
  }
}

@inline
function backwardLoop(op: i32, x: usize, y: usize, dy: usize, dx: usize, n: i32, alpha: f32): void {
  const a = f32x4.splat(alpha);
  const zero = f32x4.splat(0.0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const xv = backwardReadsX(op) ? v128.load(x + o) : zero;
    const yv = backwardReadsY(op) ? v128.load(y + o) : zero;
    v128.store(dx + o, backward4(op, xv, yv, v128.load(dy + o), a));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const xv = backwardReadsX(op) ? f32x4.splat(load<f32>(x + o)) : zero;
    const yv = backwardReadsY(op) ? f32x4.splat(load<f32>(y + o)) : zero;
    store<f32>(dx + o, f32x4.extract_lane(backward4(op, xv, yv, f32x4.splat(load<f32>(dy + o)), a), 0));
  }
}

/**
 * y[i] = f(x[i]) for `n` floats, f chosen by an ACT_* code (unknown codes write nothing); `alpha` is
 * the negative slope of leakyRelu and the scale of elu. y may alias x.
 */
export function activationForward(code: i32, x: usize, y: usize, n: i32, alpha: f32): void {
  switch (code) {
    case ACT_LINEAR:
      forwardLoop(ACT_LINEAR, x, y, n, alpha);
      break;
    case ACT_RELU:
      forwardLoop(ACT_RELU, x, y, n, alpha);
      break;
    case ACT_LEAKY_RELU:
      forwardLoop(ACT_LEAKY_RELU, x, y, n, alpha);
      break;
    case ACT_ELU:
      forwardLoop(ACT_ELU, x, y, n, alpha);
      break;
    case ACT_SIGMOID:
      forwardLoop(ACT_SIGMOID, x, y, n, alpha);
      break;
    case ACT_TANH:
      forwardLoop(ACT_TANH, x, y, n, alpha);
      break;
    case ACT_SOFTPLUS:
      forwardLoop(ACT_SOFTPLUS, x, y, n, alpha);
      break;
    case ACT_GELU:
      forwardLoop(ACT_GELU, x, y, n, alpha);
      break;
  }
}

/**
 * dx[i] = dy[i] · f'(x[i]) for `n` floats. Reads x for relu, leakyRelu, elu, softplus, gelu and the
 * forward output y for elu, sigmoid, tanh (the other pointer is not touched). relu'(0) = 0. dx may
 * alias dy.
 */
export function activationBackward(code: i32, x: usize, y: usize, dy: usize, dx: usize, n: i32, alpha: f32): void {
  switch (code) {
    case ACT_LINEAR:
      backwardLoop(ACT_LINEAR, x, y, dy, dx, n, alpha);
      break;
    case ACT_RELU:
      backwardLoop(ACT_RELU, x, y, dy, dx, n, alpha);
      break;
    case ACT_LEAKY_RELU:
      backwardLoop(ACT_LEAKY_RELU, x, y, dy, dx, n, alpha);
      break;
    case ACT_ELU:
      backwardLoop(ACT_ELU, x, y, dy, dx, n, alpha);
      break;
    case ACT_SIGMOID:
      backwardLoop(ACT_SIGMOID, x, y, dy, dx, n, alpha);
      break;
    case ACT_TANH:
      backwardLoop(ACT_TANH, x, y, dy, dx, n, alpha);
      break;
    case ACT_SOFTPLUS:
      backwardLoop(ACT_SOFTPLUS, x, y, dy, dx, n, alpha);
      break;
    case ACT_GELU:
      backwardLoop(ACT_GELU, x, y, dy, dx, n, alpha);
      break;
  }
}

// ---- Row-wise softmax -------------------------------------------------------------------------

/** Σ e^(x[j] − m) over a row; also writes each term to out when `write` (a constant) is set. */
@inline
function expSum(x: usize, out: usize, cols: i32, m: f32, write: bool): f32 {
  const mv = f32x4.splat(m);
  let s = f32x4.splat(0.0);
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    const o = <usize>j << 2;
    const e = exp4(f32x4.sub(v128.load(x + o), mv));
    if (write) v128.store(out + o, e);
    s = f32x4.add(s, e);
  }
  let r = hsum(s);
  for (; j < cols; j++) {
    const o = <usize>j << 2;
    const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(x + o) - m)), 0);
    if (write) store<f32>(out + o, e);
    r += e;
  }
  return r;
}

/** Σ a[j]·b[j] over a row. */
@inline
function rowDot(a: usize, b: usize, cols: i32): f32 {
  let s = f32x4.splat(0.0);
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    const o = <usize>j << 2;
    s = madd(v128.load(a + o), v128.load(b + o), s);
  }
  let r = hsum(s);
  for (; j < cols; j++) {
    const o = <usize>j << 2;
    r += load<f32>(a + o) * load<f32>(b + o);
  }
  return r;
}

/** Softmax of each row of a rows×cols matrix: y = e^(x − max) / Σ e^(x − max). y may alias x. */
export function softmaxRows(x: usize, y: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const yr = y + <usize>r * rowBytes;
    const m = rowMax(xr, cols);
    scaleRow(yr, cols, 1.0 / expSum(xr, yr, cols, m, true));
  }
}

/** Log-softmax of each row: y = (x − max) − log Σ e^(x − max). y may alias x. */
export function logSoftmaxRows(x: usize, y: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const yr = y + <usize>r * rowBytes;
    const m = rowMax(xr, cols);
    const lse = Mathf.log(expSum(xr, 0, cols, m, false));
    const mv = f32x4.splat(m);
    const lv = f32x4.splat(lse);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(yr + o, f32x4.sub(f32x4.sub(v128.load(xr + o), mv), lv));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(yr + o, load<f32>(xr + o) - m - lse);
    }
  }
}

/** Softmax gradient from its output y: dx = y ⊙ (dy − Σ dy⊙y) per row. dx may alias y or dy. */
export function softmaxRowsBackward(y: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * rowBytes;
    const yr = y + off;
    const gr = dy + off;
    const dr = dx + off;
    const s = rowDot(yr, gr, cols);
    const sv = f32x4.splat(s);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(dr + o, f32x4.mul(v128.load(yr + o), f32x4.sub(v128.load(gr + o), sv)));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(dr + o, load<f32>(yr + o) * (load<f32>(gr + o) - s));
    }
  }
}

/** Log-softmax gradient from its output y: dx = dy − e^y · Σ dy per row. dx may alias y or dy. */
export function logSoftmaxRowsBackward(y: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * rowBytes;
    const yr = y + off;
    const gr = dy + off;
    const dr = dx + off;
    const s = rowSum(gr, cols);
    const sv = f32x4.splat(s);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(dr + o, f32x4.sub(v128.load(gr + o), f32x4.mul(exp4(v128.load(yr + o)), sv)));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(dr + o, load<f32>(gr + o) - f32x4.extract_lane(exp4(f32x4.splat(load<f32>(yr + o))), 0) * s);
    }
  }
}
