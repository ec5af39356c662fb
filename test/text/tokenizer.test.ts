import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const TV = nn.layers.TextVectorization;

/** A tokenizer of ids from character codes: a → 1, b → 2, ... (an id per character). */
const letters = { encode: (text: string) => Array.from(text, (c) => c.charCodeAt(0) - 96) };

describe('TextVectorization with a subword tokenizer', () => {
  it('outputs the tokenizer ids, padded with 0 to the longest text or to outputSequenceLength', () => {
    const layer = new TV({ tokenizer: letters, vocabularySize: 27 });
    expect(layer.vocabularySize()).toBe(27);
    const out = layer.vectorize(['abc', 'z', '']);
    expect(out.dtype).toBe('int32');
    expect(out.arraySync()).toEqual([
      [1, 2, 3],
      [26, 0, 0],
      [0, 0, 0],
    ]);
    out.dispose();
    const fixed = new TV({
      tokenizer: { encode: (t: string) => ({ ids: letters.encode(t) }) },
      vocabularySize: 27,
      outputSequenceLength: 2,
    });
    const cut = fixed.vectorize(['abc']);
    expect(cut.arraySync()).toEqual([[1, 2]]);
    cut.dispose();
    const typed = new TV({ tokenizer: { encode: () => new BigInt64Array([3n, 4n]) as never }, vocabularySize: 5 });
    const ids = typed.vectorize(['x']);
    expect(ids.arraySync()).toEqual([[3, 4]]);
    ids.dispose();
  });

  it('names an id out of range, a bad result and a failing encode', () => {
    const layer = new TV({ tokenizer: letters, vocabularySize: 5, name: 'sub' });
    expect(() => layer.vectorize(['abc', 'abz'])).toThrow(
      'TextVectorization "sub".vectorize: the tokenizer gave id 26 for token 2 of texts[1], outside [0, 5) ' +
        "(vocabularySize is 5: make it the tokenizer's vocabulary size)",
    );
    expect(() => layer.vectorize(['_'])).toThrow('the tokenizer gave id -1 for token 0 of texts[0]');
    const bad = (encode: unknown) => new TV({ tokenizer: { encode } as never, vocabularySize: 5 });
    expect(() => bad(() => 'ids').vectorize(['a'])).toThrow(
      'the tokenizer\'s encode must return an array of ids or { ids }, got "ids" for texts[0]',
    );
    expect(() => bad(async () => [1]).vectorize(['a'])).toThrow('got a Promise (encode must be synchronous)');
    expect(() => bad(() => [1.5]).vectorize(['a'])).toThrow('the tokenizer gave id 1.5');
    expect(() =>
      bad(() => {
        throw new TypeError('boom');
      }).vectorize(['a', 'b']),
    ).toThrow("the tokenizer's encode failed on texts[0]: boom");
    expect(() => layer.vectorize([1 as never])).toThrow('expected texts[0] to be a string, got 1');
  });

  it('needs vocabularySize and int mode, and refuses the options a tokenizer replaces', () => {
    expect(() => new TV({ tokenizer: letters })).toThrow('with a tokenizer, give vocabularySize');
    expect(() => new TV({ tokenizer: letters, vocabularySize: 0 })).toThrow(
      'expected vocabularySize to be an integer in [1, 2147483647], got 0',
    );
    expect(() => new TV({ tokenizer: letters, vocabularySize: 9, outputMode: 'count' })).toThrow(
      "a tokenizer gives ids, so outputMode must be 'int', got 'count'",
    );
    for (const key of ['standardize', 'split', 'ngrams', 'maxTokens', 'vocabulary']) {
      const value = { standardize: 'lower', split: 'character', ngrams: 2, maxTokens: 10, vocabulary: ['a'] }[key];
      expect(() => new TV({ tokenizer: letters, vocabularySize: 9, [key]: value })).toThrow(
        `${key} does not apply with a tokenizer`,
      );
    }
    expect(() => new TV({ tokenizer: { tokenize: () => [] } as never, vocabularySize: 9 })).toThrow(
      'expected tokenizer to be an object with an encode(text) method returning token ids, got object',
    );
    const layer = new TV({ tokenizer: letters, vocabularySize: 27 });
    expect(() => layer.adapt(['a'])).toThrow('the layer uses a tokenizer, whose own vocabulary gives the ids');
    expect(() => layer.setVocabulary(['a'])).toThrow('the layer uses a tokenizer');
    expect(() => layer.getVocabulary()).toThrow('the layer uses a tokenizer');
  });

  it('round-trips its config when the tokenizer is passed back', () => {
    const layer = new TV({ tokenizer: letters, vocabularySize: 27, outputSequenceLength: 4, name: 'chars' });
    const config = layer.getConfig();
    expect(config).toMatchObject({
      tokenizer: true,
      vocabulary_size: 27,
      output_sequence_length: 4,
      vocabulary: null,
      standardize: null,
      split: null,
    });
    expect(() => TV.fromConfig(config)).toThrow('the config was made with a subword tokenizer; pass it');
    const copy = TV.fromConfig(config, { tokenizer: letters });
    expect(copy.getConfig()).toEqual(config);
    const out = copy.vectorize(['hi']);
    expect(out.arraySync()).toEqual([[8, 9, 0, 0]]);
    out.dispose();
  });
});
