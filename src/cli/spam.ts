// `npm start -- --data spam`: a text classifier trained on the SpamAssassin corpus from raw emails:
// textVectorization → embedding → pooling → dense, on a seeded, stratified 80/20 split; prints the
// test accuracy, the precision and recall for spam, and the time.
import { loadSpam } from '../datasets/index.js';
import * as nn from '../index.js';
import { type CliOptions, UsageError } from './args.js';
import { reportInt8 } from './int8-report.js';
import { progressCallbacks } from './progress.js';

/** What the spam classifier is made of (examples/spam.ts trains the other variants). */
export const SPAM_MODEL = {
  /** Vocabulary size, the padding and out-of-vocabulary indices included. */
  maxTokens: 20_000,
  /** Tokens read of each email (the subject first). */
  sequenceLength: 300,
  embeddingDim: 64,
  /** Defaults when the command line does not set them. */
  epochs: 10,
  testSize: 0.2,
} as const;

/** Trains and tests the spam classifier; `write` and `live` print progress lines. */
export async function runSpam(
  options: CliOptions,
  write: (line: string) => void,
  live: ((text: string) => void) | null,
): Promise<void> {
  if (options.kfold !== null) throw new UsageError('--kfold applies to the tabular data sets, not to spam');
  if (options.label !== null) throw new UsageError('--label applies to a CSV file, not to spam');
  const corpus = await loadSpam();
  const spam = corpus.labels.reduce((n, l) => n + l, 0);
  console.log(`data: ${corpus.description}`);
  console.log(`${corpus.texts.length} emails, ${spam} spam`);
  const testSize = options.testSize ?? SPAM_MODEL.testSize;
  const epochs = options.epochs ?? SPAM_MODEL.epochs;
  const split = nn.data.trainTestIndices(corpus.labels, { testSize, stratify: true, seed: options.seed });
  const pick = (rows: ArrayLike<number>) => Array.from(rows, (i) => corpus.texts[i]);
  const labelsOf = (rows: ArrayLike<number>) => Float32Array.from(rows, (i) => corpus.labels[i]);
  const trainTexts = pick(split.train);
  const testTexts = pick(split.test);

  const started = performance.now();
  const vectorizer = nn.layers.textVectorization({
    maxTokens: SPAM_MODEL.maxTokens,
    outputSequenceLength: SPAM_MODEL.sequenceLength,
  });
  vectorizer.adapt(trainTexts);
  const model = nn.sequential({
    layers: [
      vectorizer,
      nn.layers.embedding({
        inputDim: vectorizer.vocabularySize(),
        outputDim: SPAM_MODEL.embeddingDim,
        maskZero: true,
      }),
      nn.layers.globalAveragePooling1d(),
      nn.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  model.compile({
    optimizer: nn.train.adam(options.lr),
    loss: 'binaryCrossentropy',
    metrics: ['accuracy', 'precision', 'recall'],
  });
  model.summary();
  const batches = Math.ceil(trainTexts.length / options.batchSize);
  await model.fit(trainTexts, labelsOf(split.train), {
    epochs,
    batchSize: options.batchSize,
    seed: options.seed,
    verbose: 0,
    callbacks: progressCallbacks(epochs, batches, write, live),
  });
  const seconds = (performance.now() - started) / 1000;

  const scores = model.evaluate(testTexts, labelsOf(split.test), { batchSize: 256 }) as nn.Tensor[];
  const [, accuracy, precision, recall] = scores.map((t) => t.dataSync()[0]);
  const percent = (v: number) => `${(100 * v).toFixed(2)}%`;
  console.log(
    `test: accuracy ${percent(accuracy)}, spam precision ${percent(precision)}, spam recall ${percent(recall)} on ${testTexts.length} held-out emails`,
  );
  console.log(`training: ${epochs} epochs in ${seconds.toFixed(2)} s (vocabulary and vectorizing included)`);
  await reportInt8(model, testTexts, labelsOf(split.test), trainTexts.slice(0, 1000), write);
  nn.dispose(scores);
  model.dispose();
}
