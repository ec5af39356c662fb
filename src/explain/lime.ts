import { ShapeError, ValueError } from '../errors.js';
import { MAX_PREDICT_WORKERS } from '../models/predict-threads.js';
import { fromFlat } from '../ops/create.js';
import { optionsObject } from '../ops/options.js';
import type { Tensor } from '../ops/tensor.js';
import { checkInt, checkNumber, describe } from '../ops/validate.js';
import { type Random, randomFor } from '../random.js';
import { type Data, inputRows, type Rows, releaseRows } from '../training/inputs.js';
import { predictRowsOnThreads } from '../worker/predict-host.js';
import { binCondition, binOf, drawBin, type FeatureBins, featureBins, valueInBin } from './discretizer.js';
import { exponentialKernel, type LocalLinearModel, localLinearModel } from './lime-base.js';
import { checkModel, type ExplainedModel, explainedOutput } from './model-checks.js';

/** Options of `lime`. */
export interface LimeOptions {
  /** The data the neighbourhoods are drawn from (rows of the model's input); required. */
  trainingData: Data;
  /** Samples per explained example, the example itself included (default 5000). */
  numSamples?: number;
  /** Width of the exponential kernel (default 0.75 · √features). */
  kernelWidth?: number;
  /** At most this many features in each explanation (default 10, lime's; at most the feature count). */
  numFeatures?: number;
  /**
   * 'quartile' (default) or 'decile': each feature becomes "in the example's bin or not", values
   * drawn bin by bin from the training data; false: features stay continuous, drawn from a normal
   * with the training data's mean and standard deviation, distances on standardized values.
   */
  discretize?: 'quartile' | 'decile' | false;
  /** The output explained (default: each example's largest output, its predicted class). */
  output?: number;
  /** Seed of the sampling: the same seed gives the same explanations. */
  seed?: number;
  /**
   * Threads that share the predictions of the neighbourhoods (default 1; the main thread counts as
   * one): an integer from 1 to 16, or 'auto' (more than one only where the work pays for the
   * threads' start), as `model.predictAsync`. The explanations are the same to the bit.
   */
  workers?: number | 'auto';
}

/** One example's explanation (lime's intercept, local_exp, score and local_pred). */
export interface LimeExplanation extends LocalLinearModel {
  /** The output explained. */
  output: number;
  /** The model's value of that output for the example. */
  prediction: number;
  /** With discretization, what each feature's weight stands for: the example's bin, e.g. `1.60 < x[2] <= 4.35`. */
  conditions: string[] | null;
}

const OPTIONS: ReadonlyArray<keyof LimeOptions> = [
  'trainingData',
  'numSamples',
  'kernelWidth',
  'numFeatures',
  'discretize',
  'output',
  'seed',
  'workers',
];

const PERCENTILES = { quartile: [25, 50, 75], decile: [10, 20, 30, 40, 50, 60, 70, 80, 90] } as const;

/** Rows evaluated per model pass. */
const BATCH = 8192;

/** With workers: input values of the neighbourhoods predicted in one call (of several examples when they are small). */
const GROUP_VALUES = 1 << 23;

/** What the samples are drawn from: per-feature bins, or means and standard deviations. */
type Sampler = { kind: 'bins'; bins: FeatureBins[] } | { kind: 'normal'; mean: Float64Array; scale: Float64Array };

/** A column of row-major float32 rows as float64. */
function column(values: Float32Array, rows: number, width: number, j: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) out[r] = values[r * width + j];
  return out;
}

function samplerFor(
  training: Float32Array,
  rows: number,
  width: number,
  discretize: LimeOptions['discretize'],
): Sampler {
  if (discretize === false) {
    // sklearn's StandardScaler: population standard deviation, 1 for a constant feature
    const mean = new Float64Array(width);
    const scale = new Float64Array(width);
    for (let j = 0; j < width; j++) {
      const c = column(training, rows, width, j);
      const m = c.reduce((a, b) => a + b, 0) / rows;
      const sd = Math.sqrt(c.reduce((a, b) => a + (b - m) ** 2, 0) / rows);
      mean[j] = m;
      scale[j] = sd > 0 ? sd : 1;
    }
    return { kind: 'normal', mean, scale };
  }
  const percentiles = PERCENTILES[discretize ?? 'quartile'];
  return {
    kind: 'bins',
    bins: Array.from({ length: width }, (_, j) => featureBins(column(training, rows, width, j), percentiles)),
  };
}

/**
 * lime's __data_inverse: the neighbourhood of one example, as the interpretable data the ridge
 * model sees (binary "in the example's bin" features, or standardized values) and as the model
 * input (`inverse`); row 0 is the example itself.
 */
