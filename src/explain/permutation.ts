// Permutation feature importance, as scikit-learn's sklearn.inspection.permutation_importance.
import { ShapeError, ValueError } from '../errors.js';
import { MAX_PREDICT_WORKERS } from '../models/predict-threads.js';
import type { Sequential } from '../models/sequential.js';
import { fromFlat, type TensorLike, tensor } from '../ops/create.js';
import { optionsObject } from '../ops/options.js';
import { isTensor, type Tensor } from '../ops/tensor.js';
import { checkInt, describe } from '../ops/validate.js';
import { randomFor } from '../random.js';
import { type Data, inputRows, type Rows, releaseRows } from '../training/inputs.js';
import { predictRowsOnThreads } from '../worker/predict-host.js';
import { argMaxRows, checkModel } from './targets.js';

/**
 * A score of predictions, higher is better: `(yTrue, yPred) => number` (yPred is [n, ...outputShape];
 * a returned scalar tensor is read and disposed).
 */
export type ScoreFunction = (yTrue: Tensor, yPred: Tensor) => number | Tensor;

/** Options of `permutationImportance`. */
export interface PermutationImportanceOptions {
  /**
   * How predictions are scored: 'accuracy' (default; y holds class indices [n] or one-hot rows
   * [n, classes], or 0/1 labels for a model with one sigmoid output), 'loss' (the model's compiled
   * loss from `model.evaluate`, scored as −loss so that importance is the rise of the loss), or a
   * function `(yTrue, yPred) => score` where higher is better (as scikit-learn's scorers).
   */
  metric?: 'accuracy' | 'loss' | ScoreFunction;
  /** Times each feature is permuted (default 5). */
  nRepeats?: number;
  /** Seed of the permutations; the same seed gives the same result. Default: the library's generator. */
  seed?: number;
  /** Rows per prediction pass (default 4096). */
  batchSize?: number;
  /**
   * Threads that share the predictions of the permuted copies (default 1; the main thread counts
   * as one): an integer from 1 to 16, or 'auto' (more than one only where the work pays for the
   * threads' start), as `model.predictAsync`; the copies of several features are then predicted
   * together. The result is the same to the bit. Metric 'loss' evaluates on this thread.
   */
  workers?: number | 'auto';
}

/** What `permutationImportance` returns (scikit-learn's Bunch), per input feature (flattened input value). */
export interface PermutationImportanceResult {
  /** [features]: the mean over the repeats of baseline score − score with the feature permuted. */
  importancesMean: number[];
  /** [features]: their population standard deviation (numpy's std, ddof 0). */
  importancesStd: number[];
  /** [features][nRepeats]: baseline score − permuted score for every feature and repeat. */
  importances: number[][];
}

const OPTIONS: ReadonlyArray<keyof PermutationImportanceOptions> = [
  'metric',
  'nRepeats',
  'seed',
  'batchSize',
  'workers',
];
const DEFAULT_BATCH = 4096;
/** Rows per predict call: several permuted copies of a small x go through one large prediction. */
const ROWS_PER_CALL = 16384;
/** With workers: input values of the permuted copies predicted in one call (of several features). */
const GROUP_VALUES = 1 << 23;

/** y as a tensor (and whether we made it), checked to have one row per row of x. */
function labelTensor(op: string, y: unknown, count: number): { t: Tensor; owned: boolean } {
  if (!isTensor(y) && !Array.isArray(y) && !ArrayBuffer.isView(y)) {
    throw new ValueError(`${op}: expected y to be a Tensor, nested arrays or a typed array, got ${describe(y)}`);
  }
  const t = isTensor(y) ? y : tensor(y as TensorLike);
  if (isTensor(y)) t.ptr(`${op} (y)`);
  if (t.rank === 0 || t.shape[0] !== count) {
    if (t !== y) t.dispose();
    throw new ShapeError(
      `${op}: expected y to have one row per row of x (${count}), got shape [${t.shape.join(', ')}]`,
    );
  }
  return { t, owned: t !== y };
}

