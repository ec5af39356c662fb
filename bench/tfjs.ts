// TensorFlow.js for the training benchmark: tfjs-core + tfjs-layers with the cpu and wasm backends,
// loaded on demand so the other suites do not pay for it. The wasm backend reads its .wasm files
// from the npm package's dist folder (no network).
import { createRequire } from 'node:module';
import path from 'node:path';

/** The tfjs modules the benchmark uses. */
export interface Tfjs {
  tf: typeof import('@tensorflow/tfjs-core');
  tfl: typeof import('@tensorflow/tfjs-layers');
  /** Version of tfjs-core, for the report. */
  version: string;
}

let loaded: Promise<Tfjs> | null = null;

async function load(): Promise<Tfjs> {
  const tf = await import('@tensorflow/tfjs-core');
  const tfl = await import('@tensorflow/tfjs-layers');
  await import('@tensorflow/tfjs-backend-cpu');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  wasm.setWasmPaths(`${dist}${path.sep}`);
  // Production mode only silences warnings (such as the "install tfjs-node" banner of the cpu backend).
  tf.enableProdMode();
  return { tf, tfl, version: tf.version_core };
}

/** Loads TensorFlow.js once (later calls share the same promise). */
export function loadTfjs(): Promise<Tfjs> {
  loaded ??= load();
  return loaded;
}

/** Switches tfjs to `name` ('cpu' or 'wasm') and checks that it took. */
export async function useTfjsBackend(tfjs: Tfjs, name: 'cpu' | 'wasm'): Promise<void> {
  const ok = await tfjs.tf.setBackend(name);
  await tfjs.tf.ready();
  if (!ok || tfjs.tf.getBackend() !== name) throw new Error(`tfjs: could not switch to the ${name} backend`);
}

/** A tfjs tensor. */
export type TfTensor = import('@tensorflow/tfjs-core').Tensor;
