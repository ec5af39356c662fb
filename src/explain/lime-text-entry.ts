// limeText's body (lime-text.ts) is loaded on first use: the browser bundle fetches it in the chunk
// of code that pages need later or never (src/lazy-import.ts).
import { loadedOnFirstUse } from '../lazy-import.js';
import type { limeText as limeTextBody } from './lime-text.js';

export type { LimeTextExplanation, LimeTextOptions } from './lime-text.js';

/** What limeText takes from the chunk loaded on first use (src/lazy.ts). */
export interface LimeTextBodies {
  limeText: typeof limeTextBody;
}

/**
 * LIME for a model that takes strings (its first layer a textVectorization), as python lime's
 * LimeTextExplainer: the text's distinct words (split on non-word characters, case kept) are
 * removed at random (every occurrence of a removed word; 1 to all words per sample), the perturbed
 * texts go through the model in one batched predict, each is weighted by the kernel
 * sqrt(exp(−d²/w²)) of its cosine distance × 100 to the text (w = `kernelWidth`, 25 by default),
 * and a weighted ridge regression (α = 1) of the explained output on "word kept or not" is fitted
 * on at most `numFeatures` words (10 by default).
 *
 * Resolves to `{ words, weights, features, intercept, score, localPrediction, prediction, output }`:
 * `weights[i]` is the weight of `words[i]` (0 for a word left out), `features` the chosen words'
 * indices by decreasing |weight|, `score` the fit's weighted R². Give `seed` to reproduce it exactly.
 *
 * @example
 * const e = await nn.explain.limeText(spamModel, 'win money now', { seed: 1 });
 * for (const i of e.features) console.log(e.words[i], e.weights[i].toFixed(3));
 */
export const limeText: typeof limeTextBody = loadedOnFirstUse<LimeTextBodies>('limeText');
