import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { MAX_TEXT_LENGTH } from '../../src/text/texts.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const CORPUS = ['The cat sat on the mat.', 'The dog sat on the log!', 'A cat, a dog and a bird?'];
const TV = nn.layers.TextVectorization;

/** The values of a vectorized batch (the tensor disposed). */
function values(layer: nn.layers.TextVectorization, texts: string[]): number[][] {
  const t = layer.vectorize(texts);
  const out = t.arraySync() as number[][];
  t.dispose();
  return out;
}

describe('TextVectorization', () => {
  it('is made by nn.layers.textVectorization, with a className and a generated name', () => {
    const a = nn.layers.textVectorization();
    const b = new TV({ name: 'words' });
    expect(a).toBeInstanceOf(TV);
    expect(a.className).toBe('TextVectorization');
    expect(TV.className).toBe('TextVectorization');
    expect(a.name).toMatch(/^text_vectorization_\d+$/);
    expect(b.name).toBe('words');
    expect(a.outputMode).toBe('int');
  });

  it("outputs int32 ids: 0 pads, 1 is '[UNK]', rows padded to the longest or to outputSequenceLength", () => {
    const layer = nn.layers.textVectorization();
    layer.adapt(CORPUS);
    const out = layer.vectorize(['the cat', 'a zebra and a dog', '']);
    expect(out.dtype).toBe('int32');
    expect(out.shape).toEqual([3, 5]);
    const vocab = layer.getVocabulary();
    const id = (t: string) => vocab.indexOf(t);
    expect(out.arraySync()).toEqual([
      [id('the'), id('cat'), 0, 0, 0],
      [id('a'), 1, id('and'), id('a'), id('dog')],
      [0, 0, 0, 0, 0],
    ]);
    out.dispose();
    const fixed = new TV({ outputSequenceLength: 2, vocabulary: vocab });
    expect(values(fixed, ['the cat sat', 'dog'])).toEqual([
      [id('the'), id('cat')],
      [id('dog'), 0],
    ]);
    // a batch of empty texts has no columns
    const empty = layer.vectorize(['', ' ']);
    expect(empty.shape).toEqual([2, 0]);
    empty.dispose();
  });

  it('gives float32 [texts, vocabularySize] in the other modes, [texts, maxTokens] with padToMaxTokens', () => {
    for (const outputMode of ['multi_hot', 'count', 'tf_idf'] as const) {
      const layer = new TV({ outputMode });
      layer.adapt(CORPUS);
      const out = layer.vectorize(['the the zebra', 'cat']);
      expect(out.dtype).toBe('float32');
      expect(out.shape).toEqual([2, layer.vocabularySize()]);
      expect(layer.getVocabulary()[0]).toBe('[UNK]');
      out.dispose();
      const padded = new TV({ outputMode, maxTokens: 40, padToMaxTokens: true });
      padded.adapt(CORPUS);
      const wide = padded.vectorize(['cat']);
      expect(wide.shape).toEqual([1, 40]);
      wide.dispose();
    }
  });

  it('cuts the vocabulary to maxTokens with the special tokens', () => {
    const int = new TV({ maxTokens: 4 });
    int.adapt(CORPUS);
    expect(int.getVocabulary()).toEqual(['', '[UNK]', 'the', 'a']);
    expect(int.getVocabulary(false)).toEqual(['the', 'a']);
    const count = new TV({ maxTokens: 4, outputMode: 'count' });
    count.adapt(CORPUS);
    expect(count.getVocabulary()).toEqual(['[UNK]', 'the', 'a', 'sat']);
  });

  it('adapt again replaces the vocabulary; a failed adapt leaves it as it was', () => {
    const layer = nn.layers.textVectorization();
    layer.adapt(['x y y']);
    expect(layer.getVocabulary()).toEqual(['', '[UNK]', 'y', 'x']);
    layer.adapt(['b']);
    expect(layer.getVocabulary()).toEqual(['', '[UNK]', 'b']);
    expect(() => layer.adapt(['?!', ' '])).toThrow('the 2 texts hold no tokens to learn');
    expect(() => layer.adapt(['ok', 7 as never])).toThrow('expected texts[1] to be a string, got 7');
    expect(layer.getVocabulary()).toEqual(['', '[UNK]', 'b']);
  });

  it('reads at most MAX_TEXT_LENGTH code units of a text, cutting a longer one instead of failing', () => {
    const layer = new TV({ split: 'character', standardize: null, outputMode: 'count' });
    const long = `${'a'.repeat(MAX_TEXT_LENGTH - 1)}😀bbb`;
    layer.adapt([long]);
    // the emoji straddled the limit: it is left out whole, and so is the rest
    expect(layer.getVocabulary()).toEqual(['[UNK]', 'a']);
    expect(values(layer, [long, `${'a'.repeat(MAX_TEXT_LENGTH)}${'b'.repeat(10)}`])).toEqual([
      [0, MAX_TEXT_LENGTH - 1],
      [0, MAX_TEXT_LENGTH],
    ]);
    const words = nn.layers.textVectorization({ outputSequenceLength: 3 });
    words.adapt(['go']);
    expect(values(words, ['go '.repeat(600_000)])).toEqual([[2, 2, 2]]);
  });

  it('tokenize shows the tokens before the lookup', () => {
    const layer = new TV({ ngrams: 2 });
    expect(layer.tokenize(['Hello, World!', ''])).toEqual([['hello', 'world', 'hello world'], []]);
  });

  it('does not leak Wasm memory over repeated vectorize calls', () => {
    const layer = new TV({ outputMode: 'tf_idf' });
    layer.adapt(CORPUS);
    values(layer, CORPUS);
    const before = nn.memory().numTensors;
    const bytes = nn.memory().numBytes;
    for (let i = 0; i < 20; i++) values(layer, CORPUS);
    expect(nn.memory().numTensors).toBe(before);
    expect(nn.memory().numBytes).toBe(bytes);
  });
});