/** The class of each row of y for accuracy: indices [n] or [n, 1], or one-hot rows [n, classes]. */
function trueClasses(op: string, y: Tensor, classes: number): Int32Array {
  const values = y.readValues(op);
  const count = y.shape[0];
  if (y.rank === 2 && y.shape[1] === classes && classes > 1) return argMaxRows(values, count, classes);
  if (!(y.rank === 1 || (y.rank === 2 && y.shape[1] === 1))) {
    throw new ShapeError(
      `${op}: expected y to be class indices [n] or one-hot rows [n, ${classes}] for metric 'accuracy', got shape [${y.shape.join(', ')}]`,
    );
  }
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= Math.max(classes, 2)) {
      throw new ValueError(
        `${op}: y[${i}] is ${v}; expected a class index in [0, ${Math.max(classes, 2)}) for metric 'accuracy'`,
      );
    }
    out[i] = v;
  }
  return out;
}

/** The share of rows whose predicted class (argmax, or p > 0.5 for one output) is the true one. */
function accuracy(predictions: ArrayLike<number>, offset: number, labels: Int32Array, width: number): number {
  let right = 0;
  for (let r = 0; r < labels.length; r++) {
    const at = offset + r * width;
    let predicted = 0;
    if (width === 1) predicted = predictions[at] > 0.5 ? 1 : 0;
    else for (let k = 1; k < width; k++) if (predictions[at + k] > predictions[at + predicted]) predicted = k;
    if (predicted === labels[r]) right++;
  }
  return right / labels.length;
}

/**
 * Permutation importance: for every input feature (each value of a flattened example) and every
 * repeat, the drop of the model's score when that feature's column is shuffled across the rows of
 * x, as scikit-learn's `permutation_importance` (baseline score − permuted score). Each permuted
 * copy of x is scored with one large prediction (several copies per call when x is small).
 *
 * @example
 * const { importancesMean } = await nn.explain.permutationImportance(model, xTest, yTest, { nRepeats: 10, seed: 0 });
 */
