// permutationImportance's body (permutation.ts) is loaded on first use: the browser bundle fetches
// it in the chunk of code that pages need later or never (src/lazy-import.ts).
import { loadedOnFirstUse } from '../lazy-import.js';
import type { permutationImportance as permutationImportanceBody } from './permutation.js';

export type { PermutationImportanceOptions, PermutationImportanceResult, ScoreFunction } from './permutation.js';

/** What permutationImportance takes from the chunk loaded on first use (src/lazy.ts). */
export interface PermutationImportanceBodies {
  permutationImportance: typeof permutationImportanceBody;
}

/**
 * Permutation feature importance, as scikit-learn's `permutation_importance`: for every input
 * feature (each value of a flattened example) and each of `nRepeats` repeats (default 5), the
 * baseline score minus the score with that feature's column shuffled across the rows of x.
 * `metric` is 'accuracy' (default; y holds class indices or one-hot rows, or 0/1 labels for one
 * sigmoid output), 'loss' (the compiled loss, scored as −loss, so importance is the rise of the
 * loss), or a function `(yTrue, yPred) => score` where higher is better. A `seed` reproduces the
 * permutations exactly. Each permuted copy of x is scored with one large prediction.
 *
 * Resolves to `{ importancesMean, importancesStd, importances }`: number[features],
 * number[features] (population std, as numpy's) and number[features][nRepeats].
 *
 * @example
 * const { importancesMean } = await nn.explain.permutationImportance(model, xTest, yTest, { nRepeats: 10, seed: 0 });
 * const byLoss = await nn.explain.permutationImportance(model, xTest, yTest, { metric: 'loss' });
 */
export const permutationImportance: typeof permutationImportanceBody =
  loadedOnFirstUse<PermutationImportanceBodies>('permutationImportance');
