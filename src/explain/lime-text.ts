import { ValueError } from '../errors.js';
import { optionsObject } from '../ops/options.js';
import { checkInt, checkNumber, describe } from '../ops/validate.js';
import { type Random, randomFor } from '../random.js';
import { exponentialKernel, type LocalLinearModel, localLinearModel } from './lime-base.js';
import { type ExplainedModel, explainedOutput } from './model-checks.js';
import { checkTextModel, predictTexts } from './text-model.js';

/** Options of `limeText`. */
export interface LimeTextOptions {
  /** Perturbed texts per explanation, the text itself included (default 5000). */
  numSamples?: number;
  /** Width of the exponential kernel on the cosine distance × 100 (default 25, lime's). */
  kernelWidth?: number;
  /** At most this many words in the explanation (default 10, lime's; at most the text's word count). */
  numFeatures?: number;
  /** The output explained (default: the text's largest output, its predicted class). */
  output?: number;
  /** Seed of the sampling: the same seed gives the same explanation. */
  seed?: number;
}

/** The explanation of one text (lime's intercept, local_exp, score and local_pred over its words). */
export interface LimeTextExplanation extends LocalLinearModel {
  /** The text's distinct words in order of first appearance; `weights[i]` is the weight of `words[i]`. */
  words: string[];
  /** The output explained. */
  output: number;
  /** The model's value of that output for the text. */
  prediction: number;
}

const OPTIONS: ReadonlyArray<keyof LimeTextOptions> = ['numSamples', 'kernelWidth', 'numFeatures', 'output', 'seed'];

/** Texts per model pass. */
const BATCH = 4096;

/** A run of non-word characters: Python's \W+ on a str (anything but letters, digits and _). */
const SEPARATOR = /([^\p{L}\p{N}_]+)/u;
const ONLY_SEPARATOR = /^[^\p{L}\p{N}_]+$/u;

/**
 * lime's IndexedString with bow=True: the text as alternating words and separators, and each
 * distinct word (in order of first appearance) with its places in that list.
 */
export interface IndexedText {
  parts: string[];
  words: string[];
  places: number[][];
}

/** Splits a text as lime's IndexedString (split_expression r'\W+', bow=True) does. */
export function indexText(text: string): IndexedText {
  const parts = text.split(SEPARATOR).filter((s) => s.length > 0);
  const words: string[] = [];
  const places: number[][] = [];
  const index = new Map<string, number>();
  parts.forEach((part, i) => {
    if (ONLY_SEPARATOR.test(part)) return;
    let w = index.get(part);
    if (w === undefined) {
      w = words.length;
      index.set(part, w);
      words.push(part);
      places.push([]);
    }
    places[w].push(i);
  });
  return { parts, words, places };
}

/** The text with every occurrence of the given words removed (separators kept), as inverse_removing. */
export function removeWords(indexed: IndexedText, removed: readonly number[]): string {
  const drop = new Set(removed.flatMap((w) => indexed.places[w]));
  return indexed.parts.filter((_, i) => !drop.has(i)).join('');
}

/**
 * lime's __data_labels_distances: row 0 keeps every word; each other row removes a number of
 * distinct words drawn uniformly from 1 … words, chosen without replacement. Returns the binary
 * rows (1 = word kept) and the perturbed texts.
 */
function perturbations(indexed: IndexedText, samples: number, random: Random) {
  const d = indexed.words.length;
  const data = new Float64Array(samples * d).fill(1);
  const texts = [indexed.parts.join('')];
  const order = Array.from({ length: d }, (_, i) => i);
  for (let i = 1; i < samples; i++) {
    const size = 1 + random.int(d);
    // the first `size` places of a partial Fisher-Yates shuffle: a draw without replacement
    for (let k = 0; k < size; k++) {
      const j = k + random.int(d - k);
      [order[k], order[j]] = [order[j], order[k]];
    }
    const removed = order.slice(0, size);
    for (const w of removed) data[i * d + w] = 0;
    texts.push(removeWords(indexed, removed));
  }
  return { data, texts };
}

/** Cosine distance × 100 of each binary row to the all-ones row 0: (1 − √(kept / words)) · 100. */
function cosineDistances(data: Float64Array, samples: number, d: number): Float64Array {
  const out = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    let kept = 0;
    for (let j = 0; j < d; j++) kept += data[i * d + j];
    // a row without words is a zero vector: sklearn's cosine similarity 0 to anything
    out[i] = (1 - Math.sqrt(kept / d)) * 100;
  }
  return out;
}

function checkOptions(op: string, options: LimeTextOptions | undefined) {
  const args = optionsObject(op, options, '{numSamples: 1000, seed: 1}', OPTIONS);
  const numSamples = checkInt(op, 'numSamples', args.numSamples ?? 5000, 1);
  const kernelWidth = checkNumber(op, 'kernelWidth', args.kernelWidth ?? 25);
  if (!(kernelWidth > 0) || !Number.isFinite(kernelWidth)) {
    throw new ValueError(`${op}: expected kernelWidth to be a positive number, got ${describe(args.kernelWidth)}`);
  }
  const numFeatures = checkInt(op, 'numFeatures', args.numFeatures ?? 10, 1);
  return { args, numSamples, kernelWidth, numFeatures };
}

/**
 * LIME for a model that takes strings, as python lime's LimeTextExplainer: remove random sets of
 * the text's distinct words (split on non-word characters), run the perturbed texts through the
 * model in one batched predict, weight them by the kernel sqrt(exp(−d²/25²)) of their cosine
 * distance × 100 to the text, and fit a weighted ridge regression (α = 1) of the explained output
 * on "word kept or not".
 */
export async function limeText(
  model: ExplainedModel,
  text: string,
  options?: LimeTextOptions,
): Promise<LimeTextExplanation> {
  const op = 'limeText';
  checkTextModel(op, model, text);
  const { args, numSamples, kernelWidth, numFeatures } = checkOptions(op, options);
  const outputs = model.outputWidth;
  if (args.output !== undefined) checkInt(op, 'output', args.output, 0, outputs - 1);
  const indexed = indexText(text);
  const d = indexed.words.length;
  if (d === 0) throw new ValueError(`${op}: expected text to hold at least one word, got ${describe(text)}`);
  const random = randomFor(args.seed);
  const { data, texts } = perturbations(indexed, numSamples, random);
  const predictions = predictTexts(model, texts, BATCH);
  const output = explainedOutput(predictions.subarray(0, outputs), args.output);
  const labels = new Float64Array(numSamples);
  for (let i = 0; i < numSamples; i++) labels[i] = predictions[i * outputs + output];
  const distances = cosineDistances(data, numSamples, d);
  const weights = distances.map((dist) => exponentialKernel(dist, kernelWidth));
  const fit = localLinearModel(data, numSamples, d, labels, weights, Math.min(numFeatures, d));
  return { ...fit, words: indexed.words, output, prediction: labels[0] };
}
