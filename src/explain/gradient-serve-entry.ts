// serveGradientRows's body (gradient-serve.ts) is loaded on first use, in the chunk of code the worker
// threads of saliency / gradientTimesInput({ workers }) need (src/lazy-import.ts), not with the start file.
import { loadedOnFirstUse } from '../lazy-import.js';
import type { serveGradientRows as serveGradientRowsBody } from './gradient-serve.js';

/** What the worker threads of saliency / gradientTimesInput({ workers }) take from the chunk loaded on first use (src/lazy.ts). */
export interface GradientServeBodies {
  serveGradientRows: typeof serveGradientRowsBody;
}

/** What each worker thread of `saliency` / `gradientTimesInput({ workers })` runs (gradient-threads.ts starts it); not for direct use. */
export const serveGradientRows: typeof serveGradientRowsBody = loadedOnFirstUse<GradientServeBodies>(
  'serveGradientRows',
  'saliency',
);
