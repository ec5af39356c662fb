// Recurrent layers (LSTM, GRU, SimpleRNN): the whole time loop of a layer in one kernel call.
//
// The caller computes the input projection of every step with one GEMM beforehand (x·kernel + bias,
// time-major [steps, batch, G·units]); a forward kernel then runs the steps: per step one GEMM of the
// previous state with the recurrent kernel (gemm.ts, called from here) and one pass over the rows
// that applies the gates. What the backward pass needs is kept: the activated gates (written over
// the projection), every state h_t (and c_t), time-major with the initial state at index 0.
// A backward kernel runs the steps in reverse: per step one pass computing the gates' gradients
// and one GEMM with the recurrent kernel transposed for dh_{t-1}; d(recurrent kernel) is one GEMM
// over all steps at the end. The caller turns the gates' gradients into d(kernel), d(bias) and dx.
//
// Layouts: a row of gates is [G][units] (LSTM i, f, c, o; GRU z, r, h), as Keras orders them. The
// output `out` is batch-major [batch, outK, units]: with RNN_SEQUENCES the state of every step at
// rows 0..steps-1, else the last state at row 0; with RNN_STATES the final states follow (h, then c
// for the LSTM). `mask` is batch-major [batch, steps] (0: a padded step, where the states and the
// output carry over unchanged, as Keras and tfjs do); with RNN_REVERSED the steps run from the last
// to the first (goBackwards: the caller reversed the inputs; the mask is read reversed here).
// `recMask` [batch, units] (or 0) is the recurrent dropout mask, fixed over time: the state is
// multiplied by it before each recurrent product (kept in `hd` [steps, batch, units] for the
// backward pass). Activations of the gates are read from their output in the backward pass.

import { ACT_RELU, ACT_SIGMOID, ACT_TANH } from './codes';
import { gemm } from './gemm';
import { madd } from './simd';

/** Activation code of tfjs's hardSigmoid, clip(0.2·x + 0.5, 0, 1) (recurrent kernels only). */
export const RNN_HARD_SIGMOID: i32 = 100;

/** Flag: the output holds every step's state (returnSequences). */
export const RNN_SEQUENCES: i32 = 1;
/** Flag: the final states follow the output (returnState). */
export const RNN_STATES: i32 = 2;
/** Flag: the steps run last to first (goBackwards): the mask is read reversed. */
export const RNN_REVERSED: i32 = 4;
/** Flag: the sequence output is written in input order, step t at row steps−1−t (Bidirectional's backward layer). */
export const RNN_ALIGN: i32 = 8;
/** Flag: the sequence output is zero at padded steps (Bidirectional with masks, as Keras 3). */
export const RNN_ZERO_MASKED: i32 = 16;

// ---------------------------------------------------------------------------------------------
// Activations of the cells, and their derivatives as functions of their output. The gates run five
// of them per state value and step, so they are leaner than mathf4.ts's: sigmoid from an exp
// without subnormal results (e^x below −87 is taken as 2^−126·…, which moves a sigmoid by
// < 1e-37), tanh as Eigen's rational function (no exp). Against float64 over [−20, 20]: sigmoid
// within 1.8e-7 relative, tanh within 3.2e-7 relative (measured; the kernel tests compare layers
// with float64 within 1e-5).

// The constants of the gate math, as mutable globals (one load each in the loops rather than a
// v128.const rebuilt at each use; the difference measured on the LSTM's gate pass was small).
let K_LO: v128 = f32x4.splat(-87.0);
let K_HI: v128 = f32x4.splat(88.0);
let K_MAGIC: v128 = f32x4.splat(12582912.0);
let K_LOG2E: v128 = f32x4.splat(1.44269504088896341);
let K_LN2_HI: v128 = f32x4.splat(-0.693359375);
let K_LN2_LO: v128 = f32x4.splat(2.12194440e-4);
let K_P0: v128 = f32x4.splat(1.9875691500e-4);
let K_P1: v128 = f32x4.splat(1.3981999507e-3);
let K_P2: v128 = f32x4.splat(8.3334519073e-3);
let K_P3: v128 = f32x4.splat(4.1665795894e-2);
let K_P4: v128 = f32x4.splat(1.6666665459e-1);
let K_P5: v128 = f32x4.splat(5.0000001201e-1);
let K_ONE: v128 = f32x4.splat(1.0);
let K_127: v128 = i32x4.splat(127);
let K_SIGN: v128 = f32x4.splat(-0.0);

/**
 * e^x on four lanes for x clamped to [−87, 88]: Cephes's polynomial and one power-of-two scale.
 * n = round(x/ln2) comes from adding 1.5·2^23 (the float's low bits are then n), which V8 turns
 * into fewer instructions than f32x4.nearest and i32x4.trunc_sat_f32x4_s.
 */
@inline
function gateExp4(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, K_LO), K_HI);
  const magic = K_MAGIC;
  const shifted = madd(x, K_LOG2E, magic);
  const n = f32x4.sub(shifted, magic);
  let r = madd(n, K_LN2_HI, x);
  r = madd(n, K_LN2_LO, r);
  let p = madd(K_P0, r, K_P1);
  p = madd(p, r, K_P2);
  p = madd(p, r, K_P3);
  p = madd(p, r, K_P4);
  p = madd(p, r, K_P5);
  const e = madd(p, f32x4.mul(r, r), f32x4.add(r, K_ONE));
  // the low bits of `shifted` hold n (two's complement, offset by the magic's 0x4B400000)
  const scale = i32x4.shl(i32x4.add(i32x4.sub(shifted, magic), K_127), 23);
  return f32x4.mul(e, scale);
}

/** 1 / (1 + e^−x). */
@inline
function gateSigmoid4(x: v128): v128 {
  return f32x4.div(K_ONE, f32x4.add(K_ONE, gateExp4(v128.xor(x, K_SIGN))));
}

