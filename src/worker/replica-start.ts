// Starting a data-parallel fit (`fit(x, y, { workers })`): how many threads, the checks of what
// cannot be sent to them, the shared buffers and the training set's copy, then the trainer of
// replica-host.ts with its worker threads started.

import { backend } from '../backend/loader.js';
import { ValueError } from '../errors.js';
import type { ModelArtifacts } from '../io/types.js';
import { lazyPart } from '../lazy-import.js';
import type { BatchTrainer, ReplicaRequest } from '../models/batch-trainer.js';
import { Sequential } from '../models/sequential.js';
import type { Rows } from '../training/inputs.js';
import { chooseThreads, MAIN_SHARE } from './replica-auto.js';
import { ReplicaTrainer } from './replica-host.js';
import {
  type ArtifactBodies,
  makeBuffers,
  type ReplicaDataset,
  type ReplicaSizes,
  splitRows,
} from './replica-layout.js';
import { checkThreads, coreCount, fitThreadsMode, warnTransferOnce } from './replica-threads.js';
import { computeWeights } from './thread-jobs.js';

/** @internal For tests: make worker 1 throw, or its thread exit, or stop without a word, at this step (from 1) of the data-parallel fits. */
export const replicaFaults: { failAtStep?: number; exitAtStep?: number; hangAtStep?: number } = {};

/**
 * @internal For tests: `force` makes the data-parallel fits post each step's buffers, transferred,
 * as in a page that is not cross-origin isolated, where they would share memory.
 */
export const replicaTransfer = { force: false };

/**
 * Largest training set (inputs and labels, bytes) a fit with workers copies once into shared memory,
 * so that each worker copies its own rows; above it the main thread writes the workers' rows every
 * step. `sharedBytes` is changeable for tests.
 */
export const replicaDataLimit = { sharedBytes: 256 * 1024 * 1024 };

/**
 * Float64 values a thread adds to a batch statistics exchange at most: a BatchNormalization layer of
 * c features exchanges c + 1 values (column sums and rows) forward and 2c backward. 0 without one.
 */
function batchStatisticsWidth(model: Sequential): number {
  let widest = 0;
  for (const layer of model.layers) {
    for (const w of layer.namedWeights)
      if (/(^|\/)moving_mean$/.test(w.name)) widest = Math.max(widest, w.variable.size);
  }
  return widest > 0 ? 2 * widest + 1 : 0;
}

/** Whether the training set is small enough to hand to the workers once (replicaDataLimit.sharedBytes). */
function fitsDataLimit(xs: Rows, ys: Rows): boolean {
  return 4 * xs.count * (xs.width + ys.width) <= replicaDataLimit.sharedBytes;
}

/** The rows of a training tensor copied into a new buffer (shared or not). */
function copyRows(rows: Rows, shared: boolean): SharedArrayBuffer | ArrayBuffer {
  const bytes = 4 * rows.count * rows.width;
  const buffer = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const p = rows.tensor.ptr() >>> 2;
  new Int32Array(buffer).set(backend().views.i32.subarray(p, p + rows.count * rows.width));
  return buffer;
}

/** The training set copied into shared memory, where there is room. */
function shareDataset(xs: Rows, ys: Rows, batchSize: number): ReplicaDataset | undefined {
  try {
    return { x: copyRows(xs, true), y: copyRows(ys, true), order: new SharedArrayBuffer(4 * batchSize) };
  } catch {
    // no room for the copy (a RangeError): the main thread writes the workers' rows every step
    return undefined;
  }
}

/** Each of `workers` workers' own copy of the training set, to transfer to it (its step's rows come in its parcels), where there is room. */
function copyDataset(xs: Rows, ys: Rows, workers: number): ReplicaDataset[] | undefined {
  try {
    return Array.from({ length: workers }, () => ({
      x: copyRows(xs, false),
      y: copyRows(ys, false),
      order: new ArrayBuffer(0),
    }));
  } catch {
    // no room (a RangeError): the main thread posts the workers' rows every step
    return undefined;
  }
}

