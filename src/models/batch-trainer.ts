// How fit trains on one batch: on this thread (fit.ts's TrainSteps), or split over worker threads
// that each compute the gradients of a slice of it (src/worker/replica-host.ts, loaded on first use).
import type { Rows } from '../training/inputs.js';
import type { Metric } from '../training/metrics.js';
import type { TrainableModel } from './trainable.js';

/** Most threads `fit({ workers })` takes (the main thread counts as one). */
export const MAX_WORKERS = 16;

/** Trains a model on the batches of one fit. */
export interface BatchTrainer {
  /**
   * One training step on examples `start` to `start + rows` of the epoch's order (null: as they
   * come): forward, loss, gradients and, when the loss is finite, the metrics (updated with the
   * batch) and one optimizer update. Returns the batch's loss times its rows (not finite: nothing
   * changed).
   */
  train(order: Int32Array | null, start: number, rows: number, metrics: Metric[]): number | Promise<number>;
  /** Frees what the trainer holds (and ends its threads). */
  release(): void | Promise<void>;
}

/** What a data-parallel fit is started with. */
export interface ReplicaRequest {
  model: TrainableModel;
  /** The training examples and their labels. */
  xs: Rows;
  ys: Rows;
  /** Examples per batch (the global batch), and the dtype of the input rows. */
  batchSize: number;
  inputDType: 'float32' | 'int32';
  /** Threads asked for (the main thread counts as one), or 'auto'. */
  workers: number | 'auto';
}

/** What fit takes from the chunk loaded on first use (src/lazy.ts) for `workers` other than 1. */
export interface ReplicaBodies {
  /** Starts the threads of a data-parallel fit; null when 'auto' picks this thread alone. */
  startReplicas(request: ReplicaRequest): Promise<BatchTrainer | null>;
}
