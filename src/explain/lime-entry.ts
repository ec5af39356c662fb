// lime's body (lime.ts) is loaded on first use: the browser bundle fetches it in the chunk of code
// that pages need later or never (src/lazy-import.ts).
import { loadedOnFirstUse } from '../lazy-import.js';
import type { lime as limeBody } from './lime.js';

export type { LimeExplanation, LimeOptions } from './lime.js';

/** What lime takes from the chunk loaded on first use (src/lazy.ts). */
export interface LimeBodies {
  lime: typeof limeBody;
}

/**
 * LIME for tabular models, as python lime's LimeTabularExplainer: for each row of x, perturbed
 * rows are drawn from the training data's statistics (by default each feature's quartile bin, then
 * a value in it), evaluated by the model in one batched pass, weighted by the kernel
 * sqrt(exp(−d²/w²)) of their distance to the row (w = 0.75·√features by default), and a weighted
 * ridge regression (α = 1) on at most `numFeatures` features (10 by default; forward selection up
 * to 6, else the largest weights) is fitted to the explained output's probability.
 *
 * Resolves to one explanation per row: `weights` (one per feature, 0 for a feature left out),
 * `features` (the chosen ones by decreasing |weight|), `intercept`, `score` (the fit's weighted
 * R²), `localPrediction` (the linear model at the row), `prediction` (the model's), `output` (the
 * output explained: `output`, else the row's predicted class) and, with discretization,
 * `conditions` (what each weight stands for: the row's bin, e.g. `x[2] <= 1.60`).
 * Give `seed` to reproduce an explanation exactly.
 *
 * @example
 * const [e] = await nn.explain.lime(model, xTest.slice(0, 1), { trainingData: xTrain, seed: 1 });
 * for (const j of e.features) console.log(e.conditions[j], e.weights[j].toFixed(3));
 * @example
 * // continuous features (standardized), 2000 samples, the probability of class 2
 * await nn.explain.lime(model, x, { trainingData: xTrain, discretize: false, numSamples: 2000, output: 2 });
 */
export const lime: typeof limeBody = loadedOnFirstUse<LimeBodies>('lime');
