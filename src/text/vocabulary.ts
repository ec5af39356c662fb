// TextVectorization's vocabulary: learning it from token counts (adapt) or taking a given one
// (setVocabulary), and the inverse document frequencies of tf_idf; Keras's IndexLookup rules.
import { ValueError } from '../errors.js';
import { describe } from '../ops/validate.js';

/** The padding (mask) token: index 0 in 'int' mode; dropped in the other modes. */
export const MASK_TOKEN = '';

/** The out-of-vocabulary token: index 1 in 'int' mode, 0 in the other modes. */
export const OOV_TOKEN = '[UNK]';

/** A vocabulary: its terms (special tokens left out), their output indices and tf_idf weights. */
export interface Vocabulary {
  /** The terms, special tokens left out, in index order. */
  readonly terms: readonly string[];
  /** Each term's output index (its place in `terms` plus the number of special tokens). */
  readonly index: ReadonlyMap<string, number>;
  /** tf_idf only: one weight per output index, the special tokens' first; else null. */
  readonly idfWeights: Float32Array | null;
}

/** The special tokens in front of the terms: padding and OOV in 'int' mode, OOV alone in the others. */
export function specialTokens(intMode: boolean): string[] {
  return intMode ? [MASK_TOKEN, OOV_TOKEN] : [OOV_TOKEN];
}

/** A vocabulary of `terms` after `start` special tokens. */
export function makeVocabulary(terms: string[], start: number, idfWeights: Float32Array | null): Vocabulary {
  return { terms, index: new Map(terms.map((t, i) => [t, start + i])), idfWeights };
}

/**
 * Orders two strings by their Unicode code points, as Keras (numpy) orders UTF-8 bytes. JavaScript's
 * `<` compares UTF-16 code units, which puts U+E000–U+FFFF after the astral planes (emoji).
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // move surrogates above U+FFFF and the code units above them down (ICU's code point order fix-up)
    if (x >= 0xd800 && y >= 0xd800) {
      x += x >= 0xe000 ? -0x800 : 0x2000;
      y += y >= 0xe000 ? -0x800 : 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Token counts gathered by adapt: in all texts, and (for tf_idf) the number of texts holding each. */
export class TokenCounts {
  /** How often each token occurs. */
  readonly counts = new Map<string, number>();
  /** tf_idf only: how many texts hold each token. */
  readonly documentCounts: Map<string, number> | null;
  /** The number of texts counted. */
  documents = 0;

  constructor(withDocuments: boolean) {
    this.documentCounts = withDocuments ? new Map() : null;
  }

  /** Counts the tokens of one text. */
  add(tokens: readonly string[]): void {
    this.documents++;
    for (const t of tokens) this.counts.set(t, (this.counts.get(t) ?? 0) + 1);
    if (!this.documentCounts) return;
    for (const t of new Set(tokens)) this.documentCounts.set(t, (this.documentCounts.get(t) ?? 0) + 1);
  }

  /**
   * The terms to keep, as Keras's IndexLookup picks them: the special tokens left out, the most
   * frequent first, tokens of equal count in reverse code point order ('b' before 'a', as Keras
   * takes numpy's lexsort by count and token and reverses it).
   */
  terms(): string[] {
    const terms = [...this.counts.keys()].filter((t) => t !== MASK_TOKEN && t !== OOV_TOKEN);
    return terms.sort((a, b) => this.counts.get(b)! - this.counts.get(a)! || compareCodePoints(b, a));
  }

  /**
   * tf_idf weights of `terms`, after one OOV weight: idf = log(1 + documents / (1 + document count)),
   * computed in float64 and stored in float32 as Keras does; the OOV weight is their mean.
   */
  idfWeights(terms: readonly string[]): Float32Array {
    const weights = new Float32Array(terms.length + 1);
    terms.forEach((t, i) => {
      weights[i + 1] = Math.log(1 + this.documents / (1 + (this.documentCounts?.get(t) ?? 0)));
    });
    weights[0] = mean(weights.subarray(1));
    return weights;
  }
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length > 0 ? sum / values.length : 0;
}

