import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { randomArray } from '../helpers/random.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

/**
 * A worker and its global scope on one thread: messages are structured-cloned (buffers in the
 * transfer list are detached, as between threads) and delivered on a later task.
 */
function fakeWorker() {
  const worker = new EventTarget() as EventTarget & nn.WorkerLike;
  const scope = new EventTarget() as EventTarget & nn.WorkerScope;
  const sent: unknown[] = [];
  const wire =
    (to: EventTarget) =>
    (message: unknown, transfer: Transferable[] = []) => {
      const data = structuredClone(message, { transfer });
      setTimeout(() => to.dispatchEvent(new MessageEvent('message', { data })), 0);
    };
  worker.postMessage = (message, transfer) => {
    wire(scope)(message, transfer);
    sent.push(message);
  };
  scope.postMessage = wire(worker);
  /** The worker dies with an uncaught error, as a browser reports it. */
  const crash = (message: string) => worker.dispatchEvent(Object.assign(new Event('error'), { message }));
  return { worker, scope, sent, crash };
}

function toyData(n: number, seed: number) {
  const x = randomArray(n * 8, seed);
  const y = new Int32Array(n);
  for (let r = 0; r < n; r++) y[r] = x[r * 8] > x[r * 8 + 1] ? 1 : 0;
  return { x, y };
}

