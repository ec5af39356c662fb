// Types of experiment.js, for the Node side of the browser test (TypeScript).
import type * as NN from '../../src/index.js';

type Neurasm = typeof NN;

export declare const SETTINGS: Readonly<{
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  hidden: number[];
  testSize: number;
  validationSplit: number;
}>;

export declare function buildModel(nn: Neurasm, seed?: number): NN.Sequential;

export declare function fitArgs(seed?: number): NN.FitArgs;

export declare function prepareData(
  nn: Neurasm,
  x: NN.Tensor,
  y: NN.Tensor,
  seed?: number,
): { xTrain: NN.Tensor; yTrain: NN.Tensor; xTest: NN.Tensor; yTest: NN.Tensor; scaler: NN.data.StandardScaler };

export declare function accuracy(probabilities: Float32Array, labels: Int32Array): number;

export declare function fingerprint(arrays: ArrayBufferView[]): Promise<string>;

export declare function modelFingerprints(
  nn: Neurasm,
  model: NN.Sequential,
  x: NN.Tensor,
): Promise<{ weights: string; predictions: string; probabilities: Float32Array }>;

/** What int8Report measures. */
export interface Int8Report {
  floatAccuracy: number;
  int8Accuracy: number;
  agreement: number;
  floatBytes: number;
  int8Bytes: number;
  int8Predictions: string;
}

export declare function int8Report(
  nn: Neurasm,
  model: NN.Sequential,
  xTest: NN.Tensor,
  yTest: NN.Tensor,
): Promise<Int8Report>;
