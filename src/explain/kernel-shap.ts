import { backend } from '../backend/loader.js';
import { ShapeError, ValueError } from '../errors.js';
import { forEachBatch } from '../models/batches.js';
import { Sequential } from '../models/sequential.js';
import { fromFlat } from '../ops/create.js';
import { optionsObject } from '../ops/options.js';
import { isTensor, type Tensor } from '../ops/tensor.js';
import { checkInt, checkNumber, describe } from '../ops/validate.js';
import { randomFor } from '../random.js';
import { type Data, inputRows, releaseRows } from '../training/inputs.js';
import type { WeightedBackground } from './kmeans.js';
import { type Coalitions, coalitionBudget, makeCoalitions } from './shap-coalitions.js';
import { denseFirstLayer, evaluateFactored } from './shap-first-layer.js';
import { selectPlayers, solveShapley, solveShapleyOutputs } from './shap-solve.js';

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
/** Examples whose coalitions are made and evaluated together (the rest wait their turn). */
const EXAMPLES_PER_GROUP = 32;

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
  return { args, nsamples, keep, output, batchSize };
}

/**
 * Fills each example's `expected` outputs: every coalition × background row is a model input
 * (features in the coalition take the example's value, the others the background row's), written
 * straight into the input buffer of the model's predict step batch after batch (no copy of the
 * whole grid), and the outputs are averaged over the background rows with their weights.
 */
function evaluateCoalitions(
  model: Sequential,
  x: Float32Array,
  work: ExampleWork[],
  background: Background,
  outputs: number,
  batchSize: number,
): void {
  const N = background.rows;
  const width = background.values.length / N;
  // the (example, coalition) pairs in order; pair p's rows are p·N .. p·N + N − 1
  const pairExample: number[] = [];
  const pairCoalition: number[] = [];
  work.forEach((item, e) => {
    for (let c = 0; c < item.coalitions.count; c++) {
      pairExample.push(e);
      pairCoalition.push(c);
    }
  });
  const total = pairExample.length * N;
  if (total === 0) return;
  // the features taking the example's value in the current pair
  const present = new Int32Array(width);
  let presentCount = 0;
  let presentPair = -1;
  const loadPair = (p: number) => {
    const item = work[pairExample[p]];
    const { masks, players } = item.coalitions;
    const at = pairCoalition[p] * players;
    presentCount = 0;
    for (let j = 0; j < players; j++) if (masks[at + j]) present[presentCount++] = item.varying[j];
    presentPair = p;
  };
  const weights = background.weights;
  // the background in Wasm memory: each pair's block of rows starts as a memcpy of it
  const resident = fromFlat([N * width], 'float32', background.values);
  try {
    forEachBatch(model, 'predict', total, Math.min(batchSize, total), 'float32', (step, start, rows) => {
      const end = start + rows;
      let f32 = backend().views.f32;
      const base = step.x.ptr(OP) >>> 2;
      const bgBase = resident.ptr(OP) >>> 2;
      // the batch's rows, a run of background rows of one pair at a time
      for (let g = start; g < end; ) {
        const p = Math.floor(g / N);
        if (p !== presentPair) loadPair(p);
        const r0 = g - p * N;
        const run = Math.min(N - r0, end - g);
        const first = base + (g - start) * width;
        f32.copyWithin(first, bgBase + r0 * width, bgBase + (r0 + run) * width);
        const from = pairExample[p] * width;
        const count = presentCount;
        for (let k = 0; k < count; k++) {
          const j = present[k];
          const v = x[from + j];
          for (let at = first + j, last = first + run * width; at < last; at += width) f32[at] = v;
        }
        g += run;
      }
      const out = step.run().predictions.ptr(OP) >>> 2;
      f32 = backend().views.f32;
      for (let g = start; g < end; ) {
        const p = Math.floor(g / N);
        const r0 = g - p * N;
        const run = Math.min(N - r0, end - g);
        const expected = work[pairExample[p]].expected;
        const at = pairCoalition[p] * outputs;
        const y0 = out + (g - start) * outputs;
        for (let d = 0; d < outputs; d++) {
          let sum = 0;
          for (let i = 0; i < run; i++) sum += weights[r0 + i] * f32[y0 + i * outputs + d];
          expected[at + d] += sum;
        }
        g += run;
      }
    });
  } finally {
    resident.dispose();
  }
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
 * float32 rounding), and the rest of the model runs on batches of whole coalitions.
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
  const { args, nsamples, keep, output, batchSize } = checkOptions(options, features, outputs);
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

  const explained = output === null ? Array.from({ length: outputs }, (_, d) => d) : [output];
  const D = explained.length;
  const phi = new Float32Array(count * features * D);
  const factored = denseFirstLayer(model, input.shape, background.rows);
  // examples go through in groups, so that the coalitions and their outputs held at once stay small
  for (let first = 0; first < count; first += EXAMPLES_PER_GROUP) {
    const work: ExampleWork[] = [];
    for (let e = first; e < Math.min(count, first + EXAMPLES_PER_GROUP); e++) {
      const varying = varyingFeatures(xValues, e * features, features, background);
      const M = varying.length;
      const coalitions =
        M >= 2
          ? makeCoalitions(M, coalitionBudget(M, nsamples), random)
          : { players: M, count: 0, masks: new Uint8Array(0), weights: new Float64Array(0) };
      work.push({ varying, coalitions, expected: new Float64Array(coalitions.count * outputs) });
    }
    if (factored) {
      const examples = work.map((item, i) => ({
        x: xValues.subarray((first + i) * features, (first + i + 1) * features),
        varying: item.varying,
        masks: item.coalitions.masks,
        count: item.coalitions.count,
        expected: item.expected,
      }));
      evaluateFactored(model, factored, examples, background, outputs, batchSize);
    } else {
      evaluateCoalitions(model, xValues.subarray(first * features), work, background, outputs, batchSize);
    }
    work.forEach((item, i) => {
      const e = first + i;
      const { varying, coalitions, expected } = item;
      const M = varying.length;
      const totals = explained.map((d) => fx[e * outputs + d] - fnull[d]);
      if (M === 1) {
        totals.forEach((total, k) => {
          phi[(e * features + varying[0]) * D + k] = total;
        });
      }
      if (M < 2) return;
      const { masks, weights } = coalitions;
      const values = explained.map((d) => {
        const v = new Float64Array(coalitions.count);
        for (let c = 0; c < coalitions.count; c++) v[c] = expected[c * outputs + d] - fnull[d];
        return v;
      });
      // without feature selection every output shares the regression's matrix
      const solved =
        keep === null
          ? solveShapleyOutputs(masks, weights, values, totals, M)
          : values.map((v, k) =>
              solveShapley(masks, weights, v, totals[k], M, selectPlayers(masks, weights, v, totals[k], M, keep)),
            );
      solved.forEach((phiK, k) => {
        varying.forEach((j, p) => {
          phi[(e * features + j) * D + k] = phiK[p];
        });
      });
    });
  }
  return {
    values: fromFlat([count, features, D], 'float32', phi),
    baseValues: explained.map((d) => fnull[d]),
  };
}
