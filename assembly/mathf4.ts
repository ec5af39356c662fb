// Four-lane float math: polynomial SIMD versions with Cephes-style range reduction, and the
// elementwise activations built on them (one definition shared by every kernel). No lane is
// ever computed through a scalar call. Accuracy against float64 (measured in
// test/kernels/mathf4.test.ts): exp, log, log1p, tanh within a few ulp (relative <= 5e-7);
// erf within 4e-7 absolute everywhere and 3e-7 relative near 0. Subnormal inputs and outputs are
// handled exactly (not flushed).

import { ACT_ELU, ACT_GELU, ACT_LEAKY_RELU, ACT_RELU, ACT_SIGMOID, ACT_SOFTPLUS, ACT_TANH } from './codes';
import { madd } from './simd';

const INV_SQRT2: f32 = 0.70710678118654752;

/** n = round(x / ln2), as a float: the power of two of x = n·ln2 + r. */
@inline
function expExponent(x: v128): v128 {
  return f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
}

/** r = x − n·ln2 with |r| ≤ ln2/2; ln2 in two parts so that n·LN2_HI is exact. */
@inline
function expReduced(x: v128, n: v128): v128 {
  const r = madd(n, f32x4.splat(-0.693359375), x);
  return madd(n, f32x4.splat(2.12194440e-4), r);
}

/** P(r) with e^r ≈ 1 + r + r²·P(r) on |r| ≤ ln2/2 (Cephes expf). */
@inline
function expPoly(r: v128): v128 {
  let p = madd(f32x4.splat(1.9875691500e-4), r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  return madd(p, r, f32x4.splat(5.0000001201e-1));
}

/** e^x on four lanes: +Infinity above ~88.72, 0 below ~-103.97 (subnormal results kept), NaN stays NaN. */
@inline
export function exp4(x: v128): v128 {
  // Beyond these bounds the result is already +Inf / 0; clamping keeps n in range. pmin/pmax are
  // single instructions and return their first operand (x) when it is NaN.
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-104.0)), f32x4.splat(89.0));
  const n = expExponent(x);
  const r = expReduced(x, n);
  const p = madd(expPoly(r), f32x4.mul(r, r), f32x4.add(r, f32x4.splat(1.0)));
  // 2^n as two normal factors 2^n1 * 2^n2 (n in [-150, 128]): the product overflows to +Inf or
  // rounds into the subnormal range correctly, with a single rounding.
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const n1 = i32x4.shr_s(ni, 1);
  const n2 = i32x4.sub(ni, n1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** Natural log on four lanes: NaN below 0, -Infinity at ±0, +Infinity at +Infinity, exact for subnormals. */
@inline
export function log4(x: v128): v128 {
  // Subnormals: scale by 2^23 first so that the exponent field is meaningful.
  const tiny = f32x4.lt(x, f32x4.splat(1.17549435e-38));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(8388608.0)), x, tiny);
  const bits = xs;
  // x = m * 2^e with m in [0.5, 1).
  let e = i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126));
  e = i32x4.sub(e, v128.and(tiny, i32x4.splat(23)));
  const m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  // Keep the reduced argument in [sqrt(1/2) - 1, sqrt(2) - 1]: if m < sqrt(1/2), use 2m and e - 1.
  const lowM = f32x4.lt(m, f32x4.splat(0.707106781186547524));
  e = i32x4.add(e, lowM); // lowM lanes are -1
  const ef = f32x4.convert_i32x4_s(e);
  const t = f32x4.add(f32x4.sub(m, f32x4.splat(1.0)), v128.and(lowM, m));
  const z = f32x4.mul(t, t);
  let p = madd(f32x4.splat(7.0376836292e-2), t, f32x4.splat(-1.1514610310e-1));
  p = madd(p, t, f32x4.splat(1.1676998740e-1));
  p = madd(p, t, f32x4.splat(-1.2420140846e-1));
  p = madd(p, t, f32x4.splat(1.4249322787e-1));
  p = madd(p, t, f32x4.splat(-1.6668057665e-1));
  p = madd(p, t, f32x4.splat(2.0000714765e-1));
  p = madd(p, t, f32x4.splat(-2.4999993993e-1));
  p = madd(p, t, f32x4.splat(3.3333331174e-1));
  let y = f32x4.mul(f32x4.mul(p, t), z);
  y = madd(ef, f32x4.splat(-2.12194440e-4), y);
  y = madd(z, f32x4.splat(-0.5), y);
  let r = madd(ef, f32x4.splat(0.693359375), f32x4.add(t, y));
  // Special values: +Inf and NaN give x itself, 0 gives -Inf, negatives give NaN.
  r = v128.bitselect(x, r, v128.not(f32x4.lt(x, f32x4.splat(Infinity))));
  r = v128.bitselect(f32x4.splat(-Infinity), r, f32x4.eq(x, f32x4.splat(0.0)));
  return v128.bitselect(f32x4.splat(NaN), r, f32x4.lt(x, f32x4.splat(0.0)));
}

