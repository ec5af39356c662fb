// What the explanations that split their rows over worker threads share (integratedGradients,
// saliency, gradientTimesInput): fixed contiguous blocks of rows, the first on the main thread and
// one per worker thread (started as fit's are, replica-threads.ts), each writing its rows' results
// into shared memory or, where threads cannot share memory (a page that is not cross-origin
// isolated), posting them back transferred; done or error messages; every thread ended when the
// call resolves or rejects.
import { backend } from '../backend/loader.js';
import { BackendError } from '../errors.js';
import type { Sequential } from '../models/sequential.js';
import { splitRows } from '../worker/replica-layout.js';
import { type ReplicaThread, startReplicaThread } from '../worker/replica-threads.js';
import { artifactsForThreads, settled, workersDone } from '../worker/thread-jobs.js';
import { workerThreads } from '../worker/thread-names.js';
import type { ServedThreadInit, ThreadFault } from '../worker/thread-serve.js';

/** Seconds a worker thread takes to start computing (Node, measured: 0.3-0.45 s). */
const START_SECONDS = 0.35;

/**
 * The main thread's block in multiples of an equal share, larger while the workers start, so that
 * the threads end together when the call takes `seconds` on one thread (estimated): the main
 * thread's m of n rows take m·T/n and a worker's (n − m)/(threads − 1) rows s + that, so
 * m·threads/n = 1 + s·(threads − 1)/T (at most 1.5). The values do not depend on it.
 */
export function mainShare(seconds: number, threads: number): number {
  return Math.min(1.5, 1 + (START_SECONDS * (threads - 1)) / seconds);
}

/** How a call runs its blocks. */
export interface BlockRun {
  /**
   * What a worker thread is started with for rows [start, start + count), besides what every such
   * thread gets (ServedThreadInit: the model's saved form, the module kind, the fault).
   */
  init(start: number, count: number): { serve: string };
  /** The fault injected in the last worker thread (tests). */
  faults: { fault?: ThreadFault };
  /** The `neurasm` field of the message a worker thread posts when its rows are written (or sent). */
  done: string;
  /** The threads share no memory: each posts its rows' results back (`results` of its done message, transferred). */
  transfer: boolean;
  /** With `transfer`: puts the results a worker thread posted for rows [start, start + count) in place, or says why they do not fit. */
  receive(start: number, count: number, results: ArrayBuffer[]): string | null;
  /** Computes rows [start, start + count) on the main thread (the first block). */
  runMain(start: number, count: number): void;
  /** Counts the worker threads started (for tests). */
  started: { count: number };
  /** The main thread's block in multiples of an equal share (default 1): more, to work while the workers start. */
  mainShare?: number;
}

/**
 * Runs `count` rows of `model`'s in `threads` contiguous blocks: the main thread computes the first
 * while the worker threads start (each rebuilding the model from its saved form) and compute
 * theirs. Rejects with a BackendError naming `op` and the thread whose worker throws or exits
 * (every thread is ended first).
 */
export async function blocksOnThreads(
  op: string,
  model: Sequential,
  count: number,
  threads: number,
  run: BlockRun,
): Promise<void> {
  const served: ServedThreadInit = {
    artifacts: await artifactsForThreads(op, model),
    relaxedSimd: backend().kind === 'relaxed-simd',
  };
  let { starts, counts } = splitRows(count, threads, run.mainShare);
  // every worker thread gets a row
  if (counts.some((c) => c === 0)) ({ starts, counts } = splitRows(count, threads));
  const started: ReplicaThread[] = [];
  const ends: Promise<void>[] = [];
  /** The worker threads whose block is not done. */
  const waiting = new Set<number>();
  try {
    for (let t = 1; t < threads; t++) {
      const end = settled();
      ends.push(end.promise);
      waiting.add(t);
      const done = () => {
        waiting.delete(t);
        end.resolve();
      };
      const fail = (why: string) => end.reject(new BackendError(`${op}: worker thread ${t} failed: ${why}`));
      const init: { serve: string } & ServedThreadInit = {
        ...run.init(starts[t], counts[t]),
        ...served,
        fault: t === threads - 1 ? run.faults.fault : undefined,
      };
      run.started.count++;
      started.push(
        await startReplicaThread(
          init,
          {
            onMessage(m) {
              const message = m as { neurasm?: string; results?: unknown; name?: string; message?: string };
              if (message?.neurasm === run.done) {
                if (!run.transfer) return done();
                const results = message.results;
                if (!Array.isArray(results) || !results.every((r) => r instanceof ArrayBuffer))
                  return fail('it sent no results');
                const why = run.receive(starts[t], counts[t], results);
                if (why === null) done();
                else fail(why);
              } else if (message?.neurasm === 'replicaError') fail(`${message.name}: ${message.message}`);
            },
            onFailure: (e) => fail(e.message),
          },
          { shareless: run.transfer },
        ),
      );
    }
    const began = performance.now();
    run.runMain(starts[0], counts[0]);
    await workersDone(Promise.all(ends), op, performance.now() - began, () => workerThreads(waiting));
  } finally {
    await Promise.all(started.map((thread) => thread.terminate()));
  }
}
