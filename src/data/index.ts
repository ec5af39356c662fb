/**
 * Data handling for training: CSV parsing and reading, train/test splits, k-fold splits, feature
 * scalers and label encoders (no models: `nn.data.crossValidate`, which trains them, is in
 * src/selection/). Reached as `nn.data` (`nn.data.parseCsv`, `nn.data.trainTestSplit`,
 * `nn.data.kFold`, `nn.data.standardScaler`, `nn.data.labelEncoder`, ...) through
 * src/selection/data-namespace.ts.
 * @module
 */
export type { CsvOptions, ParsedCsv } from './csv.js';
export { parseCsv } from './csv.js';
export type { Label, LabelEncoderJSON, LabelInput, OneHotEncoderJSON } from './encoders.js';
export { LabelEncoder, labelEncoder, OneHotEncoder, oneHotEncoder } from './encoders.js';
export type { Fold, KFoldOptions, StratifyLabels } from './kfold.js';
export { kFold, stratifiedKFold, takeRows } from './kfold.js';
export { readCsv } from './read-csv.js';
export type {
  MinMaxScalerJSON,
  MinMaxScalerOptions,
  RobustScalerJSON,
  RobustScalerOptions,
  Scaler,
  ScalerJSON,
  StandardScalerJSON,
  StandardScalerOptions,
} from './scalers.js';
export {
  MinMaxScaler,
  minMaxScaler,
  RobustScaler,
  robustScaler,
  StandardScaler,
  scalerFromJSON,
  standardScaler,
} from './scalers.js';
export type { TrainTestIndices, TrainTestSplit, TrainTestSplitOptions } from './split.js';
export { trainTestIndices, trainTestSplit } from './split.js';
