import { ValueError } from '../errors.js';
import { Sequential } from '../models/sequential.js';
import type { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
import type { CustomCallbackArgs, Logs } from '../training/callbacks.js';
import {
  type DoneMessage,
  type ErrorMessage,
  type FitRequest,
  fromTransferable,
  type Hook,
  isMessage,
  type LogMessage,
  type TensorData,
  toTransferable,
} from './protocol.js';

/** What `serveFit` needs of the worker's global scope (`self` in a Web Worker). */
export interface WorkerScope {
  // transfer: Transferable[] in a browser, named without that DOM type so Node projects type-check
  postMessage(message: unknown, transfer?: object[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

/**
 * Builds a compiled model for one `fitInWorker` request, from the request's `init`. It runs in the
 * worker, so it is also where `await nn.ready(...)` and `nn.setSeed(...)` go.
 */
export type ModelBuilder = (init: unknown) => Sequential | Promise<Sequential>;

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
    const owned: Tensor[] = [];
    let model: Sequential | null = null;
    try {
      const built = await build(m.init);
      if (!(built instanceof Sequential)) {
        throw new ValueError(`serveFit: the builder must return a compiled Sequential model, got ${describe(built)}`);
      }
      model = built;
      running.set(m.id, model);
      const x = fromTransferable(m.x, owned);
      const y = fromTransferable(m.y, owned);
      const validationData = m.validationData?.map((d) => fromTransferable(d, owned)) as [Tensor, Tensor] | undefined;
      const post = (hook: Hook, index?: number, logs?: Logs) =>
        scope.postMessage({ neurasm: 'log', id: m.id, hook, index, logs } satisfies LogMessage);
      const relay: CustomCallbackArgs = {};
      for (const hook of m.hooks) {
        if (hook === 'onTrainBegin' || hook === 'onTrainEnd')
          relay[hook] = (logs?: Logs) => post(hook, undefined, logs);
        else relay[hook] = (index: number, logs?: Logs) => post(hook, index, logs);
      }
      const target = model;
      // a stop that came before fit began (fit clears stopTraining when it starts)
      const stopEarly: CustomCallbackArgs = {
        onTrainBegin: () => {
          if (stopped.has(m.id)) target.stopTraining = true;
        },
      };
      const history = await model.fit(x as Tensor, y as Tensor, {
        ...m.args,
        ...(validationData ? { validationData } : {}),
        callbacks: [stopEarly, relay],
      });
      const weights = model.getWeights().map((w) => {
        owned.push(w);
        return toTransferable(w) as TensorData;
      });
      const done: DoneMessage = {
        neurasm: 'done',
        id: m.id,
        history: { epoch: history.epoch, history: history.history, params: history.params },
        weights,
      };
      scope.postMessage(
        done,
        weights.map((w) => w.data.buffer as ArrayBuffer),
      );
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      scope.postMessage({
        neurasm: 'error',
        id: m.id,
        name: error.name,
        message: error.message,
        stack: error.stack,
      } satisfies ErrorMessage);
    } finally {
      running.delete(m.id);
      stopped.delete(m.id);
      for (const t of owned) t.dispose();
      model?.dispose();
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
