// Layer classes in model files: reading a Keras layer config into a neurasm layer, writing a layer's
// config the way tfjs does, and each class's weights (for checking shapes before anything is built).
import { NeurasmError } from '../errors.js';
import { ModelFormatError } from '../io/errors.js';
import { Activation } from '../layers/activation-layer.js';
import type { ActivationIdentifier } from '../layers/activations.js';
import { BatchNormalization } from '../layers/batch-normalization.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import { Flatten } from '../layers/flatten.js';
import { GaussianNoise } from '../layers/gaussian-noise.js';
import { InputLayer } from '../layers/input-layer.js';
import type { Layer, LayerArgs, SymbolicShape } from '../layers/layer.js';
import { Reshape } from '../layers/reshape.js';
import { makeRegisteredLayer, registeredLayerClass, registeredLayerNames } from '../layers/serialization.js';
import { TimeDistributed } from '../layers/time-distributed.js';
import { CONV_READERS, wrapperReaders } from './conv-readers.js';
import { EMBEDDING_READERS } from './embedding-readers.js';
import { readInitializer, writeInitializer } from './initializers.js';
import { type LayerClassName, supportedLayerClasses } from './layer-classes.js';
import { QUANTIZED_READERS } from './quantized-readers.js';
import {
  bool,
  CONSTRAINTS,
  type Config,
  dropoutReader,
  get,
  kernelBiasArgs,
  type LayerReader,
  none,
  REGULARIZERS,
  readRegularizer,
  readSeed,
  rejectNonNull,
  type WeightShape,
} from './reader-kit.js';
import { RECURRENT_READERS } from './recurrent-readers.js';

/** Readers of the core layers. */
const CORE_READERS = {
  Dense: {
    read(config, base, at) {
      rejectNonNull(config, CONSTRAINTS, at);
      const units = get(config, 'units');
      if (!Number.isInteger(units) || (units as number) < 1 || (units as number) > 2 ** 24) {
        throw new ModelFormatError(`${at}.units: expected a positive integer, got ${JSON.stringify(units)}`);
      }
      return new Dense({
        ...base,
        units: units as number,
        ...kernelBiasArgs(config, at),
      });
    },
    weights(layer, inputShape) {
      const d = layer as Dense;
      const width = inputShape[inputShape.length - 1] as number;
      const out: WeightShape[] = [{ name: 'kernel', shape: [width, d.units] }];
      if (d.useBias) out.push({ name: 'bias', shape: [d.units] });
      return out;
    },
    defaults: Object.fromEntries([...REGULARIZERS, ...CONSTRAINTS].map((k) => [k, null])),
  },
  Activation: {
    read: (config, base) =>
      new Activation({ ...base, activation: (get(config, 'activation') ?? 'linear') as ActivationIdentifier }),
    weights: none,
  },
  Dropout: dropoutReader((args) => new Dropout(args)),
  Flatten: {
    read(config, base, at) {
      const format = get(config, 'data_format');
      if (format !== undefined && format !== null && format !== 'channels_last') {
        throw new ModelFormatError(
          `${at}.data_format: only 'channels_last' is supported, got ${JSON.stringify(format)}`,
        );
      }
      return new Flatten(base);
    },
    weights: none,
  },
  Reshape: {
    read(config, base, at) {
      const target = get(config, 'target_shape');
      if (!Array.isArray(target)) {
        throw new ModelFormatError(`${at}.target_shape: expected an array of integers, got ${JSON.stringify(target)}`);
      }
      return new Reshape({ ...base, targetShape: target as number[] });
    },
    weights: none,
  },
  BatchNormalization: {
    read(config, base, at) {
      rejectNonNull(
        config,
        ['beta_constraint', 'gamma_constraint', 'virtual_batch_size', 'adjustment', 'renorm_clipping'],
        at,
      );
      if (get(config, 'renorm') === true)
        throw new ModelFormatError(`${at}.renorm: batch renormalization is not supported`);
      // Keras writes the axis as -1, 1 or [1]
      const raw = get(config, 'axis');
      const axis = Array.isArray(raw) && raw.length === 1 ? raw[0] : (raw ?? -1);
      const num = (key: string) => {
        const v = get(config, key);
        if (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isFinite(v))) {
          throw new ModelFormatError(`${at}.${key}: expected a number, got ${JSON.stringify(v)}`);
        }
        return (v ?? undefined) as number | undefined;
      };
      const init = (key: string, fallback: string) => readInitializer(get(config, key) ?? fallback, `${at}.${key}`);
      return new BatchNormalization({
        ...base,
        axis: axis as number,
        momentum: num('momentum'),
        epsilon: num('epsilon'),
        center: bool(config, 'center', at, true),
        scale: bool(config, 'scale', at, true),
        betaInitializer: init('beta_initializer', 'zeros'),
        gammaInitializer: init('gamma_initializer', 'ones'),
        movingMeanInitializer: init('moving_mean_initializer', 'zeros'),
        movingVarianceInitializer: init('moving_variance_initializer', 'ones'),
        betaRegularizer: readRegularizer(get(config, 'beta_regularizer'), `${at}.beta_regularizer`),
        gammaRegularizer: readRegularizer(get(config, 'gamma_regularizer'), `${at}.gamma_regularizer`),
      });
    },
    weights(layer, inputShape) {
      const b = layer as BatchNormalization;
      const shape = [inputShape[inputShape.length - 1] as number];
      const out: WeightShape[] = [];
      if (b.scale) out.push({ name: 'gamma', shape });
      if (b.center) out.push({ name: 'beta', shape });
      out.push({ name: 'moving_mean', shape }, { name: 'moving_variance', shape, nonNegative: 'a moving variance' });
      return out;
    },
  },
  GaussianNoise: {
    read(config, base, at) {
      return new GaussianNoise({
        ...base,
        stddev: get(config, 'stddev') as number,
        seed: readSeed(config, at),
      });
    },
    weights: none,
  },
  InputLayer: {
    read(config, base, at) {
      if (get(config, 'sparse') === true || get(config, 'ragged') === true) {
        throw new ModelFormatError(`${at}: sparse and ragged inputs are not supported`);
      }
      if (!base.batchInputShape) throw new ModelFormatError(`${at}: an InputLayer needs batch_input_shape`);
      return new InputLayer(base);
    },
    weights: none,
  },
} satisfies Record<string, LayerReader>;

