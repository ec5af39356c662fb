// model.predictAsync: predict with the batches shared by the main thread and worker threads. The
// options are checked here; the threads are started by src/worker/predict-host.ts, which is loaded
// on first use (src/lazy.ts), as fit reaches its worker threads through batch-trainer.ts.
import { ValueError } from '../errors.js';
import { optionsObject } from '../ops/options.js';
import type { Tensor } from '../ops/tensor.js';
import { checkInt, describe } from '../ops/validate.js';
import type { Data } from '../training/inputs.js';
import type { BatchArgs } from './fit.js';
import type { TrainableModel } from './trainable.js';

/** Most threads `predictAsync({ workers })` takes (the main thread counts as one). */
export const MAX_PREDICT_WORKERS = 16;

/** Options of `model.predictAsync`. */
export interface PredictAsyncArgs extends BatchArgs {
  /**
   * Threads that share the batches (default 'auto'; the main thread counts as one): an integer
   * from 1 to 16, or 'auto', which starts worker threads only for inputs large enough to pay for
   * their start (≈ 0.3-0.45 s each), up to the cores. Node worker_threads, or Web Workers
   * (transferring buffers where the page is not cross-origin isolated); see the README's "Scaling out".
   */
  workers?: number | 'auto';
}

/** What predictAsync asks the worker threads for. */
export interface PredictRequest {
  /** A Sequential model (the type below it, so that this file does not import sequential.ts). */
  model: TrainableModel;
  x: Data;
  /** Examples per batch, as asked (predict clamps it to the examples). */
  batchSize: number;
  workers: number | 'auto';
}

/** What predictAsync takes from the chunk loaded on first use (src/lazy.ts) for `workers` other than 1. */
export interface PredictThreadsBodies {
  /** The predictions on the threads; null when 'auto' (or the data) leaves the work to this thread alone. */
  predictOnThreads(request: PredictRequest): Promise<Tensor | null>;
}

const OPTIONS: ReadonlyArray<keyof PredictAsyncArgs> = ['batchSize', 'verbose', 'workers'];

/** The checked options of predictAsync: batchSize ≥ 1 (default 32) and workers (default 'auto'). */
export function checkPredictAsyncArgs(args: PredictAsyncArgs): { batchSize: number; workers: number | 'auto' } {
  const op = 'predictAsync';
  optionsObject(op, args, "{batchSize: 32, workers: 'auto'}", OPTIONS);
  const batchSize = checkInt(op, 'batchSize', args.batchSize ?? 32, 1);
  const workers = args.workers ?? 'auto';
  if (workers !== 'auto' && !(Number.isInteger(workers) && workers >= 1 && workers <= MAX_PREDICT_WORKERS)) {
    throw new ValueError(
      `${op}: expected workers to be an integer from 1 to ${MAX_PREDICT_WORKERS} (threads, the main one included) or 'auto', got ${describe(workers)}`,
    );
  }
  return { batchSize, workers };
}