function neighbourhood(
  sampler: Sampler,
  example: Float32Array,
  samples: number,
  random: Random,
): { data: Float64Array; inverse: Float32Array } {
  const width = example.length;
  const data = new Float64Array(samples * width);
  const inverse = new Float32Array(samples * width);
  inverse.set(example);
  if (sampler.kind === 'normal') {
    const { mean, scale } = sampler;
    for (let j = 0; j < width; j++) data[j] = (example[j] - mean[j]) / scale[j];
    for (let i = 1; i < samples; i++) {
      for (let j = 0; j < width; j++) {
        const z = random.normal();
        inverse[i * width + j] = z * scale[j] + mean[j];
        // the standardized value of the float32 the model sees
        data[i * width + j] = (inverse[i * width + j] - mean[j]) / scale[j];
      }
    }
    return { data, inverse };
  }
  for (let j = 0; j < width; j++) {
    const bins = sampler.bins[j];
    const own = binOf(bins.borders, example[j]);
    data[j] = 1;
    for (let i = 1; i < samples; i++) {
      const bin = drawBin(random, bins);
      data[i * width + j] = bin === own ? 1 : 0;
      inverse[i * width + j] = valueInBin(random, bins, bin);
    }
  }
  return { data, inverse };
}

/** The kernel of each row's Euclidean distance to row 0 in the interpretable data. */
function kernelWeights(data: Float64Array, samples: number, width: number, kernelWidth: number): Float64Array {
  const weights = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    let d2 = 0;
    for (let j = 0; j < width; j++) d2 += (data[i * width + j] - data[j]) ** 2;
    weights[i] = exponentialKernel(Math.sqrt(d2), kernelWidth);
  }
  return weights;
}

/**
 * The model's outputs for the neighbourhoods of `examples` examples (`samples` rows each, one after
 * the other in `rows`), each predicted as predictRows does: on the worker threads where `workers`
 * (other than 1) gives more than one thread, else one example after the other on this thread.
 */
async function predictNeighbourhoods(
  model: ExplainedModel,
  rows: Float32Array,
  examples: number,
  samples: number,
  width: number,
  workers: number | 'auto',
): Promise<Float32Array> {
  if (workers !== 1) {
    const count = examples * samples;
    const xs: Rows = { tensor: fromFlat([count, width], 'float32', rows), owned: true, count, width };
    try {
      const segments = Array.from({ length: examples }, () => ({ rows: samples, batchSize: BATCH }));
      const predictions = await predictRowsOnThreads('lime', model, xs, segments, workers);
      if (predictions !== null) return predictions;
    } finally {
      releaseRows(xs);
    }
  }
  const outputs = model.outputWidth;
  const out = new Float32Array(examples * samples * outputs);
  for (let e = 0; e < examples; e++) {
    const values = rows.subarray(e * samples * width, (e + 1) * samples * width);
    out.set(predictRows(model, values, samples, width), e * samples * outputs);
  }
  return out;
}

/** The model's outputs for many rows, in large batches. */
function predictRows(model: ExplainedModel, rows: Float32Array, count: number, width: number): Float32Array {
  const x = fromFlat([count, width], 'float32', rows);
  let y: Tensor | null = null;
  try {
    y = model.predict(x, { batchSize: Math.min(BATCH, count) });
    return y.dataSync<'float32'>().slice();
  } finally {
    x.dispose();
    y?.dispose();
  }
}

function checkOptions(op: string, options: unknown, width: number) {
  if (options === undefined || options === null || typeof options !== 'object') {
    throw new ValueError(`${op}: expected options like {trainingData: xTrain}, got ${describe(options)}`);
  }
  const args = optionsObject(op, options as LimeOptions, '{trainingData: xTrain}', OPTIONS);
  if (args.trainingData === undefined) {
    throw new ValueError(`${op}: expected the trainingData option (rows the neighbourhoods are drawn from), got none`);
  }
  const numSamples = checkInt(op, 'numSamples', args.numSamples ?? 5000, 1);
  const kernelWidth = checkNumber(op, 'kernelWidth', args.kernelWidth ?? 0.75 * Math.sqrt(width));
  if (!(kernelWidth > 0) || !Number.isFinite(kernelWidth)) {
    throw new ValueError(`${op}: expected kernelWidth to be a positive number, got ${describe(args.kernelWidth)}`);
  }
  const numFeatures = Math.min(checkInt(op, 'numFeatures', args.numFeatures ?? 10, 1), width);
  const discretize = args.discretize;
  if (discretize !== undefined && discretize !== false && discretize !== 'quartile' && discretize !== 'decile') {
    throw new ValueError(`${op}: expected discretize to be 'quartile', 'decile' or false, got ${describe(discretize)}`);
  }
  const workers = args.workers ?? 1;
  if (workers !== 'auto' && !(Number.isInteger(workers) && workers >= 1 && workers <= MAX_PREDICT_WORKERS)) {
    throw new ValueError(
      `${op}: expected workers to be an integer from 1 to ${MAX_PREDICT_WORKERS} (threads, the main one included) or 'auto', got ${describe(workers)}`,
    );
  }
  return { args, numSamples, kernelWidth, numFeatures, discretize, workers };
}

