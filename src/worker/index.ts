/**
 * Training in a Web Worker: `fitInWorker` on the main thread, `serveFit` in the worker script.
 * @module
 */

export { fitInWorker } from './fit-in-worker-entry.js';
export type { WorkerFitArgs, WorkerFitResult, WorkerLike } from './host.js';
export type { ModelBuilder, WorkerScope } from './protocol.js';
export { type TensorData, WorkerError } from './protocol.js';
export { serveFit } from './serve.js';