export async function permutationImportance(
  model: Sequential,
  x: Data,
  y: Data,
  options: PermutationImportanceOptions = {},
): Promise<PermutationImportanceResult> {
  const op = 'permutationImportance';
  checkModel(op, model);
  optionsObject(op, options, "{metric: 'accuracy', nRepeats: 5, seed: 0}", OPTIONS);
  const metric = options.metric ?? 'accuracy';
  if (metric !== 'accuracy' && metric !== 'loss' && typeof metric !== 'function') {
    throw new ValueError(
      `${op}: expected metric to be 'accuracy', 'loss' or a function (yTrue, yPred) => number, got ${describe(metric)}`,
    );
  }
  if (metric === 'loss' && !model.compiled) {
    throw new ValueError(`${op}: metric 'loss' needs a compiled model (model.compile({loss, ...})) to score with`);
  }
  const nRepeats = checkInt(op, 'nRepeats', options.nRepeats ?? 5, 1);
  const batchSize = checkInt(op, 'batchSize', options.batchSize ?? DEFAULT_BATCH, 1);
  const workers = options.workers ?? 1;
  if (workers !== 'auto' && !(Number.isInteger(workers) && workers >= 1 && workers <= MAX_PREDICT_WORKERS)) {
    throw new ValueError(
      `${op}: expected workers to be an integer from 1 to ${MAX_PREDICT_WORKERS} (threads, the main one included) or 'auto', got ${describe(workers)}`,
    );
  }
  const rng = randomFor(options.seed);
  const xs = inputRows(op, 'x', x, model.inputSpecFor(op));
  let labels: { t: Tensor; owned: boolean } | undefined;
  try {
    const { count, width } = xs;
    const shape = xs.tensor.shape.slice(1);
    const dtype = xs.tensor.dtype === 'int32' ? 'int32' : 'float32';
    labels = labelTensor(op, y, count);
    const outputs = model.outputWidth;
    const yTrue = labels.t;
    const classes = metric === 'accuracy' ? trueClasses(op, yTrue, outputs) : null;
    const original = xs.tensor.readValues(op).slice();

    /** The predictions of `copies` copies of x (flat, `copies` × count rows), as one predict call. */
    const predictCopies = (flat: ArrayLike<number>, copies: number): Float32Array => {
      const input = fromFlat([copies * count, ...shape], dtype, flat);
      try {
        const p = model.predict(input, { batchSize: Math.min(batchSize, copies * count) });
        const predictions = p.dataSync();
        p.dispose();
        return predictions;
      } finally {
        input.dispose();
      }
    };

    /** The score of every copy of x from its predictions (`copies` × count rows). */
    const scorePredictions = (predictions: Float32Array, copies: number): number[] => {
      const scores: number[] = [];
      for (let c = 0; c < copies; c++) {
        if (classes) {
          scores.push(accuracy(predictions, c * count * outputs, classes, outputs));
          continue;
        }
        const slice = predictions.subarray(c * count * outputs, (c + 1) * count * outputs);
        const yPred = fromFlat([count, ...(model.outputShape!.slice(1) as number[])], 'float32', slice);
        try {
          const score = (metric as ScoreFunction)(yTrue, yPred);
          let value: unknown = score;
          if (isTensor(score)) {
            value = score.size === 1 ? score.dataSync()[0] : Number.NaN;
            score.dispose();
          }
          if (typeof value !== 'number' || Number.isNaN(value)) {
            throw new ValueError(`${op}: expected metric to return a number, got ${describe(score)}`);
          }
          scores.push(value);
        } finally {
          yPred.dispose();
        }
      }
      return scores;
    };

    /** The score of every copy of x in `copies` (flat, `copies` × count rows). */
    const scoreCopies = (flat: ArrayLike<number>, copies: number): number[] => {
      if (metric !== 'loss') return scorePredictions(predictCopies(flat, copies), copies);
      const input = fromFlat([copies * count, ...shape], dtype, flat);
      try {
        const result = model.evaluate(input, yTrue, { batchSize: Math.min(batchSize, count) });
        const list = Array.isArray(result) ? result : [result];
        const loss = list[0].dataSync()[0];
        for (const t of list) t.dispose();
        return [-loss];
      } finally {
        input.dispose();
      }
    };

    const baseline = scoreCopies(original, 1)[0];
    // metric 'loss' evaluates one copy per call (its y has count rows); predictions take several
    const perCall = metric === 'loss' ? 1 : Math.max(1, Math.floor(ROWS_PER_CALL / count));
    const scores: number[][] = Array.from({ length: width }, () => []);
    // with workers, the calls of several features are predicted together (each call's batches as predict's)
    const grouped = workers !== 1 && metric !== 'loss';
    let pending: { feature: number; copies: number; flat: Int32Array | Float32Array }[] = [];
    let pendingValues = 0;
    const flush = async () => {
      if (pending.length === 0) return;
      const rows = pendingValues / width;
      const all = dtype === 'int32' ? new Int32Array(pendingValues) : new Float32Array(pendingValues);
      let at = 0;
      for (const call of pending) {
        all.set(call.flat, at);
        at += call.flat.length;
      }
      const input: Rows = { tensor: fromFlat([rows, ...shape], dtype, all), owned: true, count: rows, width };
      let predictions: Float32Array | null;
      try {
        const segments = pending.map((call) => ({ rows: call.copies * count, batchSize }));
        predictions = await predictRowsOnThreads(op, model, input, segments, workers);
      } finally {
        releaseRows(input);
      }
      at = 0;
      for (const call of pending) {
        const size = call.copies * count * outputs;
        const p = predictions ? predictions.subarray(at, at + size) : predictCopies(call.flat, call.copies);
        scores[call.feature].push(...scorePredictions(p, call.copies));
        at += size;
      }
      pending = [];
      pendingValues = 0;
    };
    const order = Int32Array.from({ length: count }, (_, i) => i);
    for (let feature = 0; feature < width; feature++) {
      for (let first = 0; first < nRepeats; first += perCall) {
        const copies = Math.min(perCall, nRepeats - first);
        const flat =
          dtype === 'int32' ? new Int32Array(copies * original.length) : new Float32Array(copies * original.length);
        for (let c = 0; c < copies; c++) {
          // as scikit-learn: one index array shuffled again for every repeat
          rng.shuffle(order);
          const at = c * original.length;
          flat.set(original, at);
          for (let r = 0; r < count; r++) flat[at + r * width + feature] = original[order[r] * width + feature];
        }
        if (!grouped) {
          scores[feature].push(...scoreCopies(flat, copies));
          continue;
        }
        if (pendingValues > 0 && pendingValues + flat.length > GROUP_VALUES) await flush();
        pending.push({ feature, copies, flat });
        pendingValues += flat.length;
      }
    }
    await flush();
    const importances = scores.map((row) => row.map((s) => baseline - s));
    const importancesMean = importances.map((row) => row.reduce((a, b) => a + b, 0) / nRepeats);
    const importancesStd = importances.map((row, f) => {
      const mean = importancesMean[f];
      return Math.sqrt(row.reduce((a, v) => a + (v - mean) ** 2, 0) / nRepeats);
    });
    return { importancesMean, importancesStd, importances };
  } finally {
    if (labels?.owned) labels.t.dispose();
    releaseRows(xs);
  }
}
