// A subword tokenizer in front of TextVectorization. A word-level vocabulary maps every word it has
// not seen to '[UNK]'; a WordPiece vocabulary splits such a word into pieces it knows (replaying →
// re ##play ##ing). This example learns a small WordPiece vocabulary from a corpus (merging the
// most frequent pairs of adjacent pieces, as WordPiece and BPE trainers start), writes it as a
// Hugging Face tokenizer.json, loads that with @huggingface/tokenizers (pure JavaScript, Node and
// browser) and hands the tokenizer to TextVectorization, whose ids an embedding then takes
// (inputDim = vocabularySize). No network: the tokenizer is built here.
// Run: npx tsx examples/subword-tokenizer.ts

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import * as nn from '../src/index.js';

const CORPUS = [
  'The players played the game and the player won.',
  'She is playing a new game; he replayed the old one.',
  'Reading and writing are useful. He reads, she writes.',
  'The readers read the stories, the writers wrote them.',
  'Playing games is fun, reading books is fun, writing is work.',
  'They played, they read, they wrote, and then they rested.',
];

/** The special tokens, ids 0 to 3: [PAD] is 0, the id TextVectorization pads with. */
const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'];

/** Words as BERT's normalizer and pre-tokenizer see them: lowercased runs of letters and digits, each punctuation mark alone. */
function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? [];
}

/**
 * Learns a WordPiece vocabulary of about `size` entries: every character (word-initial, and as a
 * '##' piece inside a word), then pieces made by merging the most frequent pair of adjacent
 * pieces, counted over the corpus's words, until the vocabulary is full or no pair is left.
 */
export function trainWordPiece(corpus: readonly string[], size: number): string[] {
  const counts = new Map<string, number>();
  for (const text of corpus) for (const w of wordsOf(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const pieces = new Map([...counts.keys()].map((w) => [w, Array.from(w, (c, i) => (i === 0 ? c : `##${c}`))]));
  const vocabulary = new Set([...pieces.values()].flat());
  while (SPECIAL_TOKENS.length + vocabulary.size < size) {
    const pairs = new Map<string, number>();
    for (const [word, p] of pieces) {
      for (let i = 0; i + 1 < p.length; i++) {
        const key = `${p[i]} ${p[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + counts.get(word)!);
      }
    }
    // the most frequent pair; of equal ones, the first in string order (a deterministic vocabulary)
    const best = [...pairs].sort(([a, m], [b, n]) => n - m || (a < b ? -1 : 1))[0];
    if (!best) break;
    const [left, right] = best[0].split(' ');
    const merged = left + right.slice(2);
    vocabulary.add(merged);
    for (const p of pieces.values()) {
      for (let i = 0; i + 1 < p.length; i++) if (p[i] === left && p[i + 1] === right) p.splice(i, 2, merged);
    }
  }
  return [...SPECIAL_TOKENS, ...vocabulary];
}

/** A Hugging Face tokenizer.json of a BERT-style WordPiece tokenizer over `vocabulary`. */
export function wordPieceTokenizerJson(vocabulary: readonly string[]): object {
  const special = (content: string) => ({
    id: vocabulary.indexOf(content),
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const token = (id: string) => ({ id, ids: [vocabulary.indexOf(id)], tokens: [id] });
  return {
    version: '1.0',
    added_tokens: SPECIAL_TOKENS.map(special),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [],
      special_tokens: { '[CLS]': token('[CLS]'), '[SEP]': token('[SEP]') },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocabulary.map((t, i) => [t, i])),
    },
  };
}

/** tokenizer_config.json of that tokenizer. */
const TOKENIZER_CONFIG = {
  tokenizer_class: 'BertTokenizer',
  do_lower_case: true,
  pad_token: '[PAD]',
  unk_token: '[UNK]',
  cls_token: '[CLS]',
  sep_token: '[SEP]',
};

/** What the example shows: the ids and pieces of a sentence of unseen words, and how many ids are '[UNK]'. */
export interface SubwordExampleResult {
  vocabularySize: number;
  sentence: string;
  subwordIds: number[];
  subwordTokens: string[];
  subwordUnknown: number;
  decoded: string;
  wordIds: number[];
  wordUnknown: number;
}

export async function runSubwordTokenizerExample(): Promise<SubwordExampleResult> {
  await nn.ready();
  const vocabulary = trainWordPiece(CORPUS, 100);
  // tokenizer.json as a file, the way a trained tokenizer is shipped, then loaded back
  const dir = mkdtempSync(join(tmpdir(), 'neurasm-wordpiece-'));
  let tokenizer: Tokenizer;
  try {
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(wordPieceTokenizerJson(vocabulary)));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(TOKENIZER_CONFIG));
    const read = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
    tokenizer = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const length = 16;
  const subwords = nn.layers.textVectorization({
    tokenizer,
    vocabularySize: vocabulary.length,
    outputSequenceLength: length,
  });
  const words = nn.layers.textVectorization({ outputSequenceLength: length });
  words.adapt(CORPUS);

  const sentence = 'The rewriters reread the readings.';
  const idsOf = (layer: nn.layers.TextVectorization) => {
    const t = layer.vectorize([sentence]);
    const ids = Array.from(t.dataSync<'int32'>());
    t.dispose();
    return ids;
  };
  const subwordIds = idsOf(subwords);
  const wordIds = idsOf(words);
  const unk = vocabulary.indexOf('[UNK]');
  return {
    vocabularySize: subwords.vocabularySize(),
    sentence,
    subwordIds,
    subwordTokens: subwordIds.filter((id) => id !== 0).map((id) => vocabulary[id]),
    subwordUnknown: subwordIds.filter((id) => id === unk).length,
    decoded: tokenizer.decode(subwordIds, { skip_special_tokens: true }),
    wordIds,
    wordUnknown: wordIds.filter((id) => id === 1).length,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runSubwordTokenizerExample();
  console.log(`WordPiece vocabulary: ${r.vocabularySize} entries (the embedding's inputDim)`);
  console.log(`"${r.sentence}"`);
  console.log(`  subword ids: [${r.subwordIds.join(', ')}]`);
  console.log(`  pieces:      ${r.subwordTokens.join(' ')} (${r.subwordUnknown} unknown)`);
  console.log(`  decoded:     "${r.decoded}"`);
  console.log(`  word ids:    [${r.wordIds.join(', ')}] (${r.wordUnknown} unknown words)`);
}
