// model.predictAsync({ workers }) on the main thread: the input examples go to one SharedArrayBuffer,
// worker threads (replica-threads.ts) are started with the model's saved form, and every thread
// runs batches as it takes them (predict-batches.ts) into one shared output, from which the result
// is made; where the threads cannot share memory, each gets a block of batches instead
// (predict-blocks.ts). The threads end when the call resolves or rejects.
import { backend } from '../backend/loader.js';
import { BackendError, ValueError } from '../errors.js';
import { gatherRows } from '../models/batches.js';
import type { PredictRequest } from '../models/predict-threads.js';
import { Sequential } from '../models/sequential.js';
import { Tensor } from '../ops/tensor.js';
import { inputRows, type Rows, releaseRows } from '../training/inputs.js';
import {
  batchesOf,
  batchTable,
  CONTROL_SLOTS,
  INPUT_READY,
  type PredictJob,
  type PredictSegment,
  predictTakenBatches,
  WRITTEN,
} from './predict-batches.js';
import { predictInBlocks } from './predict-blocks.js';
import { type ReplicaThread, startReplicaThread } from './replica-threads.js';
import {
  artifactsForThreads,
  computeWeights,
  inferenceThreadsMode,
  settled,
  threadsOrTransfer,
  workersDone,
} from './thread-jobs.js';
import type { ServedThreadInit, ThreadFault } from './thread-serve.js';

const OP = 'predictAsync';

/**
 * 'auto' gives a thread this many weights × examples (the weights a row computes with: an
 * embedding counts what a row reads of its table). Measured on the 2-core machine with the built
 * package (dist/, relaxed SIMD), 784-512-512-10 at batch 256, predict against
 * predictAsync({ workers: 2 }) in interleaved calls (2026-12-04/05, other sessions' jobs running):
 * predict costs ≈ 0.044 ns per weight × example (1.7-1.9 s for 60,000 rows); timed inside a call,
 * the main thread spends ≈ 0.03-0.04 s on the model's saved form, and the worker takes its first
 * batch ≈ 0.15 s after it is started (import, Wasm, the model rebuilt). Two threads, median
 * (fastest) against one: 4,000 rows (2.7·10^9) 0.57x (0.58x), 8,000 rows 0.65x (0.79x), 16,000
 * rows 0.79x (0.91x), 32,000 rows (2.1·10^10) 0.80x (0.82x), all at load average 3.7-4.2; 60,000
 * rows (4·10^10) 1.55-1.65x at load average 3-4 and 1.01x (fastest 1.73x) at load average 3.3-4.1.
 * So 'auto' asks for 2·10^10 a thread (≈ 0.9 s of work each): two threads from 4·10^10 on.
 */
export const AUTO_MIN_WORK_PER_THREAD = 2e10;

/** Most threads 'auto' picks. */
const AUTO_MAX_THREADS = 4;

/** What a predictAsync worker thread is started with (structured-cloned; the buffers are shared). */
export interface PredictThreadInit extends ServedThreadInit {
  /** The export of neurasm's entry the thread runs. */
  serve: 'servePredictRows';
  job: PredictJob;
  /**
   * The input examples (4-byte values, `job.inputDType`; written after the threads are started,
   * see INPUT_READY), the output (float32) and the control slots (Int32, predict-batches.ts).
   */
  x: SharedArrayBuffer;
  out: SharedArrayBuffer;
  control: SharedArrayBuffer;
}

/**
 * @internal For tests: a fault injected in the last worker thread of the next calls; `mainIdle`
 * leaves every batch to the worker threads; `autoMinWork` replaces AUTO_MIN_WORK_PER_THREAD.
 */
export const predictTesting: { fault?: ThreadFault; mainIdle?: boolean; autoMinWork?: number } = {};

/** @internal For tests: worker threads started by predictAsync so far, and the batches they ran. */
export const predictThreadStats = { started: 0, workerBatches: 0 };

/** The threads for `workers` (1 to 16, or 'auto'), at most one per batch. */
function threadCount(op: string, model: Sequential, workers: number | 'auto', job: PredictJob): Promise<number> {
  return threadsOrTransfer(op, workers, batchesOf(job), () => {
    const perThread = predictTesting.autoMinWork ?? AUTO_MIN_WORK_PER_THREAD;
    return Math.min(AUTO_MAX_THREADS, Math.floor((computeWeights(model) * job.count) / perThread));
  });
}

/** The shared buffers of a call, or null where there is no room for them (a RangeError): this thread alone. */
function sharedBuffers(
  job: PredictJob,
): { x: SharedArrayBuffer; out: SharedArrayBuffer; control: SharedArrayBuffer } | null {
  try {
    return {
      x: new SharedArrayBuffer(4 * job.count * job.width),
      out: new SharedArrayBuffer(4 * job.count * job.outWidth),
      control: new SharedArrayBuffer(4 * CONTROL_SLOTS),
    };
  } catch {
    return null;
  }
}

