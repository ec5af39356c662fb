// TextVectorization's config in Keras's key names, and the options a config stands for.
import { ValueError } from '../errors.js';
import { checkOptionKeys } from '../ops/options.js';
import { describe } from '../ops/validate.js';
import type { OutputMode } from './encode.js';
import type { TextVectorizationArgs } from './options.js';
import type { Split } from './split.js';
import type { Standardize } from './standardize.js';
import type { SubwordTokenizer } from './tokenizer.js';

/** A function in a config, in the shape Keras serializes one: named, its code not saved. */
export interface FunctionConfig {
  module: null;
  class_name: 'function';
  config: string;
  registered_name: string;
}

/**
 * TextVectorization's config, as Keras 3 writes it, with what Keras keeps elsewhere: the
 * vocabulary (Keras writes an adapted one to an asset file) and idf weights (a variable), both
 * with their special tokens; `has_input_vocabulary` (a key Keras reads) says whether the
 * vocabulary was an option (then adapt is refused); `tokenizer` is true for a subword tokenizer.
 */
export interface TextVectorizationConfig extends Record<string, unknown> {
  name: string;
  trainable: boolean;
  max_tokens: number | null;
  standardize: string | null | FunctionConfig;
  split: string | null | FunctionConfig;
  ngrams: number | number[] | null;
  output_mode: OutputMode;
  output_sequence_length: number | null;
  pad_to_max_tokens: boolean;
  sparse: boolean;
  ragged: boolean;
  vocabulary: string[] | null;
  idf_weights: number[] | null;
  encoding: string;
  vocabulary_size: number;
  has_input_vocabulary: boolean;
  tokenizer?: boolean;
}

/** The functions and tokenizer a config names but cannot hold, for fromConfig. */
export interface TextVectorizationFunctions {
  standardize?: (text: string) => string;
  split?: (text: string) => string[];
  tokenizer?: SubwordTokenizer;
}

/** A function as a config holds it. */
export function functionConfig(fn: { name: string }): FunctionConfig {
  const name = fn.name || 'anonymous';
  return { module: null, class_name: 'function', config: name, registered_name: name };
}

const CONFIG_KEYS = [
  'name',
  'trainable',
  'dtype',
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
  'tokenizer',
];

/** A step (standardize or split) from a config: its name, null, or the function handed to fromConfig. */
function stepFromConfig<F>(
  where: string,
  key: 'standardize' | 'split',
  v: unknown,
  fn: F | undefined,
): string | null | F {
  if (v === undefined) return fn ?? (key === 'standardize' ? 'lower_and_strip_punctuation' : 'whitespace');
  if (v === null || typeof v === 'string') return v;
  if (fn === undefined) {
    const name = (v as { config?: unknown }).config;
    throw new ValueError(
      `${where}: the config's ${key} is a function (${describe(name)}) a config cannot hold; ` +
        `pass it: TextVectorization.fromConfig(config, { ${key}: fn })`,
    );
  }
  return fn;
}

/** The options a config (Keras's or neurasm's) stands for. */
export function argsFromConfig(
  where: string,
  config: unknown,
  functions: TextVectorizationFunctions = {},
): { args: TextVectorizationArgs; hasInputVocabulary: boolean | undefined } {
  const c = checkOptionKeys(where, config, CONFIG_KEYS);
  if (c.sparse === true || c.ragged === true) {
    throw new ValueError(`${where}: sparse and ragged outputs are not supported (the config sets them)`);
  }
  if (c.encoding !== undefined && String(c.encoding).toLowerCase().replace('-', '') !== 'utf8') {
    throw new ValueError(`${where}: only the utf-8 encoding is supported, the config has ${describe(c.encoding)}`);
  }
  const tokenizer = c.tokenizer === true;
  if (tokenizer && functions.tokenizer === undefined) {
    throw new ValueError(
      `${where}: the config was made with a subword tokenizer; pass it: TextVectorization.fromConfig(config, { tokenizer })`,
    );
  }
  const args: TextVectorizationArgs = {
    maxTokens: c.max_tokens as number | null,
    standardize: stepFromConfig(where, 'standardize', c.standardize, functions.standardize) as Standardize,
    split: stepFromConfig(where, 'split', c.split, functions.split) as Split,
    ngrams: c.ngrams as number | number[] | null,
    outputMode: c.output_mode as OutputMode,
    outputSequenceLength: c.output_sequence_length as number | null,
    padToMaxTokens: c.pad_to_max_tokens as boolean | undefined,
    vocabulary: c.vocabulary as string[] | null,
    idfWeights: c.idf_weights as number[] | null,
  };
  if (tokenizer) {
    // the steps a tokenizer replaces are written as null
    Object.assign(args, {
      tokenizer: functions.tokenizer,
      vocabularySize: c.vocabulary_size,
      standardize: null,
      split: null,
    });
  }
  if (c.name !== undefined) args.name = c.name as string;
  const has = c.has_input_vocabulary;
  if (has !== undefined && typeof has !== 'boolean') {
    throw new ValueError(`${where}: expected has_input_vocabulary to be true or false, got ${describe(has)}`);
  }
  return { args, hasInputVocabulary: has };
}
