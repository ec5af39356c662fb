import { ValueError } from '../errors.js';
import type { FitArgs } from '../models/fit.js';
import type { Sequential } from '../models/sequential.js';
import type { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
import { CallbackList, type CustomCallbackArgs, History } from '../training/callbacks.js';
import type { Data } from '../training/inputs.js';
import {
  errorFrom,
  type FitRequest,
  fromTransferable,
  HOOKS,
  isMessage,
  isTensorData,
  type LogMessage,
  type TensorData,
  toTransferable,
  WorkerError,
} from './protocol.js';

/** What `fitInWorker` needs of a worker: a browser `Worker` (or anything with the same methods). */
export interface WorkerLike {
  // transfer: Transferable[] in a browser, named without that DOM type so Node projects type-check
  postMessage(message: unknown, transfer?: object[]): void;
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

/** Options of `fitInWorker`: those of `fit`, and what the worker thread needs. */
export interface WorkerFitArgs extends Omit<FitArgs, 'callbacks' | 'validationData'> {
  /** A main-thread model with the worker's architecture: it receives the trained weights. */
  model?: Sequential;
  /** Passed (structured-cloned) to the worker's model builder, e.g. hyperparameters or a seed. */
  init?: unknown;
  /** Held-out data evaluated after each epoch, in the worker. */
  validationData?: [Data, Data];
  /**
   * Hooks called on this thread as the worker reports them, in order (the worker does not wait for
   * them). A hook that throws stops the worker's fit and rejects the promise with that error.
   */
  callbacks?: CustomCallbackArgs | CustomCallbackArgs[];
  /** Aborting stops the fit after the current batch; the promise resolves with the weights so far. */
  signal?: AbortSignal;
}

/** What `fitInWorker` resolves to. */
export interface WorkerFitResult {
  /** Losses and metrics per epoch, as `fit` returns them. */
  history: History;
  /** The trained weights, layer by layer (kernel then bias), as `model.getWeights()` orders them. */
  weights: TensorData[];
}

let nextId = 1;

function checkWorker(worker: unknown): asserts worker is WorkerLike {
  const w = worker as Partial<WorkerLike> | null;
  if (
    w === null ||
    typeof w !== 'object' ||
    typeof w.postMessage !== 'function' ||
    typeof w.addEventListener !== 'function' ||
    typeof w.removeEventListener !== 'function'
  ) {
    throw new ValueError(`fitInWorker: expected a Worker, got ${describe(worker)}`);
  }
}

/** The body of `fitInWorker` (fit-in-worker-entry.ts), which loads it on first use. */
export async function fitInWorker(
  worker: WorkerLike,
  x: Data,
  y: Data,
  args: WorkerFitArgs = {},
): Promise<WorkerFitResult> {
  checkWorker(worker);
  if (args === null || typeof args !== 'object') {
    throw new ValueError(`fitInWorker: expected an options object, got ${describe(args)}`);
  }
  const { model, init, callbacks, signal, validationData, ...fitArgs } = args;
  const list = new CallbackList(callbacks);
  const given = callbacks === undefined ? [] : Array.isArray(callbacks) ? callbacks : [callbacks];
  const hooks = HOOKS.filter((h) => given.some((c) => c[h]));
  if (validationData !== undefined && (!Array.isArray(validationData) || validationData.length !== 2)) {
    throw new ValueError(`fitInWorker: expected validationData to be [x, y], got ${describe(validationData)}`);
  }
  const id = nextId++;
  const copies: ArrayBuffer[] = [];
  const send = (v: unknown) => {
    const out = toTransferable(v);
    for (const t of Array.isArray(out) ? out : [out]) if (isTensorData(t)) copies.push(t.data.buffer as ArrayBuffer);
    return out;
  };
  const request: FitRequest = {
    neurasm: 'fit',
    id,
    init,
    x: send(x),
    y: send(y),
    validationData: validationData ? [send(validationData[0]), send(validationData[1])] : undefined,
    args: fitArgs as Record<string, unknown>,
    hooks,
  };

  return new Promise<WorkerFitResult>((resolve, reject) => {
    let settled = false;
    let chain = Promise.resolve();
    const finish = (error: unknown, result?: WorkerFitResult) => {
      if (settled) return;
      settled = true;
      worker.removeEventListener('message', onMessage);
      worker.removeEventListener('error', onError);
      worker.removeEventListener('messageerror', onMessageError);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve(result!);
      else reject(error);
    };
    const fail = (error: unknown) => {
      if (!settled) {
        try {
          worker.postMessage({ neurasm: 'stop', id });
        } catch {
          // a terminated worker: nothing to stop
        }
      }
      finish(error);
    };
    const dispatch = (m: LogMessage): Promise<void> => {
      const i = m.index ?? 0;
      switch (m.hook) {
        case 'onTrainBegin':
          return list.trainBegin(m.logs);
        case 'onTrainEnd':
          return list.trainEnd(m.logs);
        case 'onEpochBegin':
          return list.epochBegin(i, m.logs);
        case 'onEpochEnd':
          return list.epochEnd(i, m.logs);
        case 'onBatchBegin':
          return list.batchBegin(i, m.logs);
        case 'onBatchEnd':
          return list.batchEnd(i, m.logs);
      }
    };
    const onMessage = (event: Event) => {
      const m = (event as MessageEvent).data;
      if (!isMessage(m) || m.id !== id) return;
      if (m.neurasm === 'log') {
        chain = chain.then(() => (settled ? undefined : dispatch(m))).catch(fail);
      } else if (m.neurasm === 'error') {
        finish(errorFrom(m));
      } else if (m.neurasm === 'done') {
        chain = chain.then(() => {
          if (settled) return;
          const history = new History(m.history.params);
          m.history.epoch.forEach((epoch, k) => {
            const logs: Record<string, number> = {};
            for (const [key, values] of Object.entries(m.history.history)) logs[key] = values[k];
            history.record(epoch, logs);
          });
          if (model) setWeights(model, m.weights);
          finish(undefined, { history, weights: m.weights });
        });
        chain.catch(fail);
      }
    };
    const onError = (event: Event) => {
      event.preventDefault();
      const { message, error } = event as Partial<ErrorEvent>;
      const detail =
        message ||
        (error instanceof Error ? error.message : '') ||
        'no message (did the worker script load? a module worker needs { type: "module" })';
      // if the worker lives on, its fit stops after the current batch
      fail(new WorkerError(`fitInWorker: the worker failed: ${detail}`));
    };
    const onMessageError = () => {
      finish(new WorkerError('fitInWorker: a message from the worker could not be deserialized'));
    };
    const onAbort = () => {
      if (!settled) worker.postMessage({ neurasm: 'stop', id });
    };
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', onError);
    worker.addEventListener('messageerror', onMessageError);
    try {
      worker.postMessage(request, copies);
    } catch (e) {
      finish(new ValueError(`fitInWorker: the data cannot be posted to a worker: ${(e as Error).message}`));
      return;
    }
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort);
  });
}

/** Sets a model's weights from TensorData (shapes are checked by setWeights). */
function setWeights(model: Sequential, weights: TensorData[]): void {
  const tensors: Tensor[] = [];
  try {
    for (const w of weights) fromTransferable(w, tensors);
    model.setWeights(tensors);
  } finally {
    for (const t of tensors) t.dispose();
  }
}
