// Readers of the sequence convolution and pooling layers (Conv1D, the 1-D poolings,
// SpatialDropout1D, TimeDistributed) from Keras/tfjs layer configs.
import { ModelFormatError } from '../io/errors.js';
import { Conv1D } from '../layers/conv1d.js';
import { GlobalAveragePooling1D, GlobalMaxPooling1D } from '../layers/global-pooling.js';
import type { Layer, SymbolicShape } from '../layers/layer.js';
import { AveragePooling1D, MaxPooling1D, type Pooling1DArgs } from '../layers/pooling.js';
import { SpatialDropout1D } from '../layers/spatial-dropout.js';
import { TimeDistributed } from '../layers/time-distributed.js';
import type { Padding1D } from '../ops/conv1d.js';
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
  rejectNonNull,
  type WeightShape,
} from './reader-kit.js';

/** Rejects a data format other than channels_last (null or absent stands for it). */
export function channelsLast(config: Config, at: string): void {
  const format = get(config, 'data_format');
  if (format !== undefined && format !== null && format !== 'channels_last' && format !== 'channelsLast') {
    throw new ModelFormatError(`${at}.data_format: only 'channels_last' is supported, got ${JSON.stringify(format)}`);
  }
}

/** A window length written as n or [n] (`fallback` when absent); the layer checks its range. */
function length(config: Config, key: string, at: string, fallback?: number): number {
  const v = get(config, key) ?? fallback;
  const n = Array.isArray(v) && v.length === 1 ? v[0] : v;
  if (!Number.isInteger(n) || n < 1 || n > 2 ** 24) {
    throw new ModelFormatError(`${at}.${key}: expected a positive integer or [n], got ${JSON.stringify(v)}`);
  }
  return n as number;
}

/** The options of a 1-D pooling layer from its config. */
function poolingArgs(config: Config, at: string): Pooling1DArgs {
  channelsLast(config, at);
  const poolSize = length(config, 'pool_size', at, 2);
  const strides = get(config, 'strides');
  return {
    poolSize,
    strides: strides === undefined || strides === null ? poolSize : length(config, 'strides', at),
    padding: (get(config, 'padding') ?? 'valid') as 'valid',
  };
}

/** Readers of the convolution and pooling layers. */
export const CONV_READERS = {
  SpatialDropout1D: dropoutReader((args) => new SpatialDropout1D(args)),
  MaxPooling1D: {
    read: (config, base, at) => new MaxPooling1D({ ...base, ...poolingArgs(config, at) }),
    weights: none,
  },
  AveragePooling1D: {
    read: (config, base, at) => new AveragePooling1D({ ...base, ...poolingArgs(config, at) }),
    weights: none,
  },
  Conv1D: {
    read(config, base, at) {
      rejectNonNull(config, CONSTRAINTS, at);
      channelsLast(config, at);
      const groups = get(config, 'groups');
      if (groups !== undefined && groups !== null && groups !== 1) {
        throw new ModelFormatError(`${at}.groups: only 1 is supported, got ${JSON.stringify(groups)}`);
      }
      const filters = get(config, 'filters');
      if (!Number.isInteger(filters) || (filters as number) < 1 || (filters as number) > 2 ** 24) {
        throw new ModelFormatError(`${at}.filters: expected a positive integer, got ${JSON.stringify(filters)}`);
      }
      return new Conv1D({
        ...base,
        filters: filters as number,
        kernelSize: length(config, 'kernel_size', at),
        strides: length(config, 'strides', at, 1),
        dilationRate: length(config, 'dilation_rate', at, 1),
        padding: (get(config, 'padding') ?? 'valid') as Padding1D,
        ...kernelBiasArgs(config, at),
      });
    },
    weights(layer, inputShape) {
      const c = layer as Conv1D;
      const channels = inputShape[inputShape.length - 1] as number;
      const out: WeightShape[] = [{ name: 'kernel', shape: [c.kernelSize, channels, c.filters] }];
      if (c.useBias) out.push({ name: 'bias', shape: [c.filters] });
      return out;
    },
    defaults: Object.fromEntries([...REGULARIZERS, ...CONSTRAINTS].map((k) => [k, null])),
  },
  GlobalAveragePooling1D: {
    read(config, base, at) {
      channelsLast(config, at);
      return new GlobalAveragePooling1D({ ...base, keepdims: bool(config, 'keepdims', at, false) });
    },
    weights: none,
  },
  GlobalMaxPooling1D: {
    read(config, base, at) {
      channelsLast(config, at);
      return new GlobalMaxPooling1D({ ...base, keepdims: bool(config, 'keepdims', at, false) });
    },
    weights: none,
  },
} satisfies Record<string, LayerReader>;

/**
 * Readers of the wrapper layers (TimeDistributed), which read the layer they wrap with `readLayer`
 * and list its weights with `weightShapes` (format/layers.ts hands both in: it imports this file).
 */
export function wrapperReaders(
  readLayer: (entry: unknown, at: string) => Layer,
  weightShapes: (layer: Layer, inputShape: SymbolicShape) => WeightShape[],
) {
  return {
    TimeDistributed: {
      read(config, base, at) {
        const inner = readLayer(get(config, 'layer'), `${at}.layer`);
        return new TimeDistributed({ ...base, layer: inner });
      },
      weights(layer, inputShape) {
        layer.computeOutputShape(inputShape); // a clear error for an input without steps
        const wrapped = (layer as TimeDistributed).layer;
        const prefix = `${wrapped.name}/`;
        // the wrapped layer's weights, under the wrapper's name (layerWeightShapes adds it)
        return weightShapes(wrapped, [null, ...inputShape.slice(2)]).map((w) => ({
          ...w,
          name: w.name.startsWith(prefix) ? w.name.slice(prefix.length) : w.name,
        }));
      },
    },
  } satisfies Record<string, LayerReader>;
}