describe('TextVectorization vocabulary', () => {
  it('takes a vocabulary with or without its special tokens', () => {
    expect(new TV({ vocabulary: ['a', 'b'] }).getVocabulary()).toEqual(['', '[UNK]', 'a', 'b']);
    expect(new TV({ vocabulary: ['', '[UNK]', 'a'] }).getVocabulary()).toEqual(['', '[UNK]', 'a']);
    expect(new TV({ vocabulary: ['[UNK]', 'a'], outputMode: 'count' }).getVocabulary()).toEqual(['[UNK]', 'a']);
    const layer = nn.layers.textVectorization();
    expect(layer.getVocabulary()).toEqual(['', '[UNK]']);
    expect(layer.vocabularySize()).toBe(2);
    layer.setVocabulary(['x', 'y', 'z']);
    expect(layer.vocabularySize()).toBe(5);
    expect(values(layer, ['z x w'])).toEqual([[4, 2, 1]]);
  });

  it('refuses a repeated term, a misplaced padding token, too many terms and idf weights of the wrong length', () => {
    const layer = new TV({ maxTokens: 4 });
    expect(() => layer.setVocabulary(['a', 'b', 'a', 'b'])).toThrow(
      'TextVectorization "' +
        layer.name +
        '".setVocabulary: the vocabulary repeats "a", "b"; each term may appear once',
    );
    expect(() => layer.setVocabulary(['a', ''])).toThrow("holds '' (the padding token) at index 1");
    expect(() => layer.setVocabulary(['a', 'b', 'c'])).toThrow(
      'the vocabulary has 5 terms with the special tokens, more than maxTokens (4)',
    );
    expect(() => layer.setVocabulary([])).toThrow('the vocabulary is empty');
    expect(() => layer.setVocabulary('abc' as never)).toThrow(
      'expected vocabulary to be an array of strings, got "abc"',
    );
    expect(() => layer.setVocabulary(['a', null as never])).toThrow('expected vocabulary[1] to be a string, got null');
    expect(() => layer.setVocabulary(['a'], [1])).toThrow("idfWeights apply only to outputMode 'tf_idf'");
    const tfidf = new TV({ outputMode: 'tf_idf' });
    expect(() => tfidf.setVocabulary(['a', 'b'])).toThrow(
      "outputMode 'tf_idf' with a given vocabulary needs idfWeights",
    );
    expect(() => tfidf.setVocabulary(['a', 'b'], [1])).toThrow(
      'idfWeights must be as long as the vocabulary (2), got 1 weights',
    );
    expect(() => tfidf.setVocabulary(['a'], [Number.NaN])).toThrow(
      'expected idfWeights[0] to be a finite number, got NaN',
    );
    expect(layer.getVocabulary()).toEqual(['', '[UNK]']);
  });

  it('refuses adapt when the vocabulary was an option, as Keras does, but not after setVocabulary', () => {
    const fixed = new TV({ vocabulary: ['a'] });
    expect(() => fixed.adapt(['b'])).toThrow('the vocabulary was given as an option');
    const set = nn.layers.textVectorization();
    set.setVocabulary(['a']);
    set.adapt(['b']);
    expect(set.getVocabulary()).toEqual(['', '[UNK]', 'b']);
  });
});

