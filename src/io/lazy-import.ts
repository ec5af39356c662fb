// What nn.io does when a model is saved, loaded or turned into artifacts (lazy.ts and the modules
// below it: handler bodies, topology, weight coding, optimizer state, layer readers), and the bodies
// of crossValidate, fitInWorker and serveFit's fits, are imported on first use, once, with a
// dynamic import(): bundlers (esbuild's code splitting in tsup.config.ts, Vite, ...) make it a chunk
// that only the pages that use it fetch.
import { BackendError } from '../errors.js';

/** lazy.ts's exports. */
export type LazyModules = typeof import('./lazy.js');

let pending: Promise<LazyModules> | null = null;
let loaded: LazyModules | null = null;

/**
 * lazy.ts, imported on the first call (a failed import is retried on the next one); `op` names
 * what needed it in the BackendError of a failure.
 */
export function lazyModules(op: string): Promise<LazyModules> {
  pending ??= import('./lazy.js').then(
    (m) => {
      loaded = m;
      return m;
    },
    (e: unknown) => {
      pending = null;
      throw new BackendError(
        `${op}: cannot load the part of neurasm it needs (in the browser, a chunk beside the bundle): ${(e as Error)?.message ?? String(e)}`,
      );
    },
  );
  return pending;
}

/** The exports of lazy.ts that are functions returning a promise. */
type AsyncExport = {
  [K in keyof LazyModules]: LazyModules[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof LazyModules];

/**
 * A function with the type of lazy.ts's export `name` that imports lazy.ts on its first call and
 * then runs that export: how a public function whose body is loaded on first use is made. `op`
 * names the public call in the error of a failed import.
 */
export function loadedOnFirstUse<K extends AsyncExport>(name: K, op: string = name): LazyModules[K] {
  const run = async (...args: unknown[]) =>
    ((await lazyModules(op))[name] as (...a: unknown[]) => Promise<unknown>)(...args);
  return run as LazyModules[K];
}

/** lazy.ts if it is already imported, so that a caller can use it at once instead of a turn later. */
export function lazyModulesIfLoaded(): LazyModules | null {
  return loaded;
}
