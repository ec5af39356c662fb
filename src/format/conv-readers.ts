// Readers of the sequence convolution and pooling layers (Conv1D, the 1-D poolings,
// SpatialDropout1D, TimeDistributed) from Keras/tfjs layer configs.
import { ModelFormatError } from '../io/errors.js';
import { GlobalAveragePooling1D, GlobalMaxPooling1D } from '../layers/global-pooling.js';
import { bool, type Config, get, type LayerReader, none } from './reader-kit.js';

/** Rejects a data format other than channels_last (null or absent stands for it). */
export function channelsLast(config: Config, at: string): void {
  const format = get(config, 'data_format');
  if (format !== undefined && format !== null && format !== 'channels_last' && format !== 'channelsLast') {
    throw new ModelFormatError(`${at}.data_format: only 'channels_last' is supported, got ${JSON.stringify(format)}`);
  }
}

/** Readers of the convolution and pooling layers. */
export const CONV_READERS = {
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