/**
 * Starts a data-parallel fit: picks the number of threads ('auto': replica-auto.ts), builds this
 * thread's step (and with it the model), sends the model to the worker threads and waits until
 * they are ready. Null when one thread is all that is used.
 */
export async function startReplicas(request: ReplicaRequest): Promise<BatchTrainer | null> {
  const { model, xs, ys, batchSize, inputDType, workers } = request;
  if (!(model instanceof Sequential)) throw new ValueError('fit: workers other than 1 needs a Sequential model');
  const mode = replicaTransfer.force ? 'transfer' : await fitThreadsMode();
  // 'auto' where there are no threads to start: this thread alone
  if (workers === 'auto' && mode === null) return null;
  const auto = () => chooseThreads(model.countParams(), batchSize, cores, computeWeights(model));
  const cores = await coreCount();
  const threads = Math.min(workers === 'auto' ? auto() : workers, batchSize);
  if (threads <= 1) return null;
  const transfer = mode === 'transfer';
  await checkThreads(transfer);
  const c = model.compiled!;
  const loss = c.lossAndMetrics.loss;
  if (typeof loss !== 'string') {
    throw new ValueError(
      'fit: workers other than 1 needs a built-in loss given by name: a custom loss function cannot be sent to worker threads',
    );
  }
  const { counts } = splitRows(batchSize, threads, MAIN_SHARE);
  const trainerSizes = { threads, batchSize, xWidth: xs.width, yWidth: ys.width, outWidth: model.outputWidth };
  // this thread's step first: it builds the model, whose artifacts the workers start from
  const probe = model.step('train', counts[0], inputDType);
  const variableSizes = probe.variables.map((v) => v.size);
  const { modelArtifacts } = await lazyPart<ArtifactBodies>('fit');
  let artifacts: ModelArtifacts;
  try {
    artifacts = modelArtifacts(model);
  } catch (e) {
    throw new ValueError(
      `fit: workers other than 1 sends the model to worker threads, which failed: ${(e as Error).message}`,
    );
  }
  const exchangeWidth = batchStatisticsWidth(model);
  if (exchangeWidth > 0 && transfer) {
    model.doneStep(probe);
    if (workers === 'auto') return null;
    throw new ValueError(
      'fit: workers other than 1 trains a model with BatchNormalization only where the threads share memory (the threads add up the statistics of the batch in the middle of each step); this page is not cross-origin isolated (it needs the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp); use workers: 1 here',
    );
  }
  const sizes: ReplicaSizes = {
    ...trainerSizes,
    params: variableSizes.reduce((a, b) => a + b, 0),
    exchangeWidth,
  };
  const buffers = makeBuffers(sizes, !transfer);
  // shared once, or (no shared memory) a copy for each worker, if the set is not too large
  const sendsDataset = fitsDataLimit(xs, ys);
  const dataset = sendsDataset && !transfer ? shareDataset(xs, ys, batchSize) : undefined;
  const copies = sendsDataset && transfer ? copyDataset(xs, ys, threads - 1) : undefined;
  const order = dataset?.order ?? (copies ? new ArrayBuffer(4 * batchSize) : undefined);
  const trainer = new ReplicaTrainer(model, xs, ys, sizes, buffers, inputDType, order, transfer);
  try {
    trainer.step(counts[0]);
    if (transfer && !replicaTransfer.force) warnTransferOnce();
    await trainer.start(
      {
        buffers: transfer ? undefined : buffers,
        transfer,
        sizes,
        artifacts,
        loss,
        relaxedSimd: backend().kind === 'relaxed-simd',
        inputDType,
        variableSizes,
        dataset,
        failAtStep: replicaFaults.failAtStep,
        exitAtStep: replicaFaults.exitAtStep,
        hangAtStep: replicaFaults.hangAtStep,
      },
      copies,
    );
  } catch (e) {
    await trainer.release();
    throw e;
  } finally {
    model.doneStep(probe);
  }
  return trainer;
}