/** The reader of every built-in layer class. */
const READERS: Record<LayerClassName, LayerReader> = {
  ...CORE_READERS,
  ...EMBEDDING_READERS,
  ...QUANTIZED_READERS,
  ...CONV_READERS,
  ...RECURRENT_READERS,
  ...wrapperReaders(readLayer, layerWeightShapes),
};

/** Reads a shape written with null for unknown sizes; `undefined` if absent. */
function readShape(value: unknown, at: string, key: string, batch: boolean): SymbolicShape | undefined {
  if (value === undefined || value === null) return undefined;
  const ok =
    Array.isArray(value) &&
    value.length >= 1 &&
    value.every((d, i) => (d === null && i === 0 && batch) || (Number.isInteger(d) && d > 0 && d <= 2 ** 24));
  if (!ok) {
    throw new ModelFormatError(
      `${at}.${key}: expected a shape of positive integers (null for the batch), got ${JSON.stringify(value)}`,
    );
  }
  return batch ? [null, ...(value as number[]).slice(1)] : [null, ...(value as number[])];
}

function checkDType(value: unknown, at: string): void {
  if (value === undefined || value === null || value === 'float32') return;
  // Keras 3 writes a DTypePolicy object
  const policy = value as { config?: { name?: unknown } };
  if (typeof value === 'object' && policy.config?.name === 'float32') return;
  throw new ModelFormatError(`${at}.dtype: neurasm layers compute in float32, got ${JSON.stringify(value)}`);
}

