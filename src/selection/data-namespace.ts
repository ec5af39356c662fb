/**
 * Data handling for training: CSV parsing and reading, train/test splits, k-fold cross-validation,
 * feature scalers and label encoders. Reached as `nn.data` (`nn.data.parseCsv`,
 * `nn.data.trainTestSplit`, `nn.data.kFold`, `nn.data.standardScaler`, `nn.data.labelEncoder`, ...);
 * `crossValidate` is also `nn.crossValidate`. The data utilities are src/data/ (below the models);
 * crossValidate, which trains models, is model selection (this folder, above them).
 * @module
 */
export * from '../data/index.js';
export type { CrossValidateOptions, CrossValidation, FoldResult, Preprocess } from './cross-validate.js';
export { crossValidate } from './cross-validate-entry.js';
