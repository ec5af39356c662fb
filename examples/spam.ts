// Spam filters trained from raw emails, four ways: the texts are vectorized by the model's first
// layer (a textVectorization adapted on the training emails), then an embedding and one of
// average pooling, a 1-D convolution, an LSTM or a GRU, then a sigmoid unit. Each variant trains on
// the same seeded, stratified 80/20 split of the SpamAssassin corpus and reports test accuracy,
// spam precision and recall, and its time; then the same for its int8 copy (nn.quantize, dynamic),
// with the share of test emails on which both give the same answer. The model takes strings: save
// it, and the vocabulary goes with it.
// Run: npx tsx examples/spam.ts [variant ...]   (average-pooling, conv1d, lstm, gru; default all)

import { SPAM_MODEL } from '../src/cli/spam.js';
import { loadSpam, type SpamCorpus } from '../src/datasets/index.js';
import * as nn from '../src/index.js';

/** The variants: the layers between the embedding and the output unit. */
export const SPAM_VARIANTS = {
  /** Mean of the (unmasked) token vectors: the `npm start -- --data spam` model. */
  'average-pooling': { maskZero: true, layers: () => [nn.layers.globalAveragePooling1d()] },
  /** 128 filters over windows of 5 tokens, max over the email. */
  conv1d: {
    maskZero: false,
    layers: () => [
      nn.layers.conv1d({ filters: 128, kernelSize: 5, activation: 'relu' }),
      nn.layers.globalMaxPooling1d(),
    ],
  },
  /** An LSTM reading the tokens in order; padding is masked. */
  lstm: { maskZero: true, layers: () => [nn.layers.lstm({ units: 64 })] },
  /** A GRU (Keras 3's resetAfter) reading the tokens in order; padding is masked. */
  gru: { maskZero: true, layers: () => [nn.layers.gru({ units: 64, resetAfter: true })] },
} satisfies Record<string, { maskZero: boolean; layers: () => nn.layers.Layer[] }>;

/** A variant's name. */
export type SpamVariant = keyof typeof SPAM_VARIANTS;

/** The settings every variant shares: those of the `npm start -- --data spam` model, batch 32. */
export const SPAM_SETTINGS = { ...SPAM_MODEL, batchSize: 32 };

/** Test accuracy, spam precision and recall. */
export interface SpamScores {
  accuracy: number;
  precision: number;
  recall: number;
}

/** What one variant scored on the test emails. */
export interface SpamResult extends SpamScores {
  variant: SpamVariant;
  seconds: number;
  /** With `int8`: its int8 copy's scores, and the share of test emails both classify alike. */
  int8?: SpamScores & { agreement: number };
}

/** A model's scores on texts. */
function scoresOf(model: nn.Sequential, texts: string[], labels: Float32Array): SpamScores {
  const scores = model.evaluate(texts, labels, { batchSize: 256 }) as nn.Tensor[];
  const [, accuracy, precision, recall] = scores.map((t) => t.dataSync()[0]);
  nn.dispose(scores);
  return { accuracy, precision, recall };
}

/** Predicted spam (p > 0.5) for each text. */
function spamAnswers(model: nn.Sequential, texts: string[]): boolean[] {
  const p = model.predict(texts, { batchSize: 256 });
  const answers = Array.from(p.dataSync(), (v) => v > 0.5);
  p.dispose();
  return answers;
}

/** The variant's model, its text layer adapted on `trainTexts`, compiled. */
export function spamModel(
  variant: SpamVariant,
  trainTexts: string[],
  sequenceLength: number = SPAM_SETTINGS.sequenceLength,
): nn.Sequential {
  const vectorizer = nn.layers.textVectorization({
    maxTokens: SPAM_SETTINGS.maxTokens,
    outputSequenceLength: sequenceLength,
  });
  vectorizer.adapt(trainTexts);
  const { maskZero, layers } = SPAM_VARIANTS[variant];
  const model = nn.sequential({
    layers: [
      vectorizer,
      nn.layers.embedding({ inputDim: vectorizer.vocabularySize(), outputDim: SPAM_SETTINGS.embeddingDim, maskZero }),
      ...layers(),
      nn.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  model.compile({
    optimizer: nn.train.adam(),
    loss: 'binaryCrossentropy',
    metrics: ['accuracy', 'precision', 'recall'],
  });
  return model;
}

/** Trains a variant on the training emails of `split` and scores it on the test emails. */
export async function trainSpamVariant(
  variant: SpamVariant,
  corpus: SpamCorpus,
  split: { train: ArrayLike<number>; test: ArrayLike<number> },
  options: { epochs?: number; seed?: number; sequenceLength?: number; int8?: boolean } = {},
): Promise<SpamResult> {
  const texts = (rows: ArrayLike<number>) => Array.from(rows, (i) => corpus.texts[i]);
  const labels = (rows: ArrayLike<number>) => Float32Array.from(rows, (i) => corpus.labels[i]);
  const seed = options.seed ?? 42;
  nn.setSeed(seed);
  const started = performance.now();
  const model = spamModel(variant, texts(split.train), options.sequenceLength);
  await model.fit(texts(split.train), labels(split.train), {
    epochs: options.epochs ?? SPAM_SETTINGS.epochs,
    batchSize: SPAM_SETTINGS.batchSize,
    seed,
    verbose: 0,
  });
  const seconds = (performance.now() - started) / 1000;
  const testTexts = texts(split.test);
  const result: SpamResult = { variant, seconds, ...scoresOf(model, testTexts, labels(split.test)) };
  if (options.int8) {
    const int8 = await nn.quantize(model);
    const a = spamAnswers(model, testTexts);
    const b = spamAnswers(int8, testTexts);
    const agreement = a.filter((v, i) => v === b[i]).length / a.length;
    result.int8 = { ...scoresOf(int8, testTexts, labels(split.test)), agreement };
    int8.dispose();
  }
  model.dispose();
  return result;
}

async function main(): Promise<void> {
  await nn.ready();
  const asked = process.argv.slice(2);
  const variants = (asked.length > 0 ? asked : Object.keys(SPAM_VARIANTS)) as SpamVariant[];
  for (const v of variants) {
    if (!(v in SPAM_VARIANTS))
      throw new Error(`unknown variant "${v}"; choose from ${Object.keys(SPAM_VARIANTS).join(', ')}`);
  }
  const corpus = await loadSpam();
  const split = nn.data.trainTestIndices(corpus.labels, { testSize: 0.2, stratify: true, seed: 42 });
  console.log(
    `${corpus.texts.length} emails; ${split.train.length} to train, ${split.test.length} to test (stratified, seed 42)`,
  );
  const percent = (v: number) => `${(100 * v).toFixed(2)}%`;
  for (const v of variants) {
    const r = await trainSpamVariant(v, corpus, split, { int8: true });
    console.log(
      `${v.padEnd(15)} accuracy ${percent(r.accuracy)}, spam precision ${percent(r.precision)}, recall ${percent(r.recall)}, ${SPAM_SETTINGS.epochs} epochs in ${r.seconds.toFixed(1)} s`,
    );
    const q = r.int8!;
    console.log(
      `${'  int8'.padEnd(15)} accuracy ${percent(q.accuracy)}, spam precision ${percent(q.precision)}, recall ${percent(q.recall)}, same answer as float32 on ${percent(q.agreement)} of the test emails`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