describe('TextVectorization bad input', () => {
  const adapted = new TV({ name: 'tv' });
  adapted.adapt(CORPUS);

  it('names the text that is not a string, and what came', () => {
    expect(() => adapted.vectorize(['ok', 'fine', 42 as never])).toThrow(
      'TextVectorization "tv".vectorize: expected texts[2] to be a string, got 42',
    );
    expect(() => adapted.vectorize(['ok', undefined as never])).toThrow(
      'expected texts[1] to be a string, got undefined',
    );
    expect(() => adapted.vectorize(['ok', ['nested'] as never])).toThrow(
      'expected texts[1] to be a string, got an array of length 1',
    );
    expect(() => adapted.vectorize('one text' as never)).toThrow(
      'expected texts to be an array of strings, got "one text" (wrap a single text in an array: [text])',
    );
    expect(() => adapted.vectorize(null as never)).toThrow('expected texts to be an array of strings, got null');
  });

  it('refuses adapt([]) and vectorize before any vocabulary', () => {
    expect(() => nn.layers.textVectorization({ name: 'e' }).adapt([])).toThrow(
      'TextVectorization "e".adapt: expected texts to hold at least one string, got an empty array',
    );
    expect(() => nn.layers.textVectorization({ name: 'n' }).vectorize(['x'])).toThrow(
      'TextVectorization "n".vectorize: the layer has no vocabulary yet; call adapt(texts) or setVocabulary(terms) first',
    );
    expect(() => new TV({ outputMode: 'count' }).vectorize(['x'])).toThrow('has no vocabulary yet');
  });

  it('throws a ValueError naming each bad option', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ maxTokens: 1 }, 'expected maxTokens to be an integer in [2, 2147483647], got 1'],
      [{ maxTokens: 2.5 }, 'expected maxTokens to be an integer'],
      [
        { standardize: 'upper' },
        "expected standardize to be one of 'lower_and_strip_punctuation', 'lower', 'strip_punctuation', null or a function, got \"upper\"",
      ],
      [{ split: 'words' }, "expected split to be one of 'whitespace', 'character', null or a function, got \"words\""],
      [{ ngrams: 0 }, 'expected ngrams to be an integer in [1, 1000], got 0'],
      [{ ngrams: [] }, 'expected ngrams to be null, an integer >= 1 or a non-empty array of them, got []'],
      [{ ngrams: [1, 'x'] }, 'got [1, "x"]'],
      [{ outputMode: 'one_hot' }, "('one_hot' is not supported: use 'multi_hot')"],
      [{ outputMode: 'ints' }, "expected outputMode to be 'int', 'multi_hot', 'count' or 'tf_idf', got \"ints\""],
      [{ outputSequenceLength: 0 }, 'expected outputSequenceLength to be an integer in [1, 2147483647], got 0'],
      [{ outputSequenceLength: 5, outputMode: 'count' }, "outputSequenceLength applies only to outputMode 'int'"],
      [{ padToMaxTokens: 'yes' }, 'expected padToMaxTokens to be true or false, got "yes"'],
      [{ padToMaxTokens: true, outputMode: 'count' }, 'padToMaxTokens needs maxTokens'],
      [{ idfWeights: [1] }, "idfWeights apply only to outputMode 'tf_idf', got outputMode 'int'"],
      [{ outputMode: 'tf_idf', vocabulary: ['a'] }, "outputMode 'tf_idf' with a given vocabulary needs idfWeights"],
      [{ vocabularySize: 10 }, 'vocabularySize is for a tokenizer'],
      [{ name: '' }, 'expected name to be a non-empty string, got ""'],
      [{ max_tokens: 5 }, 'unknown option "max_tokens"; did you mean maxTokens?'],
    ];
    for (const [args, message] of bad) {
      const make = () => new TV(args as never);
      expect(make, JSON.stringify(args)).toThrow(nn.ValueError);
      expect(make, JSON.stringify(args)).toThrow(message);
    }
    expect(() => new TV('x' as never)).toThrow(
      "TextVectorization: expected an options object like {maxTokens: 10000, outputMode: 'int'}",
    );
  });

  it('names a standardize or split function that returns the wrong thing', () => {
    const layer = new TV({ standardize: (() => 1) as never, vocabulary: ['a'], name: 'f' });
    expect(() => layer.vectorize(['a'])).toThrow(
      'TextVectorization "f".vectorize: the standardize function must return a string, got 1',
    );
  });

  it('takes the older output mode names Keras takes', () => {
    expect(new TV({ outputMode: 'binary' as never }).outputMode).toBe('multi_hot');
    expect(new TV({ outputMode: 'tf-idf' as never }).outputMode).toBe('tf_idf');
  });
});
