import { ValueError } from '../errors.js';
import { optionsObject } from '../ops/options.js';
import { describe } from '../ops/validate.js';
import { Random, randomFor } from '../random.js';

/** Fan-in and fan-out of a weight shape, as Keras computes them. */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  if (shape.length === 2) return { fanIn: shape[0], fanOut: shape[1] };
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
}

/** Makes the starting values of a weight. */
export interface Initializer {
  /** Keras class name, used in model files. */
  readonly className: string;
  /** Keras config, used in model files. */
  readonly config: Record<string, unknown>;
  /** Fresh values for a weight of this shape. */
  generate(shape: readonly number[]): Float32Array;
}

type Mode = 'fanIn' | 'fanOut' | 'fanAvg';
type Distribution = 'truncatedNormal' | 'uniform' | 'normal';

// Standard deviation of a unit normal truncated to [-2, 2], by which Keras divides (so the truncated
// distribution keeps the intended variance).
const TRUNCATED_STD = 0.8796256610342398;

function truncatedNormal(rng: Random): number {
  for (;;) {
    const v = rng.normal();
    if (v >= -2 && v <= 2) return v;
  }
}

function count(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Keras's VarianceScaling: the family behind glorot*, he* and leCun*. */
function varianceScaling(
  className: string,
  scale: number,
  mode: Mode,
  distribution: Distribution,
  seed?: number,
): Initializer {
  const rngFor = () => (seed === undefined ? randomFor() : new Random(seed));
  return {
    className,
    config: { seed: seed ?? null },
    generate(shape) {
      const { fanIn, fanOut } = fans(shape);
      const n = mode === 'fanIn' ? fanIn : mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
      const variance = scale / Math.max(1, n);
      const rng = rngFor();
      const out = new Float32Array(count(shape));
      if (distribution === 'uniform') {
        const limit = Math.sqrt(3 * variance);
        for (let i = 0; i < out.length; i++) out[i] = (2 * rng.uniform() - 1) * limit;
      } else if (distribution === 'normal') {
        const sd = Math.sqrt(variance);
        for (let i = 0; i < out.length; i++) out[i] = rng.normal() * sd;
      } else {
        const sd = Math.sqrt(variance) / TRUNCATED_STD;
        for (let i = 0; i < out.length; i++) out[i] = truncatedNormal(rng) * sd;
      }
      return out;
    },
  };
}

function constantInit(className: string, value: number): Initializer {
  return {
    className,
    config: className === 'Constant' ? { value } : {},
    generate: (shape) => new Float32Array(count(shape)).fill(value),
  };
}

function checkSeed(seed: unknown, op = 'initializer'): number | undefined {
  if (seed === undefined || seed === null) return undefined;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new ValueError(`${op}: expected seed to be a finite number, got ${describe(seed)}`);
  }
  return seed;
}

function finite(op: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ValueError(`${op}: expected ${arg} to be a finite number, got ${describe(v)}`);
  }
  return v;
}

/** The seed of an initializer's options, checking they are an options object. */
function seedOf(op: string, args: SeedArgs | undefined): number | undefined {
  return checkSeed(optionsObject(op, args, '{seed: 42}').seed, op);
}

/** Options with an optional seed. */
export interface SeedArgs {
  seed?: number;
}

/** Uniform in ±sqrt(6 / (fanIn + fanOut)) — Keras's default kernel initializer. */
export const glorotUniform = (args: SeedArgs = {}) =>
  varianceScaling('GlorotUniform', 1, 'fanAvg', 'uniform', seedOf('glorotUniform', args));
/** Truncated normal with variance 2 / (fanIn + fanOut). */
export const glorotNormal = (args: SeedArgs = {}) =>
  varianceScaling('GlorotNormal', 1, 'fanAvg', 'truncatedNormal', seedOf('glorotNormal', args));
/** Truncated normal with variance 2 / fanIn. */
export const heNormal = (args: SeedArgs = {}) =>
  varianceScaling('HeNormal', 2, 'fanIn', 'truncatedNormal', seedOf('heNormal', args));
/** Uniform in ±sqrt(6 / fanIn). */
export const heUniform = (args: SeedArgs = {}) =>
  varianceScaling('HeUniform', 2, 'fanIn', 'uniform', seedOf('heUniform', args));
/** Truncated normal with variance 1 / fanIn. */
export const leCunNormal = (args: SeedArgs = {}) =>
  varianceScaling('LecunNormal', 1, 'fanIn', 'truncatedNormal', seedOf('leCunNormal', args));
/** Uniform in ±sqrt(3 / fanIn). */
export const leCunUniform = (args: SeedArgs = {}) =>
  varianceScaling('LecunUniform', 1, 'fanIn', 'uniform', seedOf('leCunUniform', args));
/** All zeros. */
export const zeros = () => constantInit('Zeros', 0);
/** All ones. */
export const ones = () => constantInit('Ones', 1);

/** Every value equal to `value`. */
export function constant(args: { value: number }): Initializer {
  const value = finite('constant', 'value', optionsObject('constant', args, '{value: 0.1}').value);
  return constantInit('Constant', value);
}