let K_TCLAMP: v128 = f32x4.splat(7.90531110763549805);
let K_A1: v128 = f32x4.splat(4.89352455891786e-3);
let K_A3: v128 = f32x4.splat(6.37261928875436e-4);
let K_A5: v128 = f32x4.splat(1.48572235717979e-5);
let K_A7: v128 = f32x4.splat(5.12229709037114e-8);
let K_A9: v128 = f32x4.splat(-8.60467152213735e-11);
let K_A11: v128 = f32x4.splat(2.00018790482477e-13);
let K_A13: v128 = f32x4.splat(-2.76076847742355e-16);
let K_B0: v128 = f32x4.splat(4.89352518554385e-3);
let K_B2: v128 = f32x4.splat(2.26843463243900e-3);
let K_B4: v128 = f32x4.splat(1.18534705686654e-4);
let K_B6: v128 = f32x4.splat(1.19825839466702e-6);

/** tanh(x) as a rational function of x on [−7.9, 7.9] (Eigen's float tanh), ±1 beyond. */
@inline
function gateTanh4(x: v128): v128 {
  const c = f32x4.pmin(f32x4.pmax(x, f32x4.neg(K_TCLAMP)), K_TCLAMP);
  const z = f32x4.mul(c, c);
  let p = madd(z, K_A13, K_A11);
  p = madd(z, p, K_A9);
  p = madd(z, p, K_A7);
  p = madd(z, p, K_A5);
  p = madd(z, p, K_A3);
  p = madd(z, p, K_A1);
  p = f32x4.mul(c, p);
  let q = madd(z, K_B6, K_B4);
  q = madd(z, q, K_B2);
  q = madd(z, q, K_B0);
  return f32x4.div(p, q);
}

@inline
function act4(code: i32, x: v128): v128 {
  if (code == ACT_TANH) return gateTanh4(x);
  if (code == ACT_SIGMOID) return gateSigmoid4(x);
  if (code == RNN_HARD_SIGMOID) {
    const y = madd(x, f32x4.splat(0.2), f32x4.splat(0.5));
    return f32x4.pmin(f32x4.pmax(y, f32x4.splat(0.0)), f32x4.splat(1.0));
  }
  if (code == ACT_RELU) return f32x4.add(f32x4.pmax(x, f32x4.splat(0.0)), f32x4.splat(0.0));
  return x;
}

@inline
function grad4(code: i32, y: v128): v128 {
  const one = f32x4.splat(1.0);
  const zero = f32x4.splat(0.0);
  if (code == ACT_TANH) return f32x4.sub(one, f32x4.mul(y, y));
  if (code == ACT_SIGMOID) return f32x4.mul(y, f32x4.sub(one, y));
  if (code == RNN_HARD_SIGMOID) {
    return v128.and(f32x4.splat(0.2), v128.and(f32x4.gt(y, zero), f32x4.lt(y, one)));
  }
  if (code == ACT_RELU) return v128.and(one, f32x4.gt(y, zero));
  return one;
}

/** Four floats at p, or the one float at p splat (a row's tail). */
@inline
function ld(p: usize, full: bool): v128 {
  return full ? v128.load(p) : f32x4.splat(load<f32>(p));
}

/** Stores four lanes at p, or lane 0 (a row's tail). */
@inline
function st(p: usize, v: v128, full: bool): void {
  if (full) v128.store(p, v);
  else store<f32>(p, f32x4.extract_lane(v, 0));
}

@inline
function rowBytes(units: i32): usize {
  return <usize>units << 2;
}

/** The mask value of batch row b at processing step t (1 without a mask). */
@inline
function maskAt(mask: usize, b: i32, t: i32, steps: i32, flags: i32): f32 {
  if (mask == 0) return 1;
  const tt = flags & RNN_REVERSED ? steps - 1 - t : t;
  return load<f32>(mask + (<usize>(b * steps + tt) << 2));
}

/** dst[rows·units] = src (row block copy). */
@inline
function copyRows(dst: usize, src: usize, count: i32): void {
  memory.copy(dst, src, <usize>count << 2);
}

