// What the surrogates need from the network: its input rows as float32 features, and its labels
// (predicted classes, or outputs for a regression model) computed as large batches.
import { ValueError } from '../errors.js';
import { Sequential } from '../models/sequential.js';
import { describe } from '../ops/validate.js';
import { Random } from '../random.js';
import { type Data, inputRows } from '../training/inputs.js';

/** Rows evaluated per batch on the Wasm path. */
export const BATCH_SIZE = 4096;

/** Float32 features, n rows of d values (row-major). */
export interface FeatureRows {
  x: Float32Array;
  n: number;
  d: number;
}

/** What the network says about rows: class indices, or outputs for a regression model. */
export type NetworkLabels =
  | { kind: 'classification'; classes: number; labels: Int32Array }
  | { kind: 'regression'; classes: 0; labels: Float64Array };

/** Throws unless `model` is a neurasm Sequential model. */
export function checkModel(op: string, model: unknown): Sequential {
  if (!(model instanceof Sequential)) {
    throw new ValueError(`${op}: expected model to be a neurasm Sequential model, got ${describe(model)}`);
  }
  return model;
}

/** x as float32 rows of the model's input (flattened); a model that takes strings is refused. */
export function modelRows(op: string, model: Sequential, x: Data): FeatureRows {
  const spec = model.inputSpecFor(op, x as { shape: readonly number[] });
  if (spec.encodeStrings) {
    throw new ValueError(`${op}: the model takes strings; a surrogate needs a model that takes numeric features`);
  }
  return featureRows(op, 'x', x, spec.shape, spec.owner);
}

/** x as float32 rows of `shape` (flattened), checked (finite, at least one row). */
export function featureRows(op: string, arg: string, x: Data, shape: readonly number[], owner: string): FeatureRows {
  const rows = inputRows(op, arg, x, { shape, owner });
  try {
    if (rows.count < 1) throw new ValueError(`${op}: expected ${arg} to have at least one row, got 0`);
    return { x: rows.tensor.dataSync<'float32'>().slice(), n: rows.count, d: rows.width };
  } finally {
    if (rows.owned) rows.tensor.dispose();
  }
}

/**
 * Whether the model is a regression model: one output whose last activation is linear. One
 * sigmoid output is a binary classifier (class 1 when the output is above 0.5); several outputs
 * are classes (the largest wins).
 */
export function isRegression(model: Sequential): boolean {
  if (model.outputWidth !== 1) return false;
  for (let i = model.layers.length - 1; i >= 0; i--) {
    const activation = (model.layers[i] as { activation?: unknown }).activation;
    if (typeof activation === 'string') return activation === 'linear';
  }
  return true;
}

/** The network's labels for rows, evaluated in batches of BATCH_SIZE. */
export function networkLabels(model: Sequential, rows: FeatureRows): NetworkLabels {
  const out = model.predict(rows.x, { batchSize: BATCH_SIZE });
  let values: Float32Array;
  try {
    values = out.dataSync<'float32'>();
  } finally {
    out.dispose();
  }
  const width = model.outputWidth;
  if (isRegression(model)) return { kind: 'regression', classes: 0, labels: Float64Array.from(values) };
  const labels = new Int32Array(rows.n);
  if (width === 1) {
    for (let i = 0; i < rows.n; i++) labels[i] = values[i] > 0.5 ? 1 : 0;
    return { kind: 'classification', classes: 2, labels };
  }
  for (let i = 0; i < rows.n; i++) {
    let best = 0;
    for (let c = 1; c < width; c++) if (values[i * width + c] > values[i * width + best]) best = c;
    labels[i] = best;
  }
  return { kind: 'classification', classes: width, labels };
}

/** Extra points per row of x that augment: 'auto' (and an object without samples) samples. */
export const AUTO_SAMPLES_PER_ROW = 50;
/** Most float32 values (points × features) the automatic sample count makes: 40 MB. */
export const AUTO_MAX_VALUES = 10_000_000;
/** Default noise of augment, in feature standard deviations. */
export const DEFAULT_AUGMENT_SCALE = 0.3;

/** How many extra points to sample around the data, and how far (in feature standard deviations). */
export interface AugmentOptions {
  /**
   * Extra points in all (each around a data row drawn uniformly at random); default 50 × the rows
   * of x, at most 10,000,000 / features (40 MB of float32).
   */
  samples?: number;
  /** Standard deviation of the Gaussian noise added to each feature, as a multiple of that feature's standard deviation over x (default 0.3). */
  scale?: number;
}

/** The checked augment option ('auto' or an object without samples: samples null, the automatic count). */
export interface CheckedAugment {
  samples: number | null;
  scale: number;
}

/**
 * The checked augment option: 'auto' (50 points per row, scale 0.3), a count (scale 0.3) or
 * {samples, scale}; null when absent.
 */
export function checkAugment(op: string, augment: unknown): CheckedAugment | null {
  if (augment === undefined || augment === null) return null;
  const options = augment === 'auto' ? {} : typeof augment === 'number' ? { samples: augment } : augment;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValueError(
      `${op}: expected augment to be 'auto', a number of points or {samples, scale}, got ${describe(augment)}`,
    );
  }
  const { samples = null, scale = DEFAULT_AUGMENT_SCALE, ...rest } = options as AugmentOptions;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new ValueError(`${op}: augment takes samples and scale, got ${unknown.join(', ')}`);
  if (samples !== null && (typeof samples !== 'number' || !Number.isInteger(samples) || samples < 0)) {
    throw new ValueError(`${op}: expected augment.samples to be an integer >= 0, got ${describe(samples)}`);
  }
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale < 0) {
    throw new ValueError(`${op}: expected augment.scale to be a finite number >= 0, got ${describe(scale)}`);
  }
  return { samples, scale };
}

/** How many points augment adds to n rows of d features (the automatic count when samples is null). */
export function augmentSamples(augment: CheckedAugment, n: number, d: number): number {
  if (augment.samples !== null) return augment.samples;
  return Math.min(AUTO_SAMPLES_PER_ROW * n, Math.floor(AUTO_MAX_VALUES / d));
}

/**
 * Rows followed by `samples` points around them (augmentSamples): each is a row drawn uniformly
 * (seeded) plus Gaussian noise per feature with standard deviation scale × that feature's standard
 * deviation. The network labels them, so that the tree sees its boundary densely around the data.
 */
export function augmentRows(rows: FeatureRows, augment: CheckedAugment, seed: number): FeatureRows {
  const { x, n, d } = rows;
  const samples = augmentSamples(augment, n, d);
  if (samples === 0) return rows;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let f = 0; f < d; f++) mean[f] += x[i * d + f] / n;
  for (let i = 0; i < n; i++) for (let f = 0; f < d; f++) std[f] += (x[i * d + f] - mean[f]) ** 2 / n;
  for (let f = 0; f < d; f++) std[f] = Math.sqrt(std[f]);
  const random = new Random(seed);
  const out = new Float32Array((n + samples) * d);
  out.set(x);
  for (let k = 0; k < samples; k++) {
    const row = random.int(n);
    for (let f = 0; f < d; f++) out[(n + k) * d + f] = x[row * d + f] + random.normal() * augment.scale * std[f];
  }
  return { x: out, n: n + samples, d };
}
