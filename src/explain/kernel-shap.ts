import { ShapeError, ValueError } from '../errors.js';
import { Sequential } from '../models/sequential.js';
import { fromFlat } from '../ops/create.js';
import { optionsObject } from '../ops/options.js';
import { isTensor, Tensor } from '../ops/tensor.js';
import { checkInt, checkNumber, describe } from '../ops/validate.js';
import { randomFor } from '../random.js';
import { type Data, inputRows, releaseRows } from '../training/inputs.js';
import type { WeightedBackground } from './kmeans.js';
import { type Coalitions, coalitionBudget, makeCoalitions } from './shap-coalitions.js';
import { solveShapley } from './shap-solve.js';

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
   * Feature selection before the regression: only `false` or 0 (no selection, every feature gets a
   * value) is implemented. python shap 0.51 defaults to 'num_features(10)' (LARS keeps 10 features,
   * the others get 0); call shap with `l1_reg=False` to compare.
   */
  l1Reg?: false | 0;
  /** Explain only this output (index into the model's outputs); default: every output. */
  output?: number;
  /** Seed of the coalition draws (default: the library's generator, see `nn.setSeed`). */
  seed?: number;
  /** Rows per model evaluation batch (default 4096). */
  batchSize?: number;
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
/** Most model input rows built and evaluated at once (a chunk of coalitions × background rows). */
const MAX_CHUNK_ROWS = 262_144;
/** Most float32 input values built at once (32 MB). */
const MAX_CHUNK_VALUES = 1 << 23;
/** Background rows above which shap warns that explanations get slow. */
const LARGE_BACKGROUND = 100;

/** The background as float32 rows with weights summing to 1. */
interface Background {
  values: Float32Array;
  rows: number;
  weights: Float64Array;
}

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

/**
 * Indices of the features where the example differs from some background row (numpy's allclose:
 * |x − b| > 1e-8 + 1e-5·|b|), as shap's varying_groups: the others get a value of 0.
 */
function varyingFeatures(x: Float32Array, offset: number, width: number, background: Background): number[] {
  const varying: number[] = [];
  for (let j = 0; j < width; j++) {
    const v = x[offset + j];
    for (let r = 0; r < background.rows; r++) {
      const b = background.values[r * width + j];
      if (Math.abs(v - b) > 1e-8 + 1e-5 * Math.abs(b)) {
        varying.push(j);
        break;
      }
    }
  }
  return varying;
}

/** One explained example's work: its varying features, coalitions, and their expected outputs (filled by chunks). */
interface ExampleWork {
  varying: number[];
  coalitions: Coalitions;
  /** [count, outputs]: the background-weighted mean output of each coalition. */
  expected: Float64Array;
}

