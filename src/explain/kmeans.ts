import { firstNonFinite } from '../backend/kernels/check.js';
import { ShapeError, ValueError } from '../errors.js';
import { type TensorLike, tensor } from '../ops/create.js';
import { optionsObject } from '../ops/options.js';
import { isTensor, type Tensor } from '../ops/tensor.js';
import { checkInt, describe } from '../ops/validate.js';
import { Random } from '../random.js';
import { fitKMeans } from './kmeans-fit.js';

/** A background summarized as weighted rows: what `kmeans` returns and `kernelShap` takes as `background`. */
export interface WeightedBackground {
  /** The rows, [rows][features]. */
  data: number[][];
  /** One weight per row (the number of rows each stands for); KernelSHAP normalizes them to sum 1. */
  weights: number[];
}

/** Options of `kmeans`. */
export interface KMeansOptions {
  /** Replace each center's value of each feature by the nearest value the data has for it (default true, as shap). */
  roundValues?: boolean;
  /** Seed of the k-means++ draws (default 0). */
  seed?: number;
}

/** Float32 values and shape of a 2-D data argument (a Tensor or nested arrays), checked finite. */
export function matrixValues(
  op: string,
  arg: string,
  x: unknown,
): { values: Float32Array; rows: number; width: number } {
  let t: Tensor;
  let owned = false;
  if (isTensor(x)) {
    t = x;
  } else if (Array.isArray(x) || ArrayBuffer.isView(x)) {
    t = tensor(x as TensorLike);
    owned = true;
  } else {
    throw new ValueError(`${op}: expected ${arg} to be a Tensor or nested arrays of rows, got ${describe(x)}`);
  }
  try {
    if (t.rank !== 2 || t.shape[0] === 0 || t.shape[1] === 0) {
      throw new ShapeError(`${op}: expected ${arg} to be rows of features, shape [rows, features], got ${describe(t)}`);
    }
    if (t.dtype === 'bool') throw new ValueError(`${op}: expected ${arg} to hold numbers, got a bool tensor`);
    const values = Float32Array.from(t.readValues(op));
    const bad = t.dtype === 'float32' ? firstNonFinite(t.ptr(op), t.size) : -1;
    if (bad >= 0) {
      throw new ValueError(
        `${op}: ${arg} holds ${values[bad]} at row ${Math.floor(bad / t.shape[1])}; expected finite numbers`,
      );
    }
    return { values, rows: t.shape[0], width: t.shape[1] };
  } finally {
    if (owned) t.dispose();
  }
}

/**
 * Summarizes `data` (rows of features) as `k` weighted rows, as python shap's `shap.kmeans`: the
 * centers of a k-means clustering (scikit-learn's KMeans with 10 starts), each value rounded to the
 * nearest value the data has for that feature, weighted by the number of rows in each cluster.
 */
export async function kmeans(data: unknown, k: number, options?: KMeansOptions): Promise<WeightedBackground> {
  const op = 'kmeans';
  const args = optionsObject(op, options, '{seed: 0}', ['roundValues', 'seed']);
  const { values, rows, width } = matrixValues(op, 'data', data);
  checkInt(op, 'k', k, 1, rows);
  if (args.roundValues !== undefined && typeof args.roundValues !== 'boolean') {
    throw new ValueError(`${op}: expected roundValues to be true or false, got ${describe(args.roundValues)}`);
  }
  const random = new Random(args.seed ?? 0);
  const fit = fitKMeans(values, rows, width, k, random);
  const counts = new Array<number>(k).fill(0);
  for (const label of fit.labels) counts[label]++;
  const centers = Array.from({ length: k }, (_, c) =>
    Array.from({ length: width }, (_, j) => {
      const center = fit.centers[c * width + j];
      if (args.roundValues === false) return center;
      let nearest = values[j];
      for (let r = 1; r < rows; r++) {
        const v = values[r * width + j];
        if (Math.abs(v - center) < Math.abs(nearest - center)) nearest = v;
      }
      return nearest;
    }),
  );
  return { data: centers, weights: counts };
}
