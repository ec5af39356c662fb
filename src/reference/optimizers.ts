// Plain-JavaScript optimizer steps in float64: the oracle of assembly/optimizers.ts. Each function
// updates its arrays in place, element by element, with Keras 3's update_step formulas. Like the
// kernels, state values are flushed to 0 below the float32 normal range and weights below 2^-100, and a
// flushed state value is what the weight update uses.
import { flushSubnormal as flush, flushWeight } from './math.js';

/** Plain SGD: w −= lr·g. */
export function sgdStepReference(w: Float64Array, g: ArrayLike<number>, lr: number): void {
  for (let i = 0; i < w.length; i++) w[i] = flushWeight(w[i] - lr * g[i]);
}

/** SGD with momentum: v = momentum·v − lr·g; w += v, or w += momentum·v − lr·g with nesterov. */
export function momentumStepReference(
  w: Float64Array,
  g: ArrayLike<number>,
  v: Float64Array,
  lr: number,
  momentum: number,
  nesterov: boolean,
): void {
  for (let i = 0; i < w.length; i++) {
    v[i] = flush(momentum * v[i] - lr * g[i]);
    w[i] = flushWeight(w[i] + (nesterov ? momentum * v[i] - lr * g[i] : v[i]));
  }
}

/**
 * Adam at 1-based `step`, with `weightDecay` > 0 AdamW (w −= lr·wd·w first):
 * m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²; w −= α·m / (√v + ε), α = lr·√(1 − β2^t)/(1 − β1^t).
 */
export function adamStepReference(
  w: Float64Array,
  g: ArrayLike<number>,
  m: Float64Array,
  v: Float64Array,
  lr: number,
  beta1: number,
  beta2: number,
  epsilon: number,
  step: number,
  weightDecay = 0,
): void {
  const alpha = (lr * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
  for (let i = 0; i < w.length; i++) {
    const decayed = w[i] - lr * weightDecay * w[i];
    m[i] = flush(beta1 * m[i] + (1 - beta1) * g[i]);
    v[i] = flush(beta2 * v[i] + (1 - beta2) * g[i] * g[i]);
    w[i] = flushWeight(decayed - (alpha * m[i]) / (Math.sqrt(v[i]) + epsilon));
  }
}

/**
 * RMSprop: ms = ρ·ms + (1 − ρ)·g²; centered: mg = ρ·mg + (1 − ρ)·g, denom = ms − mg² + ε, else
 * denom = ms + ε; inc = lr·g / √denom; momentum > 0: mom = momentum·mom + inc, w −= mom; else w −= inc.
 */
export function rmspropStepReference(
  w: Float64Array,
  g: ArrayLike<number>,
  ms: Float64Array,
  mom: Float64Array,
  mg: Float64Array,
  lr: number,
  rho: number,
  momentum: number,
  epsilon: number,
  centered: boolean,
): void {
  for (let i = 0; i < w.length; i++) {
    ms[i] = flush(rho * ms[i] + (1 - rho) * g[i] * g[i]);
    let denom = ms[i] + epsilon;
    if (centered) {
      mg[i] = flush(rho * mg[i] + (1 - rho) * g[i]);
      denom = ms[i] - mg[i] * mg[i] + epsilon;
    }
    const inc = (lr * g[i]) / Math.sqrt(denom);
    if (momentum > 0) {
      mom[i] = flush(momentum * mom[i] + inc);
      w[i] = flushWeight(w[i] - mom[i]);
    } else {
      w[i] = flushWeight(w[i] - inc);
    }
  }
}

/** Adagrad: acc += g²; w −= lr·g / √(acc + ε). */
export function adagradStepReference(
  w: Float64Array,
  g: ArrayLike<number>,
  acc: Float64Array,
  lr: number,
  epsilon: number,
): void {
  for (let i = 0; i < w.length; i++) {
    acc[i] = flush(acc[i] + g[i] * g[i]);
    w[i] = flushWeight(w[i] - (lr * g[i]) / Math.sqrt(acc[i] + epsilon));
  }
}
