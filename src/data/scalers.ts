import { formatShape, ShapeError, ValueError } from '../errors.js';
import { fromFlat } from '../ops/create.js';
import { checkOptionKeys } from '../ops/options.js';
import type { Tensor } from '../ops/tensor.js';
import { checkTensor, describe, describeList } from '../ops/validate.js';
import { parseJSONObject } from './json.js';

/** What `StandardScaler.toJSON()` returns; `mean`/`scale` are null before `fit`. */
export interface StandardScalerJSON {
  className: 'StandardScaler';
  withMean: boolean;
  withStd: boolean;
  mean: number[] | null;
  scale: number[] | null;
}

/** What `MinMaxScaler.toJSON()` returns; `dataMin`/`dataMax` are null before `fit`. */
export interface MinMaxScalerJSON {
  className: 'MinMaxScaler';
  range: [number, number];
  dataMin: number[] | null;
  dataMax: number[] | null;
}

/** What `RobustScaler.toJSON()` returns; `center`/`scale` are null before `fit`. */
export interface RobustScalerJSON {
  className: 'RobustScaler';
  withCentering: boolean;
  withScaling: boolean;
  quantileRange: [number, number];
  center: number[] | null;
  scale: number[] | null;
}

/** A scaler's saved form. */
export type ScalerJSON = StandardScalerJSON | MinMaxScalerJSON | RobustScalerJSON;

/** Reads a float32 or int32 tensor of rank >= 2 as rows of its last axis (the features). */
function readColumns(
  op: string,
  x: Tensor,
): { rows: number; cols: number; values: Float32Array | Int32Array | Uint8Array } {
  checkTensor(op, 'x', x);
  const cols = x.shape[x.rank - 1];
  if (x.rank < 2 || cols === 0) {
    throw new ShapeError(
      `${op}: expected x of shape [samples, features] with features >= 1, got ${formatShape(x.shape)}`,
    );
  }
  return { rows: x.size / cols, cols, values: x.dataSync<typeof x.dtype>() };
}

/**
 * Per-column affine scaling: `transform` maps v to (v - center) / divisor + offset and
 * `inverseTransform` maps it back. Subclasses compute center and divisor in `fit`.
 */
abstract class ColumnScaler {
  protected centers: Float64Array | null = null;
  protected divisor: Float64Array | null = null;
  /** Which scaler this is, as in its JSON. */
  abstract readonly className: ScalerJSON['className'];
  protected abstract readonly offset: number;

  /** Whether `fit` has run (or the state was loaded with `fromJSON`). */
  get isFitted(): boolean {
    return this.centers !== null;
  }

  /** Number of features seen by `fit`, or null before. */
  get numFeatures(): number | null {
    return this.centers?.length ?? null;
  }

  /** Sets center and divisor (and any statistics of its own) from validated, finite rows of `cols` values. */
  protected abstract fitColumns(values: ArrayLike<number>, rows: number, cols: number): void;

