// What lime's LimeBase does with a neighbourhood (lime/lime_base.py): weight the samples by the
// kernel, choose the features ('auto'), fit a weighted ridge regression and report its R².

/** One local linear explanation, as LimeBase.explain_instance_with_data returns it. */
export interface LocalLinearModel {
  /** One weight per feature (0 for a feature not chosen), in the order of the features. */
  weights: number[];
  /** The chosen features, by decreasing |weight| (lime's order of the explanation). */
  features: number[];
  /** The ridge model's intercept. */
  intercept: number;
  /** R² of the ridge model on the weighted neighbourhood. */
  score: number;
  /** The ridge model's prediction for the explained example (the neighbourhood's first row). */
  localPrediction: number;
}

/** lime's default kernel: sqrt(exp(−d² / w²)) of a distance d for kernel width w. */
export function exponentialKernel(distance: number, width: number): number {
  return Math.sqrt(Math.exp(-(distance * distance) / (width * width)));
}

/**
 * The weighted, centered cross products of a neighbourhood (what sklearn's Ridge forms with
 * sample weights and an intercept): G = Σ w (x − x̄)(x − x̄)ᵀ, b = Σ w (x − x̄)(y − ȳ),
 * syy = Σ w (y − ȳ)², with x̄, ȳ the weighted means. Every fit on a subset of the features is then a
 * solve with G's submatrix.
 */
export interface WeightedMoments {
  features: number;
  xMean: Float64Array;
  yMean: number;
  gram: Float64Array;
  xy: Float64Array;
  syy: number;
  /** The explained example's row (the neighbourhood's first). */
  first: Float64Array;
}

/** The moments of `data` (rows × features, row-major), `labels` and sample `weights`. */
export function weightedMoments(
  data: Float64Array,
  rows: number,
  features: number,
  labels: Float64Array,
  weights: Float64Array,
): WeightedMoments {
  const xMean = new Float64Array(features);
  let total = 0;
  let yMean = 0;
  for (let r = 0; r < rows; r++) {
    const w = weights[r];
    total += w;
    yMean += w * labels[r];
    for (let j = 0; j < features; j++) xMean[j] += w * data[r * features + j];
  }
  // all weights 0 (every sample infinitely far): plain means, as numpy's average would fail
  const scale = total > 0 ? 1 / total : 0;
  yMean *= scale;
  for (let j = 0; j < features; j++) xMean[j] *= scale;
  const gram = new Float64Array(features * features);
  const xy = new Float64Array(features);
  const centered = new Float64Array(features);
  let syy = 0;
  for (let r = 0; r < rows; r++) {
    const w = weights[r];
    if (w === 0) continue;
    const dy = labels[r] - yMean;
    syy += w * dy * dy;
    for (let j = 0; j < features; j++) centered[j] = data[r * features + j] - xMean[j];
    for (let i = 0; i < features; i++) {
      const wi = w * centered[i];
      xy[i] += wi * dy;
      for (let j = i; j < features; j++) gram[i * features + j] += wi * centered[j];
    }
  }
  for (let i = 0; i < features; i++) for (let j = 0; j < i; j++) gram[i * features + j] = gram[j * features + i];
  return { features, xMean, yMean, gram, xy, syy, first: data.slice(0, features) };
}

/**
 * Solves the symmetric system A β = b (A p×p) by Gaussian elimination with partial pivoting; a
 * pivot that vanishes (a feature constant over the weighted samples) gives that coefficient 0.
 */
function solveSymmetric(a: Float64Array, b: Float64Array, p: number): Float64Array {
  const m = Float64Array.from(a);
  const rhs = Float64Array.from(b);
  const order = Array.from({ length: p }, (_, i) => i);
  let largest = 0;
  for (let i = 0; i < p; i++) largest = Math.max(largest, Math.abs(m[i * p + i]));
  const tiny = largest * 1e-12;
  const singular = new Uint8Array(p);
  for (let col = 0; col < p; col++) {
    let pivot = col;
    for (let r = col + 1; r < p; r++) if (Math.abs(m[r * p + col]) > Math.abs(m[pivot * p + col])) pivot = r;
    if (Math.abs(m[pivot * p + col]) <= tiny) {
      singular[col] = 1;
      continue;
    }
    if (pivot !== col) {
      for (let k = 0; k < p; k++) [m[col * p + k], m[pivot * p + k]] = [m[pivot * p + k], m[col * p + k]];
      [rhs[col], rhs[pivot]] = [rhs[pivot], rhs[col]];
      [order[col], order[pivot]] = [order[pivot], order[col]];
    }
    for (let r = col + 1; r < p; r++) {
      const f = m[r * p + col] / m[col * p + col];
      if (f === 0) continue;
      for (let k = col; k < p; k++) m[r * p + k] -= f * m[col * p + k];
      rhs[r] -= f * rhs[col];
    }
  }
  const beta = new Float64Array(p);
  for (let col = p - 1; col >= 0; col--) {
    if (singular[col]) continue;
    let s = rhs[col];
    for (let k = col + 1; k < p; k++) s -= m[col * p + k] * beta[k];
    beta[col] = s / m[col * p + col];
  }
  return beta;
}

