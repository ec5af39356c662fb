import type { Sequential } from '../models/sequential.js';
import { inferenceThreadsMode, threadsOrTransfer } from '../worker/thread-jobs.js';
import type { ServedThreadInit, ThreadFault } from '../worker/thread-serve.js';
import { blocksOnThreads } from './block-threads.js';
import { coalitionBudget } from './shap-coalitions.js';
import { explainRows, type ShapJob } from './shap-rows.js';

const OP = 'kernelShap';

/** Most threads `workers` takes (the main one included). */
export const MAX_SHAP_WORKERS = 16;

/**
 * 'auto' gives a thread this many model weights × evaluated rows (coalitions × background rows ×
 * explained rows). Measured on the 2-core machine (`npm run bench -- explain` and probes of 2 and 100
 * rows): a worker thread starts explaining ≈ 0.3-0.45 s after the call starts it (import, Wasm, the
 * model rebuilt), and a weight × row costs ≈ 0.065 ns on the factored path (30-64-64-2: 7.2-7.6 s
 * for 1.3·10^11); so 10^10 (≈ 0.65 s of work per thread) gives a second thread ≥ 1.2x (at 1.3 s
 * of work: 0.65 s on the main thread, ≈ 0.4 + 0.65 s on the worker).
 */
export const AUTO_MIN_WORK_PER_THREAD = 1e10;

/** Most threads 'auto' picks. */
const AUTO_MAX_THREADS = 4;

/** What a KernelSHAP worker thread is started with (structured-cloned, a copy per thread; `phi` is shared). */
export interface ShapThreadInit extends ServedThreadInit {
  /** The export of neurasm's entry the thread runs. */
  serve: 'serveShapRows';
  job: ShapJob;
  /** The rows this thread explains: [start, start + count). */
  start: number;
  count: number;
  /**
   * float32 [rows, features, explained outputs]: each thread writes its rows. Absent where the
   * threads share no memory: the thread posts its rows' values back (ShapDoneMessage).
   */
  phi?: SharedArrayBuffer;
}

/** What a worker thread posts when its rows are done: with no shared memory, its rows' values (float32), transferred. */
export interface ShapDoneMessage {
  neurasm: 'shapDone';
  results?: [ArrayBuffer];
}

/** @internal For tests: a fault injected in the last worker thread of the next calls. */
export const shapFaults: { fault?: ThreadFault } = {};

/** @internal For tests: worker threads started by kernelShap so far. */
export const shapThreadsStarted = { count: 0 };

/**
 * The threads for `workers` (checked by the caller: 1 to MAX_SHAP_WORKERS or 'auto'): n as given (at
 * most the rows), or for 'auto' one thread per AUTO_MIN_WORK_PER_THREAD of work (weights ×
 * coalitions × background rows × explained rows), up to the cores, where the runtime can start threads.
 */
export function threadCount(
  model: Sequential,
  workers: number | 'auto',
  rows: number,
  features: number,
  nsamples: number | 'auto',
  backgroundRows: number,
): Promise<number> {
  return threadsOrTransfer(OP, workers, rows, () => {
    const work = model.countParams() * coalitionBudget(features, nsamples) * backgroundRows * rows;
    return Math.min(AUTO_MAX_THREADS, Math.floor(work / AUTO_MIN_WORK_PER_THREAD));
  });
}

/**
 * The SHAP values of every row of the job (float32 [rows, features, explained]) on `threads`
 * threads: the main thread explains the first block while the workers start and explain theirs
 * (block-threads.ts). Rejects with a worker's error (every thread is ended first).
 */
export async function explainOnThreads(model: Sequential, job: ShapJob, threads: number): Promise<Float32Array> {
  const perRow = job.features * job.explained.length;
  const size = job.count * perRow;
  const transfer = (await inferenceThreadsMode()) === 'transfer';
  const phiBuffer = transfer ? new ArrayBuffer(4 * size) : new SharedArrayBuffer(4 * size);
  const phi = new Float32Array(phiBuffer);
  await blocksOnThreads(OP, model, job.count, threads, {
    init: (start, count): Omit<ShapThreadInit, keyof ServedThreadInit> => ({
      serve: 'serveShapRows',
      job,
      start,
      count,
      phi: transfer ? undefined : (phiBuffer as SharedArrayBuffer),
    }),
    faults: shapFaults,
    done: 'shapDone',
    transfer,
    receive(start, count, [values]) {
      const block = new Float32Array(values);
      if (block.length !== count * perRow) return `it sent ${block.length} values, not ${count * perRow}`;
      phi.set(block, start * perRow);
      return null;
    },
    runMain: (start, count) => explainRows(model, job, start, start + count, phi),
    started: shapThreadsStarted,
  });
  return transfer ? phi : Float32Array.from(phi);
}
