// Types of spam-experiment.js, for the Node side of the browser test (TypeScript).
import type * as NN from '../../src/index.js';

type Neurasm = typeof NN;

export declare const SPAM_SETTINGS: Readonly<{
  seed: number;
  maxTokens: number;
  sequenceLength: number;
  embeddingDim: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  testSize: number;
}>;

export declare function parseSpamCorpus(text: string): { texts: string[]; labels: Int32Array };

export declare function splitSpam(
  nn: Neurasm,
  corpus: { texts: string[]; labels: Int32Array },
): { trainTexts: string[]; trainLabels: Float32Array; testTexts: string[]; testLabels: Float32Array };

export declare function buildSpamModel(nn: Neurasm, trainTexts: string[]): NN.Sequential;

export declare function spamFitArgs(): NN.FitArgs;

export declare function spamAccuracy(model: NN.Sequential, texts: string[], labels: Float32Array): number;

export declare const SPAM_EXAMPLES: Readonly<{ spam: string; ham: string }>;