/** log(1 + x) on four lanes, accurate for small x (exactly x where 1 + x rounds to 1). */
@inline
export function log1p4(x: v128): v128 {
  // With u = fl(1 + x), log(u) * x / (u - 1) cancels the rounding error of u to first order.
  const u = f32x4.add(x, f32x4.splat(1.0));
  const d = f32x4.sub(u, f32x4.splat(1.0));
  const r = f32x4.mul(log4(u), f32x4.div(x, d));
  const keep = v128.or(f32x4.eq(d, f32x4.splat(0.0)), f32x4.eq(x, f32x4.splat(Infinity)));
  return v128.bitselect(x, r, keep);
}

/** tanh on four lanes: odd polynomial below |x| = 0.625, 1 - 2 / (e^{2|x|} + 1) above; saturates to ±1. */
@inline
export function tanh4(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(ax, ax);
  let p = madd(f32x4.splat(-5.70498872745e-3), z, f32x4.splat(2.06390887954e-2));
  p = madd(p, z, f32x4.splat(-5.37397155531e-2));
  p = madd(p, z, f32x4.splat(1.33314422036e-1));
  p = madd(p, z, f32x4.splat(-3.33332819422e-1));
  const small = madd(f32x4.mul(p, z), ax, ax);
  const e = exp4(f32x4.add(ax, ax));
  const large = f32x4.sub(f32x4.splat(1.0), f32x4.div(f32x4.splat(2.0), f32x4.add(e, f32x4.splat(1.0))));
  const y = v128.bitselect(small, large, f32x4.lt(ax, f32x4.splat(0.625)));
  return v128.or(y, v128.and(x, f32x4.splat(-0.0)));
}

/**
 * erf on four lanes: x * P(x^2) / Q(x^2) (degrees 6 and 4, fitted in float64 for relative error
 * on [0, 4]; Q has positive coefficients, so no poles), x clamped to [-4, 4] where erf is 1 in
 * float32 precision, result clamped to [-1, 1].
 */
@inline
export function erf4(x: v128): v128 {
  const xc = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-4.0)), f32x4.splat(4.0)); // NaN stays NaN
  const t = f32x4.mul(xc, xc);
  let p = madd(f32x4.splat(1.911086044970034e-8), t, f32x4.splat(-1.942308927027625e-6));
  p = madd(p, t, f32x4.splat(1.4728614769410342e-4));
  p = madd(p, t, f32x4.splat(3.9905677549541e-3));
  p = madd(p, t, f32x4.splat(5.152488499879837e-2));
  p = madd(p, t, f32x4.splat(2.071252316236496e-1));
  p = madd(p, t, f32x4.splat(1.1283791065216064));
  let q = madd(f32x4.splat(1.021110569126904e-3), t, f32x4.splat(1.4958066865801811e-2));
  q = madd(q, t, f32x4.splat(1.1797074228525162e-1));
  q = madd(q, t, f32x4.splat(5.168911814689636e-1));
  q = madd(q, t, f32x4.splat(1.0));
  const r = f32x4.div(f32x4.mul(xc, p), q);
  return f32x4.pmin(f32x4.pmax(r, f32x4.splat(-1.0)), f32x4.splat(1.0));
}

/** erf of one value: the same approximation as `erf4`, so both agree bit for bit. */
@inline
export function erfScalar(x: f32): f32 {
  return f32x4.extract_lane(erf4(f32x4.splat(x)), 0);
}

/**
 * e^x − 1 for x ≤ 0 (and NaN), accurate near 0 where exp(x) − 1 would cancel: with x = n·ln2 + r,
 * e^x − 1 = 2^n·(e^r − 1) + (2^n − 1), where e^r − 1 = r + r²·P(r) has no cancellation and 2^n − 1
 * is exact; for |x| < ln2/2, n = 0 and the result is r + r²·P(r) with r = x.
 */
@inline
export function expm1Neg4(x: v128): v128 {
  // Below −87, e^x < 2e-38 and the result rounds to −1; the clamp keeps 2^n normal. pmax keeps NaN.
  const xc = f32x4.pmax(x, f32x4.splat(-87.0));
  const n = expExponent(xc);
  const r = expReduced(xc, n);
  const q = madd(expPoly(r), f32x4.mul(r, r), r);
  const s = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return madd(s, q, f32x4.sub(s, f32x4.splat(1.0)));
}

/**
 * 1 / (1 + e^−x) without overflow, as 1 / (1 + e) for x ≥ 0 and e / (1 + e) below, e = e^−|x| ∈ (0, 1]
 * (one rounding; subnormal results kept).
 */
@inline
export function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1.0);
  const e = exp4(v128.or(x, f32x4.splat(-0.0))); // −|x|: the sign bit set
  return f32x4.div(v128.bitselect(one, e, f32x4.ge(x, f32x4.splat(0.0))), f32x4.add(one, e));
}

