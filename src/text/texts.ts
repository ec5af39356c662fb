// The texts TextVectorization takes: a batch of strings, each cut at a length limit.
import { ValueError } from '../errors.js';
import { describe } from '../ops/validate.js';

/**
 * The most UTF-16 code units of a text TextVectorization reads (about a million characters); the
 * rest of a longer text is left out, so that one huge text cannot stall a batch or exhaust memory.
 */
export const MAX_TEXT_LENGTH = 1_000_000;

/** The first MAX_TEXT_LENGTH code units of `text`, never splitting a surrogate pair (an emoji). */
export function truncateText(text: string): string {
  if (text.length <= MAX_TEXT_LENGTH) return text;
  const high = text.charCodeAt(MAX_TEXT_LENGTH - 1);
  return text.slice(0, high >= 0xd800 && high < 0xdc00 ? MAX_TEXT_LENGTH - 1 : MAX_TEXT_LENGTH);
}

/**
 * Throws unless `texts` is an array of strings (naming the first item that is not one and what it
 * is); returns them, each cut to MAX_TEXT_LENGTH. `allowEmpty` false rejects an empty array.
 */
export function checkTexts(where: string, texts: unknown, allowEmpty: boolean): string[] {
  if (!Array.isArray(texts)) {
    const hint = typeof texts === 'string' ? ' (wrap a single text in an array: [text])' : '';
    throw new ValueError(`${where}: expected texts to be an array of strings, got ${describe(texts)}${hint}`);
  }
  if (texts.length === 0 && !allowEmpty) {
    throw new ValueError(`${where}: expected texts to hold at least one string, got an empty array`);
  }
  const out = new Array<string>(texts.length);
  for (let i = 0; i < texts.length; i++) {
    const t: unknown = texts[i];
    if (typeof t !== 'string') {
      throw new ValueError(`${where}: expected texts[${i}] to be a string, got ${describe(t)}`);
    }
    out[i] = truncateText(t);
  }
  return out;
}
