// The worker threads of a data-parallel fit: started (Node worker_threads) with the module URL of
// neurasm's entry, which index.ts registers, so that each thread imports the same build and runs
// serveReplica (replica-serve.ts) in it.
import { BackendError } from '../errors.js';
import type { ReplicaInit } from './replica-layout.js';

let entryUrl: string | null = null;

/** @internal index.ts gives the URL of the module it is (src/index.ts, dist/index.js or dist/index.cjs). */
export function registerReplicaEntry(url: string | undefined): void {
  if (url) entryUrl = url;
}

/** A running worker thread of a data-parallel fit. */
export interface ReplicaThread {
  /** Ends the thread; resolves when it has exited. */
  terminate(): Promise<void>;
}

/** What the threads tell the main thread: a message, or that they failed (an uncaught error, an exit). */
export interface ReplicaListeners {
  onMessage(message: unknown): void;
  onFailure(error: Error): void;
}

const live = new Set<ReplicaThread>();

/** @internal The worker threads of data-parallel fits that are running now (tests check none is left). */
export function liveReplicaThreads(): number {
  return live.size;
}

// the code each thread runs: imports neurasm's entry (through tsx where it is TypeScript: tests, benches)
const THREAD_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { init } = workerData;
  const entry = workerData.entry.startsWith('file:') ? workerData.entry : require('node:url').pathToFileURL(workerData.entry).href;
  if (/\\.[cm]?ts$/.test(entry)) (await import('tsx/esm/api')).register();
  let nn = await import(entry);
  // the CJS build's import.meta.url shim names a chunk beside the entry
  if (typeof nn.serveReplica !== 'function') nn = await import(new URL(entry.endsWith('.cjs') ? './index.cjs' : './index.js', entry).href);
  await nn.serveReplica(parentPort, init);
})().catch((e) => {
  parentPort.postMessage({ neurasm: 'replicaError', name: (e && e.name) || 'Error', message: String((e && e.message) || e), stack: e && e.stack });
});
`;

// named in a variable, so that bundlers for the browser leave the import alone
const WORKER_THREADS = 'node:worker_threads';
const OS = 'node:os';

type NodeWorker = import('node:worker_threads').Worker;

async function nodeModule<T>(name: string): Promise<T | null> {
  if (typeof process === 'undefined' || !process.versions?.node) return null;
  try {
    return (await import(/* @vite-ignore */ /* webpackIgnore: true */ name)) as T;
  } catch {
    return null;
  }
}

/** The number of cores this thread's runtime reports (1 where it cannot tell). */
export async function coreCount(): Promise<number> {
  const os = await nodeModule<typeof import('node:os')>(OS);
  if (os) return os.availableParallelism?.() ?? os.cpus().length;
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return nav?.hardwareConcurrency ?? 1;
}

/** Whether this runtime can start the threads (Node worker_threads, and neurasm's entry registered). */
export async function threadsAvailable(): Promise<boolean> {
  return entryUrl !== null && (await nodeModule(WORKER_THREADS)) !== null;
}

/** Starts a worker thread running serveReplica with `init`. */
export async function startReplicaThread(init: ReplicaInit, listeners: ReplicaListeners): Promise<ReplicaThread> {
  const threads = await nodeModule<typeof import('node:worker_threads')>(WORKER_THREADS);
  if (!threads) {
    throw new BackendError(
      'fit: workers other than 1 needs Node worker_threads (in the browser, train with workers: 1 or in a Web Worker with fitInWorker)',
    );
  }
  if (!entryUrl) {
    throw new BackendError(
      'fit: workers other than 1 needs neurasm imported from its index (its URL is not registered)',
    );
  }
  let worker: NodeWorker;
  try {
    worker = new threads.Worker(THREAD_CODE, { eval: true, workerData: { entry: entryUrl, init } });
  } catch (e) {
    throw new BackendError(`fit: cannot start a worker thread: ${(e as Error).message}`);
  }
  let ending = false;
  let exited: Promise<void> | null = null;
  const thread: ReplicaThread = {
    terminate() {
      ending = true;
      exited ??= worker.terminate().then(
        () => {
          live.delete(thread);
        },
        () => {
          live.delete(thread);
        },
      );
      return exited;
    },
  };
  live.add(thread);
  worker.on('message', (m) => listeners.onMessage(m));
  worker.on('error', (e) => listeners.onFailure(e instanceof Error ? e : new Error(String(e))));
  worker.on('messageerror', () => listeners.onFailure(new Error('a message from a worker thread could not be read')));
  worker.on('exit', (code) => {
    live.delete(thread);
    if (!ending) listeners.onFailure(new Error(`a worker thread exited (code ${code}) during the fit`));
  });
  return thread;
}
