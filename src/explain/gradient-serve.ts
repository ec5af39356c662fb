import { reportFailure, type ServePort, servedModel } from '../worker/thread-serve.js';
import { type GradientThreadInit, gradientRows } from './gradient-threads.js';

/** Where a worker thread reports: its port to the main thread. */
export type GradientPort = ServePort;

/**
 * The body of a saliency / gradientTimesInput worker thread: posts `{ neurasm: 'gradientDone' }` once
 * its rows are in the shared output (or, without it, with them: `results` [gradients], transferred),
 * or `{ neurasm: 'replicaError', name, message }` if it fails.
 */
export async function serveGradientRows(port: GradientPort, init: GradientThreadInit): Promise<void> {
  try {
    const model = await servedModel('saliency', init);
    const width = init.job.shape.reduce((a, b) => a * b, 1);
    if (init.out) {
      gradientRows(model, init.job, new Float32Array(init.out, 4 * init.start * width, init.job.count * width));
      port.postMessage({ neurasm: 'gradientDone' });
      return;
    }
    const out = new Float32Array(init.job.count * width);
    gradientRows(model, init.job, out);
    port.postMessage({ neurasm: 'gradientDone', results: [out.buffer] }, [out.buffer]);
  } catch (e) {
    reportFailure(port, e);
  }
}
