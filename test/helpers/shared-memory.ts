// Node always has SharedArrayBuffer; a browser page that is not cross-origin isolated does not. These
// run a call as in such a page: the transferring path forced by its internal switch, and
// SharedArrayBuffer taken away from this thread (a use of it on the main thread then fails the test).
import { replicaTransfer } from '../../src/worker/replica-start.js';
import { inferenceTransfer } from '../../src/worker/thread-jobs.js';

const SHARED = globalThis.SharedArrayBuffer;

/** Forces both transferring paths (fit's and the inference calls') and hides SharedArrayBuffer, until restoreSharedMemory(). */
export function hideSharedMemory(): void {
  replicaTransfer.force = true;
  inferenceTransfer.force = true;
  (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer = undefined;
}

/** Undoes hideSharedMemory() (safe to call when nothing is hidden: use it in afterEach). */
export function restoreSharedMemory(): void {
  replicaTransfer.force = false;
  inferenceTransfer.force = false;
  globalThis.SharedArrayBuffer = SHARED;
}

/** `call()` on the transferring paths, with SharedArrayBuffer hidden while it runs. */
export async function transferring<T>(call: () => Promise<T>): Promise<T> {
  hideSharedMemory();
  try {
    return await call();
  } finally {
    restoreSharedMemory();
  }
}
