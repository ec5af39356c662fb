import { larsActive } from './lars.js';

/**
 * Symmetric eigen-decomposition by cyclic Jacobi rotations: `a` (n × n, row-major, overwritten)
 * ends diagonal with the eigenvalues; returns the eigenvectors as columns of a row-major n × n.
 */
function jacobiEigen(a: Float64Array, n: number): Float64Array {
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += a[i * n + i] * a[i * n + i];
      for (let j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return v;
}

/**
 * Least-squares solutions of A w = b for symmetric positive semi-definite A (n × n) and each right-hand
 * side b: the minimum-norm ones through the pseudo-inverse when A is singular, as numpy's lstsq
 * gives them (eigenvalues below n·eps of the largest, relative, count as zero). A is decomposed once.
 */
function solveSymmetric(a: Float64Array, bs: readonly Float64Array[], n: number): Float64Array[] {
  const v = jacobiEigen(a, n);
  let largest = 0;
  for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(a[i * n + i]));
  const cutoff = largest * n * Number.EPSILON;
  return bs.map((b) => {
    const w = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const lambda = a[k * n + k];
      if (Math.abs(lambda) <= cutoff) continue;
      let proj = 0;
      for (let i = 0; i < n; i++) proj += v[i * n + k] * b[i];
      const c = proj / lambda;
      for (let i = 0; i < n; i++) w[i] += c * v[i * n + k];
    }
    return w;
  });
}

/**
 * The players python shap's 'num_features(k)' keeps: the first k that LAR brings in on the
 * augmented problem of KernelExplainer.solve (each coalition twice, weighted w·(M − |S|) with its
 * value and w·|S| with its value minus `total`, the second with the mask minus 1), in entry order.
 */
export function selectPlayers(
  masks: Uint8Array,
  weights: Float64Array,
  values: Float64Array,
  total: number,
  players: number,
  k: number,
): number[] {
  const M = players;
  const count = weights.length;
  const x = new Float64Array(2 * count * M);
  const y = new Float64Array(2 * count);
  for (let s = 0; s < count; s++) {
    let size = 0;
    for (let j = 0; j < M; j++) size += masks[s * M + j];
    const low = Math.sqrt(weights[s] * (M - size));
    const high = Math.sqrt(weights[s] * size);
    y[s] = values[s] * low;
    y[count + s] = (values[s] - total) * high;
    for (let j = 0; j < M; j++) {
      x[s * M + j] = masks[s * M + j] * low;
      x[(count + s) * M + j] = (masks[s * M + j] - 1) * high;
    }
  }
  return larsActive(x, y, 2 * count, M, k);
}

/**
 * KernelSHAP's weighted least squares with efficiency enforced exactly, as python shap's
 * KernelExplainer.solve: over the `selected` players (default all; the others get 0) the last one
 * is eliminated (its value is `total` minus the others), the others solve (Xᵀ W X) φ = Xᵀ W y with X the masks minus the last
 * player's column and y the coalition values minus the last column times `total`.
 *
 * `masks` is [count, players] (1: the player is present), `weights` the coalition weights,
 * `values` each coalition's expected output minus the base value, `total` f(x) minus the base
 * value. Returns φ (float64, length players); values below 1e-10 in magnitude become 0, as shap's.
 */
export function solveShapley(
  masks: Uint8Array,
  weights: Float64Array,
  values: Float64Array,
  total: number,
  players: number,
  selected?: readonly number[],
): Float64Array {
  return solveShapleyOutputs(masks, weights, [values], [total], players, selected)[0];
}

/**
 * `solveShapley` for several outputs on the same coalitions (`values[k]` and `totals[k]` per output):
 * Xᵀ W X is built and decomposed once. Returns φ per output.
 */
export function solveShapleyOutputs(
  masks: Uint8Array,
  weights: Float64Array,
  values: readonly Float64Array[],
  totals: readonly number[],
  players: number,
  selected: readonly number[] = Array.from({ length: players }, (_, j) => j),
): Float64Array[] {
  const M = players;
  const K = values.length;
  const phis = values.map(() => new Float64Array(M));
  if (selected.length === 0) return phis;
  const n = selected.length - 1;
  const lastPlayer = selected[n];
  const count = weights.length;
  const xtwx = new Float64Array(n * n);
  const xtwys = values.map(() => new Float64Array(n));
  const row = new Float64Array(n);
  const ys = new Float64Array(K);
  for (let s = 0; s < count; s++) {
    const m = masks.subarray(s * M, s * M + M);
    const last = m[lastPlayer];
    for (let j = 0; j < n; j++) row[j] = m[selected[j]] - last;
    const w = weights[s];
    for (let k = 0; k < K; k++) ys[k] = values[k][s] - last * totals[k];
    for (let i = 0; i < n; i++) {
      const wi = w * row[i];
      if (wi === 0) continue;
      for (let k = 0; k < K; k++) xtwys[k][i] += wi * ys[k];
      for (let j = i; j < n; j++) xtwx[i * n + j] += wi * row[j];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) xtwx[i * n + j] = xtwx[j * n + i];
  const solved = solveSymmetric(xtwx, xtwys, n);
  return phis.map((phi, k) => {
    const w = solved[k];
    let sum = 0;
    for (let i = 0; i < n; i++) {
      phi[selected[i]] = w[i];
      sum += w[i];
    }
    phi[lastPlayer] = totals[k] - sum;
    for (let i = 0; i < M; i++) if (Math.abs(phi[i]) < 1e-10) phi[i] = 0;
    return phi;
  });
}
