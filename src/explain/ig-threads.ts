import type { Sequential } from '../models/sequential.js';
import { computeWeights, inferenceThreadsMode, threadsOrTransfer } from '../worker/thread-jobs.js';
import type { ServedThreadInit, ThreadFault } from '../worker/thread-serve.js';
import { blocksOnThreads, mainShare } from './block-threads.js';
import { blockJob, type IgJob, type IgOut, integrateRows } from './integrated-gradients-rows.js';

const OP = 'integratedGradients';

/** Most threads `workers` takes (the main one included). */
export const MAX_IG_WORKERS = 16;

/**
 * 'auto' gives a thread this many model weights (computeWeights) × path points (steps × explained
 * rows). Measured on the 2-core machine (dist/, relaxed SIMD, 50 steps): a weight × point costs
 * ≈ 0.11-0.18 ns on one thread (784-512-512-10: 2.1 s for 2·10^10), and a worker thread starts
 * integrating ≈ 0.3-0.45 s after the call starts it; so 10^10 (≈ 1.1-1.8 s of work per thread)
 * leaves a second thread ≥ 1.3x where the second core is free (at 2·10^10: 1.49-1.53x with equal
 * blocks, 1.61x with the main thread's larger block, mainShare). Below it, the start dominates:
 * 64-64-64-10 on 100 rows (4.5·10^7) takes ≈ 10 ms on one thread and ≈ 100-150 ms with a second.
 */
export const AUTO_MIN_WORK_PER_THREAD = 1e10;

/** Seconds a weight × point takes on one thread (as measured above), for the main thread's share. */
const SECONDS_PER_WORK = 0.13e-9;

/** Most threads 'auto' picks. */
const AUTO_MAX_THREADS = 4;

/** What an integrated-gradients worker thread is started with (structured-cloned; the outputs are shared). */
export interface IgThreadInit extends ServedThreadInit {
  /** The export of neurasm's entry the thread runs. */
  serve: 'serveIgRows';
  /** The thread's block of rows (its rows only). */
  job: IgJob;
  /** The rows of the whole call before this block. */
  start: number;
  /**
   * float32 [rows, width], float64 [rows], int32 [rows]: each thread writes its rows; absent where the
   * threads share no memory (the thread posts its rows' results back, transferred).
   */
  attributions?: SharedArrayBuffer;
  delta?: SharedArrayBuffer;
  steps?: SharedArrayBuffer;
}

/** The shared outputs of a call. */
type IgSharedBuffers = { attributions: SharedArrayBuffer; delta: SharedArrayBuffer; steps: SharedArrayBuffer };

/** @internal For tests: a fault injected in the last worker thread of the next calls. */
export const igFaults: { fault?: ThreadFault } = {};

/** @internal For tests: worker threads started by integratedGradients so far. */
export const igThreadsStarted = { count: 0 };

/** The views of rows [start, start + count) of the shared outputs of `rows` rows of `width` values. */
export function blockOut(
  buffers: { attributions: ArrayBufferLike; delta: ArrayBufferLike; steps: ArrayBufferLike },
  width: number,
  start: number,
  count: number,
): IgOut {
  return {
    attributions: new Float32Array(buffers.attributions, 4 * start * width, count * width),
    delta: new Float64Array(buffers.delta, 8 * start, count),
    steps: new Int32Array(buffers.steps, 4 * start, count),
  };
}

/**
 * The threads for `workers` (checked by the caller: 1 to MAX_IG_WORKERS or 'auto'): n as given (at
 * most the rows), or for 'auto' one thread per AUTO_MIN_WORK_PER_THREAD of work (weights × steps ×
 * rows), up to the cores, where the runtime can start threads (sharing memory or not).
 */
export function threadCount(model: Sequential, workers: number | 'auto', rows: number, steps: number): Promise<number> {
  return threadsOrTransfer(OP, workers, rows, () => {
    const work = computeWeights(model) * steps * rows;
    return Math.min(AUTO_MAX_THREADS, Math.floor(work / AUTO_MIN_WORK_PER_THREAD));
  });
}

/**
 * Integrates every row of the job on `threads` threads: the main thread integrates the first block
 * while the workers start and integrate theirs. Rejects with a worker's error (every thread is ended first).
 */
export async function integrateOnThreads(model: Sequential, job: IgJob, threads: number): Promise<IgOut> {
  const width = job.shape.reduce((a, b) => a * b, 1);
  const transfer = (await inferenceThreadsMode()) === 'transfer';
  const Buffer = transfer ? ArrayBuffer : SharedArrayBuffer;
  const buffers = {
    attributions: new Buffer(4 * job.count * width),
    delta: new Buffer(8 * job.count),
    steps: new Buffer(4 * job.count),
  };
  await blocksOnThreads(OP, model, job.count, threads, {
    init: (start, count): Omit<IgThreadInit, keyof ServedThreadInit> => ({
      serve: 'serveIgRows',
      job: blockJob(job, start, count),
      start,
      ...(transfer ? {} : (buffers as IgSharedBuffers)),
    }),
    faults: igFaults,
    done: 'igDone',
    transfer,
    receive(start, count, results) {
      const [attributions, delta, steps] = results;
      if (
        results.length !== 3 ||
        attributions.byteLength !== 4 * count * width ||
        delta.byteLength !== 8 * count ||
        steps.byteLength !== 4 * count
      )
        return `it sent results of other sizes than its ${count} rows'`;
      const out = blockOut(buffers, width, start, count);
      out.attributions.set(new Float32Array(attributions));
      out.delta.set(new Float64Array(delta));
      out.steps.set(new Int32Array(steps));
      return null;
    },
    runMain: (start, count) =>
      integrateRows(model, blockJob(job, start, count), blockOut(buffers, width, start, count)),
    started: igThreadsStarted,
    mainShare: mainShare(computeWeights(model) * job.steps * job.count * SECONDS_PER_WORK, threads),
  });
  if (transfer) return blockOut(buffers, width, 0, job.count);
  // copies out of the shared memory, which the threads no longer write
  return {
    attributions: Float32Array.from(new Float32Array(buffers.attributions)),
    delta: Float64Array.from(new Float64Array(buffers.delta)),
    steps: Int32Array.from(new Int32Array(buffers.steps)),
  };
}
