// Layer classes of the user's own, by the name model files give them (tfjs's serialization registry).
import { ValueError } from '../errors.js';
import { describe } from '../ops/validate.js';
import { Layer, type LayerArgs } from './layer.js';

/** A layer class model files can name: a subclass of `nn.layers.Layer` whose constructor takes its config. */
// biome-ignore lint/suspicious/noExplicitAny: a subclass's constructor takes its own config type
export type LayerClass = (new (config: any) => Layer) & { readonly className?: string };

/** The built-in layer classes (the names model files may use besides registered ones), in the order messages list them. */
export const BUILT_IN_LAYER_CLASSES = [
  'Dense',
  'Activation',
  'Dropout',
  'Flatten',
  'Reshape',
  'BatchNormalization',
  'GaussianNoise',
  'InputLayer',
  'Embedding',
  'GlobalAveragePooling1D',
  'GlobalMaxPooling1D',
  'Conv1D',
  'MaxPooling1D',
  'AveragePooling1D',
  'SpatialDropout1D',
  'TimeDistributed',
  'LSTM',
  'GRU',
  'SimpleRNN',
  'Bidirectional',
  'QuantizedDense',
  'QuantizedEmbedding',
  'QuantizedConv1D',
  'QuantizedLSTM',
  'QuantizedGRU',
  'QuantizedSimpleRNN',
  'QuantizedBidirectional',
] as const;

/** The name of a built-in layer class. */
export type BuiltInLayerClass = (typeof BUILT_IN_LAYER_CLASSES)[number];

const BUILT_IN: ReadonlySet<string> = new Set(BUILT_IN_LAYER_CLASSES);

const registered = new Map<string, LayerClass>();

/**
 * Registers a layer class of your own, so that `loadLayersModel` can make its layers from model
 * files, as `tf.serialization.registerClass` does. The class is named by its static `className`
 * (else its JavaScript name); loading calls `new cls(config)` with the config its `getConfig`
 * wrote (keys as written) plus `name`, `trainable` and the input shape. Registering a class again
 * under the same name replaces it. Returns the class.
 */
export function registerClass<C extends LayerClass>(cls: C): C {
  if (typeof cls !== 'function' || !(cls.prototype instanceof Layer)) {
    throw new ValueError(`serialization.registerClass: expected a subclass of nn.layers.Layer, got ${describe(cls)}`);
  }
  const name = typeof cls.className === 'string' ? cls.className : cls.name;
  if (!name) throw new ValueError('serialization.registerClass: the class has no name; give it a static className');
  if (BUILT_IN.has(name)) {
    throw new ValueError(
      `serialization.registerClass: "${name}" is a built-in layer class; give yours another className`,
    );
  }
  registered.set(name, cls);
  return cls;
}

/** @internal The registered class of that name, if any. */
export function registeredLayerClass(name: string): LayerClass | undefined {
  return registered.get(name);
}

/** @internal The names of the registered classes. */
export function registeredLayerNames(): string[] {
  return [...registered.keys()];
}

/** @internal Makes a layer of a registered class from a model file's config and the base options. */
export function makeRegisteredLayer(cls: LayerClass, config: Record<string, unknown>, base: LayerArgs): Layer {
  const own = { ...config };
  for (const key of [
    'name',
    'trainable',
    'dtype',
    'batch_input_shape',
    'batchInputShape',
    'batch_shape',
    'input_shape',
    'activity_regularizer',
  ]) {
    delete own[key];
  }
  return new cls({ ...own, ...base });
}
