// Reader of the Embedding layer in model files (Keras and tfjs write the same config keys).
import { ModelFormatError } from '../io/errors.js';
import { Embedding } from '../layers/embedding.js';
import { readInitializer } from './initializers.js';
import { bool, get, type LayerReader, readRegularizer, rejectNonNull } from './reader-kit.js';

/** A positive integer config value (a vocabulary size or a vector length), or a ModelFormatError. */
export function positiveInt(value: unknown, at: string, key: string): number {
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 2 ** 31 - 1) {
    throw new ModelFormatError(`${at}.${key}: expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return value as number;
}

/** Readers of the embedding layers. */
export const EMBEDDING_READERS = {
  Embedding: {
    read(config, base, at) {
      rejectNonNull(config, ['embeddings_constraint'], at);
      if (get(config, 'sparse') === true) throw new ModelFormatError(`${at}.sparse: sparse outputs are not supported`);
      const inputLength = get(config, 'input_length');
      return new Embedding({
        ...base,
        inputDim: positiveInt(get(config, 'input_dim'), at, 'input_dim'),
        outputDim: positiveInt(get(config, 'output_dim'), at, 'output_dim'),
        embeddingsInitializer: readInitializer(
          get(config, 'embeddings_initializer') ?? 'randomUniform',
          `${at}.embeddings_initializer`,
        ),
        embeddingsRegularizer: readRegularizer(get(config, 'embeddings_regularizer'), `${at}.embeddings_regularizer`),
        maskZero: bool(config, 'mask_zero', at, false),
        ...(inputLength === undefined || inputLength === null
          ? {}
          : { inputLength: inputLength as number | Array<number | null> }),
      });
    },
    weights(layer) {
      const e = layer as Embedding;
      return [{ name: 'embeddings', shape: [e.inputDim, e.outputDim] }];
    },
    defaults: { embeddings_regularizer: null, activity_regularizer: null, embeddings_constraint: null },
  },
} satisfies Record<string, LayerReader>;
