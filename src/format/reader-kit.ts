// What every layer reader shares: the config helpers and the reader's shape. A family of layers
// keeps its readers in a file of its own (format/<family>-readers.ts) that layers.ts spreads in.
import { ModelFormatError } from '../io/errors.js';
import type { ActivationIdentifier } from '../layers/activations.js';
import type { Initializer } from '../layers/initializers.js';
import type { Layer, LayerArgs, SymbolicShape } from '../layers/layer.js';
import { getRegularizer, type Regularizer } from '../layers/regularizers.js';
import { readInitializer } from './initializers.js';

/** A layer config as model files write it. */
export type Config = Record<string, unknown>;

/** A weight a layer has: short name, shape, and what it is if its values cannot be negative. */
export interface WeightShape {
  name: string;
  shape: number[];
  nonNegative?: string;
  /** 'int8' for a quantized layer's codes; float32 when left out. */
  dtype?: 'int8';
}

/** How one layer class is read from a config and which weights it has. */
export interface LayerReader {
  /** Makes the layer from its (snake_case) config; `base` holds name, trainable and input shape. */
  read(config: Config, base: LayerArgs, at: string): Layer;
  /** The weights the layer has for an input shape, in order: short name and shape. */
  weights(layer: Layer, inputShape: SymbolicShape): WeightShape[];
  /** Keys written as null when the layer's config lacks them (tfjs writes them). */
  defaults?: Config;
}

/** The weights of a layer without any. */
export const none: LayerReader['weights'] = () => [];

/** A config value by its snake_case key (or the camelCase one tfjs may write). */
export function get(config: Config, key: string): unknown {
  if (key in config) return config[key];
  const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return config[camel];
}

/** Rejects what neurasm does not apply yet (weight constraints, noise shapes). */
export function rejectNonNull(config: Config, keys: string[], at: string): void {
  for (const key of keys) {
    const v = get(config, key);
    if (v !== undefined && v !== null) {
      const name = typeof v === 'object' ? ((v as Config).class_name ?? (v as Config).className) : v;
      throw new ModelFormatError(`${at}.${key}: ${JSON.stringify(name)} is not supported yet (only null)`);
    }
  }
}

/** A boolean config value (`fallback` when absent). */
export function bool(config: Config, key: string, at: string, fallback: boolean): boolean {
  const v = get(config, key) ?? fallback;
  if (typeof v !== 'boolean')
    throw new ModelFormatError(`${at}.${key}: expected true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** The regularizer keys a layer with a kernel and a bias writes. */
export const REGULARIZERS = ['kernel_regularizer', 'bias_regularizer', 'activity_regularizer'];
/** The constraint keys a layer with a kernel and a bias writes (always null). */
export const CONSTRAINTS = ['kernel_constraint', 'bias_constraint'];

/** Reads a regularizer config: null, or `{class_name: 'L1' | 'L2' | 'L1L2', config: {l1, l2}}`. */
export function readRegularizer(value: unknown, at: string): Regularizer | null {
  if (value === undefined || value === null) return null;
  const v = value as Config;
  const className = typeof value === 'object' ? (v.class_name ?? v.className) : value;
  const config = typeof value === 'object' ? (v.config ?? {}) : {};
  if (!['L1', 'L2', 'L1L2'].includes(className as string) || typeof config !== 'object' || config === null) {
    throw new ModelFormatError(`${at}: unsupported regularizer ${JSON.stringify(className)}; supported: L1, L2, L1L2`);
  }
  for (const key of ['l1', 'l2']) {
    const n = (config as Config)[key];
    if (n !== undefined && (typeof n !== 'number' || !Number.isFinite(n) || n < 0)) {
      throw new ModelFormatError(`${at}.config.${key}: expected a number >= 0, got ${JSON.stringify(n)}`);
    }
  }
  return getRegularizer({ class_name: className, config }, at);
}

/** A noise layer's seed: a finite number, or null or absent (undefined). */
export function readSeed(config: Config, at: string): number | undefined {
  const seed = get(config, 'seed');
  if (seed !== undefined && seed !== null && (typeof seed !== 'number' || !Number.isFinite(seed))) {
    throw new ModelFormatError(`${at}.seed: expected a number or null, got ${JSON.stringify(seed)}`);
  }
  return (seed ?? undefined) as number | undefined;
}

/** The options a layer with a kernel and a bias shares (Dense, Conv1D), with Keras's defaults. */
export function kernelBiasArgs(
  config: Config,
  at: string,
): {
  activation: ActivationIdentifier;
  useBias: boolean;
  kernelInitializer: Initializer;
  biasInitializer: Initializer;
  kernelRegularizer: Regularizer | null;
  biasRegularizer: Regularizer | null;
} {
  return {
    activation: (get(config, 'activation') ?? 'linear') as ActivationIdentifier,
    useBias: bool(config, 'use_bias', at, true),
    kernelInitializer: readInitializer(
      get(config, 'kernel_initializer') ?? 'glorotUniform',
      `${at}.kernel_initializer`,
    ),
    biasInitializer: readInitializer(get(config, 'bias_initializer') ?? 'zeros', `${at}.bias_initializer`),
    kernelRegularizer: readRegularizer(get(config, 'kernel_regularizer'), `${at}.kernel_regularizer`),
    biasRegularizer: readRegularizer(get(config, 'bias_regularizer'), `${at}.bias_regularizer`),
  };
}

/** The reader of a dropout layer (Dropout, SpatialDropout1D): its rate and seed; noise_shape only null. */
export function dropoutReader(
  make: (args: LayerArgs & { rate: number; seed: number | undefined }) => Layer,
): LayerReader {
  return {
    read(config, base, at) {
      rejectNonNull(config, ['noise_shape'], at);
      return make({ ...base, rate: get(config, 'rate') as number, seed: readSeed(config, at) });
    },
    weights: none,
    defaults: { noise_shape: null },
  };
}