  /** Learns the per-column statistics of x [samples, features]. Returns this scaler. */
  fit(x: Tensor): this {
    const op = `${this.className}.fit`;
    const { rows, cols, values } = readColumns(op, x);
    if (rows === 0) throw new ShapeError(`${op}: expected at least one sample, got x of shape ${formatShape(x.shape)}`);
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new ValueError(
        `${op}: x holds ${values[bad]} at row ${Math.floor(bad / cols) + 1}, column ${bad % cols}; expected finite numbers`,
      );
    }
    this.fitColumns(values, rows, cols);
    return this;
  }

  private apply(name: string, x: Tensor, inverse: boolean): Tensor {
    const op = `${this.className}.${name}`;
    const { cols, values } = readColumns(op, x);
    const center = this.centers;
    const divisor = this.divisor;
    if (center === null || divisor === null) {
      throw new ValueError(`${op}: the scaler is not fitted yet; call fit(x) or fitTransform(x) first`);
    }
    if (cols !== center.length) {
      throw new ShapeError(
        `${op}: x has ${cols} features (shape ${formatShape(x.shape)}), but the scaler was fitted on ${center.length}`,
      );
    }
    const out = new Float32Array(values.length);
    const offset = this.offset;
    for (let i = 0; i < values.length; i++) {
      const j = i % cols;
      out[i] = inverse ? (values[i] - offset) * divisor[j] + center[j] : (values[i] - center[j]) / divisor[j] + offset;
    }
    return fromFlat(x.shape, 'float32', out);
  }

  /** Scales x [samples, features] with the fitted statistics; a new float32 tensor of the same shape. */
  transform(x: Tensor): Tensor {
    return this.apply('transform', x, false);
  }

  /** `fit(x)` then `transform(x)`. */
  fitTransform(x: Tensor): Tensor {
    return this.fit(x).transform(x);
  }

  /** Undoes `transform`: maps scaled values back to the original units. */
  inverseTransform(x: Tensor): Tensor {
    return this.apply('inverseTransform', x, true);
  }

  /** The configuration and fitted statistics, as plain JSON. */
  abstract toJSON(): ScalerJSON;
}

/** Options of `standardScaler`. */
export interface StandardScalerOptions {
  /** Subtract each column's mean. Default true. */
  withMean?: boolean;
  /** Divide by each column's standard deviation. Default true. */
  withStd?: boolean;
}

/**
 * Standardizes each feature: (v - mean) / std, with the population standard deviation (as
 * scikit-learn's StandardScaler). A constant column gets scale 1, so it maps to 0.
 */
export class StandardScaler extends ColumnScaler {
  readonly className = 'StandardScaler';
  protected readonly offset = 0;
  /** Whether `fit` subtracts the mean. */
  readonly withMean: boolean;
  /** Whether `fit` divides by the standard deviation. */
  readonly withStd: boolean;

  constructor(options: StandardScalerOptions = {}) {
    super();
    const { withMean = true, withStd = true } = checkOptionKeys('standardScaler', options, [
      'withMean',
      'withStd',
    ]) as StandardScalerOptions;
    this.withMean = checkBoolean('standardScaler', 'withMean', withMean);
    this.withStd = checkBoolean('standardScaler', 'withStd', withStd);
  }

  /** Column means (0 when withMean is false), or null before `fit`. */
  get mean(): number[] | null {
    return this.centers && Array.from(this.centers);
  }

  /** Column scales: standard deviations, 1 for constant columns (1 everywhere when withStd is false); null before `fit`. */
  get scale(): number[] | null {
    return this.divisor && Array.from(this.divisor);
  }

  protected fitColumns(values: ArrayLike<number>, rows: number, cols: number): void {
    const mean = new Float64Array(cols);
    const scale = new Float64Array(cols).fill(1);
    const lo = new Float64Array(cols).fill(Infinity);
    const hi = new Float64Array(cols).fill(-Infinity);
    for (let i = 0; i < values.length; i++) {
      const j = i % cols;
      mean[j] += values[i];
      lo[j] = Math.min(lo[j], values[i]);
      hi[j] = Math.max(hi[j], values[i]);
    }
    for (let j = 0; j < cols; j++) mean[j] /= rows;
    if (this.withStd) {
      const sq = new Float64Array(cols);
      for (let i = 0; i < values.length; i++) {
        const d = values[i] - mean[i % cols];
        sq[i % cols] += d * d;
      }
      // a constant column (min == max) keeps scale 1: no division by zero
      for (let j = 0; j < cols; j++) if (hi[j] > lo[j]) scale[j] = Math.sqrt(sq[j] / rows);
    }
    if (!this.withMean) mean.fill(0);
    this.centers = mean;
    this.divisor = scale;
  }

  /** The configuration and statistics as JSON; `scalerFromJSON` (or `StandardScaler.fromJSON`) restores it. */
  toJSON(): StandardScalerJSON {
    return {
      className: 'StandardScaler',
      withMean: this.withMean,
      withStd: this.withStd,
      mean: this.mean,
      scale: this.scale,
    };
  }