/**
 * LIME for tabular data with lime's LimeTabularExplainer semantics: for each example, draw
 * `numSamples` − 1 rows around it from the training data (with discretization: each feature's bin
 * drawn with the training data's frequencies and a value drawn in it from a truncated normal), run
 * them through the model in one batched predict, weight them by the kernel sqrt(exp(−d²/w²)) of
 * their distance to the example, choose features ('auto': forward selection for at most 6, else the
 * highest weights) and fit a weighted ridge regression (α = 1) to the explained output.
 * Returns one explanation per row of x.
 */
export async function lime(model: ExplainedModel, x: Data, options: LimeOptions): Promise<LimeExplanation[]> {
  const op = 'lime';
  checkModel(op, model);
  const input = model.inputSpecFor(op);
  const width = input.shape.reduce((a, b) => a * b, 1);
  const { args, numSamples, kernelWidth, numFeatures, discretize, workers } = checkOptions(op, options, width);
  const xs = inputRows(op, 'x', x, input);
  const training = inputRows(op, 'trainingData', args.trainingData, input);
  try {
    if (xs.width !== width || training.width !== width) {
      throw new ShapeError(
        `${op}: expected x and trainingData rows of ${width} features, got ${xs.width} and ${training.width}`,
      );
    }
    if (xs.tensor.dtype !== 'float32' || training.tensor.dtype !== 'float32') {
      throw new ValueError(`${op}: expected float32 inputs (a model that takes strings is explained by explainText)`);
    }
    const examples = xs.tensor.dataSync<'float32'>();
    const trainingValues = training.tensor.dataSync<'float32'>();
    const outputs = model.outputWidth;
    if (args.output !== undefined) checkInt(op, 'output', args.output, 0, outputs - 1);
    const sampler = samplerFor(trainingValues, training.count, width, discretize);
    const random = randomFor(args.seed);
    const results: LimeExplanation[] = [];
    // with workers, the neighbourhoods of several examples (of at most BATCH rows each) in one prediction
    const group =
      workers === 1 || numSamples > BATCH ? 1 : Math.max(1, Math.floor(GROUP_VALUES / (numSamples * width)));
    for (let first = 0; first < xs.count; first += group) {
      const examplesNow = Math.min(group, xs.count - first);
      const hoods: Float64Array[] = [];
      const inverses = new Float32Array(examplesNow * numSamples * width);
      for (let e = 0; e < examplesNow; e++) {
        const n = first + e;
        const { data, inverse } = neighbourhood(
          sampler,
          examples.slice(n * width, (n + 1) * width),
          numSamples,
          random,
        );
        hoods.push(data);
        inverses.set(inverse, e * numSamples * width);
      }
      const groupPredictions = await predictNeighbourhoods(model, inverses, examplesNow, numSamples, width, workers);
      for (let e = 0; e < examplesNow; e++) {
        const example = examples.slice((first + e) * width, (first + e + 1) * width);
        const data = hoods[e];
        const predictions = groupPredictions.subarray(e * numSamples * outputs, (e + 1) * numSamples * outputs);
        const output = explainedOutput(predictions.subarray(0, outputs), args.output);
        const labels = new Float64Array(numSamples);
        for (let i = 0; i < numSamples; i++) labels[i] = predictions[i * outputs + output];
        const weights = kernelWeights(data, numSamples, width, kernelWidth);
        const fit = localLinearModel(data, numSamples, width, labels, weights, numFeatures);
        const conditions =
          sampler.kind === 'bins'
            ? sampler.bins.map((bins, j) => binCondition(bins, binOf(bins.borders, example[j]), `x[${j}]`))
            : null;
        results.push({ ...fit, output, prediction: labels[0], conditions });
      }
    }
    return results;
  } finally {
    releaseRows(xs);
    releaseRows(training);
  }
}
