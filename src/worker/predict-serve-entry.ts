// servePredictRows's body (predict-serve.ts) is loaded on first use, in the chunk of code the worker
// threads of predictAsync({ workers }) need (src/lazy-import.ts), not with the start file.
import { loadedOnFirstUse } from '../lazy-import.js';
import type { servePredictRows as servePredictRowsBody } from './predict-serve.js';

/** What the worker threads of predictAsync({ workers }) take from the chunk loaded on first use (src/lazy.ts). */
export interface PredictServeBodies {
  servePredictRows: typeof servePredictRowsBody;
}

/** What each worker thread of `model.predictAsync({ workers })` runs (predict-host.ts starts it); not for direct use. */
export const servePredictRows: typeof servePredictRowsBody = loadedOnFirstUse<PredictServeBodies>(
  'servePredictRows',
  'predictAsync',
);
