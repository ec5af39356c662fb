// The options of TextVectorization: checked once, in the constructor, each error naming its option.
import { ValueError } from '../errors.js';
import { optionsObject } from '../ops/options.js';
import { checkInt, describe, describeList } from '../ops/validate.js';
import { OUTPUT_MODES, type OutputMode } from './encode.js';
import { SPLIT_MODES, type Split } from './split.js';
import { STANDARDIZE_MODES, type Standardize } from './standardize.js';
import { checkTokenizer, type SubwordTokenizer } from './tokenizer.js';

/** Options of TextVectorization (Keras's, in camelCase). */
export interface TextVectorizationArgs {
  /**
   * Most terms in the vocabulary adapt learns, the special tokens included ('' and '[UNK]' in 'int'
   * mode, '[UNK]' in the others); default no limit.
   */
  maxTokens?: number | null;
  /** 'lower_and_strip_punctuation' (default), 'lower', 'strip_punctuation', null or `(text) => text`. */
  standardize?: Standardize;
  /** 'whitespace' (default), 'character' (Unicode code points), null (the text is one token) or `(text) => tokens`. */
  split?: Split;
  /** n-grams of the split tokens: n (widths 1 to n) or a list of widths; default none (the tokens). */
  ngrams?: number | number[] | null;
  /** 'int' (default): token indices; 'multi_hot', 'count' or 'tf_idf': one value per vocabulary term. */
  outputMode?: OutputMode;
  /** 'int' only: pad with 0 or cut every row to this length; default the longest text's in the batch. */
  outputSequenceLength?: number | null;
  /** multi_hot, count and tf_idf: output maxTokens values per text even if the vocabulary is smaller. */
  padToMaxTokens?: boolean;
  /** The vocabulary, instead of adapt (the special tokens may lead it); adapt is then refused, as in Keras. */
  vocabulary?: string[] | null;
  /** tf_idf with a given vocabulary: one inverse document frequency weight per term. */
  idfWeights?: number[] | Float32Array | null;
  /**
   * A subword tokenizer whose ids are the output ('int' mode only): standardize, split, ngrams,
   * maxTokens and the vocabulary do not apply then, and vocabularySize must be given.
   */
  tokenizer?: SubwordTokenizer;
  /** With a tokenizer: the number of ids it can give (ids lie in [0, vocabularySize)), an embedding's inputDim. */
  vocabularySize?: number;
  /** The layer's name; default text_vectorization_1, text_vectorization_2, ... */
  name?: string;
}

/** The options of TextVectorization once checked. */
export interface TextVectorizationSettings {
  maxTokens: number | null;
  standardize: Standardize;
  split: Split;
  /** ngrams as given (for the config) and the widths it stands for. */
  ngrams: number | number[] | null;
  ngramWidths: number[] | null;
  outputMode: OutputMode;
  outputSequenceLength: number | null;
  padToMaxTokens: boolean;
  tokenizer: SubwordTokenizer | null;
  vocabularySize: number | null;
}

const OPTION_NAMES = [
  'maxTokens',
  'standardize',
  'split',
  'ngrams',
  'outputMode',
  'outputSequenceLength',
  'padToMaxTokens',
  'vocabulary',
  'idfWeights',
  'tokenizer',
  'vocabularySize',
  'name',
];

/** Keras's older names of output modes. */
const OUTPUT_MODE_ALIASES: Record<string, OutputMode> = { binary: 'multi_hot', 'tf-idf': 'tf_idf' };

/** Most ids an int32 output can hold. */
const MAX_INDEX = 2 ** 31 - 1;

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

function checkNamedOrFunction<T extends string>(where: string, key: string, v: unknown, names: readonly T[]): void {
  if (v === null || typeof v === 'function' || names.includes(v as T)) return;
  const list = names.map((n) => `'${n}'`).join(', ');
  throw new ValueError(`${where}: expected ${key} to be one of ${list}, null or a function, got ${describe(v)}`);
}

function checkNgrams(where: string, ngrams: unknown): number[] | null {
  if (!isSet(ngrams)) return null;
  if (typeof ngrams === 'number') {
    const n = checkInt(where, 'ngrams', ngrams, 1, 1000);
    return Array.from({ length: n }, (_, i) => i + 1);
  }
  const ok =
    Array.isArray(ngrams) &&
    ngrams.length > 0 &&
    ngrams.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 1000);
  if (!ok) {
    throw new ValueError(
      `${where}: expected ngrams to be null, an integer >= 1 or a non-empty array of them, got ${describeList(ngrams)}`,
    );
  }
  return [...(ngrams as number[])];
}

