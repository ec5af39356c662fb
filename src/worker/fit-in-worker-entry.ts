// fitInWorker's body (host.ts) is loaded on first use: the browser bundle fetches it in the chunk
// of code that pages need later or never (src/lazy-import.ts), not with the start file.
import { loadedOnFirstUse } from '../lazy-import.js';
import type { fitInWorker as fitInWorkerBody } from './host.js';

/** What fitInWorker takes from the chunk loaded on first use (src/lazy.ts). */
export interface FitInWorkerBodies {
  fitInWorker: typeof fitInWorkerBody;
}

/**
 * Trains a model in a Web Worker, off the main thread. The worker script calls `serveFit(build)`
 * with a function that builds and compiles the model; this posts the data and fit arguments to it,
 * streams the worker's callback logs to `callbacks` here, and resolves when the fit ends, with the
 * history and the trained weights (set into `args.model` when given). Tensors are copied to the
 * worker; typed arrays are structured-cloned. If the worker dies (an uncaught error, a script that
 * fails to load), the promise rejects with a WorkerError carrying the worker's message; an error
 * thrown by `fit` in the worker rejects with the same error class and message.
 *
 * @example
 * // main thread
 * const worker = new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module' });
 * const { history } = await nn.fitInWorker(worker, xTrain, yTrain, {
 *   model, epochs: 20, seed: 1, callbacks: { onEpochEnd: (epoch, logs) => console.log(epoch, logs) },
 * });
 * // train-worker.js
 * nn.serveFit(async () => { await nn.ready(); return makeCompiledModel(); });
 */
export const fitInWorker: typeof fitInWorkerBody = loadedOnFirstUse<FitInWorkerBodies>('fitInWorker');