/** log(1 + e^x) without overflow: max(x, 0) + log1p(e^−|x|). */
@inline
export function softplus4(x: v128): v128 {
  // pmax is one instruction; its −0 for x = −0 is lost in the sum, and a NaN x stays NaN.
  return f32x4.add(f32x4.pmax(x, f32x4.splat(0.0)), log1p4(exp4(v128.or(x, f32x4.splat(-0.0)))));
}

/** Standard normal CDF Φ(x) = ½(1 + erf(x/√2)). */
@inline
export function normalCdf4(x: v128): v128 {
  return f32x4.mul(f32x4.splat(0.5), f32x4.add(f32x4.splat(1.0), erf4(f32x4.mul(x, f32x4.splat(INV_SQRT2)))));
}

/**
 * The one definition of every elementwise activation f(x) (codes from assembly/codes.ts; linear and
 * unknown codes are identity), used by the standalone activation kernels and by the GEMM epilogue
 * alike, so both round identically. `code` must be a constant for the switch to fold away; `alpha` is
 * the negative slope of leakyRelu and the scale of elu. relu follows Math.max: relu(−0) = +0, NaN
 * stays NaN.
 */
@inline
export function activation4(code: i32, x: v128, alpha: v128): v128 {
  const zero = f32x4.splat(0.0);
  switch (code) {
    case ACT_RELU:
      // pmax is one instruction (max with its NaN and ±0 rules is several); it keeps x when x is NaN
      // or −0, and adding +0 turns −0 into +0, as Math.max does.
      return f32x4.add(f32x4.pmax(x, zero), zero);
    case ACT_LEAKY_RELU:
      return v128.bitselect(x, f32x4.mul(x, alpha), f32x4.gt(x, zero));
    case ACT_ELU:
      // pmin(x, 0) is x for x ≤ 0 and NaN, 0 above (where the select takes x anyway).
      return v128.bitselect(x, f32x4.mul(alpha, expm1Neg4(f32x4.pmin(x, zero))), f32x4.gt(x, zero));
    case ACT_SIGMOID:
      return sigmoid4(x);
    case ACT_TANH:
      return tanh4(x);
    case ACT_SOFTPLUS:
      return softplus4(x);
    case ACT_GELU:
      return f32x4.mul(x, normalCdf4(x));
    default:
      return x;
  }
}

/** activation4 of one value: the four-lane code on a splat, lane 0 kept, so tails round as bodies. */
@inline
export function activation1(code: i32, x: f32, alpha: v128): f32 {
  return f32x4.extract_lane(activation4(code, f32x4.splat(x), alpha), 0);
}

// Test kernel codes of `mathf4Apply`.
const FN_EXP: i32 = 0;
const FN_LOG: i32 = 1;
const FN_LOG1P: i32 = 2;
const FN_TANH: i32 = 3;
const FN_ERF: i32 = 4;
const FN_ERF_SCALAR: i32 = 5;

@inline
function apply4(fn: i32, v: v128): v128 {
  switch (fn) {
    case FN_EXP:
      return exp4(v);
    case FN_LOG:
      return log4(v);
    case FN_LOG1P:
      return log1p4(v);
    case FN_TANH:
      return tanh4(v);
    case FN_ERF:
      return erf4(v);
    default:
      return f32x4.splat(erfScalar(f32x4.extract_lane(v, 0)));
  }
}

@inline
function applyAll(fn: i32, x: usize, y: usize, n: i32): void {
  let i = 0;
  if (fn != FN_ERF_SCALAR) {
    for (; i + 4 <= n; i += 4) {
      v128.store(y + (<usize>i << 2), apply4(fn, v128.load(x + (<usize>i << 2))));
    }
  }
  for (; i < n; i++) {
    const v = f32x4.splat(load<f32>(x + (<usize>i << 2)));
    store<f32>(y + (<usize>i << 2), f32x4.extract_lane(apply4(fn, v), 0));
  }
}

/**
 * Test kernel: y[i] = f(x[i]) for i < n, f chosen by `fn` (0 exp, 1 log, 2 log1p, 3 tanh, 4 erf,
 * 5 erfScalar); four lanes at a time, the tail lane by lane through the same four-lane code.
 */
export function mathf4Apply(fn: i32, x: usize, y: usize, n: i32): void {
  switch (fn) {
    case FN_EXP:
      applyAll(FN_EXP, x, y, n);
      break;
    case FN_LOG:
      applyAll(FN_LOG, x, y, n);
      break;
    case FN_LOG1P:
      applyAll(FN_LOG1P, x, y, n);
      break;
    case FN_TANH:
      applyAll(FN_TANH, x, y, n);
      break;
    case FN_ERF:
      applyAll(FN_ERF, x, y, n);
      break;
    default:
      applyAll(FN_ERF_SCALAR, x, y, n);
  }
}
