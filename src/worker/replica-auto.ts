// How many threads `fit({ workers: 'auto' })` uses, and how much of a batch the main thread takes:
// thresholds measured with `npm run bench -- workers` on a 2-core machine (README, "Scaling out").
import type { TrainableModel } from '../models/trainable.js';

/**
 * The main thread's share of the rows, relative to an equal share: it also copies the weights out,
 * sums the gradients and applies the update while the workers wait.
 */
export const MAIN_SHARE = 1;

/** Below this many multiply-adds per step (weights × batch rows), more threads do not pay. */
export const AUTO_MIN_WORK = 4_000_000;

/** Most threads 'auto' picks. */
export const AUTO_MAX_THREADS = 4;

/** The number of threads 'auto' picks for a model training on batches of `batchSize` rows. */
export function chooseThreads(model: TrainableModel, batchSize: number, cores: number): number {
  const weights = model.compiled!.optimizer ? countWeights(model) : 0;
  if (cores < 2 || weights * batchSize < AUTO_MIN_WORK) return 1;
  return Math.min(cores, AUTO_MAX_THREADS);
}

function countWeights(model: TrainableModel): number {
  return (model as unknown as { countParams(): number }).countParams();
}
