// The worker thread's side of kernelShap({ workers }) (shap-threads.ts is the main thread's): builds
// the model from the artifacts it is started with, explains its block of rows into the shared
// values, and says it is done; or, sharing no memory, posts its rows' values back, transferred.
import { ready } from '../backend/loader.js';
import type { ModelArtifacts } from '../io/types.js';
import { lazyPart } from '../lazy-import.js';
import type { ArtifactBodies } from '../worker/replica-layout.js';
import { explainRows } from './shap-rows.js';
import type { ShapDoneMessage, ShapThreadInit } from './shap-threads.js';

/** Where a worker thread reports: its port to the main thread. */
export interface ShapPort {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
}

/**
 * The body of a KernelSHAP worker thread: posts `{ neurasm: 'shapDone' }` once its rows' values are
 * in the shared buffer (or, without one, `{ neurasm: 'shapDone', results: [values] }`, transferred), or
 * `{ neurasm: 'replicaError', name, message }` if it fails.
 */
export async function serveShapRows(port: ShapPort, init: ShapThreadInit): Promise<void> {
  try {
    await ready({ relaxedSimd: init.relaxedSimd });
    const { modelFromArtifacts } = await lazyPart<ArtifactBodies>('kernelShap');
    const model = modelFromArtifacts(init.artifacts as ModelArtifacts, 'kernelShap (a worker thread)');
    if (init.fault === 'throw') throw new Error('fault injected in a kernelShap worker thread');
    if (init.fault === 'exit') (globalThis as { process?: { exit(code: number): void } }).process?.exit(1);
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
    const error = e instanceof Error ? e : new Error(String(e));
    port.postMessage({ neurasm: 'replicaError', name: error.name, message: error.message, stack: error.stack });
  }
}
