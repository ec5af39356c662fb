// A subword tokenizer of your own (Hugging Face tokenizers, transformers.js, a WordPiece or BPE
// encoder) in place of TextVectorization's standardize, split and vocabulary.
import { NeurasmError, ValueError } from '../errors.js';
import { describe } from '../ops/validate.js';

/**
 * A tokenizer TextVectorization can use: `encode(text)` returns the token ids of one text, as an
 * array or as an object with `ids` (what `@huggingface/tokenizers`'s `Tokenizer.encode` returns).
 * It must be synchronous.
 */
export interface SubwordTokenizer {
  encode(text: string): ArrayLike<number> | { ids: ArrayLike<number> };
}

/** Throws unless `tokenizer` is an object with an `encode` method; returns it. */
export function checkTokenizer(where: string, tokenizer: unknown): SubwordTokenizer {
  const encode = (tokenizer as { encode?: unknown } | null)?.encode;
  if (tokenizer === null || typeof tokenizer !== 'object' || typeof encode !== 'function') {
    throw new ValueError(
      `${where}: expected tokenizer to be an object with an encode(text) method returning token ids, ` +
        `got ${describe(tokenizer)}`,
    );
  }
  return tokenizer as SubwordTokenizer;
}

/**
 * The ids of one text from the tokenizer, each checked to be an integer in [0, vocabularySize)
 * (BigInts, as in a BigInt64Array, are taken as numbers).
 */
export function tokenizerIds(
  where: string,
  tokenizer: SubwordTokenizer,
  text: string,
  item: number,
  vocabularySize: number,
): number[] {
  let out: unknown;
  try {
    out = tokenizer.encode(text);
  } catch (e) {
    if (e instanceof NeurasmError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    throw new ValueError(`${where}: the tokenizer's encode failed on texts[${item}]: ${message}`);
  }
  const ids = idsOf(out);
  if (ids === null) {
    const got = out instanceof Promise ? 'a Promise (encode must be synchronous)' : describe(out);
    throw new ValueError(
      `${where}: the tokenizer's encode must return an array of ids or { ids }, got ${got} for texts[${item}]`,
    );
  }
  const checked = new Array<number>(ids.length);
  for (let j = 0; j < ids.length; j++) {
    const raw = ids[j];
    const id = typeof raw === 'bigint' ? Number(raw) : raw;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= vocabularySize) {
      throw new ValueError(
        `${where}: the tokenizer gave id ${describe(raw)} for token ${j} of texts[${item}], outside ` +
          `[0, ${vocabularySize}) (vocabularySize is ${vocabularySize}: make it the tokenizer's vocabulary size)`,
      );
    }
    checked[j] = id;
  }
  return checked;
}

function idsOf(out: unknown): ArrayLike<unknown> | null {
  const ids = out !== null && typeof out === 'object' && 'ids' in out ? out.ids : out;
  if (Array.isArray(ids) || (ArrayBuffer.isView(ids) && !(ids instanceof DataView))) return ids as ArrayLike<unknown>;
  return null;
}
