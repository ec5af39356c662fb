// serveShapRows's body (shap-serve.ts) is loaded on first use, in the chunk of code the worker threads
// of kernelShap({ workers }) need (src/lazy-import.ts), not with the start file.
import { loadedOnFirstUse } from '../lazy-import.js';
import type { serveShapRows as serveShapRowsBody } from './shap-serve.js';

/** What the worker threads of kernelShap({ workers }) take from the chunk loaded on first use (src/lazy.ts). */
export interface ShapServeBodies {
  serveShapRows: typeof serveShapRowsBody;
}

/** What each worker thread of `kernelShap({ workers })` runs (shap-threads.ts starts it); not for direct use. */
export const serveShapRows: typeof serveShapRowsBody = loadedOnFirstUse<ShapServeBodies>('serveShapRows', 'kernelShap');
