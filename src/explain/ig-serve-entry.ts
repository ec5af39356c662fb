// serveIgRows's body (ig-serve.ts) is loaded on first use, in the chunk of code the worker threads of
// integratedGradients({ workers }) need (src/lazy-import.ts), not with the start file.
import { loadedOnFirstUse } from '../lazy-import.js';
import type { serveIgRows as serveIgRowsBody } from './ig-serve.js';

/** What the worker threads of integratedGradients({ workers }) take from the chunk loaded on first use (src/lazy.ts). */
export interface IgServeBodies {
  serveIgRows: typeof serveIgRowsBody;
}

/** What each worker thread of `integratedGradients({ workers })` runs (ig-threads.ts starts it); not for direct use. */
export const serveIgRows: typeof serveIgRowsBody = loadedOnFirstUse<IgServeBodies>(
  'serveIgRows',
  'integratedGradients',
);
