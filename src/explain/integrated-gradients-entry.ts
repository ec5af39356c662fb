// integratedGradients's body (integrated-gradients.ts) is loaded on first use: the browser bundle
// fetches it in the chunk of code that pages need later or never (src/lazy-import.ts).
import { loadedOnFirstUse } from '../lazy-import.js';
import type { integratedGradients as integratedGradientsBody } from './integrated-gradients.js';

export type {
  IntegratedGradientsOptions,
  IntegratedGradientsResult,
  IntegrationMethod,
} from './integrated-gradients.js';

/** What integratedGradients takes from the chunk loaded on first use (src/lazy.ts). */
export interface IntegratedGradientsBodies {
  integratedGradients: typeof integratedGradientsBody;
}

/**
 * Integrated gradients (Sundararajan et al. 2017, as captum's IntegratedGradients): each input
 * value's attribution (x − baseline) · ∫₀¹ ∂f(baseline + α(x − baseline))/∂x dα for one output per
 * row (default: each row's predicted class), the integral taken at `steps` points (default 50) by
 * `method` (captum's names: 'gausslegendre' by default, 'riemann_left', 'riemann_right',
 * 'riemann_middle', 'riemann_trapezoid'). The baseline is a number, one example, or one example per
 * row (default zeros). All points of all rows go through the model as large batches on the fast path.
 *
 * Resolves to `{ attributions, delta }`: `attributions` a float32 Tensor [n, ...inputShape] (the
 * caller disposes it), `delta` per row the completeness error Σ attributions − (f(x) − f(baseline))
 * as captum reports it, and `steps` the points each row's integral took. A large |delta| means the
 * path is not integrated finely enough: on relu networks a few rows in ten may stay above 1% of
 * |f(x) − f(baseline)| at 50 points (float64 gives the same: it is the quadrature's error at the
 * kinks). `tolerance` (e.g. 0.01) integrates just those rows again with doubled steps until
 * |delta| ≤ tolerance · |f(x) − f(baseline)| or `maxSteps` (default 32 · steps), and `converged`
 * says per row whether it got there (a row that did not is reported, not thrown). `workers` (default
 * 1, or up to 16, or 'auto') integrates contiguous blocks of rows on worker threads, with the values
 * of one thread to the bit; 'auto' starts threads only for large calls (10^10 weights × steps × rows each).
 *
 * @example
 * const { attributions, delta } = await nn.explain.integratedGradients(model, xTest.slice(0, 10));
 * const fromMean = await nn.explain.integratedGradients(model, xTest, { baseline: xTrain.mean(0), steps: 200 });
 * const within1 = await nn.explain.integratedGradients(model, xTest, { tolerance: 0.01 });
 * within1.converged.every(Boolean); // true unless a row hit maxSteps; within1.steps: 50, 100, 200, ...
 */
export const integratedGradients: typeof integratedGradientsBody =
  loadedOnFirstUse<IntegratedGradientsBodies>('integratedGradients');
