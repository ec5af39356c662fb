import { reportFailure, type ServePort, servedModel } from '../worker/thread-serve.js';
import { blockOut, type IgThreadInit } from './ig-threads.js';
import { integrateRows } from './integrated-gradients-rows.js';

/** Where a worker thread reports: its port to the main thread. */
export type IgPort = ServePort;

/**
 * The body of an integrated-gradients worker thread: posts `{ neurasm: 'igDone' }` once its rows'
 * results are in the shared buffers (or, without them, with its results: `results` [attributions, delta,
 * steps], transferred), or `{ neurasm: 'replicaError', name, message }` if it fails.
 */
export async function serveIgRows(port: IgPort, init: IgThreadInit): Promise<void> {
  try {
    const model = await servedModel('integratedGradients', init);
    const width = init.job.shape.reduce((a, b) => a * b, 1);
    const { attributions, delta, steps } = init;
    if (attributions && delta && steps) {
      integrateRows(model, init.job, blockOut({ attributions, delta, steps }, width, init.start, init.job.count));
      port.postMessage({ neurasm: 'igDone' });
      return;
    }
    const count = init.job.count;
    const out = {
      attributions: new Float32Array(count * width),
      delta: new Float64Array(count),
      steps: new Int32Array(count),
    };
    integrateRows(model, init.job, out);
    const results = [out.attributions.buffer, out.delta.buffer, out.steps.buffer];
    port.postMessage({ neurasm: 'igDone', results }, results);
  } catch (e) {
    reportFailure(port, e);
  }
}
