// The split and n-gram steps of TextVectorization.
import { ValueError } from '../errors.js';
import { describe } from '../ops/validate.js';

/** The splits TextVectorization names, as Keras names them. */
export const SPLIT_MODES = ['whitespace', 'character'] as const;

/** How a standardized text becomes tokens: a named mode, none (the text is one token), or a function. */
export type Split = (typeof SPLIT_MODES)[number] | null | ((text: string) => string[]);

/** Runs of characters that are not Unicode White_Space (space, tab, newlines, NBSP, U+3000, U+2003, ...). */
const WORD = /[^\p{White_Space}]+/gu;

/**
 * Splits one text into tokens. 'whitespace' splits on runs of Unicode White_Space characters and
 * drops empty pieces (TensorFlow splits on ASCII whitespace only); 'character' splits into Unicode
 * code points, as TensorFlow's `unicode_split` does: a CJK character or a one-code-point emoji is
 * one token, and an emoji sequence (👍🏽, a ZWJ family, a flag) is one token per code point. For
 * grapheme clusters, pass a function, e.g. one built on `Intl.Segmenter`.
 */
export function splitText(text: string, mode: Split, where: string): string[] {
  if (mode === null) return [text];
  if (mode === 'whitespace') return text.match(WORD) ?? [];
  if (mode === 'character') return Array.from(text);
  const out: unknown = mode(text);
  if (!Array.isArray(out) || out.some((t) => typeof t !== 'string')) {
    const bad = Array.isArray(out)
      ? `an array holding ${describe(out.find((t) => typeof t !== 'string'))}`
      : describe(out);
    throw new ValueError(`${where}: the split function must return an array of strings, got ${bad}`);
  }
  return out;
}

/**
 * The n-grams of `tokens` for each width in `widths`, in that order, each width's in text order,
 * joined with a space (TensorFlow's `strings.ngrams` without padding): widths [1, 2] of a b c give
 * a, b, c, a b, b c. A text shorter than a width has no n-grams of it.
 */
export function ngramsOf(tokens: readonly string[], widths: readonly number[]): string[] {
  const out: string[] = [];
  for (const n of widths) {
    for (let i = 0; i + n <= tokens.length; i++) out.push(n === 1 ? tokens[i] : tokens.slice(i, i + n).join(' '));
  }
  return out;
}
