// How many threads `fit({ workers: 'auto' })` uses, and how much of a batch the main thread takes.
//
// Measured with `npm run bench -- workers` on the 2-core machine (README, "Scaling out"): a step
// with workers costs, besides its compute (∝ weights × rows, split over the threads), copies and a
// sum proportional to the weights alone (≈ 2.4 ns per weight on the main thread while the workers
// wait: the weights out to the workers, the batch's rows, their gradients back and the weighted
// sum; ≈ 1.5 ns since each worker copies its own rows and the copies of weights and gradients
// overlap, most of it the optimizer's update) and a hand-over of ≈ 0.05 ms. The compute of a row is ≈ 0.1 ns per weight, so a thread
// must get ≥ 32 rows for the split to gain ≥ 1.2x; small models gain nothing sure whatever the
// batch (10-64-64-10: 0.5x to 1.4x from run to run).

/**
 * The main thread's share of the rows, relative to an equal share. Measured on 784-512-512-10 with
 * batch 256 (built package, 22:47 UTC): the main thread writes the weights (0.25 ms) while each
 * worker copies its rows and the weights in (0.4 ms), and both compute a row in 0.072 ms, so equal
 * slices end within 0.15 ms of each other; with the earlier 10% more rows for the main thread
 * (when it also wrote the workers' rows) the worker waited 1.5 ms each step.
 */
export const MAIN_SHARE = 1;

/** Below this many weights × batch rows per step, 'auto' trains on one thread. */
export const AUTO_MIN_WORK = 20_000_000;

/** Fewest rows of a batch per thread 'auto' gives. */
export const AUTO_MIN_ROWS = 32;

/** Most threads 'auto' picks. */
export const AUTO_MAX_THREADS = 4;

/**
 * Weights × rows of compute per weight a step copies and sums, below which a second thread does not
 * pay: the copies and the sum cost ≈ 1.5 ns per weight, a row ≈ 0.1 ns per weight it computes with, and
 * two threads save half the compute, so they gain only where rows × compute weights > 30 × weights.
 * It matters where the two differ: an embedding table is copied and summed whole every step, but a
 * row reads only its own table rows (embedding(20000, 64) on 200 ids: 0.5x to 0.7x at batch 32 and 64).
 */
export const AUTO_SYNC_RATIO = 30;

/**
 * The number of threads 'auto' picks for a model of `weights` weights (what a step copies and sums),
 * of which a row computes with `computeWeights` (default all), batches of `batchSize` rows and
 * `cores` cores.
 */
export function chooseThreads(weights: number, batchSize: number, cores: number, computeWeights = weights): number {
  const work = computeWeights * batchSize;
  if (work < AUTO_MIN_WORK || work < AUTO_SYNC_RATIO * weights) return 1;
  return Math.max(1, Math.min(cores, AUTO_MAX_THREADS, Math.floor(batchSize / AUTO_MIN_ROWS)));
}
