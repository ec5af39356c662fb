// What neurasm loads on first use: the chunk of lazy.ts (the bodies of the IOHandlers' save and
// load, of making artifacts of a model and a model of artifacts, of crossValidate, fitInWorker and
// serveFit's fits). Bundlers (esbuild's code splitting in tsup.config.ts, Vite, ...) make what a
// dynamic import() names a chunk that only the pages that use it fetch.
//
// That import() is written at the top of neurasm (index.ts registers it here with
// registerLazyChunk), above everything the chunk holds: the floors below (io's handlers, the
// format, model selection, the worker) reach their bodies through this module without naming a
// module above them. Each names the type of the part it takes (`lazyPart<HandlerBodies>`), and
// index.ts's registration is checked against all those types.
import { BackendError } from './errors.js';

let importChunk: (() => Promise<object>) | null = null;
let pending: Promise<object> | null = null;
let loaded: object | null = null;

/** @internal Gives this module the import() of the chunk (index.ts does, once, on its import). */
export function registerLazyChunk(load: () => Promise<object>): void {
  importChunk = load;
}

/**
 * The chunk, imported on the first call (a failed import is retried on the next one), as the part
 * `T` its caller takes of it; `op` names what needed it in the BackendError of a failure.
 */
export function lazyPart<T extends object>(op: string): Promise<T> {
  const load = importChunk;
  if (load === null)
    return Promise.reject(
      new BackendError(`${op}: the code it loads on first use is not registered (import neurasm from its index)`),
    );
  pending ??= load().then(
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
  return pending as Promise<T>;
}

/** The chunk as the part `T`, if it is already imported, so that a caller can use it at once instead of a turn later. */
export function lazyPartIfLoaded<T extends object>(): T | null {
  return loaded as T | null;
}

/** A body in the chunk that a public function runs: one that returns a promise. */
type AsyncBody = (...args: never[]) => Promise<unknown>;

/**
 * A function with the type of the body `name` of the part `P` (a part of one body, such as
 * CrossValidateBodies) that imports the chunk on its first call and then runs the body: how a
 * public function whose body is loaded on first use is made. `op` names the public call in the
 * error of a failed import.
 */
export function loadedOnFirstUse<P extends { [K in keyof P]: AsyncBody }>(
  name: keyof P & string,
  op: string = name,
): P[keyof P] {
  const run = async (...args: unknown[]) =>
    ((await lazyPart<Record<string, unknown>>(op))[name] as (...a: unknown[]) => Promise<unknown>)(...args);
  return run as unknown as P[keyof P];
}
