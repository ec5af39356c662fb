// saliency's and gradientTimesInput's bodies (gradients.ts) are loaded on first use: the browser
// bundle fetches them in the chunk of code that pages need later or never (src/lazy-import.ts).
import { loadedOnFirstUse } from '../lazy-import.js';
import type { gradientTimesInput as gradientTimesInputBody, saliency as saliencyBody } from './gradients.js';

export type { GradientOptions } from './gradients.js';
export type { OutputChoice } from './targets.js';

/** What saliency and gradientTimesInput take from the chunk loaded on first use (src/lazy.ts). */
export interface GradientBodies {
  saliency: typeof saliencyBody;
  gradientTimesInput: typeof gradientTimesInputBody;
}

/**
 * Saliency: the gradient of one output of each row with respect to that row's input,
 * ∂ f(x)[r, c] / ∂ x[r], in inference mode, computed in large batches on the model's fast path.
 * `output` picks c: each row's predicted class by default, one index for all rows, or one per row.
 * The gradient is signed (captum's Saliency reports its absolute value by default: take `nn.abs`).
 * Resolves to a float32 Tensor [n, ...inputShape] that the caller disposes. `workers` (default 1,
 * up to 16, or 'auto' for large inputs) computes contiguous blocks of rows on worker threads, with
 * the values of one thread to the bit.
 *
 * @example
 * const maps = await nn.explain.saliency(model, xTest);            // predicted class of each row
 * const ofClass3 = await nn.explain.saliency(model, xTest, { output: 3 });
 */
export const saliency: typeof saliencyBody = loadedOnFirstUse<GradientBodies>('saliency');

/**
 * Gradient × input (captum's InputXGradient): each row's saliency multiplied elementwise by the row,
 * x[r] · ∂ f(x)[r, c] / ∂ x[r]. Takes the options of `saliency`; resolves to a float32 Tensor
 * [n, ...inputShape] that the caller disposes.
 *
 * @example
 * const attributions = await nn.explain.gradientTimesInput(model, xTest, { output: yTest });
 */
export const gradientTimesInput: typeof gradientTimesInputBody = loadedOnFirstUse<GradientBodies>('gradientTimesInput');
