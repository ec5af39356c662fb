import { type Fold, kFold, stratifiedKFold, takeRows } from '../data/kfold.js';
import { minMaxScaler, robustScaler, type Scaler, standardScaler } from '../data/scalers.js';
import { formatShape, ShapeError, ValueError } from '../errors.js';
import type { FitArgs } from '../models/fit.js';
import { Sequential } from '../models/sequential.js';
import { dispose } from '../ops/engine.js';
import { checkOptionKeys } from '../ops/options.js';
import type { Tensor } from '../ops/tensor.js';
import { checkInt, checkNumber, checkTensor, describe } from '../ops/validate.js';
import { setSeed } from '../random.js';
import type { CustomCallbackArgs, History, Logs } from '../training/callbacks.js';

/** One fold's scores on its held-out part (`loss` and each compiled metric, keyed as in fit's logs) and its History. */
export type FoldResult = Logs & { history: History };

/** What `crossValidate` returns. */
export interface CrossValidation {
  /** Each fold's held-out scores and training history, in fold order. */
  folds: FoldResult[];
  /** Mean of each score over the folds. */
  mean: Logs;
  /** Population standard deviation (divisor k, as numpy's `std` of scikit-learn's scores) of each score over the folds. */
  std: Logs;
}

/** How `crossValidate` scales features: fitted per fold on its training part only. */
export type Preprocess = 'standard' | 'minmax' | 'robust' | 'none' | (() => Scaler);

/** Options of `crossValidate`. */
export interface CrossValidateOptions {
  /** Number of folds (>= 2, at most the number of samples). Default 5. */
  k?: number;
  /** Keep class proportions in every fold (`stratifiedKFold`; y holds labels or one-hot rows). Default false. */
  stratified?: boolean;
  /** Shuffle before cutting the folds. Default true (scikit-learn's `cross_val_score` does not shuffle; sorted data then gives skewed folds). */
  shuffle?: boolean;
  /**
   * Seed of the folds and, per fold f, of fit's shuffling (seed + f) and of the weights: the
   * library-wide generator is reseeded with seed + f before `buildModel(f)`. Default: the
   * library-wide generator throughout, so runs differ.
   */
  seed?: number;
  /** Epochs per fold (default 1, as fit). */
  epochs?: number;
  /** Batch size of fit and evaluate (default 32). */
  batchSize?: number;
  /** fit's callbacks, given to every fold's fit. */
  callbacks?: CustomCallbackArgs | CustomCallbackArgs[];
  /** fit's validationSplit inside each fold's training part (adds val_ entries to the histories). Default none. */
  validationSplit?: number;
  /** fit's verbosity: 0 silent (default), 1 a line per epoch. */
  verbose?: 0 | 1;
  /** Feature scaling fitted on each fold's training part and applied to both parts. Default 'none'. */
  preprocess?: Preprocess;
  /** Called after each fold (0-based) with its result; may be async. */
  onFold?: (fold: number, k: number, result: FoldResult) => void | Promise<void>;
}

const OP = 'crossValidate';
const OPTION_NAMES: ReadonlyArray<keyof CrossValidateOptions> = [
  'k',
  'stratified',
  'shuffle',
  'seed',
  'epochs',
  'batchSize',
  'callbacks',
  'validationSplit',
  'verbose',
  'preprocess',
  'onFold',
];

function makeScaler(preprocess: unknown): (() => Scaler) | null {
  if (typeof preprocess === 'function') return preprocess as () => Scaler;
  switch (preprocess) {
    case 'none':
      return null;
    case 'standard':
      return () => standardScaler();
    case 'minmax':
      return () => minMaxScaler();
    case 'robust':
      return () => robustScaler();
    default:
      throw new ValueError(
        `${OP}: expected preprocess to be 'standard', 'minmax', 'robust', 'none' or a function returning a scaler, got ${describe(preprocess)}`,
      );
  }
}

/** Mean and population standard deviation of each key over the folds. */
function summarize(scores: Logs[]): { mean: Logs; std: Logs } {
  const mean: Logs = {};
  const std: Logs = {};
  for (const key of Object.keys(scores[0])) {
    const values = scores.map((s) => s[key]);
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    mean[key] = m;
    std[key] = Math.sqrt(values.reduce((a, v) => a + (v - m) * (v - m), 0) / values.length);
  }
  return { mean, std };
}

/** The model `buildModel(fold)` returned, if it is a compiled Sequential model (else it is disposed, if a model). */
function checkModel(model: unknown, fold: number): Sequential {
  const expected = `${OP}: buildModel(${fold}) must return a compiled Sequential model`;
  if (!(model instanceof Sequential)) throw new ValueError(`${expected}, got ${describe(model)}`);
  if (model.optimizer === null) {
    model.dispose();
    throw new ValueError(`${expected}, got one that was not compiled (call model.compile({optimizer, loss}) in it)`);
  }
  return model;
}

