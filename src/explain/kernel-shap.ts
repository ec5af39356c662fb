import { ShapeError, ValueError } from '../errors.js';
import { Sequential } from '../models/sequential.js';
import { fromFlat } from '../ops/create.js';
import { optionsObject } from '../ops/options.js';
import { isTensor, type Tensor } from '../ops/tensor.js';
import { checkInt, checkNumber, describe } from '../ops/validate.js';
import { randomFor } from '../random.js';
import { type Data, inputRows, releaseRows } from '../training/inputs.js';
import type { WeightedBackground } from './kmeans.js';
import { type Background, explainRows, rowStates, type ShapJob } from './shap-rows.js';
import { explainOnThreads, MAX_SHAP_WORKERS, threadCount } from './shap-threads.js';

export type { WeightedBackground } from './kmeans.js';

/** Options of `kernelShap`. */
export interface KernelShapOptions {
  /**
   * Rows standing for a missing feature (required): a feature left out of a coalition takes each
   * background row's value, and the outputs are averaged over the rows (weighted, for a summary
   * from `kmeans`). Up to 100 rows is the advice (shap's): more slows explanations down linearly.
   */
  background: Data | WeightedBackground;
  /**
   * Coalitions evaluated per example: 'auto' (default) is 2·M + 2048 for M features that vary;
   * when 2^M − 2 fit, every coalition is evaluated and the values are exact Shapley values. At
   * least the number of features.
   */
  nsamples?: number | 'auto';
  /**
   * Feature selection before the regression, as shap's `l1_reg`: false or 0 (default: no
   * selection, every feature gets a value) or 'num_features(k)' (least angle regression keeps k
   * features, the others get 0). python shap 0.51 defaults to 'num_features(10)'; its 'aic', 'bic',
   * the deprecated 'auto' and a Lasso alpha are not implemented.
   */
  l1Reg?: false | 0 | `num_features(${number})`;
  /** Explain only this output (index into the model's outputs); default: every output. */
  output?: number;
  /** Seed of the coalition draws (default: the library's generator, see `nn.setSeed`). */
  seed?: number;
  /**
   * Rows per model evaluation batch (default 1024: a 64-wide layer's activations stay in cache; with
   * a Dense first layer, rounded down to whole coalitions of a slice of the background rows).
   */
  batchSize?: number;
  /**
   * Threads (default 1, the main one included, at most 16) or 'auto': the explained rows are split
   * in contiguous blocks, each explained by a worker thread's copy of the model (Node
   * worker_threads, or Web Workers, transferring buffers where the page is not cross-origin
   * isolated), with the same values as one
   * thread to the bit. 'auto' uses more than one where the work pays for starting them (about 0.6 s
   * of explaining per thread) and the runtime can start threads.
   */
  workers?: number | 'auto';
}

/** What `kernelShap` returns. */
export interface KernelShapResult {
  /**
   * SHAP values, float32 [examples, features, outputs] (outputs is 1 with `output`): each example's
   * values sum over features to f(x) − baseValues for each output. Dispose it when done.
   */
  values: Tensor;
  /** The expected model output over the background, E[f], one per explained output. */
  baseValues: number[];
}

const OP = 'kernelShap';
/** Background rows above which shap warns that explanations get slow. */
const LARGE_BACKGROUND = 100;

function isWeightedBackground(b: unknown): b is WeightedBackground {
  return typeof b === 'object' && b !== null && !Array.isArray(b) && !isTensor(b) && !ArrayBuffer.isView(b);
}

