// Initializers in model files: Keras class names (and tfjs's spellings) to neurasm initializers and
// back. A loaded model's weights come from the file, so an initializer matters only for its config.

import { NeurasmError } from '../errors.js';
import { ModelFormatError } from '../io/errors.js';
import type { Initializer } from '../layers/initializers.js';
import * as init from '../layers/initializers.js';
import { Random, randomFor } from '../random.js';

type Mode = 'fan_in' | 'fan_out' | 'fan_avg';
type Distribution = 'truncated_normal' | 'untruncated_normal' | 'uniform';

// Standard deviation of a unit normal truncated to [-2, 2] (Keras divides by it).
const TRUNCATED_STD = 0.8796256610342398;

// The named members of the VarianceScaling family, as (scale, mode, distribution).
const FAMILY: Array<[string, number, Mode, Distribution, (a: init.SeedArgs) => Initializer]> = [
  ['GlorotUniform', 1, 'fan_avg', 'uniform', init.glorotUniform],
  ['GlorotNormal', 1, 'fan_avg', 'truncated_normal', init.glorotNormal],
  ['HeNormal', 2, 'fan_in', 'truncated_normal', init.heNormal],
  ['HeUniform', 2, 'fan_in', 'uniform', init.heUniform],
  ['LecunNormal', 1, 'fan_in', 'truncated_normal', init.leCunNormal],
  ['LecunUniform', 1, 'fan_in', 'uniform', init.leCunUniform],
];

