// URL-style targets, as tfjs routes them: file://, http(s)://, indexeddb://, localstorage://;
// any other string given to load is a URL relative to the page (fetched), as in tfjs.
import { ValueError } from '../errors.js';
import { browserIndexedDB, browserLocalStorage, fileSystem, http } from './handlers.js';
import type { IOHandler, LoadOptions, ModelArtifacts, SaveHandler, SaveResult } from './types.js';

const SCHEMES = ['file://', 'http://', 'https://', 'indexeddb://', 'localstorage://'];

function routed(url: string, options?: LoadOptions): IOHandler | null {
  const lower = url.toLowerCase();
  if (lower.startsWith('file://')) return fileSystem(url.slice('file://'.length));
  if (lower.startsWith('http://') || lower.startsWith('https://')) return http(url, options);
  if (lower.startsWith('indexeddb://')) return browserIndexedDB(url.slice('indexeddb://'.length));
  if (lower.startsWith('localstorage://')) return browserLocalStorage(url.slice('localstorage://'.length));
  return null;
}

/** The handler `save` uses for a target: a URL string or an IOHandler (tfjs's handlers work too). */
export function saveHandlerFor(target: unknown): IOHandler & { save: SaveHandler } {
  const handler = typeof target === 'string' ? routed(target) : target;
  if (handler === null) {
    throw new ValueError(
      `save: no handler for ${JSON.stringify(target)}; use a URL starting with ${SCHEMES.join(', ')}`,
    );
  }
  if (typeof handler !== 'object' || typeof (handler as IOHandler).save !== 'function') {
    throw new ValueError('save: expected a URL string or an IOHandler with a save method');
  }
  return handler as IOHandler & { save: SaveHandler };
}

/** The handler `loadLayersModel` uses for a source: a URL (relative ones are fetched) or an IOHandler. */
export function loadHandlerFor(
  source: unknown,
  options?: LoadOptions,
): IOHandler & { load: () => Promise<ModelArtifacts> } {
  const handler =
    typeof source === 'string' && source !== '' ? (routed(source, options) ?? http(source, options)) : source;
  if (handler === null || typeof handler !== 'object' || typeof (handler as IOHandler).load !== 'function') {
    throw new ValueError('loadLayersModel: expected a URL string or an IOHandler with a load method');
  }
  return handler as IOHandler & { load: () => Promise<ModelArtifacts> };
}

/**
 * A handler that loads the given artifacts, as `tf.io.fromMemory`: pass `{modelTopology,
 * weightSpecs, weightData, ...}` (the older form `(modelTopology, weightSpecs, weightData,
 * trainingConfig)` works too).
 */
export function fromMemory(
  artifacts: ModelArtifacts | object,
  weightSpecs?: ModelArtifacts['weightSpecs'],
  weightData?: ModelArtifacts['weightData'],
  trainingConfig?: ModelArtifacts['trainingConfig'],
): IOHandler {
  const a = artifacts as ModelArtifacts;
  const full: ModelArtifacts =
    weightSpecs === undefined && (a?.modelTopology !== undefined || a?.weightSpecs !== undefined)
      ? a
      : { modelTopology: artifacts, weightSpecs, weightData, trainingConfig };
  return { load: async () => full };
}

/** A handler that hands the artifacts to your function, as `tf.io.withSaveHandler`. */
export function withSaveHandler(save: (artifacts: ModelArtifacts) => Promise<SaveResult>): IOHandler {
  if (typeof save !== 'function') throw new ValueError('withSaveHandler: expected a function');
  return { save };
}
