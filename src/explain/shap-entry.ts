// kernelShap's and kmeans's bodies (kernel-shap.ts, kmeans.ts) are loaded on first use: the browser
// bundle fetches them in the chunk of code that pages need later or never (src/lazy-import.ts).
import { loadedOnFirstUse } from '../lazy-import.js';
import type { kernelShap as kernelShapBody } from './kernel-shap.js';
import type { kmeans as kmeansBody } from './kmeans.js';

export type { KernelShapOptions, KernelShapResult } from './kernel-shap.js';
export type { KMeansOptions, WeightedBackground } from './kmeans.js';

/** What kernelShap and kmeans take from the chunk loaded on first use (src/lazy.ts). */
export interface ShapBodies {
  kernelShap: typeof kernelShapBody;
  kmeans: typeof kmeansBody;
}

/**
 * SHAP values of a model's outputs for each example of `x`, by KernelSHAP with python shap 0.51's
 * KernelExplainer semantics: `values` is a float32 Tensor [examples, features, outputs] whose
 * entries sum over features to f(x) − `baseValues` (E[f] over the background, one per output).
 * Features missing from a coalition take the background's values; nsamples 'auto' evaluates
 * 2·M + 2048 coalitions (every one, giving exact Shapley values, when 2^M − 2 fit), each on every
 * background row, as large batches through the model. Keep the background to about 100 rows (more
 * warns): summarize a larger one with `nn.explain.kmeans`. `l1Reg: 'num_features(k)'` keeps k
 * features by least angle regression as shap does (shap's default is 'num_features(10)'; neurasm's
 * is false: every feature gets a value). Sampled coalitions come from neurasm's seeded generator,
 * so they are not shap's: values agree with shap's within the sampling error. `workers: n | 'auto'`
 * explains contiguous blocks of the rows on worker threads (each with a copy of the model), with the
 * values of one thread to the bit. Dispose `values`.
 *
 * @example
 * const background = await nn.explain.kmeans(xTrain, 50);
 * const { values, baseValues } = await nn.explain.kernelShap(model, xTest.slice([0, 0], [10, -1]), {
 *   background,
 *   seed: 0,
 * });
 * values.shape; // [10, features, outputs]
 * @example
 * // one output (class 1), 100 training rows as background, more coalitions
 * const { values } = await nn.explain.kernelShap(model, x, {
 *   background: xTrain.slice([0, 0], [100, -1]),
 *   output: 1,
 *   nsamples: 5000,
 * });
 * @example
 * // 100 rows on two threads (this one and a worker): the same values as workers: 1, 1.2-1.8x sooner on 2 cores
 * const { values } = await nn.explain.kernelShap(model, x100, { background, seed: 0, workers: 2 });
 */
export const kernelShap: typeof kernelShapBody = loadedOnFirstUse<Pick<ShapBodies, 'kernelShap'>>('kernelShap');

/**
 * A background summarized as `k` weighted rows, as python shap's `shap.kmeans`: k-means centers
 * (10 starts, k-means++ seeding, `seed` default 0), each value rounded to the nearest value the
 * data has for that feature (`roundValues: false` keeps the means), weighted by cluster size.
 * Returns `{ data: number[][], weights: number[] }`, which `kernelShap` takes as `background`.
 *
 * @example
 * const background = await nn.explain.kmeans(xTrain, 10);
 * background.weights; // rows per cluster, e.g. [61, 50, 39]
 */
export const kmeans: typeof kmeansBody = loadedOnFirstUse<Pick<ShapBodies, 'kmeans'>>('kmeans');
