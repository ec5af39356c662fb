/** numpy's float32 eps, scikit-learn's equality tolerance in lars_path. */
const FLOAT32_EPSILON = 1.1920929e-7;

/**
 * The first `steps` variables least angle regression (LAR) brings in, in order of entry, as
 * scikit-learn's `lars_path(X, y, method='lar', max_iter=steps)[1]` (python shap's
 * 'num_features(k)' feature selection). `x` is row-major [rows, cols], float64.
 * Works on the Gram matrix: each step moves the coefficients of the active variables along the
 * equiangular direction until an inactive variable is as correlated with the residual.
 */
export function larsActive(x: Float64Array, y: Float64Array, rows: number, cols: number, steps: number): number[] {
  const gram = new Float64Array(cols * cols);
  const cov = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let i = 0; i < cols; i++) {
      const xi = x[o + i];
      if (xi === 0) continue;
      cov[i] += xi * y[r];
      for (let j = i; j < cols; j++) gram[i * cols + j] += xi * x[o + j];
    }
  }
  for (let i = 0; i < cols; i++) for (let j = 0; j < i; j++) gram[i * cols + j] = gram[j * cols + i];
  const active: number[] = [];
  const signs: number[] = [];
  const isActive = new Uint8Array(cols);
  const tiny = 1.1754943508222875e-38; // float32's smallest normal, as scikit-learn's tiny32
  while (active.length < Math.min(steps, cols)) {
    let best = -1;
    for (let j = 0; j < cols; j++) if (!isActive[j] && (best < 0 || Math.abs(cov[j]) > Math.abs(cov[best]))) best = j;
    const C = Math.abs(cov[best]);
    if (C / rows <= FLOAT32_EPSILON) break; // scikit-learn stops once alpha = C / rows reaches alpha_min (0) + float32 eps
    active.push(best);
    signs.push(Math.sign(cov[best]));
    isActive[best] = 1;
    const n = active.length;
    // w = G_A⁻¹ s (by Gaussian elimination with partial pivoting), AA = 1/sqrt(sᵀ w)
    const a = new Float64Array(n * (n + 1));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) a[i * (n + 1) + j] = gram[active[i] * cols + active[j]];
      a[i * (n + 1) + n] = signs[i];
    }
    for (let c = 0; c < n; c++) {
      let pivot = c;
      for (let r = c + 1; r < n; r++) if (Math.abs(a[r * (n + 1) + c]) > Math.abs(a[pivot * (n + 1) + c])) pivot = r;
      if (pivot !== c) {
        for (let k = 0; k <= n; k++) {
          const t = a[c * (n + 1) + k];
          a[c * (n + 1) + k] = a[pivot * (n + 1) + k];
          a[pivot * (n + 1) + k] = t;
        }
      }
      const d = a[c * (n + 1) + c];
      if (d === 0) return active; // the active columns are degenerate: scikit-learn stops too
      for (let r = 0; r < n; r++) {
        if (r === c) continue;
        const f = a[r * (n + 1) + c] / d;
        if (f === 0) continue;
        for (let k = c; k <= n; k++) a[r * (n + 1) + k] -= f * a[c * (n + 1) + k];
      }
    }
    const w = Float64Array.from({ length: n }, (_, i) => a[i * (n + 1) + n] / a[i * (n + 1) + i]);
    let sw = 0;
    for (let i = 0; i < n; i++) sw += signs[i] * w[i];
    const AA = 1 / Math.sqrt(Math.max(sw, tiny));
    if (active.length >= Math.min(steps, cols)) break;
    // a_j = x_jᵀ u with u = X_A (AA · w): the correlation of each variable with the direction
    let gamma = C / AA;
    for (let j = 0; j < cols; j++) {
      if (isActive[j]) continue;
      let aj = 0;
      for (let i = 0; i < n; i++) aj += gram[j * cols + active[i]] * w[i];
      aj *= AA;
      const g1 = (C - cov[j]) / (AA - aj + tiny);
      const g2 = (C + cov[j]) / (AA + aj + tiny);
      if (g1 > 0 && g1 < gamma) gamma = g1;
      if (g2 > 0 && g2 < gamma) gamma = g2;
    }
    for (let j = 0; j < cols; j++) {
      let aj = 0;
      for (let i = 0; i < n; i++) aj += gram[j * cols + active[i]] * w[i];
      cov[j] -= gamma * AA * aj;
    }
  }
  return active;
}
