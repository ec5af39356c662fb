import type { Random } from '../random.js';

/** A k-means clustering of rows: centers [k, width] (row-major), each row's cluster, and the inertia. */
export interface Clustering {
  centers: Float64Array;
  labels: Int32Array;
  inertia: number;
}

function squaredDistance(x: Float32Array, row: number, centers: Float64Array, c: number, width: number): number {
  let d = 0;
  for (let j = 0; j < width; j++) {
    const e = x[row * width + j] - centers[c * width + j];
    d += e * e;
  }
  return d;
}

/** Greedy k-means++ seeding as scikit-learn's: 2 + ⌊ln k⌋ candidates per center, the one lowering the potential most. */
function seedCenters(x: Float32Array, rows: number, width: number, k: number, random: Random): Float64Array {
  const centers = new Float64Array(k * width);
  const setCenter = (c: number, row: number) => {
    for (let j = 0; j < width; j++) centers[c * width + j] = x[row * width + j];
  };
  setCenter(0, random.int(rows));
  const closest = new Float64Array(rows);
  for (let r = 0; r < rows; r++) closest[r] = squaredDistance(x, r, centers, 0, width);
  const trials = 2 + Math.floor(Math.log(k));
  const candidate = new Float64Array(rows);
  const best = new Float64Array(rows);
  for (let c = 1; c < k; c++) {
    let potential = 0;
    for (let r = 0; r < rows; r++) potential += closest[r];
    let bestPotential = Infinity;
    let bestRow = 0;
    for (let t = 0; t < trials; t++) {
      // a row drawn with probability proportional to its squared distance to the nearest center
      let target = random.uniform() * potential;
      let row = 0;
      while (row < rows - 1 && target >= closest[row]) target -= closest[row++];
      setCenter(c, row);
      let sum = 0;
      for (let r = 0; r < rows; r++) {
        candidate[r] = Math.min(closest[r], squaredDistance(x, r, centers, c, width));
        sum += candidate[r];
      }
      if (sum < bestPotential) {
        bestPotential = sum;
        bestRow = row;
        best.set(candidate);
      }
    }
    setCenter(c, bestRow);
    closest.set(best);
  }
  return centers;
}

/** Lloyd iterations from seeded centers until the centers move less than `tol` (squared, summed) or 300 rounds. */
function lloyd(
  x: Float32Array,
  rows: number,
  width: number,
  k: number,
  centers: Float64Array,
  tol: number,
): Clustering {
  const labels = new Int32Array(rows);
  const sums = new Float64Array(k * width);
  const counts = new Int32Array(k);
  let inertia = 0;
  for (let iteration = 0; iteration < 300; iteration++) {
    inertia = 0;
    sums.fill(0);
    counts.fill(0);
    for (let r = 0; r < rows; r++) {
      let best = 0;
      let bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const d = squaredDistance(x, r, centers, c, width);
        if (d < bestD) [best, bestD] = [c, d];
      }
      labels[r] = best;
      inertia += bestD;
      counts[best]++;
      for (let j = 0; j < width; j++) sums[best * width + j] += x[r * width + j];
    }
    let shift = 0;
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue; // an empty cluster keeps its center
      for (let j = 0; j < width; j++) {
        const next = sums[c * width + j] / counts[c];
        shift += (next - centers[c * width + j]) ** 2;
        centers[c * width + j] = next;
      }
    }
    if (shift <= tol) break;
  }
  // labels and inertia for the final centers
  inertia = 0;
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestD = Infinity;
    for (let c = 0; c < k; c++) {
      const d = squaredDistance(x, r, centers, c, width);
      if (d < bestD) [best, bestD] = [c, d];
    }
    labels[r] = best;
    inertia += bestD;
  }
  return { centers, labels, inertia };
}

/**
 * k-means of `rows` rows of `width` values as scikit-learn's KMeans(n_init=10): greedy k-means++
 * seeding, Lloyd iterations with tolerance 1e-4 × the mean variance of the columns, the best of 10
 * starts by inertia. The draws come from `random` (not numpy's), so centers can differ from
 * scikit-learn's where the clustering has several good optima.
 */
export function fitKMeans(x: Float32Array, rows: number, width: number, k: number, random: Random): Clustering {
  let variance = 0;
  for (let j = 0; j < width; j++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += x[r * width + j];
    mean /= rows;
    let v = 0;
    for (let r = 0; r < rows; r++) v += (x[r * width + j] - mean) ** 2;
    variance += v / rows;
  }
  const tol = (1e-4 * variance) / width;
  let best: Clustering | null = null;
  for (let start = 0; start < 10; start++) {
    const fit = lloyd(x, rows, width, k, seedCenters(x, rows, width, k, random), tol);
    if (!best || fit.inertia < best.inertia) best = fit;
  }
  return best!;
}