/** What setVocabulary checks against: where, the mode and the cap. */
export interface VocabularyRules {
  where: string;
  intMode: boolean;
  tfIdf: boolean;
  maxTokens: number | null;
}

/**
 * Checks a given vocabulary (and idf weights) as Keras's `set_vocabulary` does and returns it: its
 * special tokens may lead it (then they are dropped, and the idf weights given for them are kept),
 * else the OOV weight is the mean of the given weights. No term may repeat or be '' (the padding
 * token), and with the special tokens it may not hold more than maxTokens terms.
 */
export function givenVocabulary(rules: VocabularyRules, vocabulary: unknown, idfWeights: unknown): Vocabulary {
  const { where, intMode, tfIdf, maxTokens } = rules;
  if (!Array.isArray(vocabulary)) {
    throw new ValueError(`${where}: expected vocabulary to be an array of strings, got ${describe(vocabulary)}`);
  }
  const bad = vocabulary.findIndex((t) => typeof t !== 'string');
  if (bad >= 0) {
    throw new ValueError(`${where}: expected vocabulary[${bad}] to be a string, got ${describe(vocabulary[bad])}`);
  }
  if (vocabulary.length === 0) throw new ValueError(`${where}: the vocabulary is empty; give at least one term`);
  const specials = specialTokens(intMode);
  const withSpecials = specials.every((t, i) => vocabulary[i] === t);
  const terms: string[] = vocabulary.slice(withSpecials ? specials.length : 0);
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const t of terms) {
    if (seen.has(t)) repeated.add(t);
    seen.add(t);
  }
  if (repeated.size > 0) {
    const list = [...repeated].slice(0, 5).map((t) => JSON.stringify(t));
    throw new ValueError(`${where}: the vocabulary repeats ${list.join(', ')}; each term may appear once`);
  }
  if (seen.has(MASK_TOKEN)) {
    throw new ValueError(
      `${where}: the vocabulary holds '' (the padding token) at index ${vocabulary.lastIndexOf(MASK_TOKEN)}; ` +
        `leave the special tokens out, or put them first in this order: ${JSON.stringify(specials)}`,
    );
  }
  const size = specials.length + terms.length;
  if (maxTokens !== null && size > maxTokens) {
    throw new ValueError(
      `${where}: the vocabulary has ${size} terms with the special tokens, more than maxTokens (${maxTokens})`,
    );
  }
  if (!tfIdf) {
    if (idfWeights !== undefined && idfWeights !== null) {
      throw new ValueError(`${where}: idfWeights apply only to outputMode 'tf_idf', got ${describe(idfWeights)}`);
    }
    return makeVocabulary(terms, specials.length, null);
  }
  const weights = checkIdfWeights(where, idfWeights, vocabulary.length);
  const full = new Float32Array(size);
  full.set(weights, withSpecials ? 0 : specials.length);
  if (!withSpecials) full[0] = mean(weights);
  return makeVocabulary(terms, specials.length, full);
}

function checkIdfWeights(where: string, idfWeights: unknown, length: number): ArrayLike<number> {
  if (idfWeights === undefined || idfWeights === null) {
    throw new ValueError(`${where}: outputMode 'tf_idf' with a given vocabulary needs idfWeights, one per term`);
  }
  const isList = Array.isArray(idfWeights) || idfWeights instanceof Float32Array || idfWeights instanceof Float64Array;
  if (!isList) {
    throw new ValueError(`${where}: expected idfWeights to be an array of numbers, got ${describe(idfWeights)}`);
  }
  const weights = idfWeights as ArrayLike<unknown>;
  if (weights.length !== length) {
    throw new ValueError(
      `${where}: idfWeights must be as long as the vocabulary (${length}), got ${weights.length} weights`,
    );
  }
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (typeof w !== 'number' || !Number.isFinite(w)) {
      throw new ValueError(`${where}: expected idfWeights[${i}] to be a finite number, got ${describe(w)}`);
    }
  }
  return weights as ArrayLike<number>;
}
