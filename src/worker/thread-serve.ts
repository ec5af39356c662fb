// The worker thread's side of the calls that split their work over threads (predictAsync,
// kernelShap, integratedGradients, saliency): the model rebuilt from its saved form on the main
// thread's Wasm module kind, and a failure reported to the main thread.
import { ready } from '../backend/loader.js';
import type { ModelArtifacts } from '../io/types.js';
import { lazyPart } from '../lazy-import.js';
import type { Sequential } from '../models/sequential.js';
import type { ArtifactBodies } from './replica-layout.js';
import { errorReport } from './replica-serve.js';

/** What every such worker thread is started with, besides its job. */
export interface ServedThreadInit {
  /** The model's saved form. */
  artifacts: unknown;
  /** The main thread's Wasm module, which the thread loads too (relaxed SIMD fuses differently). */
  relaxedSimd: boolean;
  /** @internal For tests: the thread throws before its work, or exits as if it were killed, or stops without a word. */
  fault?: ThreadFault;
}

/** A fault injected in a worker thread, for tests (see ServedThreadInit.fault). */
export type ThreadFault = 'throw' | 'exit' | 'hang';

/** Where a worker thread reports: its port to the main thread. */
export interface ServePort {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
}

/** In a worker thread of `op`: the Wasm module loaded and the model rebuilt (then the injected fault, if any). */
export async function servedModel(op: string, init: ServedThreadInit): Promise<Sequential> {
  await ready({ relaxedSimd: init.relaxedSimd });
  const { modelFromArtifacts } = await lazyPart<ArtifactBodies>(op);
  const model = modelFromArtifacts(init.artifacts as ModelArtifacts, `${op} (a worker thread)`);
  if (init.fault === 'throw') throw new Error(`fault injected in a ${op} worker thread`);
  if (init.fault === 'exit') (globalThis as { process?: { exit(code: number): void } }).process?.exit(1);
  if (init.fault === 'hang') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  return model;
}

/** Posts `{ neurasm: 'replicaError', name, message, stack }` for `e` to the main thread. */
export function reportFailure(port: ServePort, e: unknown): void {
  port.postMessage(errorReport(e));
}