/** hd_t = h_t · recMask (rows of the batch), the state the recurrent product reads. */
function dropState(hd: usize, h: usize, recMask: usize, batch: i32, units: i32): void {
  const n = batch * units;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(hd + o, f32x4.mul(v128.load(h + o), v128.load(recMask + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(hd + o, load<f32>(h + o) * load<f32>(recMask + o));
  }
}

/** The output row of processing step t in the sequence output. */
@inline
function outputRow(t: i32, steps: i32, flags: i32): i32 {
  return flags & RNN_ALIGN ? steps - 1 - t : t;
}

/** Writes the states into the output: step t's (sequences) and, after the last step, the final ones. */
function writeOutput(
  out: usize,
  hNext: usize,
  b: i32,
  t: i32,
  steps: i32,
  units: i32,
  outK: i32,
  flags: i32,
  masked: bool,
): void {
  const row = rowBytes(units);
  const base = out + <usize>(b * outK) * row;
  if (flags & RNN_SEQUENCES) {
    const dst = base + <usize>outputRow(t, steps, flags) * row;
    if (masked && flags & RNN_ZERO_MASKED) memory.fill(dst, 0, row);
    else memory.copy(dst, hNext, row);
  }
  if (t == steps - 1) {
    const first = flags & RNN_SEQUENCES ? steps : 1;
    if (!(flags & RNN_SEQUENCES)) memory.copy(base, hNext, row);
    if (flags & RNN_STATES) memory.copy(base + <usize>first * row, hNext, row);
  }
}

/** Adds the output's gradient of step t (and the final state's at the last step) to dh of row b. */
function addOutputGrad(
  dh: usize,
  dOut: usize,
  b: i32,
  t: i32,
  steps: i32,
  units: i32,
  outK: i32,
  flags: i32,
  masked: bool,
): void {
  const row = rowBytes(units);
  const base = dOut + <usize>(b * outK) * row;
  if (flags & RNN_SEQUENCES && !(masked && flags & RNN_ZERO_MASKED)) {
    addRow(dh, base + <usize>outputRow(t, steps, flags) * row, units);
  }
  if (t == steps - 1) {
    const first = flags & RNN_SEQUENCES ? steps : 1;
    if (!(flags & RNN_SEQUENCES)) addRow(dh, base, units);
    if (flags & RNN_STATES) addRow(dh, base + <usize>first * row, units);
  }
}

/** dst[0..n) += src[0..n). */
function addRow(dst: usize, src: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

// The bodies of the kernels' lane loops: each runs on four lanes, or on one where `full` is
// false (a row's tail); inlined with `full` constant, as two copies.

/** finishCarry at byte offset q of the rows. */
@inline
function carryLanes(carry: usize, direct: usize, tmp: usize, recMask: usize, masked: bool, q: usize, full: bool): void {
  let g = ld(tmp + q, full);
  if (recMask) g = f32x4.mul(g, ld(recMask + q, full));
  const base = masked ? ld(carry + q, full) : direct == 0 ? f32x4.splat(0.0) : ld(direct + q, full);
  st(carry + q, f32x4.add(base, g), full);
}

/**
 * lstmForward at byte offset q of row ro: the gates of zr (blocks i, f, g, o of u4 bytes)
 * activated in place; c, act(c) and h written.
 */
@inline
function lstmForwardLanes(
  zr: usize,
  cPrev: usize,
  cNext: usize,
  acT: usize,
  hNext: usize,
  ro: usize,
  q: usize,
  u4: usize,
  act: i32,
  recAct: i32,
  full: bool,
): void {
  const pi = zr + q;
  const pf = pi + u4;
  const pg = pf + u4;
  const po = pg + u4;
  const i = act4(recAct, ld(pi, full));
  const f = act4(recAct, ld(pf, full));
  const g = act4(act, ld(pg, full));
  const o = act4(recAct, ld(po, full));
  const cn = madd(f, ld(cPrev + ro + q, full), f32x4.mul(i, g));
  st(pi, i, full);
  st(pf, f, full);
  st(pg, g, full);
  st(po, o, full);
  const acv = act4(act, cn);
  st(cNext + ro + q, cn, full);
  st(acT + ro + q, acv, full);
  st(hNext + ro + q, f32x4.mul(o, acv), full);
}

/**
 * lstmBackward at byte offset q of row ro: the gate gradients into dzr (blocks i, f, g, o of u4
 * bytes), dc carried to the step before.
 */
@inline
function lstmBackwardLanes(
  zr: usize,
  dzr: usize,
  cPrev: usize,
  acT: usize,
  dh: usize,
  dc: usize,
  ro: usize,
  q: usize,
  u4: usize,
  act: i32,
  recAct: i32,
  full: bool,
): void {
  const pi = zr + q;
  const i = ld(pi, full);
  const f = ld(pi + u4, full);
  const g = ld(pi + 2 * u4, full);
  const o = ld(pi + 3 * u4, full);
  const acv = ld(acT + ro + q, full);
  const dhv = ld(dh + ro + q, full);
  const dcv = madd(f32x4.mul(dhv, o), grad4(act, acv), ld(dc + ro + q, full));
  const di = f32x4.mul(f32x4.mul(dcv, g), grad4(recAct, i));
  const df = f32x4.mul(f32x4.mul(dcv, ld(cPrev + ro + q, full)), grad4(recAct, f));
  const dg = f32x4.mul(f32x4.mul(dcv, i), grad4(act, g));
  const dov = f32x4.mul(f32x4.mul(dhv, acv), grad4(recAct, o));
  const di0 = dzr + q;
  st(di0, di, full);
  st(di0 + u4, df, full);
  st(di0 + 2 * u4, dg, full);
  st(di0 + 3 * u4, dov, full);
  st(dc + ro + q, f32x4.mul(dcv, f), full);
}

/** gruForward's z and r (reset before) at byte offset o of row ro; aux = r·a. */
@inline
function gruGatesLanes(
  zr: usize,
  qr: usize,
  auxT: usize,
  a: usize,
  ro: usize,
  o: usize,
  u4: usize,
  recAct: i32,
  full: bool,
): void {
  const zv = act4(recAct, f32x4.add(ld(zr + o, full), ld(qr + o, full)));
  const rv = act4(recAct, f32x4.add(ld(zr + u4 + o, full), ld(qr + u4 + o, full)));
  st(zr + o, zv, full);
  st(zr + u4 + o, rv, full);
  st(auxT + ro + o, f32x4.mul(rv, ld(a + ro + o, full)), full);
}

/** gruForward's h at byte offset o of row ro (and z, r with resetAfter). */
@inline
function gruStepLanes(
  zr: usize,
  q: usize,
  auxT: usize,
  hPrev: usize,
  hNext: usize,
  b: i32,
  g3: i32,
  ro: usize,
  o: usize,
  u4: usize,
  one: v128,
  resetAfter: i32,
  act: i32,
  recAct: i32,
  full: bool,
): void {
  let zv: v128;
  let hh: v128;
  if (resetAfter) {
    const qr = q + <usize>(b * g3) * 4;
    zv = act4(recAct, f32x4.add(ld(zr + o, full), ld(qr + o, full)));
    const rv = act4(recAct, f32x4.add(ld(zr + u4 + o, full), ld(qr + u4 + o, full)));
    const qh = ld(qr + 2 * u4 + o, full);
    hh = act4(act, madd(rv, qh, ld(zr + 2 * u4 + o, full)));
    st(zr + o, zv, full);
    st(zr + u4 + o, rv, full);
    st(auxT + ro + o, qh, full);
  } else {
    zv = ld(zr + o, full);
    hh = act4(act, f32x4.add(ld(zr + 2 * u4 + o, full), ld(q + ro + o, full)));
  }
  st(zr + 2 * u4 + o, hh, full);
  const hp = ld(hPrev + ro + o, full);
  st(hNext + ro + o, madd(zv, hp, f32x4.mul(f32x4.sub(one, zv), hh)), full);
}

/** gruBackward's gate gradients at byte offset o of row ro (and those of dq). */
@inline
function gruBackwardLanes(
  zr: usize,
  dzr: usize,
  dqt: usize,
  dqHt: usize,
  auxT: usize,
  hPrev: usize,
  dh: usize,
  direct: usize,
  b: i32,
  g3: i32,
  units: i32,
  ro: usize,
  o: usize,
  u4: usize,
  one: v128,
  resetAfter: i32,
  act: i32,
  recAct: i32,
  full: bool,
): void {
  const zv = ld(zr + o, full);
  const rv = ld(zr + u4 + o, full);
  const hh = ld(zr + 2 * u4 + o, full);
  const dhv = ld(dh + ro + o, full);
  const hp = ld(hPrev + ro + o, full);
  const dzv = f32x4.mul(f32x4.mul(dhv, f32x4.sub(hp, hh)), grad4(recAct, zv));
  const dah = f32x4.mul(f32x4.mul(dhv, f32x4.sub(one, zv)), grad4(act, hh));
  st(direct + ro + o, f32x4.mul(dhv, zv), full);
  st(dzr + o, dzv, full);
  st(dzr + 2 * u4 + o, dah, full);
  if (resetAfter) {
    const dqr = dqt + <usize>(b * g3) * 4;
    const drv = f32x4.mul(f32x4.mul(dah, ld(auxT + ro + o, full)), grad4(recAct, rv));
    st(dzr + u4 + o, drv, full);
    st(dqr + o, dzv, full);
    st(dqr + u4 + o, drv, full);
    st(dqr + 2 * u4 + o, f32x4.mul(dah, rv), full);
  } else {
    st(dqt + <usize>(b * 2 * units) * 4 + o, dzv, full);
    st(dqHt + ro + o, dah, full);
  }
}

/** gruBackward's r gradient (reset before) at byte offset o of row ro; tmp becomes d(hd). */
@inline
function gruResetLanes(
  zr: usize,
  dzr: usize,
  dqr: usize,
  tmp: usize,
  a: usize,
  ro: usize,
  o: usize,
  u4: usize,
  recAct: i32,
  full: bool,
): void {
  const rv = ld(zr + u4 + o, full);
  const drh = ld(tmp + ro + o, full);
  const drv = f32x4.mul(f32x4.mul(drh, ld(a + ro + o, full)), grad4(recAct, rv));
  st(dzr + u4 + o, drv, full);
  st(dqr + u4 + o, drv, full);
  st(tmp + ro + o, f32x4.mul(drh, rv), full);
}

/** carry[b] = (masked ? carry[b] : direct[b]) + tmp[b]·recMask[b] for every row b. */
function finishCarry(
  carry: usize,
  direct: usize,
  tmp: usize,
  recMask: usize,
  mask: usize,
  t: i32,
  batch: i32,
  steps: i32,
  units: i32,
  flags: i32,
): void {
  for (let b = 0; b < batch; b++) {
    const masked = maskAt(mask, b, t, steps, flags) == 0;
    const o = <usize>(b * units) << 2;
    // the SIMD body, then the tail one lane at a time (`full` constant in each copy)
    let j = 0;
    for (; j + 4 <= units; j += 4) carryLanes(carry, direct, tmp, recMask, masked, o + (<usize>j << 2), true);
    for (; j < units; j++) carryLanes(carry, direct, tmp, recMask, masked, o + (<usize>j << 2), false);
  }
}

/** dst [cols, rows] = src [rows, cols]ᵀ. */
function transposeInto(dst: usize, src: usize, rows: i32, cols: i32): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      store<f32>(dst + (<usize>(j * rows + i) << 2), load<f32>(src + (<usize>(i * cols + j) << 2)));
    }
  }
}

