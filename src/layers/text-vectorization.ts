// TextVectorization: Keras's preprocessing layer that turns texts into token indices or bags of
// tokens, in plain JavaScript (the string steps are in src/text/). As a model's first layer it runs
// before the traced passes, and holds no weights.
import { ShapeError, ValueError } from '../errors.js';
import type { Tensor } from '../ops/tensor.js';
import {
  argsFromConfig,
  functionConfig,
  type TextVectorizationConfig,
  type TextVectorizationFunctions,
} from '../text/config.js';
import { bagsOfTokens, indexSequences } from '../text/encode.js';
import {
  checkName,
  checkTextVectorizationArgs,
  type TextVectorizationArgs,
  type TextVectorizationSettings,
} from '../text/options.js';
import { ngramsOf, splitText } from '../text/split.js';
import { standardizeText } from '../text/standardize.js';
import { checkTexts, MAX_TEXT_LENGTH } from '../text/texts.js';
import { tokenizerIds } from '../text/tokenizer.js';
import {
  givenVocabulary,
  MASK_TOKEN,
  makeVocabulary,
  specialTokens,
  TokenCounts,
  type Vocabulary,
} from '../text/vocabulary.js';
import { Layer, type SymbolicShape } from './layer.js';

/**
 * Turns texts into numbers, as Keras's `TextVectorization`: standardize each text (by default
 * NFKC, lowercase and strip punctuation), split it into tokens (by default on whitespace), form
 * n-grams if asked, look each token up in a vocabulary learned by `adapt` or given, and output
 * either the token indices (`'int'`: int32 [texts, length]; 0 is padding, 1 the out-of-vocabulary
 * index '[UNK]') or one value per vocabulary term (`'multi_hot'`, `'count'`, `'tf_idf'`: float32
 * [texts, vocabularySize], index 0 counting out-of-vocabulary tokens; the padding token has no
 * column there). A subword `tokenizer` can stand in for standardize, split and the vocabulary.
 *
 * Differences from Keras (which runs TensorFlow's string ops): standardization and whitespace
 * splitting cover all of Unicode (see `standardizeText`, `splitText`), where TensorFlow lowercases,
 * strips punctuation and splits on ASCII only (the same results on ASCII text); each text is one
 * example, also with split null; indices are int32 (Keras: int64); texts longer than
 * MAX_TEXT_LENGTH code units are cut; vectorize before any vocabulary is an error. The layer is a preprocessing stage: it runs in JavaScript
 * before a model's passes, and its output is what the model takes.
 */
export class TextVectorization extends Layer {
  /** The class name Keras's model files use. */
  static readonly className = 'TextVectorization';
  /** The most UTF-16 code units of a text that are read; the rest is left out. */
  static readonly MAX_TEXT_LENGTH = MAX_TEXT_LENGTH;
  private readonly settings: TextVectorizationSettings;
  private vocabulary: Vocabulary | null = null;
  /** Whether the vocabulary was an option: adapt is then refused, as Keras does. */
  private hasInputVocabulary: boolean;

  constructor(args: TextVectorizationArgs = {}) {
    const where = 'TextVectorization';
    const settings = checkTextVectorizationArgs(where, args);
    checkName(where, args.name);
    // one string per example
    super({ ...(args.name === undefined ? {} : { name: args.name }), batchInputShape: [null] }, 'text_vectorization');
    this.settings = settings;
    this.hasInputVocabulary = args.vocabulary !== undefined && args.vocabulary !== null;
    if (this.hasInputVocabulary) this.vocabulary = this.checkVocabulary(where, args.vocabulary, args.idfWeights);
  }

  /** Takes strings: as a model's first layer, the model vectorizes what it is given before its passes. */
  override get takesStrings(): boolean {
    return true;
  }

  /** Vectorizes a batch of texts for a model (see `vectorize`). */
  override encodeStrings(texts: readonly string[]): Tensor {
    return this.vectorize(texts);
  }