function count(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function truncated(rng: Random): number {
  for (;;) {
    const v = rng.normal();
    if (v >= -2 && v <= 2) return v;
  }
}

/** A VarianceScaling initializer that is none of the named ones. */
function varianceScaling(scale: number, mode: Mode, distribution: Distribution, seed: number | null): Initializer {
  return {
    className: 'VarianceScaling',
    config: { scale, mode, distribution, seed },
    generate(shape) {
      const { fanIn, fanOut } = init.fans(shape);
      const n = mode === 'fan_in' ? fanIn : mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2;
      const variance = scale / Math.max(1, n);
      const rng = seed === null ? randomFor() : new Random(seed);
      const out = new Float32Array(count(shape));
      for (let i = 0; i < out.length; i++) {
        if (distribution === 'uniform') out[i] = (2 * rng.uniform() - 1) * Math.sqrt(3 * variance);
        else if (distribution === 'untruncated_normal') out[i] = rng.normal() * Math.sqrt(variance);
        else out[i] = (truncated(rng) * Math.sqrt(variance)) / TRUNCATED_STD;
      }
      return out;
    },
  };
}

/** Keras's TruncatedNormal (mean, stddev; values beyond two deviations redrawn). */
function truncatedNormal(mean: number, stddev: number, seed: number | null): Initializer {
  return {
    className: 'TruncatedNormal',
    config: { mean, stddev, seed },
    generate(shape) {
      const rng = seed === null ? randomFor() : new Random(seed);
      return Float32Array.from({ length: count(shape) }, () => mean + stddev * truncated(rng));
    },
  };
}

/**
 * Initializers neurasm cannot compute (Identity): accepted in files because a loaded
 * weight is overwritten anyway; the config is kept so the model saves as it came. Starts at zeros.
 */
function keptOnly(className: string, config: Record<string, unknown>): Initializer {
  return { className, config, generate: (shape) => new Float32Array(count(shape)) };
}

function num(config: Record<string, unknown>, key: string, at: string, fallback: number): number {
  const v = config[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ModelFormatError(`${at}.config.${key}: expected a finite number, got ${JSON.stringify(v)}`);
  }
  return v;
}

function seedOf(config: Record<string, unknown>, at: string): number | null {
  const s = config.seed;
  if (s === undefined || s === null) return null;
  return num(config, 'seed', at, 0);
}

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** Names of the initializer classes `readInitializer` accepts. */
export const initializerClassNames = [
  ...FAMILY.map((f) => f[0]),
  'LeCunNormal',
  'LeCunUniform',
  'VarianceScaling',
  'Zeros',
  'Ones',
  'Constant',
  'RandomNormal',
  'RandomUniform',
  'TruncatedNormal',
  'Orthogonal',
  'Identity',
];

/**
 * Reads an initializer from a layer config: `{class_name, config}` (Keras 3 adds `module` and
 * `registered_name`), or a name string. `at` locates it in messages.
 */
export function readInitializer(value: unknown, at: string): Initializer {
  if (typeof value === 'string') {
    try {
      return init.getInitializer(value, at);
    } catch (e) {
      if (e instanceof NeurasmError) throw new ModelFormatError(e.message);
      throw e;
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelFormatError(`${at}: expected an initializer {class_name, config}, got ${JSON.stringify(value)}`);
  }
  const v = value as Record<string, unknown>;
  const className = v.class_name ?? v.className;
  const config = (v.config ?? {}) as Record<string, unknown>;
  if (typeof className !== 'string' || typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ModelFormatError(`${at}: expected an initializer {class_name, config}, got ${JSON.stringify(value)}`);
  }
  const name = className === 'LeCunNormal' ? 'LecunNormal' : className === 'LeCunUniform' ? 'LecunUniform' : className;
  const member = FAMILY.find((f) => f[0] === name);
  if (member) {
    const seed = seedOf(config, at);
    return member[4](seed === null ? {} : { seed });
  }
  switch (name) {
    case 'VarianceScaling': {
      const scale = num(config, 'scale', at, 1);
      const mode = snake(String(config.mode ?? 'fan_in')) as Mode;
      let distribution = snake(String(config.distribution ?? 'truncated_normal'));
      if (distribution === 'normal') distribution = 'truncated_normal'; // the older name (Keras 2, tfjs)
      if (!(scale > 0) || !['fan_in', 'fan_out', 'fan_avg'].includes(mode)) {
        throw new ModelFormatError(`${at}: VarianceScaling needs scale > 0 and mode fan_in, fan_out or fan_avg`);
      }
      if (!['truncated_normal', 'untruncated_normal', 'uniform'].includes(distribution)) {
        throw new ModelFormatError(
          `${at}: unknown VarianceScaling distribution ${JSON.stringify(config.distribution)}`,
        );
      }
      const seed = seedOf(config, at);
      const same = FAMILY.find((f) => f[1] === scale && f[2] === mode && f[3] === distribution);
      if (same) return same[4](seed === null ? {} : { seed });
      return varianceScaling(scale, mode, distribution as Distribution, seed);
    }
    case 'Zeros':
      return init.zeros();
    case 'Ones':
      return init.ones();
    case 'Constant':
      return init.constant({ value: num(config, 'value', at, 0) });
    case 'RandomNormal':
    case 'RandomUniform': {
      const seed = seedOf(config, at);
      const extra = seed === null ? {} : { seed };
      if (name === 'RandomNormal') {
        return init.randomNormal({
          mean: num(config, 'mean', at, 0),
          stddev: num(config, 'stddev', at, 0.05),
          ...extra,
        });
      }
      const minval = num(config, 'minval', at, -0.05);
      const maxval = num(config, 'maxval', at, 0.05);
      if (!(minval <= maxval)) throw new ModelFormatError(`${at}: RandomUniform needs minval <= maxval`);
      return init.randomUniform({ minval, maxval, ...extra });
    }
    case 'TruncatedNormal':
      return truncatedNormal(num(config, 'mean', at, 0), num(config, 'stddev', at, 0.05), seedOf(config, at));
    case 'Orthogonal': {
      const seed = seedOf(config, at);
      return init.orthogonal({ gain: num(config, 'gain', at, 1), ...(seed === null ? {} : { seed }) });
    }
    case 'Identity':
      return keptOnly(name, config);
  }
  throw new ModelFormatError(
    `${at}: unsupported initializer class "${className}"; supported: ${initializerClassNames.join(', ')}`,
  );
}

/** An initializer as written in model files; names tfjs does not know become VarianceScaling. */
export function writeInitializer(initializer: { className: string; config: Record<string, unknown> }): {
  class_name: string;
  config: Record<string, unknown>;
} {
  const member = FAMILY.find((f) => f[0] === initializer.className && f[0].startsWith('Lecun'));
  if (member) {
    // tfjs spells these LeCun*, Keras Lecun*: VarianceScaling reads the same in both
    const seed = initializer.config.seed ?? null;
    return {
      class_name: 'VarianceScaling',
      config: { scale: member[1], mode: member[2], distribution: member[3], seed },
    };
  }
  return { class_name: initializer.className, config: { ...initializer.config } };
}