  /** Restores a scaler saved with `toJSON`. */
  static fromJSON(json: unknown): StandardScaler {
    const op = 'StandardScaler.fromJSON';
    const obj = parseJSONObject(op, json, "a scaler's", 'StandardScaler');
    const scaler = new StandardScaler({ withMean: obj.withMean as boolean, withStd: obj.withStd as boolean });
    const state = numberArrays(op, obj, 'mean', 'scale');
    if (state) {
      const bad = state[1].findIndex((s) => !(s > 0));
      if (bad >= 0) throw new ValueError(`${op}: expected scale to be positive, got scale[${bad}] = ${state[1][bad]}`);
      [scaler.centers, scaler.divisor] = state;
    }
    return scaler;
  }
}

/** Options of `minMaxScaler`. */
export interface MinMaxScalerOptions {
  /** The interval [lo, hi] (lo < hi) each feature's training range maps to. Default [0, 1]. */
  range?: readonly [number, number];
  /** The same as `range`, by scikit-learn's name (`feature_range`); give one of the two. */
  featureRange?: readonly [number, number];
}

/**
 * Rescales each feature so its training minimum maps to range[0] and its maximum to range[1] (as
 * scikit-learn's MinMaxScaler). A constant column is treated as having range 1 (it maps to range[0]).
 */
export class MinMaxScaler extends ColumnScaler {
  readonly className = 'MinMaxScaler';
  /** The target interval. */
  readonly range: readonly [number, number];
  protected readonly offset: number;

  constructor(options: MinMaxScalerOptions = {}) {
    super();
    const op = 'minMaxScaler';
    const given = checkOptionKeys(op, options, ['range', 'featureRange']) as MinMaxScalerOptions;
    if (given.range !== undefined && given.featureRange !== undefined) {
      throw new ValueError(`${op}: got both range and featureRange; they are one option, give one`);
    }
    const name = given.featureRange !== undefined ? 'featureRange' : 'range';
    const range = given.featureRange ?? given.range ?? [0, 1];
    if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isFinite)) {
      throw new ValueError(`${op}: expected ${name} to be [lo, hi] of two finite numbers, got ${describeList(range)}`);
    }
    if (!(range[0] < range[1])) {
      throw new ValueError(
        `${op}: minimum of desired feature range must be smaller than maximum; got ${name} ${describeList(range)}`,
      );
    }
    this.range = [range[0], range[1]];
    this.offset = range[0];
  }

  private dataMaxima: Float64Array | null = null;

  /** Column minima seen by `fit`, or null before. */
  get dataMin(): number[] | null {
    return this.centers && Array.from(this.centers);
  }

  /** Column maxima seen by `fit`, or null before. */
  get dataMax(): number[] | null {
    return this.dataMaxima && Array.from(this.dataMaxima);
  }

  protected fitColumns(values: ArrayLike<number>, _rows: number, cols: number): void {
    const lo = new Float64Array(cols).fill(Infinity);
    const hi = new Float64Array(cols).fill(-Infinity);
    for (let i = 0; i < values.length; i++) {
      const j = i % cols;
      lo[j] = Math.min(lo[j], values[i]);
      hi[j] = Math.max(hi[j], values[i]);
    }
    this.setExtremes(lo, hi);
  }

  private setExtremes(lo: Float64Array, hi: Float64Array): void {
    const width = this.range[1] - this.range[0];
    this.centers = lo;
    this.dataMaxima = hi;
    // a constant column counts as range 1: no division by zero
    this.divisor = Float64Array.from(lo, (v, j) => (hi[j] > v ? hi[j] - v : 1) / width);
  }

  /** The configuration and statistics as JSON; `scalerFromJSON` (or `MinMaxScaler.fromJSON`) restores it. */
  toJSON(): MinMaxScalerJSON {
    return { className: 'MinMaxScaler', range: [...this.range], dataMin: this.dataMin, dataMax: this.dataMax };
  }

  /** Restores a scaler saved with `toJSON`. */
  static fromJSON(json: unknown): MinMaxScaler {
    const op = 'MinMaxScaler.fromJSON';
    const obj = parseJSONObject(op, json, "a scaler's", 'MinMaxScaler');
    const scaler = new MinMaxScaler({ range: obj.range as [number, number] });
    const state = numberArrays(op, obj, 'dataMin', 'dataMax');
    if (state) {
      const bad = state[0].findIndex((lo, j) => !(lo <= state[1][j]));
      if (bad >= 0)
        throw new ValueError(`${op}: expected dataMin <= dataMax, got ${state[0][bad]} > ${state[1][bad]} at ${bad}`);
      scaler.setExtremes(state[0], state[1]);
    }
    return scaler;
  }
}

