// loadLayersModel and nn.io.modelFromArtifacts, as the bundle carries them: the source is checked at
// once, and what builds the model (from-artifacts.ts) is imported on first use (lazy-import.ts).
import { NeurasmError } from '../errors.js';
import { ModelIOError } from '../io/errors.js';
import { loadHandlerFor } from '../io/router.js';
import type { LoadSource, ModelArtifacts } from '../io/types.js';
import { lazyPart, lazyPartIfLoaded } from '../lazy-import.js';
import type { Sequential } from '../models/sequential.js';
import { optionsObject } from '../ops/options.js';
import type { LoadLayersOptions, modelFromArtifacts as modelFromArtifactsBody } from './from-artifacts.js';

export type { LoadLayersOptions };

/** What loading takes from the chunk loaded on first use (src/lazy.ts). */
export interface LoadBodies {
  modelFromArtifacts: typeof modelFromArtifactsBody;
}

const LOAD_OPTIONS: ReadonlyArray<keyof LoadLayersOptions> = [
  'includeOptimizer',
  'fetchFunc',
  'requestInit',
  'weightPathPrefix',
  'weightUrlConverter',
  'onProgress',
  'textFunctions',
];

/**
 * Builds a model from artifacts (what a load handler returns, or `nn.io.modelArtifacts` made), as
 * `loadLayersModel` does; `where` names them in error messages. Everything is checked before a
 * weight is allocated: a ModelFormatError leaves nothing behind. Asynchronous because the code
 * that reads them is loaded on first use.
 *
 * @example
 * const copy = await nn.io.modelFromArtifacts(artifacts, 'my artifacts');
 */
export async function modelFromArtifacts(
  artifacts: ModelArtifacts,
  where = 'model artifacts',
  options: LoadLayersOptions = {},
): Promise<Sequential> {
  const io = lazyPartIfLoaded<LoadBodies>() ?? (await lazyPart<LoadBodies>(`load ${where}`));
  return io.modelFromArtifacts(artifacts, where, options);
}

/**
 * Loads a model saved in the TensorFlow.js layers format, as `tf.loadLayersModel`: from a URL
 * (`file://dir/model.json` in Node, `http(s)://…/model.json` or a relative URL, `indexeddb://name`,
 * `localstorage://name`) or an IOHandler (`nn.io.fromMemory(artifacts)`, or one of tfjs's).
 *
 * @example
 * const model = await nn.loadLayersModel('file://./my-model/model.json');
 */
export async function loadLayersModel(source: LoadSource, options: LoadLayersOptions = {}): Promise<Sequential> {
  optionsObject('loadLayersModel', options, '{includeOptimizer: false}', LOAD_OPTIONS);
  const handler = loadHandlerFor(source, options);
  const where = typeof source === 'string' ? source : 'model artifacts';
  // the code that reads model files comes while the handler loads (awaited, and so reported, after it)
  const io = lazyPart<LoadBodies>(`loadLayersModel ${where}`);
  io.catch(() => {});
  let artifacts: ModelArtifacts;
  try {
    artifacts = await handler.load();
  } catch (e) {
    if (e instanceof NeurasmError) throw e;
    throw new ModelIOError(`loadLayersModel ${where}: ${(e as Error)?.message ?? String(e)}`);
  }
  return (await io).modelFromArtifacts(artifacts, where, options);
}
