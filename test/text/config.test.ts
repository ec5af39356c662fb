import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const TV = nn.layers.TextVectorization;
const CORPUS = ['The cat sat on the mat.', 'The dog sat on the log!', 'Ünïcödé 日本 🙂 🙂'];
const TEXTS = ['the cat and the dog', 'ÜNÏCÖDÉ 🙂', ''];

function vectorized(layer: nn.layers.TextVectorization): number[][] {
  const t = layer.vectorize(TEXTS);
  const out = t.arraySync() as number[][];
  t.dispose();
  return out;
}

describe('TextVectorization getConfig / fromConfig', () => {
  it('writes Keras 3 key names, with the vocabulary and idf weights', () => {
    const layer = new TV({ name: 'tv', outputMode: 'tf_idf', maxTokens: 20, padToMaxTokens: true, ngrams: [1, 2] });
    layer.adapt(CORPUS);
    const config = layer.getConfig();
    expect(Object.keys(config)).toEqual([
      'name',
      'trainable',
      'max_tokens',
      'standardize',
      'split',
      'ngrams',
      'output_mode',
      'output_sequence_length',
      'pad_to_max_tokens',
      'sparse',
      'ragged',
      'vocabulary',
      'idf_weights',
      'encoding',
      'vocabulary_size',
      'has_input_vocabulary',
    ]);
    expect(config).toMatchObject({
      name: 'tv',
      max_tokens: 20,
      standardize: 'lower_and_strip_punctuation',
      split: 'whitespace',
      ngrams: [1, 2],
      output_mode: 'tf_idf',
      output_sequence_length: null,
      pad_to_max_tokens: true,
      encoding: 'utf-8',
      vocabulary_size: 20,
      has_input_vocabulary: false,
    });
    expect(config.vocabulary).toEqual(layer.getVocabulary());
    expect(config.idf_weights).toHaveLength(20);
    // a config is plain JSON
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
  });

  it('round-trips every output mode, vocabulary included', () => {
    const options: nn.layers.TextVectorizationArgs[] = [
      {},
      { outputSequenceLength: 4, ngrams: 2 },
      { outputMode: 'multi_hot', maxTokens: 6 },
      { outputMode: 'count', split: 'character', standardize: 'lower' },
      { outputMode: 'tf_idf', maxTokens: 30, padToMaxTokens: true },
      { outputMode: 'tf_idf', vocabulary: ['cat', 'dog'], idfWeights: [0.5, 2] },
      { standardize: null, split: null },
    ];
    for (const args of options) {
      const layer = new TV(args);
      if (!args.vocabulary) layer.adapt(CORPUS);
      const config = JSON.parse(JSON.stringify(layer.getConfig()));
      const copy = TV.fromConfig(config);
      expect(copy.name).toBe(layer.name);
      expect(copy.getConfig()).toEqual(layer.getConfig());
      expect(copy.getVocabulary()).toEqual(layer.getVocabulary());
      expect(vectorized(copy)).toEqual(vectorized(layer));
    }
  });

  it('keeps whether the vocabulary was an option: a copy of an adapted layer can adapt again', () => {
    const adapted = nn.layers.textVectorization();
    adapted.adapt(CORPUS);
    TV.fromConfig(adapted.getConfig()).adapt(['new words']);
    const fixed = new TV({ vocabulary: ['a'] });
    expect(() => TV.fromConfig(fixed.getConfig()).adapt(['b'])).toThrow('the vocabulary was given as an option');
  });

  it('names a function it cannot hold, and takes it back in fromConfig', () => {
    const shout = (s: string) => s.toUpperCase();
    const layer = new TV({ standardize: shout, split: 'character', vocabulary: ['A', 'B'] });
    const config = layer.getConfig();
    expect(config.standardize).toEqual({
      module: null,
      class_name: 'function',
      config: 'shout',
      registered_name: 'shout',
    });
    expect(() => TV.fromConfig(config)).toThrow(
      'TextVectorization.fromConfig: the config\'s standardize is a function ("shout") a config cannot hold; ' +
        'pass it: TextVectorization.fromConfig(config, { standardize: fn })',
    );
    const copy = TV.fromConfig(config, { standardize: shout });
    expect(vectorized(copy)).toEqual(vectorized(layer));
  });

  it("reads a Keras config, also with Keras's extra keys, and refuses what it cannot do", () => {
    const keras = {
      name: 'text_vectorization',
      trainable: true,
      dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null },
      max_tokens: null,
      standardize: 'lower_and_strip_punctuation',
      split: 'whitespace',
      ngrams: null,
      output_mode: 'tf_idf',
      output_sequence_length: null,
      pad_to_max_tokens: false,
      sparse: false,
      ragged: false,
      vocabulary: ['a', 'b'],
      idf_weights: [0.5, 0.25],
      encoding: 'utf-8',
      vocabulary_size: 3,
    };
    const layer = TV.fromConfig(keras);
    expect(layer.getVocabulary()).toEqual(['[UNK]', 'a', 'b']);
    const out = layer.vectorize(['a b z']);
    expect(out.arraySync()).toEqual([[0.375, 0.5, 0.25]]);
    out.dispose();
    expect(() => TV.fromConfig({ ...keras, sparse: true })).toThrow('sparse and ragged outputs are not supported');
    expect(() => TV.fromConfig({ ...keras, encoding: 'latin-1' })).toThrow('only the utf-8 encoding is supported');
    expect(() => TV.fromConfig({ ...keras, extra: 1 })).toThrow('unknown option "extra"');
    expect(() => TV.fromConfig({ ...keras, output_mode: 'int', idf_weights: [1, 2] })).toThrow(
      "idfWeights apply only to outputMode 'tf_idf'",
    );
    expect(() => TV.fromConfig(null as never)).toThrow(
      'TextVectorization.fromConfig: expected options to be an object, got null',
    );
  });
});
