import type { Sequential } from '../models/sequential.js';
import { computeWeights, inferenceThreadsMode, threadsOrTransfer } from '../worker/thread-jobs.js';
import type { ServedThreadInit, ThreadFault } from '../worker/thread-serve.js';
import { blocksOnThreads, mainShare } from './block-threads.js';
import { argMaxRows, predictValues, rowsTensor } from './targets.js';

/** Most threads `workers` takes (the main one included). */
export const MAX_GRADIENT_WORKERS = 16;

/**
 * 'auto' gives a thread this many model weights (computeWeights) × rows. Measured on the 2-core
 * machine (dist/, relaxed SIMD): saliency on 784-512-512-10 costs ≈ 0.13 ns per weight × row
 * (its prediction of the classes included: 10,000 rows in 0.89 s, 30,000 in 2.65 s) and a worker
 * thread starts ≈ 0.3-0.45 s after the call starts it; the same 10^10 per thread as integrated
 * gradients' weights × points (≈ 1.3 s of work per thread).
 */
export const AUTO_MIN_WORK_PER_THREAD = 1e10;

/** Seconds a weight × row takes on one thread (as measured above), for the main thread's share. */
const SECONDS_PER_WORK = 0.13e-9;

/** Most threads 'auto' picks. */
const AUTO_MAX_THREADS = 4;

/** What computing a block of rows' gradients needs (structured-cloned to a worker thread). */
export interface GradientJob {
  /** The shape of one example (without the batch dimension). */
  shape: number[];
  /** Rows per gradient pass. */
  batchSize: number;
  /** Rows of the block. */
  count: number;
  /** float32 [count, width]: the block's rows. */
  x: Float32Array;
  /** The explained output of each row, or null for each row's predicted class. */
  classes: Int32Array | null;
  /** Multiply each gradient by its input value (gradient × input). */
  timesInput: boolean;
}

/** What a gradient worker thread is started with (structured-cloned; `out` is shared). */
export interface GradientThreadInit extends ServedThreadInit {
  /** The export of neurasm's entry the thread runs. */
  serve: 'serveGradientRows';
  job: GradientJob;
  /** The rows of the whole call before this block. */
  start: number;
  /** float32 [rows, width]: each thread writes its rows; absent where the threads share no memory (the thread posts its rows back, transferred). */
  out?: SharedArrayBuffer;
}

/** @internal For tests: a fault injected in the last worker thread of the next calls. */
export const gradientFaults: { fault?: ThreadFault } = {};

/** @internal For tests: worker threads started by saliency and gradientTimesInput so far. */
export const gradientThreadsStarted = { count: 0 };

/** Writes the block's gradients (× input with timesInput) into `out` (float32 [count, width]). */
export function gradientRows(model: Sequential, job: GradientJob, out: Float32Array): void {
  const x = rowsTensor(job.count, job.shape, job.x);
  try {
    const classes = job.classes ?? argMaxRows(predictValues(model, x, job.batchSize), job.count, model.outputWidth);
    const g = model.inputGradients(x, { classes, batchSize: Math.min(job.batchSize, job.count) });
    const values = g.dataSync() as Float32Array;
    g.dispose();
    if (!job.timesInput) out.set(values);
    else for (let i = 0; i < values.length; i++) out[i] = values[i] * job.x[i];
  } finally {
    x.dispose();
  }
}

/** The job of rows [start, start + count) of `job`. */
function blockJob(job: GradientJob, start: number, count: number): GradientJob {
  const width = job.shape.reduce((a, b) => a * b, 1);
  return {
    ...job,
    count,
    x: job.x.slice(start * width, (start + count) * width),
    classes: job.classes?.slice(start, start + count) ?? null,
  };
}

/**
 * The threads for `workers` (checked by the caller): n as given (at most the rows), or for 'auto'
 * one thread per AUTO_MIN_WORK_PER_THREAD of weights × rows, up to the cores, where threads can
 * start (sharing memory or not).
 */
export function threadCount(op: string, model: Sequential, workers: number | 'auto', rows: number): Promise<number> {
  return threadsOrTransfer(op, workers, rows, () =>
    Math.min(AUTO_MAX_THREADS, Math.floor((computeWeights(model) * rows) / AUTO_MIN_WORK_PER_THREAD)),
  );
}

/** The gradients of every row of the job (float32 [rows, width]) on `threads` threads. */
export async function gradientsOnThreads(
  op: string,
  model: Sequential,
  job: GradientJob,
  threads: number,
): Promise<Float32Array> {
  const width = job.shape.reduce((a, b) => a * b, 1);
  const transfer = (await inferenceThreadsMode()) === 'transfer';
  const out = transfer ? new ArrayBuffer(4 * job.count * width) : new SharedArrayBuffer(4 * job.count * width);
  await blocksOnThreads(op, model, job.count, threads, {
    init: (start, count): Omit<GradientThreadInit, keyof ServedThreadInit> => ({
      serve: 'serveGradientRows',
      job: blockJob(job, start, count),
      start,
      out: transfer ? undefined : (out as SharedArrayBuffer),
    }),
    faults: gradientFaults,
    done: 'gradientDone',
    transfer,
    receive(start, count, results) {
      if (results.length !== 1 || results[0].byteLength !== 4 * count * width)
        return `it sent results of another size than its ${count} rows'`;
      new Float32Array(out, 4 * start * width, count * width).set(new Float32Array(results[0]));
      return null;
    },
    runMain: (start, count) =>
      gradientRows(model, blockJob(job, start, count), new Float32Array(out, 4 * start * width, count * width)),
    started: gradientThreadsStarted,
    mainShare: mainShare(computeWeights(model) * job.count * SECONDS_PER_WORK, threads),
  });
  return transfer ? new Float32Array(out) : Float32Array.from(new Float32Array(out));
}