/** Reads one `{class_name, config}` layer entry. `at` locates it in messages. */
export function readLayer(entry: unknown, at: string): Layer {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new ModelFormatError(`${at}: expected a layer {class_name, config}, got ${JSON.stringify(entry)}`);
  }
  const e = entry as Config;
  const className = e.class_name ?? e.className;
  const config = e.config;
  if (typeof className !== 'string')
    throw new ModelFormatError(`${at}.class_name: expected a string, got ${JSON.stringify(className)}`);
  const reader = Object.hasOwn(READERS, className) ? READERS[className as LayerClassName] : undefined;
  const userClass = reader ? undefined : registeredLayerClass(className);
  if (!reader && !userClass) {
    throw new ModelFormatError(
      `${at}: unsupported layer class "${className}"; supported: ${[...supportedLayerClasses, ...registeredLayerNames()].join(', ')} (register a class of your own with nn.serialization.registerClass)`,
    );
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ModelFormatError(`${at}.config: expected an object, got ${JSON.stringify(config)}`);
  }
  const c = config as Config;
  const name = get(c, 'name') ?? e.name;
  const where = `${at} (${className}${typeof name === 'string' ? ` "${name}"` : ''}).config`;
  if (name !== undefined && (typeof name !== 'string' || name === '' || name.length > 256)) {
    throw new ModelFormatError(`${where}.name: expected a non-empty string, got ${JSON.stringify(name)}`);
  }
  checkDType(get(c, 'dtype'), where);
  const batchInputShape =
    readShape(get(c, 'batch_input_shape'), where, 'batch_input_shape', true) ??
    readShape(get(c, 'batch_shape'), where, 'batch_shape', true) ??
    readShape(get(c, 'input_shape'), where, 'input_shape', false);
  const base: LayerArgs = { trainable: bool(c, 'trainable', where, true) };
  const activity = readRegularizer(get(c, 'activity_regularizer'), `${where}.activity_regularizer`);
  if (activity) base.activityRegularizer = activity;
  if (name !== undefined) base.name = name as string;
  if (batchInputShape) base.batchInputShape = batchInputShape;
  try {
    return reader ? reader.read(c, base, where) : makeRegisteredLayer(userClass!, c, base);
  } catch (err) {
    if (err instanceof ModelFormatError || !(err instanceof NeurasmError)) throw err;
    throw new ModelFormatError(`${where}: ${err.message}`);
  }
}

/** The weights a layer has for an input shape, with their file names (layer/kernel). */
export function layerWeightShapes(layer: Layer, inputShape: SymbolicShape): WeightShape[] {
  const reader = Object.hasOwn(READERS, layer.className) ? READERS[layer.className as LayerClassName] : undefined;
  if (reader) return reader.weights(layer, inputShape).map((w) => ({ ...w, name: `${layer.name}/${w.name}` }));
  // a layer of the user's own: its weights are what building it makes
  layer.build(inputShape);
  return layer.namedWeights.map((w) => ({ name: w.name, shape: [...w.variable.shape] }));
}

/** A layer's `{class_name, config}` as tfjs writes it. */
export function writeLayer(
  layer: Layer,
  batchInputShape: SymbolicShape | null,
): { class_name: string; config: Config } {
  const config: Config = {
    ...(READERS[layer.className as LayerClassName]?.defaults ?? {}),
    ...layer.getConfig(),
    dtype: 'float32',
  };
  for (const key of Object.keys(config)) {
    const v = config[key] as { className?: unknown; config?: unknown } | null;
    if (key.endsWith('_initializer') && v && typeof v === 'object' && 'class_name' in v) {
      config[key] = writeInitializer({
        className: (v as Config).class_name as string,
        config: ((v as Config).config ?? {}) as Config,
      });
    }
    // tfjs knows only L1L2 (Keras reads it too): the same penalty
    if (key.endsWith('_regularizer') && v && typeof v === 'object' && 'class_name' in v) {
      const r = (v as Config).config as Config;
      config[key] = { class_name: 'L1L2', config: { l1: r?.l1 ?? 0, l2: r?.l2 ?? 0 } };
    }
  }
  if (batchInputShape) config.batch_input_shape = [null, ...batchInputShape.slice(1)];
  else delete config.batch_input_shape;
  // a wrapper writes the layer it wraps as a layer entry of its own, as tfjs does
  if (layer instanceof TimeDistributed) config.layer = writeLayer(layer.layer, null);
  return { class_name: layer.className, config };
}