/**
 * totals[n] (float64) += Σ_rows x[rows, n], the rows summed in float32 first (as the repo's
 * reductions do: float32 blocks into float64 totals). block: n float32 of scratch. Called once a
 * step on the gradients just written, while they are in cache.
 */
function addColumnBlock(x: usize, rows: i32, n: i32, totals: usize, block: usize): void {
  memory.fill(block, 0, <usize>n << 2);
  for (let r = 0; r < rows; r++) addRow(block, x + (<usize>(r * n) << 2), n);
  for (let j = 0; j < n; j++) {
    const t = totals + (<usize>j << 3);
    store<f64>(t, load<f64>(t) + <f64>load<f32>(block + (<usize>j << 2)));
  }
}

/** out[n] = float32 of the float64 totals. */
function storeTotals(totals: usize, out: usize, n: i32): void {
  for (let j = 0; j < n; j++) store<f32>(out + (<usize>j << 2), <f32>load<f64>(totals + (<usize>j << 3)));
}

// ---------------------------------------------------------------------------------------------
// LSTM: i = ra(zi), f = ra(zf), g = a(zg), o = ra(zo); c_t = f·c_{t-1} + i·g; h_t = o·a(c_t).

/**
 * LSTM forward over all steps. p [steps, batch, 4u]: the input projections (x·kernel + bias) in,
 * the activated gates out. r [u, 4u]: recurrent kernel. h, c [steps+1, batch, u]: the states
 * (index 0 is set to zero here). ac [steps, batch, u] out: act(c_t) (rows of padded steps unset). hd [steps, batch, u]: scratch for the dropped state (used with
 * recMask only). out: see the file comment. work: gemmScratchBytes(batch, u, 4u) bytes.
 */
