// The layer classes model files may use, as a list the bundle carries without the readers
// (layers.ts, loaded on first use), which must have one for each name and no other (its type says so).

/** Layer classes model files may use, in the order error messages list them. */
const LAYER_CLASSES = [
  'Dense',
  'Activation',
  'Dropout',
  'Flatten',
  'Reshape',
  'BatchNormalization',
  'GaussianNoise',
  'InputLayer',
] as const;

/** The name of a layer class model files may use. */
export type LayerClassName = (typeof LAYER_CLASSES)[number];

/** Layer classes model files may use. */
export const supportedLayerClasses: string[] = [...LAYER_CLASSES];
