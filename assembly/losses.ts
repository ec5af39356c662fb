// Fused, numerically stable loss kernels, forward and backward. They write per-row (softmax
// cross-entropy) or per-element values; the TypeScript layer does the final mean or sum. Gradients are
// stored with subnormal values flushed to 0 (see flush in simd.ts): a saturated softmax or sigmoid
// (probabilities below 2^-126, common once a network overfits) would otherwise send subnormal floats
// through the whole backward pass, where each multiply by one is slow on x86.

import { exp4, log1p4, log4 } from './mathf4';
import { hsum, rowMax, rowSum, scaleRow } from './rows';
import { flush, flush1, madd } from './simd';

// Elementwise loss codes (private to this file).
const L_SQUARED: i32 = 0;
const L_ABSOLUTE: i32 = 1;
const L_HUBER: i32 = 2;
const L_SIGMOID_CE: i32 = 3;
const L_BINARY_CE: i32 = 4;

/** 1 / (1 + e^−x) without overflow. */
@inline
function sigmoid4(x: v128): v128 {
  const e = exp4(f32x4.neg(f32x4.abs(x)));
  const s = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), e));
  return v128.bitselect(s, f32x4.mul(e, s), f32x4.ge(x, f32x4.splat(0.0)));
}

// ---- Softmax cross-entropy --------------------------------------------------------------------

/**
 * Per row: loss = logsumexp(z) − z[label] and probs = softmax(z), both from the row max m, so logits
 * far apart stay finite. labels are int32 in [0, cols) (validated by the caller). probs may alias
 * logits.
 */
export function softmaxCrossEntropySparse(logits: usize, labels: usize, rows: i32, cols: i32, loss: usize, probs: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const zr = logits + <usize>r * rowBytes;
    const pr = probs + <usize>r * rowBytes;
    const zl = load<f32>(zr + (<usize>load<i32>(labels + (<usize>r << 2)) << 2));
    const m = rowMax(zr, cols);
    const mv = f32x4.splat(m);
    let s = f32x4.splat(0.0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      const e = exp4(f32x4.sub(v128.load(zr + o), mv));
      v128.store(pr + o, e);
      s = f32x4.add(s, e);
    }
    let sum = hsum(s);
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(zr + o) - m)), 0);
      store<f32>(pr + o, e);
      sum += e;
    }
    store<f32>(loss + (<usize>r << 2), m - zl + Mathf.log(sum));
    scaleRow(pr, cols, 1.0 / sum);
  }
}

/** dlogits = (probs − onehot(label)) · dyRow[row], subnormals flushed. dlogits may alias probs. */
export function softmaxCrossEntropySparseBackward(probs: usize, labels: usize, dyRow: usize, rows: i32, cols: i32, dlogits: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const pr = probs + <usize>r * rowBytes;
    const dr = dlogits + <usize>r * rowBytes;
    const g = load<f32>(dyRow + (<usize>r << 2));
    const lo = <usize>load<i32>(labels + (<usize>r << 2)) << 2;
    const pl = load<f32>(pr + lo);
    const gv = f32x4.splat(g);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(dr + o, flush(f32x4.mul(v128.load(pr + o), gv)));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(dr + o, flush1(load<f32>(pr + o) * g));
    }
    store<f32>(dr + lo, flush1((pl - 1.0) * g));
  }
}

/**
 * Per row with soft targets t: loss = Σ t·(logsumexp(z) − z), computed as Σ t·(m − z) + Σt · log Σ
 * e^(z − m) (every term ≥ 0 for t ≥ 0, never the log of a probability); probs = softmax(z). probs may
 * alias logits.
 */
export function softmaxCrossEntropyDense(logits: usize, targets: usize, rows: i32, cols: i32, loss: usize, probs: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * rowBytes;
    const zr = logits + off;
    const tr = targets + off;
    const pr = probs + off;
    const m = rowMax(zr, cols);
    const mv = f32x4.splat(m);
    let s = f32x4.splat(0.0);
    let td = f32x4.splat(0.0);
    let ts = f32x4.splat(0.0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      const d = f32x4.sub(mv, v128.load(zr + o));
      const t = v128.load(tr + o);
      const e = exp4(f32x4.neg(d));
      v128.store(pr + o, e);
      s = f32x4.add(s, e);
      td = madd(t, d, td);
      ts = f32x4.add(ts, t);
    }
    let sum = hsum(s);
    let tDot = hsum(td);
    let tSum = hsum(ts);
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      const d = m - load<f32>(zr + o);
      const t = load<f32>(tr + o);
      const e = f32x4.extract_lane(exp4(f32x4.splat(-d)), 0);
      store<f32>(pr + o, e);
      sum += e;
      tDot += t * d;
      tSum += t;
    }
    store<f32>(loss + (<usize>r << 2), tDot + tSum * Mathf.log(sum));
    scaleRow(pr, cols, 1.0 / sum);
  }
}

