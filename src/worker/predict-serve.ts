// The worker thread's side of predictAsync({ workers }) (predict-host.ts is the main thread's):
// builds the model from the saved form it is started with, runs batches as it takes them into the
// shared output, and says it is done; or, sharing no memory (predict-blocks.ts), runs the batches of
// its block and posts their predictions back, transferred.
import { backend } from '../backend/loader.js';
import type { Sequential } from '../models/sequential.js';
import { CONTROL_SLOTS, INPUT_READY, type PredictJob, predictTakenBatches } from './predict-batches.js';
import type { PredictBlockInit, PredictBlockMessage } from './predict-blocks.js';
import type { PredictThreadInit } from './predict-host.js';
import { reportFailure, type ServePort, servedModel } from './thread-serve.js';

/** Where a worker thread reports: its port to the main thread. */
export type PredictPort = ServePort;

/** Copies the input examples [start, start + rows) of `x` into the Wasm memory at byte `dst`. */
function copyRows(job: PredictJob, x: Float32Array | Int32Array, dst: number, start: number, rows: number): void {
  const views = backend().views;
  (job.inputDType === 'int32' ? views.i32 : views.f32).set(
    x.subarray(start * job.width, (start + rows) * job.width),
    dst >>> 2,
  );
}

/** Runs the batches of a block (its rows in `init.x`) and posts their predictions back, transferred. */
function serveBlock(port: PredictPort, model: Sequential, init: PredictBlockInit): void {
  const { job } = init;
  const x = job.inputDType === 'int32' ? new Int32Array(init.x) : new Float32Array(init.x);
  const out = new Float32Array(job.count * job.outWidth);
  // a control of its own: this thread takes every batch of its block
  predictTakenBatches(
    model,
    job,
    new Int32Array(CONTROL_SLOTS),
    (dst, start, rows) => copyRows(job, x, dst, start, rows),
    out,
  );
  model.dispose();
  const message: PredictBlockMessage = { neurasm: 'predictBlock', out: out.buffer as ArrayBuffer };
  port.postMessage(message, [message.out]);
}

/**
 * The body of a predictAsync worker thread: posts `{ neurasm: 'predictDone' }` once no batch is
 * left (or, for a block, `{ neurasm: 'predictBlock', out }`), or `{ neurasm: 'replicaError', name,
 * message }` if it fails.
 */
export async function servePredictRows(port: PredictPort, init: PredictThreadInit | PredictBlockInit): Promise<void> {
  try {
    const model = await servedModel('predictAsync', init);
    if ('block' in init) return serveBlock(port, model, init);
    const { job } = init;
    const control = new Int32Array(init.control);
    // the main thread writes the input examples after it starts the threads (it ends a thread that waits on a failure)
    while (Atomics.load(control, INPUT_READY) === 0) Atomics.wait(control, INPUT_READY, 0, 100);
    const x = job.inputDType === 'int32' ? new Int32Array(init.x) : new Float32Array(init.x);
    predictTakenBatches(
      model,
      job,
      control,
      (dst, start, rows) => copyRows(job, x, dst, start, rows),
      new Float32Array(init.out),
    );
    model.dispose();
    port.postMessage({ neurasm: 'predictDone' });
  } catch (e) {
    reportFailure(port, e);
  }
}
