// What the calls that split their work over worker threads share (predictAsync, kernelShap): how
// many threads a `workers` option gives, the model's saved form for the threads, and the promise of
// a thread's end.
import { BackendError, ValueError } from '../errors.js';
import type { ModelArtifacts } from '../io/types.js';
import { Embedding } from '../layers/embedding.js';
import { lazyPart } from '../lazy-import.js';
import type { Sequential } from '../models/sequential.js';
import { replicaEntry } from './replica-entry-url.js';
import { type ArtifactBodies, STALL_GRACE_MS, stallLimitMs } from './replica-layout.js';
import { coreCount, fitThreadsMode, threadsAvailable, warnInferenceTransferOnce } from './replica-threads.js';

/**
 * The threads (the main one included) for `workers` (checked by the caller: an integer from 1 or
 * 'auto') over `units` pieces of work: n as given, at most one per unit; for 'auto',
 * `autoWanted()` (already capped by the caller) up to the cores, where the runtime can start
 * threads, else 1. An n > 1 where no thread can start is a BackendError naming `op`.
 */
export async function threadsFor(
  op: string,
  workers: number | 'auto',
  units: number,
  autoWanted: () => number,
): Promise<number> {
  if (workers === 1) return 1;
  if (workers === 'auto') {
    const wanted = Math.min(units, autoWanted());
    if (wanted < 2 || !(await threadsAvailable())) return 1;
    return Math.max(1, Math.min(wanted, await coreCount()));
  }
  if (replicaEntry() === null) {
    throw new BackendError(
      `${op}: workers other than 1 needs neurasm imported from its index (its URL is not registered)`,
    );
  }
  if (units > 1 && !(await threadsAvailable())) {
    throw new BackendError(
      `${op}: workers other than 1 needs Node worker_threads, or Web Workers in a cross-origin isolated page; or use workers: 'auto'`,
    );
  }
  return Math.max(1, Math.min(workers, units));
}

/** The model's saved form, which the worker threads rebuild it from (a ValueError naming `op` where saving fails). */
export async function artifactsForThreads(op: string, model: Sequential): Promise<ModelArtifacts> {
  const { modelArtifacts } = await lazyPart<ArtifactBodies>(op);
  try {
    return modelArtifacts(model);
  } catch (e) {
    throw new ValueError(
      `${op}: workers other than 1 sends the model to worker threads as its saved form, which failed: ${(e as Error).message}`,
    );
  }
}

/**
 * Waits for the worker threads' part of a call of `op` once the main thread has done its own in
 * `mainMs`: `work` (rejected by a worker that throws or whose thread exits), or a BackendError when
 * it has not settled within stallLimitMs(mainMs) — a worker the browser ended without a word (no
 * error event) would otherwise keep the call waiting. `waiting()` names the threads not done.
 */
export async function workersDone(
  work: Promise<unknown>,
  op: string,
  mainMs: number,
  waiting: () => string,
): Promise<void> {
  const limit = stallLimitMs(mainMs);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const silent = new Promise<never>((_, reject) => {
    const fail = () =>
      reject(
        new BackendError(
          `${op}: no word from ${waiting()} for ${+(limit / 1000).toPrecision(3)} s after this thread's share (${(mainMs / 1000).toFixed(2)} s); its thread may have ended without an error`,
        ),
      );
    // once more after a short grace (replica-layout.ts): the machine may have slept
    timer = setTimeout(() => {
      timer = setTimeout(fail, STALL_GRACE_MS);
    }, limit);
  });
  try {
    await Promise.race([work, silent]);
  } finally {
    clearTimeout(timer);
  }
}

/** A promise with its resolve and reject at hand; a rejection before anyone awaits it is not unhandled. */
export function settled(): { promise: Promise<void>; resolve(): void; reject(e: Error): void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * The weights a row of `model` computes with, for 'auto' rules: every layer's, except that an
 * embedding counts the values a row reads from its table (its output per row), not the whole table.
 */
export function computeWeights(model: Sequential): number {
  return model.layers.reduce((n, layer) => {
    if (!(layer instanceof Embedding)) return n + layer.countParams();
    const perRow = layer.outputShape?.slice(1) ?? [];
    const known = perRow.every((d) => d !== null);
    return n + (known ? perRow.reduce<number>((a, d) => a * (d as number), 1) : layer.countParams());
  }, 0);
}

/**
 * @internal For tests: `force` makes predictAsync and kernelShap (and lime and permutationImportance
 * with workers) post their worker threads transferred buffers, as in a page that is not cross-origin
 * isolated, where they would share memory.
 */
export const inferenceTransfer = { force: false };

/**
 * How the threads of predictAsync or kernelShap exchange their work: through SharedArrayBuffers
 * (Node worker_threads, Web Workers in a cross-origin isolated page), or as transferred buffers
 * posted each way (Web Workers in a page that is not isolated); null where no thread can start.
 */
export async function inferenceThreadsMode(): Promise<'shared' | 'transfer' | null> {
  if (inferenceTransfer.force && replicaEntry() !== null) return 'transfer';
  return fitThreadsMode();
}

/**
 * threadsFor, where threads that cannot share memory count too: in a page that is not cross-origin
 * isolated, n as given (at most one per unit) and 'auto' by the same rule up to the cores, said once
 * on the console (the threads then transfer buffers). The caller asks inferenceThreadsMode how.
 */
export async function threadsOrTransfer(
  op: string,
  workers: number | 'auto',
  units: number,
  autoWanted: () => number,
): Promise<number> {
  if ((await inferenceThreadsMode()) !== 'transfer') return threadsFor(op, workers, units, autoWanted);
  let threads: number;
  if (workers === 'auto') {
    const wanted = Math.min(units, autoWanted());
    threads = wanted < 2 ? 1 : Math.max(1, Math.min(wanted, await coreCount()));
  } else {
    threads = Math.max(1, Math.min(workers, units));
  }
  if (threads > 1 && !inferenceTransfer.force) warnInferenceTransferOnce();
  return threads;
}
