// The body of serveFit's answer to one fit request, loaded on first use (src/lazy-import.ts): in
// the browser it comes with the chunk beside the bundle, so the start file carries only serveFit's
// message loop (serve.ts).
import { ValueError } from '../errors.js';
import { Sequential } from '../models/sequential.js';
import type { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
import type { CustomCallbackArgs, Logs } from '../training/callbacks.js';
import type { ModelBuilder, WorkerScope } from './protocol.js';
import {
  type DoneMessage,
  errorMessage,
  type FitRequest,
  fromTransferable,
  type Hook,
  type LogMessage,
  type TensorData,
  toTransferable,
} from './protocol.js';

/** What serveFit shares with each fit it runs: stops asked for by request id, and the models training. */
export interface ServingState {
  stopped: Set<number>;
  running: Map<number, Sequential>;
}

/**
 * Builds the model of request `m` with `build`, fits it on the posted data, relays the callback
 * logs and posts back the history and weights, or the error; the model is disposed at the end.
 */
export async function runWorkerFit(
  m: FitRequest,
  build: ModelBuilder,
  scope: WorkerScope,
  { stopped, running }: ServingState,
): Promise<void> {
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
      if (hook === 'onTrainBegin' || hook === 'onTrainEnd') relay[hook] = (logs?: Logs) => post(hook, undefined, logs);
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
    scope.postMessage(errorMessage(m.id, e));
  } finally {
    for (const t of owned) t.dispose();
    model?.dispose();
  }
}
