/**
 * Entry of the browser bundle (dist/neurasm.browser.js): the whole public API of src/index.ts.
 * Minification renames classes, and neurasm's errors take their `name` from their class
 * (`ShapeError`, `BackendError`, ...): every exported error class gets its exported name back,
 * which costs far less than esbuild's keepNames on every function.
 * @module
 */
import { NeurasmError } from '../errors.js';
import * as api from '../index.js';

export * from '../index.js';

function restoreErrorNames(namespace: Record<string, unknown>, depth: number): void {
  for (const [key, value] of Object.entries(namespace)) {
    if (typeof value === 'function' && (value === NeurasmError || value.prototype instanceof NeurasmError)) {
      if (value.name !== key) Object.defineProperty(value, 'name', { value: key });
    } else if (depth > 0 && value !== null && typeof value === 'object') {
      restoreErrorNames(value as Record<string, unknown>, depth - 1);
    }
  }
}

restoreErrorNames(api as unknown as Record<string, unknown>, 1);
