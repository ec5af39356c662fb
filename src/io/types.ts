// The model-file types of TensorFlow.js (tfjs-core src/io/types.ts), so handlers written for tfjs
// work with neurasm and the other way round. Field names and meanings are tfjs's.

/** Element types a weight can have in a manifest (neurasm reads float32 and int32). */
/**
 * The dtype of a weight in a manifest: tfjs's, and 'int8' (neurasm's extension: the codes of a
 * quantized layer, one byte each, whose scales are another float32 weight of the layer).
 */
export type WeightDType = 'float32' | 'int32' | 'bool' | 'string' | 'complex64' | 'int8';

/** How a weight was quantized by the tfjs converter: value = q · scale + min, or IEEE half floats. */
export interface WeightQuantization {
  dtype: 'uint8' | 'uint16' | 'float16';
  /** Step between quantized values (uint8/uint16). */
  scale?: number;
  /** Value of quantized 0 (uint8/uint16). */
  min?: number;
}

/** One weight in a manifest: its name, shape and dtype, in the order of the binary data. */
export interface WeightsManifestEntry {
  name: string;
  shape: number[];
  dtype: WeightDType;
  /** 'optimizer' for optimizer state saved with `includeOptimizer`; model weights have none. */
  group?: 'model' | 'optimizer';
  quantization?: WeightQuantization;
}

/** A group of weights stored in the files `paths`, concatenated in order. */
export interface WeightsManifestGroupConfig {
  paths: string[];
  weights: WeightsManifestEntry[];
}

/** The `trainingConfig` of a model file (Keras names: snake_case losses and metrics). */
export interface TrainingConfig {
  optimizer_config: { class_name: string; config: Record<string, unknown> };
  loss: string | string[] | Record<string, string>;
  metrics?: string[] | Record<string, string>;
  weighted_metrics?: string[];
  sample_weight_mode?: string;
  loss_weights?: number[] | Record<string, number>;
}

/** What neurasm keeps in model files under a key of its own (tfjs ignores it). */
export interface NeurasmMetadata {
  /** Version of this block's layout. */
  version: 1;
  /** Exact optimizer description when saved with `includeOptimizer` (tfjs's trainingConfig may lack it). */
  training?: {
    optimizer: { className: string; config: Record<string, unknown> };
    loss: string;
    metrics: string[];
  };
  /** Normalisation statistics the model was trained with (scalers' toJSON). */
  preprocessing?: unknown;
  /**
   * The first layer of a model that takes strings (a TextVectorization with its vocabulary):
   * `{class_name, config}`; the topology holds the layers after it.
   */
  textInput?: { class_name: string; config: Record<string, unknown> };
}

/** A model in memory, as save handlers receive it and load handlers return it (tfjs ModelArtifacts). */
export interface ModelArtifacts {
  /** The Keras model config: `{class_name, config, ...}` or the converter's `{model_config, ...}`. */
  modelTopology?: object | ArrayBuffer;
  trainingConfig?: TrainingConfig;
  weightSpecs?: WeightsManifestEntry[];
  /** The weights' bytes, concatenated in `weightSpecs` order (one buffer or shards to join). */
  weightData?: ArrayBuffer | ArrayBuffer[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  userDefinedMetadata?: Record<string, unknown>;
  /** neurasm's own block (optimizer details, preprocessing). */
  neurasm?: NeurasmMetadata;
}

/** The `model.json` file (tfjs ModelJSON). */
export interface ModelJSON {
  modelTopology: object;
  weightsManifest: WeightsManifestGroupConfig[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: TrainingConfig;
  userDefinedMetadata?: Record<string, unknown>;
  neurasm?: NeurasmMetadata;
}

/** Sizes of what was saved (tfjs ModelArtifactsInfo). */
export interface ModelArtifactsInfo {
  dateSaved: Date;
  modelTopologyType: 'JSON';
  modelTopologyBytes?: number;
  weightSpecsBytes?: number;
  weightDataBytes?: number;
}

/** What `save` resolves to (tfjs SaveResult). */
export interface SaveResult {
  modelArtifactsInfo: ModelArtifactsInfo;
  /** HTTP responses of an http save. */
  responses?: Response[];
  /** Files written by a file:// save, with their sizes in bytes. */
  files?: Array<{ path: string; bytes: number }>;
  errors?: Array<object | string>;
}

/** Saves artifacts somewhere. */
export type SaveHandler = (artifacts: ModelArtifacts) => Promise<SaveResult>;
/** Loads artifacts from somewhere. */
export type LoadHandler = () => Promise<ModelArtifacts>;

/** A place models are saved to or loaded from (tfjs IOHandler: tfjs's handlers work too). */
export interface IOHandler {
  save?: SaveHandler;
  load?: LoadHandler;
}

/** Any object with `load` and/or `save`: neurasm's handlers, and tfjs's (whose types differ in details). */
export interface HandlerLike {
  load?: () => Promise<unknown>;
  save?: (artifacts: never) => Promise<unknown>;
}

/** Where `loadLayersModel` reads from: a URL, or a handler with `load`. */
export type LoadSource = string | HandlerLike;

/** Where `save` writes to: a URL, or a handler with `save`. */
export type SaveTarget = string | HandlerLike;

/** Options of `loadLayersModel` (those of tfjs that apply). */
export interface LoadOptions {
  /** The fetch to use for http(s) URLs (default: the global fetch). */
  fetchFunc?: typeof fetch;
  /** Extra fetch options (headers, credentials, ...). */
  requestInit?: RequestInit;
  /** Where weight files are, when not beside model.json. */
  weightPathPrefix?: string;
  /** Maps a manifest path to the URL to fetch. */
  weightUrlConverter?: (weightFileName: string) => Promise<string>;
  /** Called with the fraction of files fetched. */
  onProgress?: (fraction: number) => void;
}

/** Options of `model.save`. */
export interface SaveConfig {
  /** Also save the optimizer's state and the training config, so `fit` resumes exactly (default false). */
  includeOptimizer?: boolean;
  /** Store weights quantized as the tfjs converter does: smaller files, approximate values. */
  quantize?: 'uint8' | 'uint16' | 'float16';
  /** Normalisation statistics to save with the model (a scaler, or scalers by name); default the model's own. */
  preprocessing?: unknown;
}