export function lstmForward(
  p: usize,
  r: usize,
  h: usize,
  c: usize,
  ac: usize,
  hd: usize,
  mask: usize,
  recMask: usize,
  out: usize,
  batch: i32,
  steps: i32,
  units: i32,
  outK: i32,
  flags: i32,
  act: i32,
  recAct: i32,
  work: usize,
): void {
  const g4 = 4 * units;
  const block = <usize>(batch * units) << 2;
  const gateBlock = <usize>(batch * g4) << 2;
  memory.fill(h, 0, block);
  memory.fill(c, 0, block);
  const u4 = rowBytes(units);
  for (let t = 0; t < steps; t++) {
    const hPrev = h + <usize>t * block;
    const cPrev = c + <usize>t * block;
    const hNext = hPrev + block;
    const cNext = cPrev + block;
    const z = p + <usize>t * gateBlock;
    const acT = ac + <usize>t * block;
    let a = hPrev;
    if (recMask) {
      a = hd + <usize>t * block;
      dropState(a, hPrev, recMask, batch, units);
    }
    gemm(a, r, z, batch, units, g4, 0, 0, 0, 0, 0, 1, work);
    for (let b = 0; b < batch; b++) {
      const ro = <usize>(b * units) << 2;
      const zr = z + <usize>(b * g4) * 4;
      if (maskAt(mask, b, t, steps, flags) == 0) {
        copyRows(hNext + ro, hPrev + ro, units);
        copyRows(cNext + ro, cPrev + ro, units);
      } else {
        // the SIMD body, then the tail one lane at a time (`full` constant in each copy)
        let j = 0;
        for (; j + 4 <= units; j += 4) {
          lstmForwardLanes(zr, cPrev, cNext, acT, hNext, ro, <usize>j << 2, u4, act, recAct, true);
        }
        for (; j < units; j++) {
          lstmForwardLanes(zr, cPrev, cNext, acT, hNext, ro, <usize>j << 2, u4, act, recAct, false);
        }
      }
      writeOutput(out, hNext + ro, b, t, steps, units, outK, flags, maskAt(mask, b, t, steps, flags) == 0);
    }
    // the final c after h in the output
    if (t == steps - 1 && flags & RNN_STATES) {
      const first = flags & RNN_SEQUENCES ? steps : 1;
      for (let b = 0; b < batch; b++) {
        const ro = <usize>(b * units) << 2;
        memory.copy(out + <usize>(b * outK + first + 1) * u4, cNext + ro, u4);
      }
    }
  }
}

/**
 * LSTM backward over all steps. gates, h, c, ac, hd: what lstmForward kept. dOut: the output's
 * gradient (its layout). dz [steps, batch, 4u] out: the gradients of the gate pre-activations
 * (d of the input projections). dr [u, 4u] out: the recurrent kernel's gradient. dh, dc, tmp
 * [batch, u], rT [4u, u]: scratch. db [4u] out (or 0): the bias's gradient, Σ of dz; sums: 12·4u
 * bytes of scratch for it. work: gemmScratchBytes for (batch, 4u, u) and (u, steps·batch, 4u).
 */
export function lstmBackward(
  gates: usize,
  r: usize,
  h: usize,
  c: usize,
  ac: usize,
  hd: usize,
  mask: usize,
  recMask: usize,
  dOut: usize,
  dz: usize,
  dr: usize,
  dh: usize,
  dc: usize,
  tmp: usize,
  rT: usize,
  db: usize,
  sums: usize,
  batch: i32,
  steps: i32,
  units: i32,
  outK: i32,
  flags: i32,
  act: i32,
  recAct: i32,
  work: usize,
): void {
  const g4 = 4 * units;
  const block = <usize>(batch * units) << 2;
  const gateBlock = <usize>(batch * g4) << 2;
  const u4 = rowBytes(units);
  memory.fill(dh, 0, block);
  memory.fill(dc, 0, block);
  // Rᵀ once, so that each step's GEMM packs contiguous rows
  transposeInto(rT, r, units, g4);
  if (db) memory.fill(sums, 0, <usize>g4 << 3);
  // the final c's gradient (returnState)
  if (flags & RNN_STATES) {
    const first = flags & RNN_SEQUENCES ? steps : 1;
    for (let b = 0; b < batch; b++) {
      memory.copy(dc + <usize>(b * units) * 4, dOut + <usize>(b * outK + first + 1) * u4, u4);
    }
  }
  for (let t = steps - 1; t >= 0; t--) {
    const cPrev = c + <usize>t * block;
    const acT = ac + <usize>t * block;
    const gt = gates + <usize>t * gateBlock;
    const dzt = dz + <usize>t * gateBlock;
    for (let b = 0; b < batch; b++) {
      const ro = <usize>(b * units) << 2;
      addOutputGrad(dh + ro, dOut, b, t, steps, units, outK, flags, maskAt(mask, b, t, steps, flags) == 0);
      const zr = gt + <usize>(b * g4) * 4;
      const dzr = dzt + <usize>(b * g4) * 4;
      if (maskAt(mask, b, t, steps, flags) == 0) {
        memory.fill(dzr, 0, <usize>g4 << 2);
        continue;
      }
      // the SIMD body, then the tail one lane at a time (`full` constant in each copy)
      let j = 0;
      for (; j + 4 <= units; j += 4) {
        lstmBackwardLanes(zr, dzr, cPrev, acT, dh, dc, ro, <usize>j << 2, u4, act, recAct, true);
      }
      for (; j < units; j++) {
        lstmBackwardLanes(zr, dzr, cPrev, acT, dh, dc, ro, <usize>j << 2, u4, act, recAct, false);
      }
    }
    if (db) addColumnBlock(dzt, batch, g4, sums, sums + (<usize>g4 << 3));
    gemm(dzt, rT, tmp, batch, g4, units, 0, 0, 0, 0, 0, 0, work);
    finishCarry(dh, 0, tmp, recMask, mask, t, batch, steps, units, flags);
  }
  if (db) storeTotals(sums, db, g4);
  gemm(recMask ? hd : h, dz, dr, units, steps * batch, g4, 1, 0, 0, 0, 0, 0, work);
}