function checkOptions(options: KernelShapOptions | undefined, features: number, outputs: number) {
  const args = optionsObject(OP, options, '{background: xTrain.slice([0, 0], [100, -1])}', [
    'background',
    'nsamples',
    'l1Reg',
    'output',
    'seed',
    'batchSize',
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
  const l1Reg = args.l1Reg ?? false;
  if (l1Reg !== false && l1Reg !== 0) {
    throw new ValueError(
      `${OP}: l1Reg ${describe(l1Reg)} is not supported; only false (no feature selection, every feature gets a value) is`,
    );
  }
  const output = args.output === undefined ? null : checkInt(OP, 'output', args.output, 0, outputs - 1);
  if (args.seed !== undefined) checkNumber(OP, 'seed', args.seed);
  const batchSize = checkInt(OP, 'batchSize', args.batchSize ?? 4096, 1);
  return { args, nsamples, output, batchSize };
}

/**
 * Fills each example's `expected` outputs: every coalition × background row is built as a model
 * input (features in the coalition take the example's value, the others the background row's) and
 * evaluated in large chunks through `model.predict`, then averaged with the background weights.
 */
function evaluateCoalitions(
  model: Sequential,
  shape: readonly number[],
  x: Float32Array,
  work: ExampleWork[],
  background: Background,
  outputs: number,
  batchSize: number,
): void {
  const width = background.values.length / background.rows;
  const N = background.rows;
  const chunkCoalitions = Math.max(
    1,
    Math.min(Math.floor(MAX_CHUNK_ROWS / N), Math.floor(MAX_CHUNK_VALUES / (N * width))),
  );
  const block = N * width;
  // the (example, coalition) pairs of the current chunk
  const pairExample = new Int32Array(chunkCoalitions);
  const pairCoalition = new Int32Array(chunkCoalitions);
  let pairs = 0;
  let left = work.reduce((sum, item) => sum + item.coalitions.count, 0);
  let chunk: Tensor | null = null;
  let input: Float32Array | null = null;
  const flush = () => {
    if (pairs === 0 || chunk === null) return;
    const rows = pairs * N;
    try {
      const out = model.predict(chunk, { batchSize: Math.min(batchSize, rows) });
      try {
        const y = out.readValues(OP) as Float32Array;
        for (let i = 0; i < pairs; i++) {
          const expected = work[pairExample[i]].expected;
          const at = pairCoalition[i] * outputs;
          for (let r = 0; r < N; r++) {
            const w = background.weights[r];
            const base = (i * N + r) * outputs;
            for (let d = 0; d < outputs; d++) expected[at + d] += w * y[base + d];
          }
        }
      } finally {
        out.dispose();
      }
    } finally {
      chunk.dispose();
      chunk = null;
    }
    pairs = 0;
  };
  try {
    for (let e = 0; e < work.length; e++) {
      const item = work[e];
      const { masks, count, players } = item.coalitions;
      const present = new Int32Array(players);
      for (let c = 0; c < count; c++) {
        if (chunk === null) {
          // the inputs are written straight into Wasm memory (nothing allocates until predict)
          chunk = new Tensor([Math.min(chunkCoalitions, left) * N, ...shape], 'float32');
          input = chunk.readValues(OP) as Float32Array;
        }
        const start = pairs * block;
        input!.set(background.values, start);
        let n = 0;
        for (let p = 0; p < players; p++) if (masks[c * players + p]) present[n++] = item.varying[p];
        for (let i = 0; i < n; i++) {
          const j = present[i];
          const v = x[e * width + j];
          for (let at = start + j; at < start + block; at += width) input![at] = v;
        }
        pairExample[pairs] = e;
        pairCoalition[pairs] = c;
        pairs++;
        left--;
        if (pairs * N === chunk.shape[0]) flush();
      }
    }
  } finally {
    (chunk as Tensor | null)?.dispose();
  }
}

/**
 * SHAP values by KernelSHAP, with python shap 0.51's KernelExplainer semantics: features missing
 * from a coalition take the background's values; the coalitions are paired (each with its
 * complement), weighted by the Shapley kernel (M − 1) / (s (M − s)), whole subset sizes enumerated
 * while they fit in `nsamples` and the rest drawn at random (seeded); the values solve a weighted
 * least squares fit with efficiency (they sum to f(x) − E[f]) enforced exactly. With 2^M − 2 ≤
 * nsamples every coalition is evaluated and the values are exact Shapley values. Features equal to
 * every background row get 0. All coalitions × background rows of several examples are evaluated as
 * one large batch through the model (e.g. 2,108 × 100 rows per example for 30 features).
 *
 * Differences from shap: the random draws come from neurasm's generator (sampled values differ from
 * shap's within the sampling error); `l1Reg` only takes false (shap's default 'num_features(10)'
 * keeps 10 features by LARS); a singular regression uses the pseudo-inverse (shap: lstsq), silently.
 */
export async function kernelShap(model: Sequential, x: Data, options: KernelShapOptions): Promise<KernelShapResult> {
  if (!(model instanceof Sequential))
    throw new ValueError(`${OP}: expected model to be a Sequential model, got ${describe(model)}`);
  const input = model.inputSpecFor(OP, isTensor(x) ? x : undefined);
  if (input.encodeStrings) throw new ValueError(`${OP}: the model takes strings; KernelSHAP explains numeric features`);
  const features = input.shape.reduce((a, b) => a * b, 1);
  const outputs = model.outputWidth;
  const { args, nsamples, output, batchSize } = checkOptions(options, features, outputs);
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
  const random = randomFor(args.seed);
  const fx = evaluate(model, input.shape, xValues, count, batchSize);
  const fBackground = evaluate(model, input.shape, background.values, background.rows, batchSize);
  const fnull = new Float64Array(outputs);
  for (let r = 0; r < background.rows; r++) {
    for (let d = 0; d < outputs; d++) fnull[d] += background.weights[r] * fBackground[r * outputs + d];
  }

  const work: ExampleWork[] = [];
  for (let e = 0; e < count; e++) {
    const varying = varyingFeatures(xValues, e * features, features, background);
    const M = varying.length;
    const budget = M >= 2 ? coalitionBudget(M, nsamples) : 0;
    const coalitions =
      M >= 2
        ? makeCoalitions(M, budget, random)
        : { players: M, count: 0, masks: new Uint8Array(0), weights: new Float64Array(0) };
    work.push({ varying, coalitions, expected: new Float64Array(coalitions.count * outputs) });
  }
  evaluateCoalitions(model, input.shape, xValues, work, background, outputs, batchSize);

  const explained = output === null ? Array.from({ length: outputs }, (_, d) => d) : [output];
  const D = explained.length;
  const phi = new Float32Array(count * features * D);
  work.forEach((item, e) => {
    const { varying, coalitions, expected } = item;
    explained.forEach((d, k) => {
      const total = fx[e * outputs + d] - fnull[d];
      if (varying.length === 1) phi[(e * features + varying[0]) * D + k] = total;
      if (varying.length < 2) return;
      const values = new Float64Array(coalitions.count);
      for (let c = 0; c < coalitions.count; c++) values[c] = expected[c * outputs + d] - fnull[d];
      const solved = solveShapley(coalitions.masks, coalitions.weights, values, total, varying.length);
      varying.forEach((j, p) => {
        phi[(e * features + j) * D + k] = solved[p];
      });
    });
  });
  return {
    values: fromFlat([count, features, D], 'float32', phi),
    baseValues: explained.map((d) => fnull[d]),
  };
}
