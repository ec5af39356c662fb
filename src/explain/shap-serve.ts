import { reportFailure, type ServePort, servedModel } from '../worker/thread-serve.js';
import { explainRows } from './shap-rows.js';
import type { ShapDoneMessage, ShapThreadInit } from './shap-threads.js';

/** Where a worker thread reports: its port to the main thread. */
export type ShapPort = ServePort;

/**
 * The body of a KernelSHAP worker thread: posts `{ neurasm: 'shapDone' }` once its rows' values are
 * in the shared buffer (or, without one, `{ neurasm: 'shapDone', results: [values] }`, transferred), or
 * `{ neurasm: 'replicaError', name, message }` if it fails.
 */
export async function serveShapRows(port: ShapPort, init: ShapThreadInit): Promise<void> {
  try {
    const model = await servedModel('kernelShap', init);
    const { job, start, count } = init;
    if (init.phi) {
      explainRows(model, job, start, start + count, new Float32Array(init.phi));
      port.postMessage({ neurasm: 'shapDone' });
      return;
    }
    // explainRows writes rows where they are in the whole call: the block is cut out afterwards
    const perRow = job.features * job.explained.length;
    const phi = new Float32Array(job.count * perRow);
    explainRows(model, job, start, start + count, phi);
    const values = phi.slice(start * perRow, (start + count) * perRow).buffer as ArrayBuffer;
    const message: ShapDoneMessage = { neurasm: 'shapDone', results: [values] };
    port.postMessage(message, [values]);
  } catch (e) {
    reportFailure(port, e);
  }
}
