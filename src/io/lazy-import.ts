// What nn.io does when a model is saved, loaded or turned into artifacts (lazy.ts and the modules
// below it: handler bodies, topology, weight coding, optimizer state, layer readers) is imported on
// first use, once. The browser bundle carries it as a chunk beside it, neurasm.browser-io-<hash>.js,
// fetched only by pages that use model files: see tsup.config.ts, which builds it so that it shares
// the bundle's modules (`linkedModules`) instead of carrying copies of them.
import { ModelIOError } from './errors.js';
import { linkedModules } from './linked-modules.js';

/** lazy.ts's exports. */
export type LazyIO = typeof import('./lazy.js');

/** The browser chunk of lazy.ts: its exports, once handed the bundle's modules. */
interface BrowserChunk {
  instantiate(modules: typeof linkedModules): LazyIO;
}

let pending: Promise<LazyIO> | null = null;
let loaded: LazyIO | null = null;

async function importLazy(): Promise<LazyIO> {
  const m: LazyIO & Partial<BrowserChunk> = await import('./lazy.js');
  return m.instantiate ? m.instantiate(linkedModules) : m;
}

/**
 * lazy.ts, imported on the first call (a failed import is retried on the next one); `op` names
 * what needed it in the ModelIOError of a failure.
 */
export function lazyIO(op: string): Promise<LazyIO> {
  pending ??= importLazy().then(
    (m) => {
      loaded = m;
      return m;
    },
    (e: unknown) => {
      pending = null;
      throw new ModelIOError(`${op}: cannot load neurasm's model-file code: ${(e as Error)?.message ?? String(e)}`);
    },
  );
  return pending;
}

/** lazy.ts if it is already imported, so that a caller can use it at once instead of a turn later. */
export function lazyIOIfLoaded(): LazyIO | null {
  return loaded;
}
