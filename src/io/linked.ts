// What the handler bodies (handler-bodies.ts, loaded on first use) share with the rest of the
// library: the error classes, so `instanceof ModelIOError` holds for what they throw, and the
// weight-manifest helpers that the model loader uses too. The bodies take them from here instead of
// importing them, which would make a bundler move them into a chunk that the bundle had to import
// at start; handlers.ts calls `link` once, when the bodies arrive.
import type { ModelFormatError as FormatError, ModelIOError as IOError } from './errors.js';
import type * as weights from './weights.js';

/** What `link` hands over. */
export interface Shared {
  ModelIOError: typeof IOError;
  ModelFormatError: typeof FormatError;
  joinBuffers: typeof weights.joinBuffers;
  checkManifest: typeof weights.checkManifest;
  weightByteLength: typeof weights.weightByteLength;
}

/** The library's ModelIOError (set by `link`). */
export let ModelIOError: Shared['ModelIOError'];
/** The library's ModelFormatError (set by `link`). */
export let ModelFormatError: Shared['ModelFormatError'];
/** weights.ts's joinBuffers (set by `link`). */
export let joinBuffers: Shared['joinBuffers'];
/** weights.ts's checkManifest (set by `link`). */
export let checkManifest: Shared['checkManifest'];
/** weights.ts's weightByteLength (set by `link`). */
export let weightByteLength: Shared['weightByteLength'];

/** Takes what the bodies share with the library (handlers.ts calls it before any body runs). */
export function link(shared: Shared): void {
  ({ ModelIOError, ModelFormatError, joinBuffers, checkManifest, weightByteLength } = shared);
}
