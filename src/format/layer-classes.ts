// The layer classes model files may use: the built-in ones, named in src/layers/serialization.ts.
import { BUILT_IN_LAYER_CLASSES, type BuiltInLayerClass } from '../layers/serialization.js';

/** The name of a layer class model files may use (the readers in layers.ts have one for each). */
export type LayerClassName = BuiltInLayerClass;

/** Layer classes model files may use (besides those registered with `nn.serialization.registerClass`). */
export const supportedLayerClasses: string[] = [...BUILT_IN_LAYER_CLASSES];