/**
 * dlogits = (probs · Σt − t) · dyRow[row] (soft targets allowed), subnormals flushed. dlogits may alias
 * probs or targets.
 */
export function softmaxCrossEntropyDenseBackward(probs: usize, targets: usize, dyRow: usize, rows: i32, cols: i32, dlogits: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * rowBytes;
    const pr = probs + off;
    const tr = targets + off;
    const dr = dlogits + off;
    const g = load<f32>(dyRow + (<usize>r << 2));
    const tSum = rowSum(tr, cols);
    const gv = f32x4.splat(g);
    const sv = f32x4.splat(tSum);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      const d = f32x4.sub(f32x4.mul(v128.load(pr + o), sv), v128.load(tr + o));
      v128.store(dr + o, flush(f32x4.mul(d, gv)));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(dr + o, flush1((load<f32>(pr + o) * tSum - load<f32>(tr + o)) * g));
    }
  }
}

// ---- Elementwise losses -----------------------------------------------------------------------

/**
 * Loss of prediction a against target b; s is the op's scalar splat (huber delta, bce epsilon) and c
 * holds constants derived from it (see lossConstants).
 */
@inline
function loss4(op: i32, a: v128, b: v128, s: v128, c: v128): v128 {
  const one = f32x4.splat(1.0);
  switch (op) {
    case L_SQUARED: {
      const d = f32x4.sub(a, b);
      return f32x4.mul(d, d);
    }
    case L_ABSOLUTE:
      return f32x4.abs(f32x4.sub(a, b));
    case L_HUBER: {
      const d = f32x4.abs(f32x4.sub(a, b));
      const quad = f32x4.mul(f32x4.splat(0.5), f32x4.mul(d, d));
      const lin = f32x4.mul(s, f32x4.sub(d, f32x4.mul(f32x4.splat(0.5), s)));
      return v128.bitselect(quad, lin, f32x4.le(d, s));
    }
    case L_SIGMOID_CE: {
      // max(z, 0) − z·t + log1p(e^−|z|)
      const z = a;
      const soft = log1p4(exp4(f32x4.neg(f32x4.abs(z))));
      return f32x4.add(f32x4.sub(f32x4.max(z, f32x4.splat(0.0)), f32x4.mul(z, b)), soft);
    }
    case L_BINARY_CE: {
      // log p and log(1 − p) of p clipped into [ε, 1 − ε]. 1 − ε is not a float32 near 1, so the
      // upper clip is tested as 1 − p < ε (exact for p ≥ ½) and then takes the precomputed logs
      // c = (log1p(−ε), log ε); log(1 − p) is log1p(−p), accurate for small p.
      const lo = f32x4.max(a, s);
      const above = f32x4.lt(f32x4.sub(one, a), s);
      const lp = v128.bitselect(f32x4.splat(f32x4.extract_lane(c, 0)), log4(lo), above);
      const lq = v128.bitselect(f32x4.splat(f32x4.extract_lane(c, 1)), log1p4(f32x4.neg(lo)), above);
      return f32x4.neg(madd(b, lp, f32x4.mul(f32x4.sub(one, b), lq)));
    }
    default:
      return a;
  }
}

/** Gradient of loss4 w.r.t. a, times dy. */
@inline
function grad4(op: i32, a: v128, b: v128, dy: v128, s: v128): v128 {
  const zero = f32x4.splat(0.0);
  const one = f32x4.splat(1.0);
  switch (op) {
    case L_SQUARED:
      return f32x4.mul(f32x4.mul(f32x4.splat(2.0), f32x4.sub(a, b)), dy);
    case L_ABSOLUTE: {
      const d = f32x4.sub(a, b);
      // sign(d)·dy, 0 at d = 0: ±dy by d's sign bit, masked where d ≠ 0.
      const signed = v128.xor(dy, v128.and(d, f32x4.splat(-0.0)));
      return v128.and(signed, f32x4.ne(d, zero));
    }
    case L_HUBER:
      return f32x4.mul(f32x4.min(f32x4.max(f32x4.sub(a, b), f32x4.neg(s)), s), dy);
    case L_SIGMOID_CE:
      return f32x4.mul(f32x4.sub(sigmoid4(a), b), dy);
    case L_BINARY_CE: {
      // dy·(p − t)/(p(1 − p)) inside [ε, 1 − ε]; the clip passes no gradient outside.
      const q = f32x4.sub(one, a);
      const inside = v128.and(f32x4.ge(a, s), f32x4.ge(q, s));
      const g = f32x4.div(f32x4.mul(f32x4.sub(a, b), dy), f32x4.mul(a, q));
      return v128.and(g, inside);
    }
    default:
      return dy;
  }
}