/** Options of `robustScaler`. */
export interface RobustScalerOptions {
  /** Subtract each column's median. Default true. */
  withCentering?: boolean;
  /** Divide by each column's interquantile range. Default true. */
  withScaling?: boolean;
  /** The percentiles [lo, hi] (0 <= lo < hi <= 100) whose difference is the scale. Default [25, 75] (the IQR). */
  quantileRange?: readonly [number, number];
}

/**
 * The q-th percentile (0..100) of sorted values, interpolating linearly between the two nearest
 * ranks (numpy's default `method='linear'`, which scikit-learn uses).
 */
function percentile(sorted: ArrayLike<number>, q: number): number {
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Scales each feature with statistics that ignore outliers (as scikit-learn's RobustScaler):
 * (v - median) / (q75 - q25), percentiles interpolated linearly. A column whose interquantile range
 * is 0 gets scale 1 (no division by zero).
 */
export class RobustScaler extends ColumnScaler {
  readonly className = 'RobustScaler';
  protected readonly offset = 0;
  /** Whether `fit` subtracts the median. */
  readonly withCentering: boolean;
  /** Whether `fit` divides by the interquantile range. */
  readonly withScaling: boolean;
  /** The percentiles whose difference is the scale. */
  readonly quantileRange: readonly [number, number];

  constructor(options: RobustScalerOptions = {}) {
    super();
    const op = 'robustScaler';
    const {
      withCentering = true,
      withScaling = true,
      quantileRange = [25, 75],
    } = checkOptionKeys(op, options, ['withCentering', 'withScaling', 'quantileRange']) as RobustScalerOptions;
    this.withCentering = checkBoolean(op, 'withCentering', withCentering);
    this.withScaling = checkBoolean(op, 'withScaling', withScaling);
    const q = quantileRange;
    if (
      !Array.isArray(q) ||
      q.length !== 2 ||
      !q.every((v) => typeof v === 'number' && v >= 0 && v <= 100) ||
      !(q[0] < q[1])
    ) {
      throw new ValueError(
        `${op}: expected quantileRange to be [lo, hi] with 0 <= lo < hi <= 100, got ${describeList(q)}`,
      );
    }
    this.quantileRange = [q[0], q[1]];
  }

  /** Column medians (0 when withCentering is false), or null before `fit`. */
  get center(): number[] | null {
    return this.centers && Array.from(this.centers);
  }

  /** Column scales: interquantile ranges, 1 where that range is 0 (1 everywhere when withScaling is false); null before `fit`. */
  get scale(): number[] | null {
    return this.divisor && Array.from(this.divisor);
  }

  protected fitColumns(values: ArrayLike<number>, rows: number, cols: number): void {
    const center = new Float64Array(cols);
    const scale = new Float64Array(cols).fill(1);
    const column = new Float64Array(rows);
    for (let j = 0; j < cols; j++) {
      for (let i = 0; i < rows; i++) column[i] = values[i * cols + j];
      column.sort();
      if (this.withCentering) center[j] = percentile(column, 50);
      if (this.withScaling) {
        const range = percentile(column, this.quantileRange[1]) - percentile(column, this.quantileRange[0]);
        // a column with no spread keeps scale 1: no division by zero
        if (range > 0) scale[j] = range;
      }
    }
    this.centers = center;
    this.divisor = scale;
  }

  /** The configuration and statistics as JSON; `scalerFromJSON` (or `RobustScaler.fromJSON`) restores it. */
  toJSON(): RobustScalerJSON {
    return {
      className: 'RobustScaler',
      withCentering: this.withCentering,
      withScaling: this.withScaling,
      quantileRange: [...this.quantileRange],
      center: this.center,
      scale: this.scale,
    };
  }

  /** Restores a scaler saved with `toJSON`. */
  static fromJSON(json: unknown): RobustScaler {
    const op = 'RobustScaler.fromJSON';
    const obj = parseJSONObject(op, json, "a scaler's", 'RobustScaler');
    const scaler = new RobustScaler({
      withCentering: obj.withCentering as boolean,
      withScaling: obj.withScaling as boolean,
      quantileRange: obj.quantileRange as [number, number],
    });
    const state = numberArrays(op, obj, 'center', 'scale');
    if (state) {
      const bad = state[1].findIndex((s) => !(s > 0));
      if (bad >= 0) throw new ValueError(`${op}: expected scale to be positive, got scale[${bad}] = ${state[1][bad]}`);
      [scaler.centers, scaler.divisor] = state;
    }
    return scaler;
  }
}

/** Any of the scalers. */
export type Scaler = StandardScaler | MinMaxScaler | RobustScaler;

function checkBoolean(op: string, arg: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ValueError(`${op}: expected ${arg} to be a boolean, got ${describe(v)}`);
  return v;
}

/** Two fields that are both null (unfitted) or both arrays of finite numbers of one length >= 1. */
function numberArrays(
  op: string,
  obj: Record<string, unknown>,
  a: string,
  b: string,
): [Float64Array, Float64Array] | null {
  const va = obj[a] ?? null;
  const vb = obj[b] ?? null;
  if (va === null && vb === null) return null;
  for (const [name, v] of [
    [a, va],
    [b, vb],
  ] as const) {
    if (!Array.isArray(v) || v.length === 0 || !v.every((e) => typeof e === 'number' && Number.isFinite(e))) {
      throw new ValueError(`${op}: expected ${name} to be a non-empty array of finite numbers, got ${describe(v)}`);
    }
  }
  const [xa, xb] = [va as number[], vb as number[]];
  if (xa.length !== xb.length) {
    throw new ValueError(`${op}: ${a} has ${xa.length} entries but ${b} has ${xb.length}; expected the same number`);
  }
  return [Float64Array.from(xa), Float64Array.from(xb)];
}

/** A scaler that standardizes features (zero mean, unit variance per column). */
export function standardScaler(options: StandardScalerOptions = {}): StandardScaler {
  return new StandardScaler(options);
}

/** A scaler that centers each feature on its median and divides by its interquartile range (outlier-robust). */
export function robustScaler(options: RobustScalerOptions = {}): RobustScaler {
  return new RobustScaler(options);
}

/** A scaler that maps each feature's training [min, max] to `range` (default [0, 1]). */
export function minMaxScaler(options: MinMaxScalerOptions = {}): MinMaxScaler {
  return new MinMaxScaler(options);
}

/** Restores any scaler from its `toJSON()` object (or that object's JSON text). */
export function scalerFromJSON(json: unknown): Scaler {
  const obj = parseJSONObject('scalerFromJSON', json, "a scaler's");
  if (obj.className === 'StandardScaler') return StandardScaler.fromJSON(obj);
  if (obj.className === 'MinMaxScaler') return MinMaxScaler.fromJSON(obj);
  if (obj.className === 'RobustScaler') return RobustScaler.fromJSON(obj);
  throw new ValueError(
    `scalerFromJSON: expected className "StandardScaler", "MinMaxScaler" or "RobustScaler", got ${describe(obj.className)}`,
  );
}
