// The worker thread's side of saliency / gradientTimesInput({ workers }) (gradient-threads.ts is the
// main thread's): builds the model from the artifacts it is started with, writes its block of rows'
// gradients into the shared output, and says it is done; or, sharing no memory, posts them back, transferred.
import { ready } from '../backend/loader.js';
import type { ModelArtifacts } from '../io/types.js';
import { lazyPart } from '../lazy-import.js';
import type { ArtifactBodies } from '../worker/replica-layout.js';
import { type GradientThreadInit, gradientRows } from './gradient-threads.js';

/** Where a worker thread reports: its port to the main thread. */
export interface GradientPort {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
}

/**
 * The body of a saliency / gradientTimesInput worker thread: posts `{ neurasm: 'gradientDone' }` once
 * its rows are in the shared output (or, without it, with them: `results` [gradients], transferred),
 * or `{ neurasm: 'replicaError', name, message }` if it fails.
 */
export async function serveGradientRows(port: GradientPort, init: GradientThreadInit): Promise<void> {
  try {
    await ready({ relaxedSimd: init.relaxedSimd });
    const { modelFromArtifacts } = await lazyPart<ArtifactBodies>('saliency');
    const model = modelFromArtifacts(init.artifacts as ModelArtifacts, 'saliency (a worker thread)');
    if (init.fault === 'throw') throw new Error('fault injected in a gradient worker thread');
    if (init.fault === 'exit') (globalThis as { process?: { exit(code: number): void } }).process?.exit(1);
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
    const error = e instanceof Error ? e : new Error(String(e));
    port.postMessage({ neurasm: 'replicaError', name: error.name, message: error.message, stack: error.stack });
  }
}
