// Fused, numerically stable loss kernels, forward and backward. They write per-row (softmax
// cross-entropy) or per-element values; the TypeScript layer does the final mean or sum. Gradients are
// stored with subnormal values flushed to 0 (see flush in simd.ts): a saturated softmax or sigmoid
// (probabilities below 2^-126, common once a network overfits) would otherwise send subnormal floats
// through the whole backward pass, where each multiply by one is slow on x86.
//
// The cross-entropies from logits take a clip `epsilon`. With epsilon > 0 they report Keras's values
// of the probability path, which clips p into [ε, 1 − ε] before the log: computed stably from the
// logits as log p = z − logsumexp(z) (or a log-sigmoid), then −log p clamped into
// [−log(1 − ε), −log ε], the same numbers (a saturated wrong prediction costs −log ε ≈ 16.118 for
// ε = 1e-7, not the logit gap). With epsilon = 0 (or NaN, which an omitted argument becomes) nothing
// is clipped: tfjs's losses. The backward kernels stay the exact gradient p − t of the unclipped
// cross-entropy whatever the clip, as Keras trains from the logits (the clip only shapes the value).

import { exp4, log1p4, log4, sigmoid4 } from './mathf4';
import { hsum, rowMax, rowSum, scaleRow } from './rows';
import { flush, flush1, madd } from './simd';

// Elementwise loss codes (private to this file).
const L_SQUARED: i32 = 0;
const L_ABSOLUTE: i32 = 1;
const L_HUBER: i32 = 2;
const L_SIGMOID_CE: i32 = 3;
const L_BINARY_CE: i32 = 4;

/** The smallest −log p reported: −log(1 − ε) for a clip ε > 0, else −Infinity (no clip). */
@inline
function nllLow(epsilon: f32): f32 {
  return epsilon > 0 ? -Mathf.log1p(-epsilon) : -Infinity;
}

/** The largest −log p reported: −log ε for a clip ε > 0, else +Infinity (no clip). */
@inline
function nllHigh(epsilon: f32): f32 {
  return epsilon > 0 ? -Mathf.log(epsilon) : Infinity;
}

/** Σ e^(z[j] − m) over a row; also stores each term at out[j] when `write` (a constant) is set. */
@inline
function expSumRow(z: usize, out: usize, cols: i32, m: f32, write: bool): f32 {
  const mv = f32x4.splat(m);
  let s = f32x4.splat(0.0);
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    const o = <usize>j << 2;
    const e = exp4(f32x4.sub(v128.load(z + o), mv));
    if (write) v128.store(out + o, e);
    s = f32x4.add(s, e);
  }
  let r = hsum(s);
  for (; j < cols; j++) {
    const o = <usize>j << 2;
    const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(z + o) - m)), 0);
    if (write) store<f32>(out + o, e);
    r += e;
  }
  return r;
}

// ---- Softmax cross-entropy --------------------------------------------------------------------

/**
 * Per row: loss = −log p[label] = logsumexp(z) − z[label], clamped into [−log(1 − ε), −log ε] when
 * epsilon > 0 (Keras's −log clip(p)); probs = softmax(z). Both from the row max m, so logits far
 * apart stay finite. labels are int32 in [0, cols) (validated by the caller); 0 < epsilon < 0.5, or
 * 0 for no clip. probs may alias logits.
 */
export function softmaxCrossEntropySparse(
  logits: usize,
  labels: usize,
  rows: i32,
  cols: i32,
  loss: usize,
  probs: usize,
  epsilon: f32,
): void {
  const rowBytes = <usize>cols << 2;
  const lo = nllLow(epsilon);
  const hi = nllHigh(epsilon);
  for (let r = 0; r < rows; r++) {
    const zr = logits + <usize>r * rowBytes;
    const pr = probs + <usize>r * rowBytes;
    const zl = load<f32>(zr + (<usize>load<i32>(labels + (<usize>r << 2)) << 2));
    const m = rowMax(zr, cols);
    const sum = expSumRow(zr, pr, cols, m, true);
    // min/max pass NaN through: a NaN logit reports NaN, not a clip bound.
    store<f32>(loss + (<usize>r << 2), min(max(m - zl + Mathf.log(sum), lo), hi));
    scaleRow(pr, cols, 1.0 / sum);
  }
}

/**
 * dlogits = (probs − onehot(label)) · dyRow[row], subnormals flushed: the exact softmax
 * cross-entropy gradient, whatever clip the forward's reported value used. dlogits may alias probs.
 */
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
 * Per row with targets t (one-hot, soft or unnormalised): loss = Σ t·(−log p) with −log p =
 * logsumexp(z) − z, each term clamped into [−log(1 − ε), −log ε] when epsilon > 0 (Keras's
 * −Σ t·log clip(p)), never the log of a computed probability; probs = softmax(z). 0 < epsilon < 0.5,
 * or 0 for no clip. probs may alias logits.
 */
