// The worker threads of a data-parallel fit: started (Node worker_threads, or Web Workers: sharing
// memory in a cross-origin isolated page, sharing none in a page that is not) with the module URL
// of neurasm's entry, which index.ts (and the browser bundle's entry) registers, so that each
// thread imports the same build and runs serveReplica (replica-serve.ts) in it.
import { BackendError } from '../errors.js';
import { replicaEntry } from './replica-entry-url.js';
import type { ReplicaInit } from './replica-layout.js';

/** What a thread is started with: a fit replica's, or another body's whose `serve` names the entry's export the thread runs. */
type ThreadInit = ReplicaInit | { serve: string };

/** A running worker thread (Node) or Web Worker (browser) of a data-parallel fit. */
export interface ReplicaThread {
  /** Ends the thread; resolves when it has exited. */
  terminate(): Promise<void>;
  /** Posts the thread a message, transferring the buffers in `transfer` (they become unusable here). */
  post(message: unknown, transfer?: ArrayBuffer[]): void;
}

/** How a thread is started, besides its init. */
export interface ThreadOptions {
  /** Buffers in the init to transfer rather than copy. */
  transfer?: ArrayBuffer[];
  /** The thread shares no memory (its steps come as messages): it starts in a page that is not cross-origin isolated too. */
  shareless?: boolean;
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
  await nn[init.serve || 'serveReplica'](parentPort, init);
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

// the code of each Web Worker (a module worker made from a Blob): its first message says what to import and serve
const WEB_WORKER_CODE = `
self.onmessage = async (event) => {
  self.onmessage = null;
  const { entry, init } = event.data;
  try {
    const nn = await import(entry);
    await nn[init.serve || 'serveReplica'](self, init);
  } catch (e) {
    self.postMessage({ neurasm: 'replicaError', name: (e && e.name) || 'Error', message: String((e && e.message) || e), stack: e && e.stack });
  }
};
`;

/** What a page offers for the threads: Web Workers, and SharedArrayBuffer (only in a cross-origin isolated page). */
function webWorkers(): { isolated: boolean } | null {
  const g = globalThis as { Worker?: unknown; crossOriginIsolated?: boolean; document?: unknown };
  if (typeof g.Worker !== 'function' || g.document === undefined) return null;
  return { isolated: g.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function' };
}

/** Why a page cannot start threads that share memory. */
const NOT_ISOLATED =
  'this page is not cross-origin isolated, so it cannot share memory with Web Workers (serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';

let toldOnce = false;

/**
 * Whether this runtime can start threads that share memory: Node worker_threads, or Web Workers in
 * a cross-origin isolated page (a page that is not says so once on the console: `workers: 'auto'`
 * then computes on the main thread alone), with neurasm's entry registered.
 */
export async function threadsAvailable(): Promise<boolean> {
  if (replicaEntry() === null) return false;
  if ((await nodeModule(WORKER_THREADS)) !== null) return true;
  const web = webWorkers();
  if (web && !web.isolated && !toldOnce) {
    toldOnce = true;
    console.warn(`neurasm { workers: 'auto' } computes on the main thread alone here: ${NOT_ISOLATED}`);
  }
  return web?.isolated ?? false;
}

/**
 * How this runtime can run a data-parallel fit's threads: sharing memory (Node worker_threads, Web
 * Workers in a cross-origin isolated page), or posting each step's buffers to Web Workers, transferred
 * (a page that is not isolated); null where it cannot start threads.
 */
export async function fitThreadsMode(): Promise<'shared' | 'transfer' | null> {
  if (replicaEntry() === null) return null;
  if ((await nodeModule(WORKER_THREADS)) !== null) return 'shared';
  const web = webWorkers();
  if (!web) return null;
  return web.isolated ? 'shared' : 'transfer';
}

let transferToldOnce = false;

/** Says once per page, on the console, that a fit's threads transfer buffers because the page is not isolated, and what would fix it. */
export function warnTransferOnce(): void {
  if (transferToldOnce) return;
  transferToldOnce = true;
  console.warn(
    `neurasm fit({ workers }): ${NOT_ISOLATED}; the Web Workers get each step's weights and rows, and send back their gradients, as transferred buffers instead (slower where steps are short)`,
  );
}

/** Adds `thread` to the live ones until it ends. */
function tracked(terminate: () => Promise<void>, post: ReplicaThread['post']): ReplicaThread {
  let ended: Promise<void> | null = null;
  const thread: ReplicaThread = {
    post,
    terminate() {
      ended ??= terminate().finally(() => {
        live.delete(thread);
      });
      return ended;
    },
  };
  live.add(thread);
  return thread;
}

/**
 * Throws a BackendError saying why, where this runtime cannot start the threads (with `shareless`,
 * threads that share no memory: a page need not be cross-origin isolated).
 */
export async function checkThreads(shareless = false): Promise<void> {
  if (!replicaEntry()) {
    throw new BackendError(
      'fit: workers other than 1 needs neurasm imported from its index (its URL is not registered)',
    );
  }
  if ((await nodeModule(WORKER_THREADS)) !== null) return;
  const web = webWorkers();
  if (!web) throw new BackendError('fit: workers other than 1 needs Node worker_threads or Web Workers');
  if (!web.isolated && !shareless)
    throw new BackendError(`fit: workers other than 1 cannot start: ${NOT_ISOLATED}; or use workers: 'auto'`);
}

/** Starts a worker thread running serveReplica with `init`. */
export async function startReplicaThread(
  init: ThreadInit,
  listeners: ReplicaListeners,
  options: ThreadOptions = {},
): Promise<ReplicaThread> {
  await checkThreads(options.shareless);
  const transfer = options.transfer ?? [];
  const threads = await nodeModule<typeof import('node:worker_threads')>(WORKER_THREADS);
  if (threads) return startNodeThread(threads, replicaEntry()!, init, listeners, transfer);
  return startWebWorker(replicaEntry()!, init, listeners, transfer);
}

function startNodeThread(
  threads: typeof import('node:worker_threads'),
  entry: string,
  init: ThreadInit,
  listeners: ReplicaListeners,
  transferList: ArrayBuffer[],
): ReplicaThread {
  let worker: NodeWorker;
  try {
    worker = new threads.Worker(THREAD_CODE, { eval: true, workerData: { entry, init }, transferList });
  } catch (e) {
    throw new BackendError(`fit: cannot start a worker thread: ${(e as Error).message}`);
  }
  let ending = false;
  const thread = tracked(
    () => {
      ending = true;
      return worker.terminate().then(
        () => undefined,
        () => undefined,
      );
    },
    (message, transfer) => worker.postMessage(message, transfer),
  );
  worker.on('message', (m) => listeners.onMessage(m));
  worker.on('error', (e) => listeners.onFailure(e instanceof Error ? e : new Error(String(e))));
  worker.on('messageerror', () => listeners.onFailure(new Error('a message from a worker thread could not be read')));
  worker.on('exit', (code) => {
    live.delete(thread);
    if (!ending) listeners.onFailure(new Error(`a worker thread exited (code ${code}) during the fit`));
  });
  return thread;
}

function startWebWorker(
  entry: string,
  init: ThreadInit,
  listeners: ReplicaListeners,
  transfer: ArrayBuffer[],
): ReplicaThread {
  const url = URL.createObjectURL(new Blob([WEB_WORKER_CODE], { type: 'text/javascript' }));
  let worker: Worker;
  try {
    worker = new Worker(url, { type: 'module' });
  } catch (e) {
    throw new BackendError(`fit: cannot start a Web Worker: ${(e as Error).message}`);
  } finally {
    URL.revokeObjectURL(url);
  }
  worker.addEventListener('message', (event) => listeners.onMessage(event.data));
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    listeners.onFailure(new Error(event.message || 'the Web Worker failed (did its script load?)'));
  });
  worker.addEventListener('messageerror', () =>
    listeners.onFailure(new Error('a message from a Web Worker could not be read')),
  );
  worker.postMessage({ entry, init }, transfer);
  return tracked(
    async () => worker.terminate(),
    (message, list) => worker.postMessage(message, list ?? []),
  );
}

let inferenceTransferToldOnce = false;

/**
 * Says once per page, on the console, that the threads of predictAsync and of the explanations
 * (kernelShap, lime, permutationImportance with workers) transfer buffers because the page is not
 * isolated, and what would fix it.
 */
export function warnInferenceTransferOnce(): void {
  if (inferenceTransferToldOnce) return;
  inferenceTransferToldOnce = true;
  console.warn(
    `neurasm predictAsync and explanations ({ workers }): ${NOT_ISOLATED}; the Web Workers get their rows, and send back their results, as transferred buffers instead`,
  );
}