// ---------------------------------------------------------------------------------------------
// SimpleRNN: h_t = a(x·W + b + h_{t-1}·R).

/** SimpleRNN forward: p [steps, batch, u] projections in (pre-activations out); h, hd, out as LSTM. */
export function rnnForward(
  p: usize,
  r: usize,
  h: usize,
  hd: usize,
  mask: usize,
  recMask: usize,
  out: usize,
  batch: i32,
  steps: i32,
  units: i32,
  outK: i32,
  flags: i32,
  act: i32,
  work: usize,
): void {
  const block = <usize>(batch * units) << 2;
  memory.fill(h, 0, block);
  for (let t = 0; t < steps; t++) {
    const hPrev = h + <usize>t * block;
    const hNext = hPrev + block;
    const z = p + <usize>t * block;
    let a = hPrev;
    if (recMask) {
      a = hd + <usize>t * block;
      dropState(a, hPrev, recMask, batch, units);
    }
    gemm(a, r, z, batch, units, units, 0, 0, 0, 0, 0, 1, work);
    for (let b = 0; b < batch; b++) {
      const ro = <usize>(b * units) << 2;
      if (maskAt(mask, b, t, steps, flags) == 0) {
        copyRows(hNext + ro, hPrev + ro, units);
      } else {
        // the SIMD body, then the tail one lane at a time (`full` constant in each copy)
        let j = 0;
        for (; j + 4 <= units; j += 4) {
          const full = true;
          const q = ro + (<usize>j << 2);
          st(hNext + q, act4(act, ld(z + q, full)), full);
        }
        for (; j < units; j++) {
          const full = false;
          const q = ro + (<usize>j << 2);
          st(hNext + q, act4(act, ld(z + q, full)), full);
        }
      }
      writeOutput(out, hNext + ro, b, t, steps, units, outK, flags, maskAt(mask, b, t, steps, flags) == 0);
    }
  }
}

/**
 * SimpleRNN backward: dz [steps, batch, u] out (d of the projections), dr [u, u] out; dh, tmp
 * scratch; db [u] out (or 0): Σ of dz, with sums 12·u bytes of scratch.
 */
export function rnnBackward(
  r: usize,
  h: usize,
  hd: usize,
  mask: usize,
  recMask: usize,
  dOut: usize,
  dz: usize,
  dr: usize,
  dh: usize,
  tmp: usize,
  db: usize,
  sums: usize,
  batch: i32,
  steps: i32,
  units: i32,
  outK: i32,
  flags: i32,
  act: i32,
  work: usize,
): void {
  const block = <usize>(batch * units) << 2;
  memory.fill(dh, 0, block);
  if (db) memory.fill(sums, 0, <usize>units << 3);
  for (let t = steps - 1; t >= 0; t--) {
    const hNext = h + <usize>(t + 1) * block;
    const dzt = dz + <usize>t * block;
    for (let b = 0; b < batch; b++) {
      const ro = <usize>(b * units) << 2;
      addOutputGrad(dh + ro, dOut, b, t, steps, units, outK, flags, maskAt(mask, b, t, steps, flags) == 0);
      if (maskAt(mask, b, t, steps, flags) == 0) {
        memory.fill(dzt + ro, 0, rowBytes(units));
        continue;
      }
      // the SIMD body, then the tail one lane at a time (`full` constant in each copy)
      let j = 0;
      for (; j + 4 <= units; j += 4) {
        const full = true;
        const q = ro + (<usize>j << 2);
        st(dzt + q, f32x4.mul(ld(dh + q, full), grad4(act, ld(hNext + q, full))), full);
      }
      for (; j < units; j++) {
        const full = false;
        const q = ro + (<usize>j << 2);
        st(dzt + q, f32x4.mul(ld(dh + q, full), grad4(act, ld(hNext + q, full))), full);
      }
    }
    if (db) addColumnBlock(dzt, batch, units, sums, sums + (<usize>units << 3));
    gemm(dzt, r, tmp, batch, units, units, 0, 1, 0, 0, 0, 0, work);
    finishCarry(dh, 0, tmp, recMask, mask, t, batch, steps, units, flags);
  }
  if (db) storeTotals(sums, db, units);
  gemm(recMask ? hd : h, dz, dr, units, steps * batch, units, 1, 0, 0, 0, 0, 0, work);
}

// ---------------------------------------------------------------------------------------------
// GRU: z = ra(xz + hz), r = ra(xr + hr); resetAfter: hh = a(xh + r·(h·Rh + bh)); else
// hh = a(xh + (r·h)·Rh); h_t = z·h_{t-1} + (1 − z)·hh.

/** Copies columns [from, from+width) of r [u, 3u] into a contiguous [u, width] block. */
function copyColumns(dst: usize, r: usize, units: i32, from: i32, width: i32): void {
  const w = <usize>width << 2;
  for (let i = 0; i < units; i++) {
    memory.copy(dst + <usize>i * w, r + (<usize>(i * 3 * units + from) << 2), w);
  }
}

/** Columns [from, from+width) of r [u, 3u], transposed: dst [width, u]. */
function transposeColumns(dst: usize, r: usize, units: i32, from: i32, width: i32): void {
  for (let i = 0; i < units; i++) {
    for (let j = 0; j < width; j++) {
      store<f32>(dst + (<usize>(j * units + i) << 2), load<f32>(r + (<usize>(i * 3 * units + from + j) << 2)));
    }
  }
}

