/**
 * Entry of the browser bundle (dist/neurasm.browser.js): the whole public API of src/index.ts.
 * Minification renames classes, and neurasm's errors take their `name` from their class
 * (`ShapeError`, `BackendError`, ...): every exported error class gets its exported name back,
 * which costs far less than esbuild's keepNames on every function. The classes are listed here
 * rather than found by walking `import * as api`, since such a namespace object makes the bundle
 * carry a getter for every export (about 0.8 KB gzipped); test/browser/bundle-size.test.ts checks
 * that every error class the bundle exports has its name.
 * @module
 */
import {
  BackendError,
  DisposedError,
  DivergenceError,
  DTypeError,
  NeurasmError,
  ShapeError,
  ValueError,
} from '../errors.js';
import { ModelFormatError, ModelIOError } from '../io/errors.js';
import { WorkerError } from '../worker/protocol.js';
import { registerReplicaEntry } from '../worker/replica-entry-url.js';

export * from '../index.js';

// the module the Web Workers of fit({ workers }) import: this bundle (index.ts's code may sit in a chunk)
registerReplicaEntry(import.meta.url);

/** Every error class of the public API (top level, nn.io), by its exported name. */
const ERROR_CLASSES = {
  BackendError,
  DisposedError,
  DivergenceError,
  DTypeError,
  NeurasmError,
  ShapeError,
  ValueError,
  ModelFormatError,
  ModelIOError,
  WorkerError,
};

for (const [name, errorClass] of Object.entries(ERROR_CLASSES)) {
  Object.defineProperty(errorClass, 'name', { value: name });
}