  /**
   * The output shape in a model: [batch, outputSequenceLength] in 'int' mode (a model needs a fixed
   * length), [batch, vocabularySize] in the others (so the vocabulary must be known first).
   */
  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const where = `TextVectorization "${this.name}"`;
    if (inputShape.length !== 1 && !(inputShape.length === 2 && inputShape[1] === 1)) {
      throw new ShapeError(
        `${where}: takes one string per example (input shape [batch]), got [${inputShape.map((d) => d ?? '*').join(', ')}]`,
      );
    }
    if (this.intMode) {
      const length = this.settings.outputSequenceLength;
      if (length === null) {
        throw new ValueError(
          `${where}: give outputSequenceLength to use the layer in a model (its next layer needs a fixed length)`,
        );
      }
      return [inputShape[0], length];
    }
    if (!this.settings.padToMaxTokens && !this.vocabulary) {
      throw new ValueError(
        `${where}: the output width is the vocabulary size: adapt the layer (or give vocabulary, or padToMaxTokens with maxTokens) before adding it to a model`,
      );
    }
    return [inputShape[0], this.settings.padToMaxTokens ? this.settings.maxTokens! : this.vocabularySize()];
  }

  /** Not used: a tensor cannot hold strings; `vectorize` (or a model) takes them. */
  call(): Tensor {
    throw new ValueError(
      `TextVectorization "${this.name}" takes strings, which a tensor cannot hold: call vectorize(texts), or give the texts to the model`,
    );
  }

  /** The output mode: 'int', 'multi_hot', 'count' or 'tf_idf'. */
  get outputMode(): TextVectorizationSettings['outputMode'] {
    return this.settings.outputMode;
  }

  private where(method: string): string {
    return `TextVectorization "${this.name}".${method}`;
  }

  private get intMode(): boolean {
    return this.settings.outputMode === 'int';
  }

  private checkVocabulary(where: string, vocabulary: unknown, idfWeights: unknown): Vocabulary {
    const { maxTokens, outputMode } = this.settings;
    const rules = { where, intMode: this.intMode, tfIdf: outputMode === 'tf_idf', maxTokens };
    return givenVocabulary(rules, vocabulary, idfWeights);
  }

  /**
   * Takes a new vocabulary, unless the layer is in a built model whose next layer expects the
   * output width the old one gave (a bag-of-tokens mode without padToMaxTokens).
   */
  private replaceVocabulary(where: string, vocabulary: Vocabulary): void {
    const width = this.outputShape?.[1];
    const size = specialTokens(this.intMode).length + vocabulary.terms.length;
    if (!this.intMode && !this.settings.padToMaxTokens && width !== undefined && width !== size) {
      throw new ValueError(
        `${where}: the layer is in a model whose next layer takes ${width} columns, and the new vocabulary gives ${size}; build a new model (or use padToMaxTokens)`,
      );
    }
    this.vocabulary = vocabulary;
  }

  private refuseWithTokenizer(method: string): void {
    if (this.settings.tokenizer) {
      throw new ValueError(`${this.where(method)}: the layer uses a tokenizer, whose own vocabulary gives the ids`);
    }
  }

  /** The tokens of one text: standardized, split, as n-grams if asked. */
  private tokensOf(text: string, where: string): string[] {
    const { standardize, split, ngramWidths } = this.settings;
    const tokens = splitText(standardizeText(text, standardize, where), split, where);
    return ngramWidths ? ngramsOf(tokens, ngramWidths) : tokens;
  }

  /**
   * Learns the vocabulary from `texts`: every token they hold, the most frequent first, tokens of
   * equal count in reverse code point order (as Keras, which sorts the tokens high to low), cut
   * to maxTokens with the special tokens; for tf_idf also each term's inverse document frequency
   * log(1 + texts / (1 + texts holding it)), and for '[UNK]' their mean. Replaces an earlier vocabulary.
   */
  adapt(texts: readonly string[]): void {
    const where = this.where('adapt');
    this.refuseWithTokenizer('adapt');
    if (this.hasInputVocabulary) {
      throw new ValueError(
        `${where}: the vocabulary was given as an option; a layer with a fixed vocabulary cannot adapt ` +
          '(use setVocabulary, or a layer made without one)',
      );
    }
    const checked = checkTexts(where, texts, false);
    const counts = new TokenCounts(this.settings.outputMode === 'tf_idf');
    for (const text of checked) counts.add(this.tokensOf(text, where));
    const start = specialTokens(this.intMode).length;
    const { maxTokens } = this.settings;
    const all = counts.terms();
    if (all.length === 0) {
      throw new ValueError(
        `${where}: the ${checked.length} texts hold no tokens to learn (after standardize and split)`,
      );
    }
    const terms = maxTokens === null ? all : all.slice(0, maxTokens - start);
    this.replaceVocabulary(
      where,
      makeVocabulary(terms, start, counts.documentCounts ? counts.idfWeights(terms) : null),
    );
  }

  /**
   * Sets the vocabulary (replacing any), as Keras's `set_vocabulary`: the terms, optionally led by
   * the special tokens ('', '[UNK]' in 'int' mode; '[UNK]' in the others); for tf_idf also one idf
   * weight per given entry ('[UNK]' gets the mean weight when the special tokens are left out).
   */
  setVocabulary(vocabulary: readonly string[], idfWeights?: ArrayLike<number> | null): void {
    this.refuseWithTokenizer('setVocabulary');
    const where = this.where('setVocabulary');
    this.replaceVocabulary(where, this.checkVocabulary(where, vocabulary, idfWeights));
  }

  /**
   * The vocabulary, index by index: with the special tokens first (so a term's place is its index),
   * or without them. Before adapt or setVocabulary it holds only the special tokens.
   */
  getVocabulary(includeSpecialTokens = true): string[] {
    this.refuseWithTokenizer('getVocabulary');
    const terms = this.vocabulary?.terms ?? [];
    return includeSpecialTokens ? [...specialTokens(this.intMode), ...terms] : [...terms];
  }

  /** The number of indices the layer outputs: the vocabulary with its special tokens, or the tokenizer's vocabularySize. */
  vocabularySize(): number {
    if (this.settings.vocabularySize !== null) return this.settings.vocabularySize;
    return specialTokens(this.intMode).length + (this.vocabulary?.terms.length ?? 0);
  }

  /** The tokens each text becomes (standardized, split, as n-grams), before the lookup. */
  tokenize(texts: readonly string[]): string[][] {
    const where = this.where('tokenize');
    this.refuseWithTokenizer('tokenize');
    return checkTexts(where, texts, true).map((t) => this.tokensOf(t, where));
  }

  /**
   * Vectorizes a batch of texts (Keras's `call`): 'int' gives an int32 tensor [texts, length] of
   * token indices (0 pads; length is outputSequenceLength, else the longest text's in the batch);
   * the other modes a float32 tensor [texts, vocabularySize] (maxTokens with padToMaxTokens).
   */
  vectorize(texts: readonly string[]): Tensor {
    const where = this.where('vectorize');
    const { tokenizer, vocabularySize, outputSequenceLength, outputMode, padToMaxTokens, maxTokens } = this.settings;
    const checked = checkTexts(where, texts, true);
    if (tokenizer) {
      const ids = checked.map((text, i) => tokenizerIds(where, tokenizer, text, i, vocabularySize!));
      return indexSequences(where, ids, outputSequenceLength);
    }
    const vocabulary = this.vocabulary;
    if (!vocabulary) {
      throw new ValueError(
        `${where}: the layer has no vocabulary yet; call adapt(texts) or setVocabulary(terms) first, ` +
          'or give the vocabulary option',
      );
    }
    const ids = checked.map((text) => this.lookUp(vocabulary, this.tokensOf(text, where)));
    if (outputMode === 'int') return indexSequences(where, ids, outputSequenceLength);
    const depth = padToMaxTokens ? maxTokens! : this.vocabularySize();
    return bagsOfTokens(where, ids, depth, outputMode, vocabulary.idfWeights);
  }

  /** The index of each token: out-of-vocabulary tokens '[UNK]'; the padding token '' 0 in 'int' mode, left out in the others. */
  private lookUp(vocabulary: Vocabulary, tokens: readonly string[]): number[] {
    const oov = this.intMode ? 1 : 0;
    const ids: number[] = [];
    for (const token of tokens) {
      if (token === MASK_TOKEN) {
        if (this.intMode) ids.push(0);
      } else ids.push(vocabulary.index.get(token) ?? oov);
    }
    return ids;
  }

  /**
   * The layer's config in Keras's key names (max_tokens, standardize, split, ngrams, output_mode,
   * output_sequence_length, pad_to_max_tokens, vocabulary, idf_weights, vocabulary_size, ...),
   * holding the vocabulary and idf weights with their special tokens; a function in place of a
   * named step is written by name only (fromConfig takes it back as an argument).
   */
  override getConfig(): TextVectorizationConfig {
    const s = this.settings;
    const step = (v: TextVectorizationSettings['standardize'] | TextVectorizationSettings['split']) =>
      typeof v === 'function' ? functionConfig(v) : v;
    const config: TextVectorizationConfig = {
      name: this.name,
      trainable: true,
      max_tokens: s.maxTokens,
      standardize: step(s.standardize),
      split: step(s.split),
      ngrams: Array.isArray(s.ngrams) ? [...s.ngrams] : s.ngrams,
      output_mode: s.outputMode,
      output_sequence_length: s.outputSequenceLength,
      pad_to_max_tokens: s.padToMaxTokens,
      sparse: false,
      ragged: false,
      vocabulary: this.vocabulary && !s.tokenizer ? this.getVocabulary() : null,
      idf_weights: this.vocabulary?.idfWeights ? Array.from(this.vocabulary.idfWeights) : null,
      encoding: 'utf-8',
      vocabulary_size: this.vocabularySize(),
      has_input_vocabulary: this.hasInputVocabulary,
    };
    if (s.tokenizer) config.tokenizer = true;
    return config;
  }

  /**
   * A layer from a config of getConfig or Keras 3 (`layer.get_config()`); a function or tokenizer
   * the config names is passed in `functions`. A Keras config of an adapted layer holds no
   * vocabulary (Keras keeps it in an asset file): adapt or setVocabulary the new layer.
   */
  static fromConfig(
    config: TextVectorizationConfig | Record<string, unknown>,
    functions?: TextVectorizationFunctions,
  ): TextVectorization {
    const { args, hasInputVocabulary } = argsFromConfig('TextVectorization.fromConfig', config, functions);
    const layer = new TextVectorization(args);
    if (hasInputVocabulary !== undefined) layer.hasInputVocabulary = hasInputVocabulary;
    return layer;
  }
}