/** Per-call constants of loss4: (log1p(−ε), log ε) for binary cross-entropy. */
@inline
function lossConstants(op: i32, scalar: f32): v128 {
  if (op == L_BINARY_CE) return f32x4(Mathf.log1p(-scalar), Mathf.log(scalar), 0, 0);
  return f32x4.splat(0.0);
}

@inline
function lossLoop(op: i32, a: usize, b: usize, n: i32, out: usize, scalar: f32): void {
  const s = f32x4.splat(scalar);
  const c = lossConstants(op, scalar);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, loss4(op, v128.load(a + o), v128.load(b + o), s, c));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = loss4(op, f32x4.splat(load<f32>(a + o)), f32x4.splat(load<f32>(b + o)), s, c);
    store<f32>(out + o, f32x4.extract_lane(v, 0));
  }
}

@inline
function gradLoop(op: i32, a: usize, b: usize, dy: usize, n: i32, out: usize, scalar: f32): void {
  const s = f32x4.splat(scalar);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, flush(grad4(op, v128.load(a + o), v128.load(b + o), v128.load(dy + o), s)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = grad4(op, f32x4.splat(load<f32>(a + o)), f32x4.splat(load<f32>(b + o)), f32x4.splat(load<f32>(dy + o)), s);
    store<f32>(out + o, flush1(f32x4.extract_lane(v, 0)));
  }
}

/** loss = max(z, 0) − z·t + log1p(e^−|z|) elementwise: sigmoid cross-entropy from logits z. */
export function sigmoidCrossEntropy(logits: usize, targets: usize, n: i32, loss: usize): void {
  lossLoop(L_SIGMOID_CE, logits, targets, n, loss, 0);
}

/** dlogits = (sigmoid(z) − t) · dy. dlogits may alias any input. */
export function sigmoidCrossEntropyBackward(logits: usize, targets: usize, dy: usize, n: i32, dlogits: usize): void {
  gradLoop(L_SIGMOID_CE, logits, targets, dy, n, dlogits, 0);
}

/** loss = −(t·log p + (1 − t)·log(1 − p)) with p clipped into [ε, 1 − ε] (ε > 0). */
export function binaryCrossEntropy(probs: usize, targets: usize, n: i32, loss: usize, epsilon: f32): void {
  lossLoop(L_BINARY_CE, probs, targets, n, loss, epsilon);
}

/** dprobs = dy·(p − t)/(p(1 − p)) where ε ≤ p ≤ 1 − ε, else 0. dprobs may alias any input. */
export function binaryCrossEntropyBackward(probs: usize, targets: usize, dy: usize, n: i32, dprobs: usize, epsilon: f32): void {
  gradLoop(L_BINARY_CE, probs, targets, dy, n, dprobs, epsilon);
}

/** loss = (pred − target)² elementwise. */
export function squaredError(pred: usize, target: usize, n: i32, loss: usize): void {
  lossLoop(L_SQUARED, pred, target, n, loss, 0);
}

/** dpred = 2(pred − target) · dy. */
export function squaredErrorBackward(pred: usize, target: usize, dy: usize, n: i32, dpred: usize): void {
  gradLoop(L_SQUARED, pred, target, dy, n, dpred, 0);
}

/** loss = |pred − target| elementwise. */
export function absoluteError(pred: usize, target: usize, n: i32, loss: usize): void {
  lossLoop(L_ABSOLUTE, pred, target, n, loss, 0);
}

/** dpred = sign(pred − target) · dy, 0 where pred = target. */
export function absoluteErrorBackward(pred: usize, target: usize, dy: usize, n: i32, dpred: usize): void {
  gradLoop(L_ABSOLUTE, pred, target, dy, n, dpred, 0);
}

/** loss = ½d² where |d| ≤ δ, else δ(|d| − ½δ), d = pred − target. */
export function huber(pred: usize, target: usize, n: i32, loss: usize, delta: f32): void {
  lossLoop(L_HUBER, pred, target, n, loss, delta);
}

/** dpred = clip(pred − target, −δ, δ) · dy. */
export function huberBackward(pred: usize, target: usize, dy: usize, n: i32, dpred: usize, delta: f32): void {
  gradLoop(L_HUBER, pred, target, dy, n, dpred, delta);
}
