// explainText's body (explain-text.ts) is loaded on first use: the browser bundle fetches it in the
// chunk of code that pages need later or never (src/lazy-import.ts).
import { loadedOnFirstUse } from '../lazy-import.js';
import type { explainText as explainTextBody } from './explain-text.js';

export type { ExplainTextOptions, TokenAttribution } from './explain-text.js';

/** What explainText takes from the chunk loaded on first use (src/lazy.ts). */
export interface ExplainTextBodies {
  explainText: typeof explainTextBody;
}

/**
 * Per-token attributions for a model that takes strings: resolves to `[{ token, attribution }]`
 * in the order of the text.
 *
 * - `method: 'lime'` (default; any model whose first layer is a textVectorization): one entry per
 *   word of the text (split on non-word characters), each with its word's weight from `limeText`
 *   with every word in the explanation (`numSamples`, `seed` as there).
 * - `method: 'integratedGradients'` (a textVectorization in 'int' mode followed by an embedding):
 *   one entry per token the text layer makes (padding left out; a word outside the vocabulary is
 *   `[UNK]`), each with the integrated gradients of the explained output on that token's embedding
 *   vector, summed over the embedding dimension; the baseline is the zero embedding, and the
 *   integral a Gauss–Legendre rule over `steps` points (50 by default) computed in batched gradient
 *   passes through the layers after the embedding. The attributions sum to f(text) − f(baseline)
 *   (within 1% at 50 steps on the spam model of the tests).
 *
 * `output` picks the explained output (default: the text's largest, its predicted class).
 *
 * @example
 * const tokens = await nn.explain.explainText(spamModel, 'win money now', { method: 'integratedGradients' });
 * for (const { token, attribution } of tokens) console.log(token, attribution.toFixed(3));
 */
export const explainText: typeof explainTextBody = loadedOnFirstUse<ExplainTextBodies>('explainText');