/** Normal values (Keras defaults: mean 0, stddev 0.05). */
export function randomNormal(args: { mean?: number; stddev?: number; seed?: number } = {}): Initializer {
  const op = 'randomNormal';
  const seed = seedOf(op, args);
  const mean = finite(op, 'mean', args.mean ?? 0);
  const stddev = finite(op, 'stddev', args.stddev ?? 0.05);
  if (stddev < 0) throw new ValueError(`${op}: expected stddev >= 0, got ${stddev}`);
  return {
    className: 'RandomNormal',
    config: { mean, stddev, seed: seed ?? null },
    generate(shape) {
      const rng = seed === undefined ? randomFor() : new Random(seed);
      return Float32Array.from({ length: count(shape) }, () => mean + stddev * rng.normal());
    },
  };
}

/** Uniform values (Keras defaults: in [-0.05, 0.05)). */
export function randomUniform(args: { minval?: number; maxval?: number; seed?: number } = {}): Initializer {
  const op = 'randomUniform';
  const seed = seedOf(op, args);
  const minval = finite(op, 'minval', args.minval ?? -0.05);
  const maxval = finite(op, 'maxval', args.maxval ?? 0.05);
  if (!(minval <= maxval)) throw new ValueError(`randomUniform: expected minval <= maxval, got ${minval} > ${maxval}`);
  return {
    className: 'RandomUniform',
    config: { minval, maxval, seed: seed ?? null },
    generate(shape) {
      const rng = seed === undefined ? randomFor() : new Random(seed);
      return Float32Array.from({ length: count(shape) }, () => minval + (maxval - minval) * rng.uniform());
    },
  };
}

/**
 * A random orthogonal matrix (Keras's Orthogonal, the recurrent kernels' default): a normal matrix
 * [prod(shape[:-1]), shape[-1]] (transposed when it has fewer rows than columns) made orthonormal
 * by modified Gram–Schmidt in float64 — the Q of its QR decomposition with R's diagonal positive,
 * which is what Keras's sign correction gives — times `gain`.
 */
export function orthogonal(args: { gain?: number; seed?: number } = {}): Initializer {
  const op = 'orthogonal';
  const seed = seedOf(op, args);
  const gain = finite(op, 'gain', args.gain ?? 1);
  return {
    className: 'Orthogonal',
    config: { gain, seed: seed ?? null },
    generate(shape) {
      const size = count(shape);
      if (shape.length < 2)
        throw new ValueError(`${op}: expected a shape of rank 2 or more, got [${shape.join(', ')}]`);
      const cols0 = shape[shape.length - 1];
      const rows0 = size / cols0;
      const rng = seed === undefined ? randomFor() : new Random(seed);
      // columns of the tall matrix [rows, cols], rows >= cols
      const rows = Math.max(rows0, cols0);
      const cols = Math.min(rows0, cols0);
      const a = Array.from({ length: rows0 * cols0 }, () => rng.normal());
      const column = (j: number) =>
        Float64Array.from({ length: rows }, (_, i) => (rows0 >= cols0 ? a[i * cols0 + j] : a[j * cols0 + i]));
      const q: Float64Array[] = [];
      for (let j = 0; j < cols; j++) {
        const v = column(j);
        for (const prev of q) {
          let dot = 0;
          for (let i = 0; i < rows; i++) dot += prev[i] * v[i];
          for (let i = 0; i < rows; i++) v[i] -= dot * prev[i];
        }
        let norm = 0;
        for (let i = 0; i < rows; i++) norm += v[i] * v[i];
        norm = Math.sqrt(norm) || 1;
        for (let i = 0; i < rows; i++) v[i] /= norm;
        q.push(v);
      }
      const out = new Float32Array(size);
      for (let r = 0; r < rows0; r++) {
        for (let c = 0; c < cols0; c++) {
          // the tall Q [rows, cols], transposed back when the shape is wide
          out[r * cols0 + c] = gain * (rows0 >= cols0 ? q[c][r] : q[r][c]);
        }
      }
      return out;
    },
  };
}

const BY_NAME: Record<string, () => Initializer> = {
  glorotUniform,
  glorotNormal,
  heNormal,
  heUniform,
  leCunNormal,
  leCunUniform,
  zeros,
  ones,
  randomNormal,
  randomUniform,
  orthogonal,
};

/** Names `getInitializer` accepts (camelCase, also Keras's snake_case). */
export const initializerNames = Object.keys(BY_NAME);

/** Resolves an initializer given by name (tfjs camelCase or Keras snake_case) or as an object. */
export function getInitializer(what: string | Initializer, arg: string): Initializer {
  if (typeof what === 'object' && what !== null && typeof what.generate === 'function') return what;
  if (typeof what === 'string') {
    const camel = what.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()).replace(/^lecun/, 'leCun');
    const make = BY_NAME[camel];
    if (make) return make();
  }
  throw new ValueError(
    `${arg}: unknown initializer ${describe(what)}; expected one of ${initializerNames.join(', ')} or an initializer object`,
  );
}
