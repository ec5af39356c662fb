/**
 * Data handling for training: CSV parsing and reading, train/test splits, feature scalers.
 * Reached as `nn.data` (`nn.data.parseCsv`, `nn.data.trainTestSplit`, `nn.data.standardScaler`, ...).
 * @module
 */
export type { CsvOptions, ParsedCsv } from './csv.js';
export { parseCsv } from './csv.js';
export { readCsv } from './read-csv.js';
export type {
  MinMaxScalerJSON,
  MinMaxScalerOptions,
  Scaler,
  ScalerJSON,
  StandardScalerJSON,
  StandardScalerOptions,
} from './scalers.js';
export { MinMaxScaler, minMaxScaler, StandardScaler, scalerFromJSON, standardScaler } from './scalers.js';
export type { TrainTestSplit, TrainTestSplitOptions } from './split.js';
export { trainTestSplit } from './split.js';