function checkOutputMode(where: string, mode: unknown): OutputMode {
  if (mode === undefined) return 'int';
  if (typeof mode === 'string' && OUTPUT_MODE_ALIASES[mode]) return OUTPUT_MODE_ALIASES[mode];
  if (OUTPUT_MODES.includes(mode as OutputMode)) return mode as OutputMode;
  const hint = mode === 'one_hot' ? " ('one_hot' is not supported: use 'multi_hot')" : '';
  throw new ValueError(
    `${where}: expected outputMode to be 'int', 'multi_hot', 'count' or 'tf_idf', got ${describe(mode)}${hint}`,
  );
}

/** With a tokenizer, the options it replaces must be left out (or null). */
function checkTokenizerOptions(where: string, args: TextVectorizationArgs, mode: OutputMode): number {
  const replaced = ['standardize', 'split', 'ngrams', 'maxTokens', 'padToMaxTokens', 'vocabulary', 'idfWeights'];
  for (const key of replaced) {
    const v = (args as Record<string, unknown>)[key];
    if (isSet(v) && v !== false) {
      throw new ValueError(
        `${where}: ${key} does not apply with a tokenizer (its ids are the output), got ${describe(v)}`,
      );
    }
  }
  if (mode !== 'int') {
    throw new ValueError(`${where}: a tokenizer gives ids, so outputMode must be 'int', got '${mode}'`);
  }
  if (args.vocabularySize === undefined) {
    throw new ValueError(
      `${where}: with a tokenizer, give vocabularySize (the number of ids it can give: an embedding's inputDim)`,
    );
  }
  return checkInt(where, 'vocabularySize', args.vocabularySize, 1, MAX_INDEX);
}

/** Checks the options of TextVectorization (all but vocabulary and idfWeights, which setVocabulary checks). */
export function checkTextVectorizationArgs(
  where: string,
  args: TextVectorizationArgs | undefined,
): TextVectorizationSettings {
  args = optionsObject(where, args, "{maxTokens: 10000, outputMode: 'int'}", OPTION_NAMES);
  const outputMode = checkOutputMode(where, args.outputMode);
  const tokenizer = args.tokenizer === undefined ? null : checkTokenizer(where, args.tokenizer);
  const vocabularySize = tokenizer ? checkTokenizerOptions(where, args, outputMode) : null;
  if (!tokenizer && args.vocabularySize !== undefined) {
    throw new ValueError(
      `${where}: vocabularySize is for a tokenizer; without one the vocabulary (adapt or vocabulary) sets the size`,
    );
  }
  const maxTokens = isSet(args.maxTokens) ? checkInt(where, 'maxTokens', args.maxTokens, 2, MAX_INDEX) : null;
  const standardize = args.standardize === undefined ? 'lower_and_strip_punctuation' : args.standardize;
  checkNamedOrFunction(where, 'standardize', standardize, STANDARDIZE_MODES);
  const split = args.split === undefined ? 'whitespace' : args.split;
  checkNamedOrFunction(where, 'split', split, SPLIT_MODES);
  const ngramWidths = checkNgrams(where, args.ngrams);
  let outputSequenceLength: number | null = null;
  if (isSet(args.outputSequenceLength)) {
    if (outputMode !== 'int') {
      throw new ValueError(
        `${where}: outputSequenceLength applies only to outputMode 'int', got ${describe(args.outputSequenceLength)} with '${outputMode}'`,
      );
    }
    outputSequenceLength = checkInt(where, 'outputSequenceLength', args.outputSequenceLength, 1, MAX_INDEX);
  }
  const padToMaxTokens = args.padToMaxTokens ?? false;
  if (typeof padToMaxTokens !== 'boolean') {
    throw new ValueError(`${where}: expected padToMaxTokens to be true or false, got ${describe(padToMaxTokens)}`);
  }
  if (padToMaxTokens && maxTokens === null) {
    throw new ValueError(`${where}: padToMaxTokens needs maxTokens (the number of values to pad to)`);
  }
  if (isSet(args.idfWeights) && outputMode !== 'tf_idf') {
    throw new ValueError(`${where}: idfWeights apply only to outputMode 'tf_idf', got outputMode '${outputMode}'`);
  }
  if (outputMode === 'tf_idf' && isSet(args.vocabulary) && !isSet(args.idfWeights)) {
    throw new ValueError(`${where}: outputMode 'tf_idf' with a given vocabulary needs idfWeights, one per term`);
  }
  return {
    maxTokens: tokenizer ? null : maxTokens,
    standardize: tokenizer ? null : standardize,
    split: tokenizer ? null : split,
    ngrams: typeof args.ngrams === 'number' ? args.ngrams : ngramWidths,
    ngramWidths,
    outputMode,
    outputSequenceLength,
    padToMaxTokens,
    tokenizer,
    vocabularySize,
  };
}

/** Throws unless `name` is left out or a non-empty string. */
export function checkName(where: string, name: unknown): void {
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
    throw new ValueError(`${where}: expected name to be a non-empty string, got ${describe(name)}`);
  }
}