/** A ridge fit on some of the features: coefficients (in `used`'s order), intercept and weighted R². */
export interface RidgeFit {
  coef: Float64Array;
  intercept: number;
  score: number;
}

/**
 * sklearn's Ridge(alpha, fit_intercept=True) fitted with sample weights on the columns `used`:
 * β = (G + αI)⁻¹ b on the centered data, intercept ȳ − x̄ᵀβ; the score is the weighted R²,
 * 1 − Σw(y − ŷ)² / Σw(y − ȳ)² (1 for a perfect fit of constant labels, else 0 there, as r2_score).
 */
export function ridgeFit(m: WeightedMoments, used: readonly number[], alpha: number): RidgeFit {
  const p = used.length;
  const a = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    b[i] = m.xy[used[i]];
    for (let j = 0; j < p; j++) a[i * p + j] = m.gram[used[i] * m.features + used[j]];
    a[i * p + i] += alpha;
  }
  const coef = solveSymmetric(a, b, p);
  let intercept = m.yMean;
  for (let i = 0; i < p; i++) intercept -= m.xMean[used[i]] * coef[i];
  // Σw(y − ŷ)² = syy − 2βᵀb + βᵀGβ on the centered data
  let residual = m.syy;
  for (let i = 0; i < p; i++) {
    residual -= 2 * coef[i] * b[i];
    for (let j = 0; j < p; j++) residual += coef[i] * m.gram[used[i] * m.features + used[j]] * coef[j];
  }
  residual = Math.max(residual, 0);
  const score = m.syy > 0 ? 1 - residual / m.syy : residual <= 1e-24 ? 1 : 0;
  return { coef, intercept, score };
}

/** lime's forward selection: add, one at a time, the feature whose least-squares fit scores best. */
function forwardSelection(m: WeightedMoments, count: number): number[] {
  const used: number[] = [];
  for (let k = 0; k < Math.min(count, m.features); k++) {
    let best = 0;
    let bestScore = -100000000;
    for (let f = 0; f < m.features; f++) {
      if (used.includes(f)) continue;
      const { score } = ridgeFit(m, [...used, f], 0);
      if (score > bestScore) [best, bestScore] = [f, score];
    }
    used.push(best);
  }
  return used;
}

/** lime's highest weights: the features with the largest |coef · x₀| of a ridge (α = 0.01) on all. */
function highestWeights(m: WeightedMoments, count: number): number[] {
  const all = Array.from({ length: m.features }, (_, i) => i);
  const { coef } = ridgeFit(m, all, 0.01);
  // a stable sort, as Python's sorted
  return all
    .map((f) => ({ f, v: Math.abs(coef[f] * m.first[f]) }))
    .sort((p, q) => q.v - p.v)
    .slice(0, count)
    .map(({ f }) => f);
}

/**
 * LimeBase.explain_instance_with_data with feature_selection 'auto' and the default Ridge(α = 1):
 * forward selection for at most 6 features, else the highest weights; `data` is the neighbourhood
 * (rows × features, the explained example first), `labels` the explained output on it, `weights`
 * the kernel of each row's distance.
 */
export function localLinearModel(
  data: Float64Array,
  rows: number,
  features: number,
  labels: Float64Array,
  weights: Float64Array,
  numFeatures: number,
): LocalLinearModel {
  const m = weightedMoments(data, rows, features, labels, weights);
  const used = numFeatures <= 6 ? forwardSelection(m, numFeatures) : highestWeights(m, numFeatures);
  const fit = ridgeFit(m, used, 1);
  const dense = new Array<number>(features).fill(0);
  used.forEach((f, i) => {
    dense[f] = fit.coef[i];
  });
  let localPrediction = fit.intercept;
  used.forEach((f, i) => {
    localPrediction += fit.coef[i] * m.first[f];
  });
  const order = used
    .map((f, i) => ({ f, w: Math.abs(fit.coef[i]) }))
    .sort((p, q) => q.w - p.w)
    .map(({ f }) => f);
  return { weights: dense, features: order, intercept: fit.intercept, score: fit.score, localPrediction };
}
