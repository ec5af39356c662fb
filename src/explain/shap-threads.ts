// kernelShap({ workers }): the explained rows split in fixed contiguous blocks over the main thread
// and worker threads (started as fit's are, replica-threads.ts), each running explainRows
// (shap-rows.ts) on its own replica of the model (rebuilt from its saved form) and writing its rows'
// values into one SharedArrayBuffer; where the threads cannot share memory (a page that is not
// cross-origin isolated), each worker posts its block's values back in a buffer of its own,
// transferred. The threads end when the call resolves or rejects.
import { backend } from '../backend/loader.js';
import { BackendError } from '../errors.js';
import type { Sequential } from '../models/sequential.js';
import { splitRows } from '../worker/replica-layout.js';
import { type ReplicaThread, startReplicaThread } from '../worker/replica-threads.js';
import { artifactsForThreads, inferenceThreadsMode, settled, threadsOrTransfer } from '../worker/thread-jobs.js';
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
export interface ShapThreadInit {
  /** The export of neurasm's entry the thread runs. */
  serve: 'serveShapRows';
  job: ShapJob;
  /** The rows this thread explains: [start, start + count). */
  start: number;
  count: number;
  /**
   * float32 [rows, features, explained outputs]: each thread writes its rows. Absent where the
   * threads share no memory: the thread posts its rows' values back (ShapBlockMessage).
   */
  phi?: SharedArrayBuffer;
  artifacts: unknown;
  relaxedSimd: boolean;
  /** @internal For tests: the thread throws before its rows, or exits as if it were killed. */
  fault?: 'throw' | 'exit';
}

/** What a worker thread that shares no memory posts back: its rows' values (float32), transferred. */
export interface ShapBlockMessage {
  neurasm: 'shapBlock';
  phi: ArrayBuffer;
}

/** @internal For tests: a fault injected in the last worker thread of the next calls. */
export const shapFaults: { fault?: 'throw' | 'exit' } = {};

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
 * threads: the main thread explains the first block while the workers start and explain theirs.
 * Rejects with a worker's error (every thread is ended first).
 */
export async function explainOnThreads(model: Sequential, job: ShapJob, threads: number): Promise<Float32Array> {
  const artifacts = await artifactsForThreads(OP, model);
  const perRow = job.features * job.explained.length;
  const size = job.count * perRow;
  const transfer = (await inferenceThreadsMode()) === 'transfer';
  const phiBuffer = transfer ? new ArrayBuffer(4 * size) : new SharedArrayBuffer(4 * size);
  const phi = new Float32Array(phiBuffer);
  const { starts, counts } = splitRows(job.count, threads);
  const started: ReplicaThread[] = [];
  const ends: Promise<void>[] = [];
  try {
    for (let t = 1; t < threads; t++) {
      const end = settled();
      ends.push(end.promise);
      const init: ShapThreadInit = {
        serve: 'serveShapRows',
        job,
        start: starts[t],
        count: counts[t],
        phi: transfer ? undefined : (phiBuffer as SharedArrayBuffer),
        artifacts,
        relaxedSimd: backend().kind === 'relaxed-simd',
        fault: t === threads - 1 ? shapFaults.fault : undefined,
      };
      const fail = (why: string) => end.reject(new BackendError(`${OP}: worker thread ${t} failed: ${why}`));
      shapThreadsStarted.count++;
      started.push(
        await startReplicaThread(
          init,
          {
            onMessage(m) {
              const message = m as { neurasm?: string; phi?: unknown; name?: string; message?: string };
              if (message?.neurasm === 'shapDone') end.resolve();
              else if (message?.neurasm === 'shapBlock' && message.phi instanceof ArrayBuffer) {
                const values = new Float32Array(message.phi);
                if (values.length !== counts[t] * perRow)
                  fail(`it sent ${values.length} values, not ${counts[t] * perRow}`);
                else {
                  phi.set(values, starts[t] * perRow);
                  end.resolve();
                }
              } else if (message?.neurasm === 'replicaError') fail(`${message.name}: ${message.message}`);
            },
            onFailure: (e) => fail(e.message),
          },
          { shareless: transfer },
        ),
      );
    }
    explainRows(model, job, starts[0], starts[0] + counts[0], phi);
    await Promise.all(ends);
    return transfer ? phi : Float32Array.from(phi);
  } finally {
    await Promise.all(started.map((thread) => thread.terminate()));
  }
}