export function softmaxCrossEntropyDense(
  logits: usize,
  targets: usize,
  rows: i32,
  cols: i32,
  loss: usize,
  probs: usize,
  epsilon: f32,
): void {
  const rowBytes = <usize>cols << 2;
  const lo = nllLow(epsilon);
  const hi = nllHigh(epsilon);
  const lov = f32x4.splat(lo);
  const hiv = f32x4.splat(hi);
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * rowBytes;
    const zr = logits + off;
    const tr = targets + off;
    const pr = probs + off;
    const m = rowMax(zr, cols);
    const sum = expSumRow(zr, 0, cols, m, false);
    // Second pass: −log p = (m − z) + log Σ, read from the logits before the probability overwrites
    // them (when probs aliases logits), then e^(z − m) / Σ exactly as in the first pass.
    const lse = Mathf.log(sum);
    const mv = f32x4.splat(m);
    const lv = f32x4.splat(lse);
    const inv: f32 = 1.0 / sum;
    const iv = f32x4.splat(inv);
    let acc = f32x4.splat(0.0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      const z = v128.load(zr + o);
      const nll = f32x4.min(f32x4.max(f32x4.add(f32x4.sub(mv, z), lv), lov), hiv);
      acc = madd(v128.load(tr + o), nll, acc);
      v128.store(pr + o, f32x4.mul(exp4(f32x4.sub(z, mv)), iv));
    }
    let total = hsum(acc);
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      const z = load<f32>(zr + o);
      total += load<f32>(tr + o) * min(max(m - z + lse, lo), hi);
      store<f32>(pr + o, f32x4.extract_lane(exp4(f32x4.splat(z - m)), 0) * inv);
    }
    store<f32>(loss + (<usize>r << 2), total);
  }
}

/**
 * dlogits = (probs · Σt − t) · dyRow[row] (soft targets allowed), subnormals flushed: the exact
 * gradient of the unclipped loss, whatever clip the forward's reported value used. dlogits may alias
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
      // −log p = softplus(−z) and −log(1 − p) = softplus(z), p = sigmoid(z), each clamped into the
      // bounds c = (−log(1 − ε), −log ε) (±Infinity for no clip), then t·(−log p) + (1 − t)·(−log(1 − p)).
      const z = a;
      const zero = f32x4.splat(0.0);
      const soft = log1p4(exp4(f32x4.neg(f32x4.abs(z))));
      const lo = f32x4.splat(f32x4.extract_lane(c, 0));
      const hi = f32x4.splat(f32x4.extract_lane(c, 1));
      const nlp = f32x4.min(f32x4.max(f32x4.add(f32x4.max(f32x4.neg(z), zero), soft), lo), hi);
      const nlq = f32x4.min(f32x4.max(f32x4.add(f32x4.max(z, zero), soft), lo), hi);
      return madd(b, nlp, f32x4.mul(f32x4.sub(one, b), nlq));
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

/**
 * Per-call constants of loss4: (log1p(−ε), log ε) for binary cross-entropy, the clamp bounds of
 * −log p (see nllLow, nllHigh) for sigmoid cross-entropy.
 */
@inline
function lossConstants(op: i32, scalar: f32): v128 {
  if (op == L_BINARY_CE) return f32x4(Mathf.log1p(-scalar), Mathf.log(scalar), 0, 0);
  if (op == L_SIGMOID_CE) return f32x4(nllLow(scalar), nllHigh(scalar), 0, 0);
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

/**
 * Sigmoid cross-entropy from logits z, elementwise: loss = t·(−log p) + (1 − t)·(−log(1 − p)) with
 * p = sigmoid(z), −log p = softplus(−z) and −log(1 − p) = softplus(z) (finite for any z), each clamped
 * into [−log(1 − ε), −log ε] when epsilon > 0 (Keras's binary cross-entropy of clip(p)). 0 < epsilon
 * < 0.5, or 0 for no clip (tfjs's sigmoidCrossEntropy).
 */
export function sigmoidCrossEntropy(logits: usize, targets: usize, n: i32, loss: usize, epsilon: f32): void {
  lossLoop(L_SIGMOID_CE, logits, targets, n, loss, epsilon);
}

/**
 * dlogits = (sigmoid(z) − t) · dy, the exact gradient of the unclipped loss whatever the forward's
 * clip (as Keras trains from the logits). dlogits may alias any input.
 */
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

/** −log(p) of a probability clipped into [ε, 1 − ε] (no clip for ε = 0); NaN stays NaN. */
@inline
function clippedNll(p: f32, epsilon: f32): f32 {
  return epsilon > 0 ? -Mathf.log(min(max(p, epsilon), 1 - epsilon)) : -Mathf.log(p);
}

/**
 * Keras's cross-entropy on probabilities: loss[row] = −log(clip(probs[row, label])), probabilities
 * clipped into [ε, 1 − ε] (ε = 0: none). With probabilities a softmax made, its gradient to the
 * logits is softmaxCrossEntropySparseBackward's (probs − onehot)·dy: no exp is computed twice. A
 * label outside [0, cols) reports NaN (and reads nothing).
 */
export function crossEntropyProbsSparse(probs: usize, labels: usize, rows: i32, cols: i32, loss: usize, epsilon: f32): void {
  for (let r = 0; r < rows; r++) {
    const label = load<i32>(labels + (<usize>r << 2));
    const inRange = label >= 0 && label < cols;
    const p = inRange ? load<f32>(probs + ((<usize>r * <usize>cols + <usize>label) << 2)) : NaN;
    store<f32>(loss + (<usize>r << 2), clippedNll(p, epsilon));
  }
}

/**
 * Keras's categorical cross-entropy on probabilities: loss[row] = −Σ_j t[row, j]·log(clip(probs[row, j]))
 * (the probabilities of a softmax, which sum to 1). Its gradient to the logits is
 * softmaxCrossEntropyDenseBackward's (probs − t)·dy for targets that sum to 1.
 */
export function crossEntropyProbsDense(probs: usize, targets: usize, rows: i32, cols: i32, loss: usize, epsilon: f32): void {
  for (let r = 0; r < rows; r++) {
    const base = <usize>r * <usize>cols;
    let total: f32 = 0;
    for (let j = 0; j < cols; j++) {
      const t = load<f32>(targets + ((base + <usize>j) << 2));
      if (t !== 0) total += t * clippedNll(load<f32>(probs + ((base + <usize>j) << 2)), epsilon);
    }
    store<f32>(loss + (<usize>r << 2), total);
  }
}