/** Writes a [u, width] block into columns [from, from+width) of dst [u, 3u]. */
function putColumns(dst: usize, src: usize, units: i32, from: i32, width: i32): void {
  const w = <usize>width << 2;
  for (let i = 0; i < units; i++) {
    memory.copy(dst + (<usize>(i * 3 * units + from) << 2), src + <usize>i * w, w);
  }
}

/**
 * GRU forward. p [steps, batch, 3u]: projections (x·kernel + input bias) in, gates z, r, hh out.
 * r [u, 3u]; bRec [3u] (resetAfter with a bias) or 0. aux [steps, batch, u] out: h·Rh + bh
 * (resetAfter) or r·hd (reset before). q [batch, 3u], rSplit [u·3u]: scratch. h, hd, mask, recMask,
 * out as LSTM. work: gemmScratchBytes(batch, u, 3u) bytes.
 */
export function gruForward(
  p: usize,
  r: usize,
  bRec: usize,
  aux: usize,
  q: usize,
  rSplit: usize,
  h: usize,
  hd: usize,
  mask: usize,
  recMask: usize,
  out: usize,
  batch: i32,
  steps: i32,
  units: i32,
  outK: i32,
  flags: i32,
  act: i32,
  recAct: i32,
  resetAfter: i32,
  work: usize,
): void {
  const g3 = 3 * units;
  const block = <usize>(batch * units) << 2;
  const gateBlock = <usize>(batch * g3) << 2;
  const u4 = rowBytes(units);
  const rZr = rSplit;
  const rH = rSplit + (<usize>(units * 2 * units) << 2);
  if (!resetAfter) {
    copyColumns(rZr, r, units, 0, 2 * units);
    copyColumns(rH, r, units, 2 * units, units);
  }
  memory.fill(h, 0, block);
  const one = f32x4.splat(1.0);
  for (let t = 0; t < steps; t++) {
    const hPrev = h + <usize>t * block;
    const hNext = hPrev + block;
    const zt = p + <usize>t * gateBlock;
    const auxT = aux + <usize>t * block;
    let a = hPrev;
    if (recMask) {
      a = hd + <usize>t * block;
      dropState(a, hPrev, recMask, batch, units);
    }
    if (resetAfter) {
      gemm(a, r, q, batch, units, g3, 0, 0, bRec, 0, 0, 0, work);
    } else {
      // z and r first; then (r·hd)·Rh, which needs r
      gemm(a, rZr, q, batch, units, 2 * units, 0, 0, 0, 0, 0, 0, work);
      for (let b = 0; b < batch; b++) {
        const zr = zt + <usize>(b * g3) * 4;
        const qr = q + <usize>(b * 2 * units) * 4;
        const ro = <usize>(b * units) << 2;
        // the SIMD body, then the tail one lane at a time (`full` constant in each copy)
        let j = 0;
        for (; j + 4 <= units; j += 4) gruGatesLanes(zr, qr, auxT, a, ro, <usize>j << 2, u4, recAct, true);
        for (; j < units; j++) gruGatesLanes(zr, qr, auxT, a, ro, <usize>j << 2, u4, recAct, false);
      }
      gemm(auxT, rH, q, batch, units, units, 0, 0, 0, 0, 0, 0, work);
    }
    for (let b = 0; b < batch; b++) {
      const zr = zt + <usize>(b * g3) * 4;
      const ro = <usize>(b * units) << 2;
      if (maskAt(mask, b, t, steps, flags) == 0) {
        copyRows(hNext + ro, hPrev + ro, units);
      } else {
        // the SIMD body, then the tail one lane at a time (`full` constant in each copy)
        let j = 0;
        for (; j + 4 <= units; j += 4) {
          gruStepLanes(zr, q, auxT, hPrev, hNext, b, g3, ro, <usize>j << 2, u4, one, resetAfter, act, recAct, true);
        }
        for (; j < units; j++) {
          gruStepLanes(zr, q, auxT, hPrev, hNext, b, g3, ro, <usize>j << 2, u4, one, resetAfter, act, recAct, false);
        }
      }
      writeOutput(out, hNext + ro, b, t, steps, units, outK, flags, maskAt(mask, b, t, steps, flags) == 0);
    }
  }
}

/**
 * GRU backward. gates, aux, h, hd: what gruForward kept. dz [steps, batch, 3u] out: d of the input
 * projections. dq [steps, batch, 3u] out: d of the recurrent products (reset after: of h·R + bh;
 * before: z and r parts, then the d of (r·hd)·Rh). dr [u, 3u] out; dbRec [3u] out (resetAfter with
 * a bias) or 0. db [3u] out (or 0): the input bias's gradient. dh, tmp [batch, u], rSplit [u·3u],
 * drSplit [u·3u], sums [20·3u bytes]: scratch. work: gemmScratchBytes
 * for (batch, 3u, u) and (u, steps·batch, 3u).
 */
