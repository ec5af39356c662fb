// The worker thread's side of integratedGradients({ workers }) (ig-threads.ts is the main thread's):
// builds the model from the artifacts it is started with, integrates its block of rows into the
// shared outputs, and says it is done; or, sharing no memory, posts its results back, transferred.
import { ready } from '../backend/loader.js';
import type { ModelArtifacts } from '../io/types.js';
import { lazyPart } from '../lazy-import.js';
import type { ArtifactBodies } from '../worker/replica-layout.js';
import { blockOut, type IgThreadInit } from './ig-threads.js';
import { integrateRows } from './integrated-gradients-rows.js';

/** Where a worker thread reports: its port to the main thread. */
export interface IgPort {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
}

/**
 * The body of an integrated-gradients worker thread: posts `{ neurasm: 'igDone' }` once its rows'
 * results are in the shared buffers (or, without them, with its results: `results` [attributions, delta,
 * steps], transferred), or `{ neurasm: 'replicaError', name, message }` if it fails.
 */
export async function serveIgRows(port: IgPort, init: IgThreadInit): Promise<void> {
  try {
    await ready({ relaxedSimd: init.relaxedSimd });
    const { modelFromArtifacts } = await lazyPart<ArtifactBodies>('integratedGradients');
    const model = modelFromArtifacts(init.artifacts as ModelArtifacts, 'integratedGradients (a worker thread)');
    if (init.fault === 'throw') throw new Error('fault injected in an integratedGradients worker thread');
    if (init.fault === 'exit') (globalThis as { process?: { exit(code: number): void } }).process?.exit(1);
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
    const error = e instanceof Error ? e : new Error(String(e));
    port.postMessage({ neurasm: 'replicaError', name: error.name, message: error.message, stack: error.stack });
  }
}