/** Writes the input examples to the shared input and tells the worker threads. */
function writeInput(xs: Rows, x: SharedArrayBuffer, control: Int32Array): void {
  (xs.tensor.dtype === 'int32' ? new Int32Array(x) : new Float32Array(x)).set(xs.tensor.view());
  Atomics.store(control, INPUT_READY, 1);
  Atomics.notify(control, INPUT_READY);
}

/**
 * The predictions of `request` on the main thread and worker threads; null where one thread does
 * it all ('auto' below its threshold, one batch, no room for the shared copies). Rejects with the
 * error of a worker thread that fails before every batch is written (every thread is ended first).
 */
export async function predictOnThreads(request: PredictRequest): Promise<Tensor | null> {
  const { model, x, workers } = request;
  if (!(model instanceof Sequential)) throw new ValueError(`${OP}: workers other than 1 needs a Sequential model`);
  const input = model.inputSpecFor(OP, x as { shape: readonly number[] });
  const xs = inputRows(OP, 'x', x, input);
  try {
    const out = await predictRowsOnThreads(OP, model, xs, [{ rows: xs.count, batchSize: request.batchSize }], workers);
    if (out === null) return null;
    const result = new Tensor([xs.count, ...(model.outputShape!.slice(1) as number[])], 'float32');
    result.view(OP).set(out);
    return result;
  } finally {
    releaseRows(xs);
  }
}

/**
 * The predictions (float32, the model's output width per example) of the examples `xs`, as
 * predict gives them for each of `segments` (runs of examples, one after the other, each predicted
 * as one call of predict with its batch size), on the main thread and worker threads; null where
 * one thread does it all. How `op` (lime, permutationImportance) shares its large predictions.
 */
export async function predictRowsOnThreads(
  op: string,
  model: Sequential,
  xs: Rows,
  segments: readonly PredictSegment[],
  workers: number | 'auto',
): Promise<Float32Array | null> {
  const job: PredictJob = {
    count: xs.count,
    width: xs.width,
    outWidth: model.outputWidth,
    inputDType: xs.tensor.dtype === 'int32' ? 'int32' : 'float32',
    batches: batchTable(segments),
  };
  const batches = batchesOf(job);
  const started: ReplicaThread[] = [];
  try {
    const threads = await threadCount(op, model, workers, job);
    if (threads <= 1) return null;
    const artifacts = await artifactsForThreads(op, model);
    if ((await inferenceThreadsMode()) === 'transfer') {
      const { out, workerBatches } = await predictInBlocks({
        op,
        model,
        xs,
        job,
        threads,
        artifacts,
        mainIdle: predictTesting.mainIdle === true,
        fault: predictTesting.fault,
        onStart: () => predictThreadStats.started++,
      });
      predictThreadStats.workerBatches += workerBatches;
      return out;
    }
    const shared = sharedBuffers(job);
    if (shared === null) return null;
    const control = new Int32Array(shared.control);
    const written = settled();
    const check = () => {
      if (Atomics.load(control, WRITTEN) >= batches) written.resolve();
    };
    for (let t = 1; t < threads; t++) {
      const init: PredictThreadInit = {
        serve: 'servePredictRows',
        job,
        ...shared,
        artifacts,
        relaxedSimd: backend().kind === 'relaxed-simd',
        fault: t === threads - 1 ? predictTesting.fault : undefined,
      };
      const fail = (why: string) => written.reject(new BackendError(`${op}: worker thread ${t} failed: ${why}`));
      predictThreadStats.started++;
      started.push(
        await startReplicaThread(init, {
          onMessage(m) {
            const message = m as { neurasm?: string; name?: string; message?: string };
            if (message?.neurasm === 'predictDone') check();
            else if (message?.neurasm === 'replicaError') fail(`${message.name}: ${message.message}`);
          },
          onFailure: (e) => fail(e.message),
        }),
      );
    }
    // the threads start (≈ 0.1-0.2 s) while the rows are copied
    writeInput(xs, shared.x, control);
    const out = new Float32Array(shared.out);
    let mainBatches = 0;
    const began = performance.now();
    if (!predictTesting.mainIdle) {
      mainBatches = predictTakenBatches(
        model,
        job,
        control,
        (dst, start, rows) => gatherRows(xs.tensor, dst, null, start, rows, job.width),
        out,
      );
    }
    // done once every batch is written: a thread still starting has nothing left to take, and is ended
    check();
    await workersDone(written.promise, op, performance.now() - began, () => 'the worker threads');
    predictThreadStats.workerBatches += batches - mainBatches;
    return out;
  } finally {
    await Promise.all(started.map((thread) => thread.terminate()));
  }
}