function makeModel(seed: number): nn.Sequential {
  nn.setSeed(seed);
  const model = nn.sequential({
    layers: [
      nn.layers.dense({ units: 16, activation: 'relu', inputShape: [8] }),
      nn.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

function weightsOf(model: nn.Sequential): Float32Array[] {
  const ws = model.getWeights();
  const out = ws.map((w) => w.dataSync());
  nn.dispose(ws);
  return out;
}

describe('fitInWorker / serveFit', () => {
  const { x, y } = toyData(200, 3);

  it('trains as fit does on this thread, bit for bit, streams the logs and sets the weights', async () => {
    const direct = makeModel(7);
    const history = await direct.fit(x, y, { epochs: 3, batchSize: 32, seed: 11, verbose: 0 });
    const expected = weightsOf(direct);
    direct.dispose();

    const { worker, scope } = fakeWorker();
    const stop = nn.serveFit((init) => makeModel((init as { seed: number }).seed), scope);
    const main = makeModel(99);
    const events: string[] = [];
    const before = nn.memory().numTensors;
    const result = await nn.fitInWorker(worker, x, y, {
      model: main,
      init: { seed: 7 },
      epochs: 3,
      batchSize: 32,
      seed: 11,
      verbose: 0,
      callbacks: {
        onEpochEnd: (epoch, logs) => {
          events.push(`epoch ${epoch} ${logs!.loss.toFixed(6)}`);
        },
        onBatchEnd: (batch) => {
          if (batch === 0) events.push('batch 0');
        },
      },
    });
    stop();
    expect(result.history.history.loss).toEqual(history.history.loss);
    expect(result.history.epoch).toEqual([0, 1, 2]);
    expect(events).toEqual(
      history.history.loss.flatMap((loss, epoch) => ['batch 0', `epoch ${epoch} ${loss.toFixed(6)}`]),
    );
    expect(result.weights.map((w) => w.data)).toEqual(expected);
    expect(weightsOf(main)).toEqual(expected);
    expect(nn.memory().numTensors).toBe(before);
    main.dispose();
  });

  it('copies tensors to the worker and takes validationData', async () => {
    const { worker, scope } = fakeWorker();
    const stop = nn.serveFit(() => makeModel(1), scope);
    const xt = nn.tensor2d(x, [200, 8]);
    const yt = nn.tensor1d(y, 'int32');
    const { history, weights } = await nn.fitInWorker(worker, xt, yt, {
      epochs: 2,
      verbose: 0,
      validationData: [xt, yt],
    });
    expect(Object.keys(history.history)).toEqual(['loss', 'accuracy', 'val_loss', 'val_accuracy']);
    expect(weights.map((w) => w.shape)).toEqual([[8, 16], [16], [16, 2], [2]]);
    expect(xt.isDisposed).toBe(false);
    // x as tfjs's list of one tensor; a list of two is fit's clear error, sent back from the worker
    const one = await nn.fitInWorker(worker, [xt], yt, { epochs: 1, verbose: 0 });
    expect(one.weights.length).toBe(4);
    await expect(nn.fitInWorker(worker, [xt, xt] as never, yt, { epochs: 1, verbose: 0 })).rejects.toThrow(
      /^fit: expected x to be one tensor \(a Sequential model has one input\), got a list of 2/,
    );
    stop();
    nn.dispose([xt, yt]);
  });

  it("rejects with the worker's error class when fit throws there", async () => {
    const { worker, scope } = fakeWorker();
    const stop = nn.serveFit(() => makeModel(1), scope);
    const fit = nn.fitInWorker(worker, x.subarray(0, 12), y, { epochs: 1, verbose: 0 });
    await expect(fit).rejects.toThrow(nn.ShapeError);
    await expect(fit).rejects.toThrow("fit: x has 12 values, not a multiple of the model's input width 8");
    // the worker still serves after a failed request
    await expect(nn.fitInWorker(worker, x, y, { epochs: 1, verbose: 0 })).resolves.toBeDefined();
    stop();
  });

  it('rejects when the builder does not return a model', async () => {
    const { worker, scope } = fakeWorker();
    const stop = nn.serveFit(() => ({}) as nn.Sequential, scope);
    await expect(nn.fitInWorker(worker, x, y)).rejects.toThrow(
      /serveFit: the builder must return a compiled Sequential/,
    );
    stop();
  });

  it('rejects with a WorkerError when the worker dies mid-training', async () => {
    const { worker, scope, crash } = fakeWorker();
    const stop = nn.serveFit(() => makeModel(1), scope);
    const epochs: number[] = [];
    const fit = nn.fitInWorker(worker, x, y, {
      epochs: 50,
      verbose: 0,
      callbacks: {
        onEpochEnd: (epoch) => {
          epochs.push(epoch);
          if (epoch === 1) crash('Uncaught Error: out of memory');
        },
      },
    });
    await expect(fit).rejects.toThrow(nn.WorkerError);
    await expect(fit).rejects.toThrow('fitInWorker: the worker failed: Uncaught Error: out of memory');
    expect(epochs).toEqual([0, 1]);
    stop();
  });

  it('stops after the current batch when the signal aborts, and resolves with the weights so far', async () => {
    const { worker, scope } = fakeWorker();
    const stop = nn.serveFit(() => makeModel(1), scope);
    const controller = new AbortController();
    const { history } = await nn.fitInWorker(worker, x, y, {
      epochs: 100,
      verbose: 0,
      yieldEvery: 0,
      signal: controller.signal,
      callbacks: { onEpochEnd: (epoch) => (epoch === 1 ? controller.abort() : undefined) },
    });
    stop();
    expect(history.epoch.length).toBeGreaterThanOrEqual(2);
    expect(history.epoch.length).toBeLessThan(10);
  });

  it('rejects with the error of a callback that throws, and stops the worker', async () => {
    const { worker, scope, sent } = fakeWorker();
    const stop = nn.serveFit(() => makeModel(1), scope);
    const fit = nn.fitInWorker(worker, x, y, {
      epochs: 100,
      verbose: 0,
      callbacks: {
        onEpochEnd: () => {
          throw new Error('chart broke');
        },
      },
    });
    await expect(fit).rejects.toThrow('chart broke');
    expect(sent.some((m) => (m as { neurasm: string }).neurasm === 'stop')).toBe(true);
    stop();
  });

  it('checks its arguments (rejecting, as fit does)', async () => {
    await expect(nn.fitInWorker({} as nn.WorkerLike, x, y)).rejects.toThrow(/fitInWorker: expected a Worker, got/);
    const { worker, sent } = fakeWorker();
    await expect(nn.fitInWorker(worker, x, y, { callbacks: { onEpochEnd: 3 } as never })).rejects.toThrow(
      /callbacks\[0\]\.onEpochEnd must be a function/,
    );
    await expect(nn.fitInWorker(worker, x, y, { validationData: [x] as never })).rejects.toThrow(
      /fitInWorker: expected validationData to be \[x, y\]/,
    );
    await expect(nn.fitInWorker(worker, x, y, { init: () => 1 })).rejects.toThrow(
      /fitInWorker: the data cannot be posted to a worker/,
    );
    const gone = nn.tensor1d([1, 2]);
    gone.dispose();
    await expect(nn.fitInWorker(worker, gone, y)).rejects.toThrow(nn.DisposedError);
    expect(sent).toEqual([]);
    expect(() => nn.serveFit(null as never)).toThrow(/serveFit: expected a model builder function/);
  });
});