function readBackground(model: Sequential, given: unknown): Background {
  if (given === undefined || given === null) {
    throw new ValueError(`${OP}: the background option is required (rows of features, or the result of kmeans)`);
  }
  let data: unknown = given;
  let weights: unknown = null;
  if (isWeightedBackground(given)) {
    data = given.data;
    weights = given.weights;
    if (!Array.isArray(data) || !Array.isArray(weights)) {
      throw new ValueError(
        `${OP}: expected background to be rows of features or {data, weights} from kmeans, got ${describe(given)}`,
      );
    }
  }
  const input = model.inputSpecFor(OP, isTensor(data) ? data : undefined);
  const rows = inputRows(OP, 'background', data, input);
  try {
    const values = Float32Array.from(rows.tensor.readValues(OP));
    const w = new Float64Array(rows.count);
    if (weights === null) {
      w.fill(1 / rows.count);
    } else {
      const list = weights as unknown[];
      if (list.length !== rows.count) {
        throw new ShapeError(`${OP}: background has ${rows.count} rows but ${list.length} weights`);
      }
      let sum = 0;
      for (let r = 0; r < rows.count; r++) {
        const v = list[r];
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
          throw new ValueError(`${OP}: expected background weights >= 0, got ${describe(v)} at index ${r}`);
        }
        w[r] = v;
        sum += v;
      }
      if (sum <= 0) throw new ValueError(`${OP}: the background weights sum to 0`);
      for (let r = 0; r < rows.count; r++) w[r] /= sum;
    }
    return { values, rows: rows.count, weights: w };
  } finally {
    releaseRows(rows);
  }
}

/** The model's outputs for float32 rows, as float32 [rows, width] values. */
function evaluate(model: Sequential, shape: readonly number[], values: Float32Array, rows: number, batchSize: number) {
  const x = fromFlat([rows, ...shape], 'float32', values);
  try {
    const y = model.predict(x, { batchSize: Math.min(batchSize, rows) });
    try {
      return Float32Array.from(y.readValues(OP));
    } finally {
      y.dispose();
    }
  } finally {
    x.dispose();
  }
}

function checkOptions(options: KernelShapOptions | undefined, features: number, outputs: number) {
  const args = optionsObject(OP, options, '{background: xTrain.slice([0, 0], [100, -1])}', [
    'background',
    'nsamples',
    'l1Reg',
    'output',
    'seed',
    'batchSize',
    'workers',
  ]);
  const nsamples = args.nsamples ?? 'auto';
  if (nsamples !== 'auto') {
    if (typeof nsamples !== 'number' || !Number.isInteger(nsamples)) {
      throw new ValueError(`${OP}: expected nsamples to be 'auto' or an integer, got ${describe(nsamples)}`);
    }
    if (nsamples < features) {
      throw new ValueError(
        `${OP}: nsamples ${nsamples} is below the number of features (${features}); the regression needs at least that many coalitions`,
      );
    }
  }
  const l1Reg: unknown = args.l1Reg ?? false;
  const numFeatures = typeof l1Reg === 'string' ? /^num_features\((\d+)\)$/.exec(l1Reg) : null;
  if (l1Reg !== false && l1Reg !== 0 && (numFeatures === null || Number(numFeatures[1]) < 1)) {
    throw new ValueError(
      `${OP}: expected l1Reg to be false, 0 or 'num_features(k)' with k >= 1, got ${describe(l1Reg)} (shap's 'aic', 'bic', 'auto' and Lasso alphas are not implemented)`,
    );
  }
  const keep = numFeatures === null ? null : Number(numFeatures[1]);
  const output = args.output === undefined ? null : checkInt(OP, 'output', args.output, 0, outputs - 1);
  if (args.seed !== undefined) checkNumber(OP, 'seed', args.seed);
  const batchSize = checkInt(OP, 'batchSize', args.batchSize ?? 1024, 1);
  const workers = args.workers ?? 1;
  if (workers !== 'auto' && !(Number.isInteger(workers) && workers >= 1 && workers <= MAX_SHAP_WORKERS)) {
    throw new ValueError(
      `${OP}: expected workers to be an integer from 1 to ${MAX_SHAP_WORKERS} (threads, the main one included) or 'auto', got ${describe(workers)}`,
    );
  }
  return { args, nsamples, keep, output, batchSize, workers };
}

