import { describe, expect, it } from 'vitest';
import { runSubwordTokenizerExample, trainWordPiece } from '../../examples/subword-tokenizer.js';

describe('examples/subword-tokenizer.ts', () => {
  it('learns a WordPiece vocabulary: special tokens first, every character, then merged pieces', () => {
    const vocabulary = trainWordPiece(['low lower lowest', 'low low'], 30);
    // pair counts over low ×3, lower, lowest: (l ##o) and (##o ##w) 5 times (the first in string order
    // merges first), then (l ##ow) 5, (low ##e) 2, and the pairs seen once in string order
    expect(vocabulary).toEqual([
      ...['[PAD]', '[UNK]', '[CLS]', '[SEP]'],
      ...['l', '##o', '##w', '##e', '##r', '##s', '##t'],
      ...['##ow', 'low', 'lowe', '##st', 'lower', 'lowest'],
    ]);
    expect(trainWordPiece(['low lower lowest', 'low low'], 30)).toEqual(vocabulary);
  });

  it('a tokenizer.json it builds, loaded by @huggingface/tokenizers, feeds TextVectorization without unknown words', async () => {
    const r = await runSubwordTokenizerExample();
    expect(r.vocabularySize).toBe(100);
    expect(r.subwordIds).toHaveLength(16);
    expect(r.subwordIds.every((id) => Number.isInteger(id) && id >= 0 && id < r.vocabularySize)).toBe(true);
    expect(r.subwordTokens[0]).toBe('[CLS]');
    expect(r.subwordTokens.at(-1)).toBe('[SEP]');
    expect(r.subwordTokens).toContain('reading');
    expect(r.subwordTokens).toContain('##s');
    expect(r.subwordUnknown).toBe(0);
    expect(r.decoded).toBe(r.sentence.toLowerCase());
    // the word-level layer knows 'the' but none of the three new words
    expect(r.wordUnknown).toBe(3);
  });
});