export function gruBackward(
  gates: usize,
  r: usize,
  aux: usize,
  h: usize,
  hd: usize,
  mask: usize,
  recMask: usize,
  dOut: usize,
  dz: usize,
  dq: usize,
  dr: usize,
  dbRec: usize,
  dh: usize,
  direct: usize,
  tmp: usize,
  rSplit: usize,
  drSplit: usize,
  db: usize,
  sums: usize,
  batch: i32,
  steps: i32,
  units: i32,
  outK: i32,
  flags: i32,
  act: i32,
  recAct: i32,
  resetAfter: i32,
  work: usize,
): void {
  const g3 = 3 * units;
  const block = <usize>(batch * units) << 2;
  const gateBlock = <usize>(batch * g3) << 2;
  const u4 = rowBytes(units);
  // the recurrent kernel transposed once (reset after: all of Rᵀ; before: Rzrᵀ [2u, u] and
  // Rhᵀ [u, u]), so that each step's GEMMs pack contiguous rows
  const rT = rSplit;
  const rZrT = rSplit;
  const rHT = rSplit + (<usize>(units * 2 * units) << 2);
  if (resetAfter) transposeInto(rT, r, units, g3);
  else {
    transposeColumns(rZrT, r, units, 0, 2 * units);
    transposeColumns(rHT, r, units, 2 * units, units);
  }
  const one = f32x4.splat(1.0);
  memory.fill(dh, 0, block);
  // sums: float64 totals of db, then of dbRec, then a float32 block
  const recTotals = sums + (<usize>g3 << 3);
  const sumBlock = sums + (<usize>g3 << 4);
  if (db || dbRec) memory.fill(sums, 0, <usize>g3 << 4);
  // reset before: dq holds d(z, r pre-activations) [steps, batch, 2u], then d((r·hd)·Rh)
  // [steps, batch, u], each step's block contiguous for the GEMMs
  const zrBlock = <usize>(batch * 2 * units) << 2;
  const dqH = dq + <usize>steps * zrBlock;
  for (let t = steps - 1; t >= 0; t--) {
    const hPrev = h + <usize>t * block;
    const gt = gates + <usize>t * gateBlock;
    const dzt = dz + <usize>t * gateBlock;
    const dqt = resetAfter ? dq + <usize>t * gateBlock : dq + <usize>t * zrBlock;
    const dqHt = dqH + <usize>t * block;
    const auxT = aux + <usize>t * block;
    const a = recMask ? hd + <usize>t * block : hPrev;
    for (let b = 0; b < batch; b++) {
      const ro = <usize>(b * units) << 2;
      addOutputGrad(dh + ro, dOut, b, t, steps, units, outK, flags, maskAt(mask, b, t, steps, flags) == 0);
      const zr = gt + <usize>(b * g3) * 4;
      const dzr = dzt + <usize>(b * g3) * 4;
      const masked = maskAt(mask, b, t, steps, flags) == 0;
      if (masked) {
        memory.fill(dzr, 0, <usize>g3 << 2);
        if (resetAfter) memory.fill(dqt + <usize>(b * g3) * 4, 0, <usize>g3 << 2);
        else {
          memory.fill(dqt + <usize>(b * 2 * units) * 4, 0, <usize>(2 * units) << 2);
          memory.fill(dqHt + ro, 0, u4);
        }
        continue;
      }
      // the SIMD body, then the tail one lane at a time (`full` constant in each copy)
      let j = 0;
      for (; j + 4 <= units; j += 4) {
        gruBackwardLanes(
          zr,
          dzr,
          dqt,
          dqHt,
          auxT,
          hPrev,
          dh,
          direct,
          b,
          g3,
          units,
          ro,
          <usize>j << 2,
          u4,
          one,
          resetAfter,
          act,
          recAct,
          true,
        );
      }
      for (; j < units; j++) {
        gruBackwardLanes(
          zr,
          dzr,
          dqt,
          dqHt,
          auxT,
          hPrev,
          dh,
          direct,
          b,
          g3,
          units,
          ro,
          <usize>j << 2,
          u4,
          one,
          resetAfter,
          act,
          recAct,
          false,
        );
      }
    }
    if (resetAfter) {
      gemm(dqt, rT, tmp, batch, g3, units, 0, 0, 0, 0, 0, 0, work);
    } else {
      // d(r·hd) = dah·Rhᵀ; then dr and the z/r part of dq, and the hd gradient through r·hd
      gemm(dqHt, rHT, tmp, batch, units, units, 0, 0, 0, 0, 0, 0, work);
      for (let b = 0; b < batch; b++) {
        if (maskAt(mask, b, t, steps, flags) == 0) continue;
        const ro = <usize>(b * units) << 2;
        const zr = gt + <usize>(b * g3) * 4;
        const dzr = dzt + <usize>(b * g3) * 4;
        const dqr = dqt + <usize>(b * 2 * units) * 4;
        // the SIMD body, then the tail one lane at a time (`full` constant in each copy)
        let j = 0;
        for (; j + 4 <= units; j += 4) gruResetLanes(zr, dzr, dqr, tmp, a, ro, <usize>j << 2, u4, recAct, true);
        for (; j < units; j++) gruResetLanes(zr, dzr, dqr, tmp, a, ro, <usize>j << 2, u4, recAct, false);
      }
      // tmp += d(z, r)·Rzrᵀ: the GEMM accumulates into tmp
      gemm(dqt, rZrT, tmp, batch, 2 * units, units, 0, 0, 0, 0, 0, 1, work);
    }
    if (db) addColumnBlock(dzt, batch, g3, sums, sumBlock);
    if (resetAfter && dbRec) addColumnBlock(dqt, batch, g3, recTotals, sumBlock);
    finishCarry(dh, direct, tmp, recMask, mask, t, batch, steps, units, flags);
  }
  if (db) storeTotals(sums, db, g3);
  const states = recMask ? hd : h;
  const rows = steps * batch;
  if (resetAfter) {
    gemm(states, dq, dr, units, rows, g3, 1, 0, 0, 0, 0, 0, work);
    if (dbRec) storeTotals(recTotals, dbRec, g3);
  } else {
    // dRzr = hdᵀ·d(z, r) and dRh = (r·hd)ᵀ·d((r·hd)·Rh) over all steps, into the split scratch
    const dZr = drSplit;
    const dH = drSplit + (<usize>(units * 2 * units) << 2);
    gemm(states, dq, dZr, units, rows, 2 * units, 1, 0, 0, 0, 0, 0, work);
    gemm(aux, dqH, dH, units, rows, units, 1, 0, 0, 0, 0, 0, work);
    putColumns(dr, dZr, units, 0, 2 * units);
    putColumns(dr, dH, units, 2 * units, units);
  }
}
