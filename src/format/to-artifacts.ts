// nn.io.modelArtifacts (and model.save): the topology as tfjs writes it, the weights in model order
// (optionally quantized), the optimizer's state if asked, and preprocessing statistics under
// neurasm's key. Loaded on first use (lazy-import.ts); save.ts is what the bundle carries.
import { ValueError } from '../errors.js';
import { ModelFormatError } from '../io/errors.js';
import type { ModelArtifacts, NeurasmMetadata, SaveConfig } from '../io/types.js';
import { encodeWeights, type WeightToEncode } from '../io/weights.js';
import { Sequential } from '../models/sequential.js';
import { optionsObject } from '../ops/options.js';
import { describe } from '../ops/validate.js';
import { writeTextInput } from './text-input.js';
import { writeTopology } from './topology.js';
import { trainingArtifacts } from './training.js';

/** neurasm's version, written in generatedBy. */
export const NEURASM_VERSION = '0.1.0';

const FLOAT16_MAX = 65504;

/** The JSON form of preprocessing: one object with toJSON (a scaler), or several by name. */
export function preprocessingJSON(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  const json = (v: unknown, at: string): unknown => {
    if (typeof v !== 'object' || v === null)
      throw new ValueError(`save: expected ${at} to be a scaler or a JSON object, got ${describe(v)}`);
    try {
      return JSON.parse(JSON.stringify(v));
    } catch (e) {
      throw new ValueError(`save: ${at} cannot be written as JSON: ${(e as Error).message}`);
    }
  };
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ValueError(
      `save: expected preprocessing to be a scaler or an object of scalers by name, got ${describe(value)}`,
    );
  }
  const single = typeof (value as { toJSON?: unknown }).toJSON === 'function' || 'className' in value;
  if (single) return json(value, 'preprocessing');
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, json(v, `preprocessing.${k}`)]));
}

const SAVE_OPTIONS: ReadonlyArray<keyof SaveConfig> = ['includeOptimizer', 'quantize', 'preprocessing'];

function checkConfig(config: SaveConfig | undefined): SaveConfig {
  const c = optionsObject('save', config, "{quantize: 'uint8'}", SAVE_OPTIONS);
  if (c.includeOptimizer !== undefined && typeof c.includeOptimizer !== 'boolean') {
    throw new ValueError(`save: expected includeOptimizer to be true or false, got ${describe(c.includeOptimizer)}`);
  }
  if (c.quantize !== undefined && c.quantize !== 'uint8' && c.quantize !== 'uint16' && c.quantize !== 'float16') {
    throw new ValueError(`save: expected quantize to be 'uint8', 'uint16' or 'float16', got ${describe(c.quantize)}`);
  }
  return c;
}

/** The artifacts of a model (what a save handler receives), made at once from its current state. */
export function modelArtifacts(model: Sequential, config: SaveConfig = {}): ModelArtifacts {
  if (!(model instanceof Sequential)) {
    const value: unknown = model;
    const what = typeof value === 'object' && value !== null ? value.constructor?.name : undefined;
    throw new ValueError(
      `modelArtifacts: expected a Sequential model, got ${what && what !== 'Object' ? `a ${what}` : describe(value)}`,
    );
  }
  const c = checkConfig(config);
  if (!model.inputShape || model.layers.some((l) => !l.built)) {
    throw new ValueError(
      'save: the model is not built yet; give the first layer an inputShape, or fit or predict once',
    );
  }
  const weights: WeightToEncode[] = [];
  const names = new Set<string>();
  for (const layer of model.layers) {
    for (const w of layer.storedWeights()) {
      if (names.has(w.name))
        throw new ModelFormatError(`save: two weights are named "${w.name}"; layer names must be unique`);
      names.add(w.name);
      const values = w.values;
      for (let i = 0; i < values.length && values instanceof Float32Array; i++) {
        const v = values[i];
        if (!Number.isFinite(v))
          throw new ValueError(`save: weight "${w.name}" has ${v} at index ${i}; a model file holds finite weights`);
        if (c.quantize === 'float16' && Math.abs(v) > FLOAT16_MAX) {
          throw new ValueError(
            `save: weight "${w.name}" has ${v} at index ${i}, beyond float16's range (±${FLOAT16_MAX})`,
          );
        }
      }
      weights.push({ name: w.name, shape: w.shape, values });
    }
  }
  const neurasm: NeurasmMetadata = { version: 1 };
  let trainingConfig: ModelArtifacts['trainingConfig'];
  if (c.includeOptimizer) {
    const t = trainingArtifacts(model);
    trainingConfig = t.trainingConfig;
    neurasm.training = t.training;
    weights.push(...t.weights);
  }
  const preprocessing = preprocessingJSON(c.preprocessing ?? model.preprocessing);
  if (preprocessing !== undefined) neurasm.preprocessing = preprocessing;
  if (model.layers[0].takesStrings) neurasm.textInput = writeTextInput(model.layers[0]);
  const { specs, data } = encodeWeights(weights, c.quantize);
  const artifacts: ModelArtifacts = {
    modelTopology: writeTopology(model, NEURASM_VERSION),
    format: 'layers-model',
    generatedBy: `neurasm v${NEURASM_VERSION}`,
    convertedBy: null,
    weightSpecs: specs,
    weightData: data,
  };
  if (trainingConfig) artifacts.trainingConfig = trainingConfig;
  if (neurasm.training || neurasm.preprocessing !== undefined || neurasm.textInput) artifacts.neurasm = neurasm;
  return artifacts;
}