/**
 * SHAP values by KernelSHAP, with python shap 0.51's KernelExplainer semantics: features missing
 * from a coalition take the background's values; the coalitions are paired (each with its
 * complement), weighted by the Shapley kernel (M − 1) / (s (M − s)), whole subset sizes enumerated
 * while they fit in `nsamples` and the rest drawn at random (seeded); the values solve a weighted
 * least squares fit with efficiency (they sum to f(x) − E[f]) enforced exactly. With 2^M − 2 ≤
 * nsamples every coalition is evaluated and the values are exact Shapley values. Features equal to
 * every background row get 0. The coalitions × background rows of up to 32 examples at a time
 * (2,108 × 100 rows per example for 30 features) stream through the model's predict step in
 * batches of `batchSize` rows. When the model starts with a Dense layer on flat rows, its GEMM is
 * skipped: a masked row's pre-activation is the background row's (or the example's) plus the
 * weight rows of the fewer features that differ, scaled by the difference (the same values within
 * float32 rounding), and the rest of the model runs on batches of whole coalitions. With `workers`,
 * contiguous blocks of the examples go to worker threads, each with a copy of the model: every
 * example's coalitions come from the generator state recorded for it and its batches are laid out
 * the same way on any thread, so the values are those of one thread, to the bit.
 *
 * Differences from shap: the random draws come from neurasm's generator (sampled values differ from
 * shap's within the sampling error); `l1Reg` defaults to false (shap 0.51: 'num_features(10)') and
 * takes 'num_features(k)' but not 'aic', 'bic' or a Lasso alpha; a singular regression uses the
 * pseudo-inverse (shap: lstsq after a warning), silently.
 */
export async function kernelShap(model: Sequential, x: Data, options: KernelShapOptions): Promise<KernelShapResult> {
  if (!(model instanceof Sequential))
    throw new ValueError(`${OP}: expected model to be a Sequential model, got ${describe(model)}`);
  const input = model.inputSpecFor(OP, isTensor(x) ? x : undefined);
  if (input.encodeStrings) throw new ValueError(`${OP}: the model takes strings; KernelSHAP explains numeric features`);
  const features = input.shape.reduce((a, b) => a * b, 1);
  const outputs = model.outputWidth;
  const { args, nsamples, keep, output, batchSize, workers } = checkOptions(options, features, outputs);
  const background = readBackground(model, args.background);
  const rows = inputRows(OP, 'x', x, input);
  let xValues: Float32Array;
  let count: number;
  try {
    xValues = Float32Array.from(rows.tensor.readValues(OP));
    count = rows.count;
  } finally {
    releaseRows(rows);
  }
  if (background.rows > LARGE_BACKGROUND) {
    console.warn(
      `${OP}: ${background.rows} background rows make explanations slow (every coalition is evaluated on each); consider nn.explain.kmeans(background, 100) or a sample of 100 rows`,
    );
  }
  const fx = evaluate(model, input.shape, xValues, count, batchSize);
  const fBackground = evaluate(model, input.shape, background.values, background.rows, batchSize);
  const fnull = new Float64Array(outputs);
  for (let r = 0; r < background.rows; r++) {
    for (let d = 0; d < outputs; d++) fnull[d] += background.weights[r] * fBackground[r * outputs + d];
  }

  const explained = output === null ? Array.from({ length: outputs }, (_, d) => d) : [output];
  const D = explained.length;
  const shared = { x: xValues, count, features, inputShape: [...input.shape], background, fx, fnull, outputs };
  const settings = { explained, nsamples, keep, batchSize };
  const threads = await threadCount(model, workers, count, features, nsamples, background.rows);
  const random = randomFor(args.seed);
  const job: ShapJob = { ...shared, ...settings, states: rowStates({ ...shared, ...settings }, random) };
  let phi: Float32Array;
  if (threads > 1) {
    phi = await explainOnThreads(model, job, threads);
  } else {
    phi = new Float32Array(count * features * D);
    explainRows(model, job, 0, count, phi);
  }
  return {
    values: fromFlat([count, features, D], 'float32', phi),
    baseValues: explained.map((d) => fnull[d]),
  };
}
