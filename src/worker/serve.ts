import { ValueError } from '../errors.js';
import { loadedOnFirstUse } from '../lazy-import.js';
import type { Sequential } from '../models/sequential.js';
import { describe } from '../ops/validate.js';
import { errorMessage, type FitRequest, isMessage, type ModelBuilder, type WorkerScope } from './protocol.js';
import type { runWorkerFit as runWorkerFitBody } from './serve-fit-run.js';

/** What serveFit takes from the chunk loaded on first use (src/lazy.ts). */
export interface ServeFitBodies {
  runWorkerFit: typeof runWorkerFitBody;
}

/** The body of each fit `serveFit` runs, loaded on first use (serve-fit-run.ts). */
const runWorkerFit = loadedOnFirstUse<ServeFitBodies>('runWorkerFit', 'serveFit');

/**
 * Answers `fitInWorker` requests in a worker script: for each, builds a model with `build`, fits it
 * on the posted data, streams the callback logs the main thread asked for, and posts back the
 * history and the weights; errors go back as messages with their class name. The model is disposed
 * after each fit. Returns a function that stops serving.
 *
 * @example
 * // train-worker.js, started with new Worker(url, { type: 'module' })
 * import * as nn from './neurasm.browser.js';
 * nn.serveFit(async ({ seed }) => {
 *   await nn.ready();
 *   nn.setSeed(seed);
 *   const model = nn.sequential({ layers: [nn.layers.dense({ units: 10, inputShape: [64], activation: 'softmax' })] });
 *   model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
 *   return model;
 * });
 */
export function serveFit(build: ModelBuilder, scope: WorkerScope = globalThis as unknown as WorkerScope): () => void {
  if (typeof build !== 'function')
    throw new ValueError(`serveFit: expected a model builder function, got ${describe(build)}`);
  const stopped = new Set<number>();
  const running = new Map<number, Sequential>();

  const run = async (m: FitRequest): Promise<void> => {
    try {
      await runWorkerFit(m, build, scope, { stopped, running });
    } catch (e) {
      // the code of the fit could not be loaded
      scope.postMessage(errorMessage(m.id, e));
    } finally {
      running.delete(m.id);
      stopped.delete(m.id);
    }
  };

  const onMessage = (event: MessageEvent) => {
    const m = event.data;
    if (!isMessage(m)) return;
    if (m.neurasm === 'stop') {
      stopped.add(m.id);
      const model = running.get(m.id);
      if (model) model.stopTraining = true;
    } else if (m.neurasm === 'fit') {
      void run(m);
    }
  };
  scope.addEventListener('message', onMessage);
  return () => scope.removeEventListener('message', onMessage);
}
