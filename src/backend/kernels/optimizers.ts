// Typed calls of the in-place optimizer kernels (assembly/optimizers.ts). Internal: pointers are byte
// offsets of float32 blocks of n elements in Wasm memory (parameters w, gradient g, state slots), and
// the optimizer layer has validated every argument. Formulas are Keras 3's update_step, in float32;
// state values that would be subnormal, and weights below 2^-100, are stored as 0 (Wasm has no
// flush-to-zero mode; see assembly/simd.ts).
import { kernels, passThrough } from './exports.js';

/** Plain SGD: w −= lr·g. */
export const sgdUpdate = passThrough('sgdUpdate');

/**
 * Keras SGD with momentum, velocity v (starts at 0): v = momentum·v − lr·g, then w += v; with
 * `nesterov`, w += momentum·v − lr·g using the updated v.
 */
export function momentumUpdate(
  w: number,
  g: number,
  v: number,
  n: number,
  lr: number,
  momentum: number,
  nesterov: boolean,
): void {
  kernels().momentumUpdate(w, g, v, n, lr, momentum, nesterov ? 1 : 0);
}

/**
 * Adam's step size at 1-based `step`: lr·√(1 − β2^t) / (1 − β1^t), computed in float64 (the kernel
 * receives it rounded to float32).
 */
export function adamAlpha(lr: number, beta1: number, beta2: number, step: number): number {
  return (lr * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
}

/**
 * Keras 3 Adam, moments m and v (start at 0), 1-based `step`: m += (g − m)(1 − β1);
 * v += (g² − v)(1 − β2); w −= alpha·m / (√v + ε) with alpha = adamAlpha(lr, β1, β2, step)
 * (ε outside the square root, moments not bias-corrected themselves).
 */
export function adamUpdate(
  w: number,
  g: number,
  m: number,
  v: number,
  n: number,
  lr: number,
  beta1: number,
  beta2: number,
  epsilon: number,
  step: number,
): void {
  kernels().adamUpdate(w, g, m, v, n, adamAlpha(lr, beta1, beta2, step), 1 - beta1, 1 - beta2, epsilon);
}

/**
 * Keras 3 AdamW: decoupled weight decay w −= lr·weightDecay·w first, then the adamUpdate step.
 */
export function adamwUpdate(
  w: number,
  g: number,
  m: number,
  v: number,
  n: number,
  lr: number,
  beta1: number,
  beta2: number,
  epsilon: number,
  step: number,
  weightDecay: number,
): void {
  const alpha = adamAlpha(lr, beta1, beta2, step);
  kernels().adamwUpdate(w, g, m, v, n, alpha, 1 - beta1, 1 - beta2, epsilon, lr * weightDecay);
}

/**
 * Keras 3 RMSprop with mean square ms (starts at 0): ms = ρ·ms + (1 − ρ)·g²; denom = ms + ε, or
 * when `centered` mg = ρ·mg + (1 − ρ)·g and denom = ms − mg² + ε; inc = lr·g / √denom (ε inside the
 * square root). With momentum > 0: mom = momentum·mom + inc and w −= mom; otherwise w −= inc.
 * `mom` may be 0 when momentum is 0, `mg` may be 0 when not centered.
 */
export function rmspropUpdate(
  w: number,
  g: number,
  ms: number,
  mom: number,
  mg: number,
  n: number,
  lr: number,
  rho: number,
  momentum: number,
  epsilon: number,
  centered: boolean,
): void {
  kernels().rmspropUpdate(w, g, ms, mom, mg, n, lr, rho, momentum, epsilon, centered ? 1 : 0, momentum > 0 ? 1 : 0);
}

/**
 * Keras 3 Adagrad with accumulator acc (the caller initialises it, Keras uses 0.1): acc += g²;
 * w −= lr·g / √(acc + ε) (ε inside the square root).
 */
export const adagradUpdate = passThrough('adagradUpdate');

/** The dense kernel `sparseUpdate` runs, by optimizer. */
export const SPARSE_KIND = { sgd: 0, momentum: 1, adam: 2, adamw: 3, rmsprop: 4, adagrad: 5 } as const;

/**
 * Which rows `sparseUpdate` updates: `dense` every row (g = 0 where the gradient has no row: the
 * dense update's semantics); `lazy` only rows with a gradient; `blocks` the aligned blocks of four
 * rows holding a row with a gradient (the dense semantics for SGD, where g = 0 changes nothing).
 */
export const SPARSE_MODE = { dense: 0, lazy: 1, blocks: 2 } as const;

/** The scratch blocks of `sparseUpdate` for one variable (byte offsets). */
export interface SparseScratch {
  /** int32 [rows], all 0 between calls (the kernel leaves it so). */
  map: number;
  /** int32 [nIdx]. */
  uniq: number;
  /** float32 [nIdx, rowSize]. */
  accum: number;
  /** float32 [blockRows, rowSize]. */
  block: number;
  /** Rows per block of the dense mode: a multiple of 4. */
  blockRows: number;
}

/**
 * One optimizer step of the variable at `w` ([rows, rowSize] float32) from a row-sparse gradient:
 * `nIdx` int32 row indices at `idx` and their rows at `vals` ([nIdx, rowSize]); repeated indices sum
 * in order of occurrence, out-of-range ones are skipped. The update of each weight is the dense
 * kernel's (`kind`, with its `slots` and its arguments after n in `params` and `flags`), bit for
 * bit, for the rows `mode` selects.
 */
export function sparseUpdate(
  kind: number,
  mode: number,
  w: number,
  slots: readonly number[],
  idx: number,
  vals: number,
  nIdx: number,
  rows: number,
  rowSize: number,
  scratch: SparseScratch,
  params: readonly number[],
  flags: readonly number[] = [],
): void {
  const { map, uniq, accum, block, blockRows } = scratch;
  kernels().sparseUpdate(
    kind,
    mode,
    w,
    slots[0] ?? 0,
    slots[1] ?? 0,
    slots[2] ?? 0,
    idx,
    vals,
    nIdx,
    rows,
    rowSize,
    map,
    uniq,
    accum,
    block,
    blockRows,
    params[0] ?? 0,
    params[1] ?? 0,
    params[2] ?? 0,
    params[3] ?? 0,
    params[4] ?? 0,
    flags[0] ?? 0,
    flags[1] ?? 0,
  );
}
