// crossValidate's body (cross-validate.ts) is loaded on first use: the browser bundle fetches it in
// the chunk of code that pages need later or never (src/lazy-import.ts), not with the start file.
import { loadedOnFirstUse } from '../lazy-import.js';
import type { crossValidate as crossValidateBody } from './cross-validate.js';

/** What crossValidate takes from the chunk loaded on first use (src/lazy.ts). */
export interface CrossValidateBodies {
  crossValidate: typeof crossValidateBody;
}

/**
 * k-fold cross-validation: for each fold, builds a fresh model with `buildModel(fold)` (it must
 * return a compiled model), trains it on the other folds and evaluates it on the held-out one.
 * Features are scaled per fold (`preprocess`, fitted on the training part only). Every fold's
 * model and tensors are disposed; x and y stay the caller's.
 *
 * Returns each fold's held-out `loss` and metrics (keyed as in fit's logs, e.g. `accuracy`) with
 * its History, and their mean and population standard deviation over the folds.
 *
 * @example
 * const cv = await nn.crossValidate(buildModel, x, y, { k: 5, stratified: true, epochs: 50, preprocess: 'standard', seed: 1 });
 * console.log(`${cv.mean.accuracy} ± ${cv.std.accuracy}`);
 */
export const crossValidate: typeof crossValidateBody = loadedOnFirstUse<CrossValidateBodies>('crossValidate');
