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
 * as captum reports it. A large |delta| means the path is not integrated finely enough: raise `steps`
 * (paths through relu kinks or a saturating softmax may need a few hundred).
 *
 * @example
 * const { attributions, delta } = await nn.explain.integratedGradients(model, xTest.slice(0, 10));
 * const fromMean = await nn.explain.integratedGradients(model, xTest, { baseline: xTrain.mean(0), steps: 200 });
 */
export const integratedGradients: typeof integratedGradientsBody =
  loadedOnFirstUse<IntegratedGradientsBodies>('integratedGradients');