/** Checks the options crossValidate passes on to fit, before any fold starts. */
function checkFitOptions(options: CrossValidateOptions): void {
  const { epochs, batchSize, validationSplit, verbose, callbacks } = options;
  if (epochs !== undefined) checkInt(OP, 'epochs', epochs, 1);
  if (batchSize !== undefined) checkInt(OP, 'batchSize', batchSize, 1);
  if (
    validationSplit !== undefined &&
    !(typeof validationSplit === 'number' && validationSplit >= 0 && validationSplit < 1)
  ) {
    throw new ValueError(
      `${OP}: expected validationSplit in [0, 1) (0: no validation), got ${describe(validationSplit)}`,
    );
  }
  if (verbose !== undefined && verbose !== 0 && verbose !== 1) {
    throw new ValueError(`${OP}: expected verbose to be 0 or 1, got ${describe(verbose)}`);
  }
  const list = Array.isArray(callbacks) ? callbacks : callbacks === undefined ? [] : [callbacks];
  for (const c of list) {
    if (c === null || typeof c !== 'object') {
      throw new ValueError(`${OP}: expected callbacks to be callback objects, got ${describe(c)}`);
    }
  }
}

/** Trains a fresh model on one fold's training part and scores it on the held-out part. */
async function runFold(
  buildModel: (fold: number) => Sequential | Promise<Sequential>,
  x: Tensor,
  y: Tensor,
  fold: Fold,
  f: number,
  scaler: (() => Scaler) | null,
  options: CrossValidateOptions,
): Promise<FoldResult> {
  const owned: Tensor[] = [];
  let model: Sequential | null = null;
  try {
    if (options.seed !== undefined) setSeed(options.seed + f);
    model = checkModel(await buildModel(f), f);
    let xTrain = takeRows(x, fold.train);
    owned.push(xTrain);
    let xTest = takeRows(x, fold.test);
    owned.push(xTest);
    const yTrain = takeRows(y, fold.train);
    owned.push(yTrain);
    const yTest = takeRows(y, fold.test);
    owned.push(yTest);
    if (scaler) {
      const s = scaler();
      xTrain = s.fitTransform(xTrain);
      owned.push(xTrain);
      xTest = s.transform(xTest);
      owned.push(xTest);
    }
    const fitArgs: FitArgs = {
      epochs: options.epochs,
      batchSize: options.batchSize,
      callbacks: options.callbacks,
      validationSplit: options.validationSplit,
      verbose: options.verbose ?? 0,
      seed: options.seed === undefined ? undefined : options.seed + f,
    };
    const history = await model.fit(xTrain, yTrain, fitArgs);
    const evaluated = model.evaluate(xTest, yTest, { batchSize: options.batchSize });
    const values = Array.isArray(evaluated) ? evaluated : [evaluated];
    owned.push(...values);
    // fit logs loss first, then the metrics in compile order, then val_ entries: the same order evaluate returns
    const keys = Object.keys(history.history).slice(0, values.length);
    const scores: Logs = {};
    values.forEach((v, i) => {
      scores[keys[i] ?? (i === 0 ? 'loss' : `metric_${i}`)] = v.dataSync()[0];
    });
    return { ...scores, history } as FoldResult;
  } finally {
    dispose(owned);
    model?.dispose();
  }
}

/** The body of `crossValidate` (cross-validate-entry.ts), which loads it on first use. */
export async function crossValidate(
  buildModel: (fold: number) => Sequential | Promise<Sequential>,
  x: Tensor,
  y: Tensor,
  options: CrossValidateOptions = {},
): Promise<CrossValidation> {
  if (typeof buildModel !== 'function') {
    throw new ValueError(
      `${OP}: expected buildModel to be a function returning a compiled model, got ${describe(buildModel)}`,
    );
  }
  checkTensor(OP, 'x', x);
  checkTensor(OP, 'y', y);
  checkOptionKeys(OP, options, OPTION_NAMES);
  for (const [name, t] of [
    ['x', x],
    ['y', y],
  ] as const) {
    if (t.rank === 0) throw new ShapeError(`${OP}: expected ${name} to have rows (rank >= 1), got a scalar`);
  }
  if (x.shape[0] !== y.shape[0]) {
    throw new ShapeError(
      `${OP}: x and y must have the same number of rows, got x ${formatShape(x.shape)} and y ${formatShape(y.shape)}`,
    );
  }
  const { k = 5, stratified = false, shuffle = true, seed, onFold } = options;
  checkInt(OP, 'k', k, 2);
  if (seed !== undefined) checkNumber(OP, 'seed', seed);
  if (typeof shuffle !== 'boolean') {
    throw new ValueError(`${OP}: expected shuffle to be a boolean, got ${describe(shuffle)}`);
  }
  if (typeof stratified !== 'boolean') {
    throw new ValueError(`${OP}: expected stratified to be a boolean, got ${describe(stratified)}`);
  }
  if (onFold !== undefined && typeof onFold !== 'function') {
    throw new ValueError(`${OP}: expected onFold to be a function, got ${describe(onFold)}`);
  }
  checkFitOptions(options);
  const scaler = makeScaler(options.preprocess ?? 'none');
  const splitOptions = { k, shuffle, seed };
  const folds = stratified ? stratifiedKFold(y, splitOptions) : kFold(x.shape[0], splitOptions);

  const results: FoldResult[] = [];
  for (let f = 0; f < folds.length; f++) {
    const result = await runFold(buildModel, x, y, folds[f], f, scaler, options);
    results.push(result);
    await onFold?.(f, k, result);
  }
  const scores = results.map(({ history: _, ...s }) => s as Logs);
  return { folds: results, ...summarize(scores) };
}
