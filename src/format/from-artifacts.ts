// nn.io.modelFromArtifacts (and loadLayersModel): everything in the artifacts is checked (manifest,
// sizes, values, topology, weight names and shapes) before a weight is allocated; any failure disposes
// what was made, so either a complete model comes back or a ModelFormatError / ModelIOError is thrown.
// Loaded on first use (lazy-import.ts); load.ts is what the bundle carries.
import { scalerFromJSON } from '../data/scalers.js';
import { formatShape, NeurasmError } from '../errors.js';
import { ModelFormatError, ModelIOError } from '../io/errors.js';
import { checkArtifactsDepth } from '../io/json-depth.js';
import type { LoadOptions, ModelArtifacts } from '../io/types.js';
import { checkNonNegative, checkWeightSpec, type DecodedWeight, decodeWeights, joinBuffers } from '../io/weights.js';
import { InputLayer } from '../layers/input-layer.js';
import type { Layer, SymbolicShape } from '../layers/layer.js';
import { Sequential } from '../models/sequential.js';
import { describe } from '../ops/validate.js';
import type { TextVectorizationFunctions } from '../text/config.js';
import { layerWeightShapes, readLayer } from './layers.js';
import type { WeightShape } from './reader-kit.js';
import { readTextInput } from './text-input.js';
import { readTopology } from './topology.js';
import { readTraining, restoreTraining } from './training.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Options of `loadLayersModel`. */
export interface LoadLayersOptions extends LoadOptions {
  /** Restore the training config and optimizer state when the file has them (default true). */
  includeOptimizer?: boolean;
  /**
   * For a model that takes strings whose text layer used a function of your own (standardize,
   * split) or a subword tokenizer: the same again, which files cannot hold.
   */
  textFunctions?: TextVectorizationFunctions;
}

/** Other spellings of a manifest weight name: Keras's ":0" suffix, a model-name prefix, an inner cell name. */
function aliases(name: string, modelName: string | undefined): string[] {
  const base = name.replace(/:0$/, '');
  const out = [base];
  if (modelName && base.startsWith(`${modelName}/`)) out.push(base.slice(modelName.length + 1));
  const parts = base.split('/');
  if (parts.length > 2) out.push([...parts.slice(0, -2), parts[parts.length - 1]].join('/'));
  return out;
}

function sameShape(a: readonly number[], b: readonly (number | null)[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function wrap(e: unknown, where: string): unknown {
  if (e instanceof ModelFormatError || e instanceof ModelIOError || !(e instanceof NeurasmError)) return e;
  return new ModelFormatError(`${where}: ${e.message}`);
}

/** Revives saved preprocessing: scalers become scaler objects, anything else stays JSON. */
function revivePreprocessing(json: unknown, where: string): unknown {
  const revive = (v: unknown, at: string): unknown => {
    if (!isObject(v))
      throw new ModelFormatError(`${where}: neurasm.preprocessing${at}: expected an object, got ${JSON.stringify(v)}`);
    if (typeof v.className !== 'string' || !v.className.endsWith('Scaler')) return v;
    try {
      return scalerFromJSON(v);
    } catch (e) {
      throw new ModelFormatError(`${where}: neurasm.preprocessing${at}: ${(e as Error).message}`);
    }
  };
  if (isObject(json) && typeof json.className !== 'string') {
    return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, revive(v, `.${k}`)]));
  }
  return revive(json, '');
}

/** Walks the shapes through the stack (nothing allocated) and lists the weights each layer needs. */
function weightsNeeded(layers: Layer[], input: SymbolicShape, at: string): WeightShape[] {
  const needed: WeightShape[] = [];
  let shape: SymbolicShape = [null, ...input.slice(1)];
  layers.forEach((layer, i) => {
    if (layer instanceof InputLayer) return;
    const declared = layer.batchInputShape;
    const firstReal = i === 0 || (i === 1 && layers[0] instanceof InputLayer);
    if (declared && (!firstReal || !sameShape(declared.slice(1) as number[], shape.slice(1)))) {
      throw new ModelFormatError(
        `${at}[${i}] ("${layer.name}"): batch_input_shape ${JSON.stringify(declared)} disagrees with the input ${JSON.stringify(shape)}`,
      );
    }
    try {
      needed.push(...layerWeightShapes(layer, shape));
      shape = layer.computeOutputShape(shape);
    } catch (e) {
      throw wrap(e, `${at}[${i}] ("${layer.name}")`);
    }
  });
  return needed;
}

/** Finds every needed weight in the manifest by name, checks its shape, and that none is left over. */
function matchWeights(
  needed: WeightShape[],
  modelWeights: DecodedWeight[],
  modelName: string | undefined,
  where: string,
): Map<string, DecodedWeight> {
  const byAlias = new Map<string, DecodedWeight>();
  for (const w of modelWeights) {
    for (const a of aliases(w.spec.name, modelName)) if (!byAlias.has(a)) byAlias.set(a, w);
  }
  const values = new Map<string, DecodedWeight>();
  const used = new Set<DecodedWeight>();
  for (const need of needed) {
    const w = byAlias.get(need.name);
    if (!w) {
      const have =
        modelWeights
          .map((m) => m.spec.name)
          .slice(0, 8)
          .join(', ') || 'none';
      throw new ModelFormatError(`${where}: weight "${need.name}" is missing from the manifest (it lists ${have})`);
    }
    if (w.spec.dtype !== (need.dtype ?? 'float32')) {
      throw new ModelFormatError(
        `${where}: weight "${w.spec.name}" is ${w.spec.dtype}, expected ${need.dtype ?? 'float32'}`,
      );
    }
    if (!sameShape(w.spec.shape, need.shape)) {
      throw new ModelFormatError(
        `${where}: weight "${w.spec.name}" has shape ${formatShape(w.spec.shape)} in the manifest, the topology needs ${formatShape(need.shape)}`,
      );
    }
    if (used.has(w)) throw new ModelFormatError(`${where}: weight "${w.spec.name}" would fill two weights`);
    if (need.nonNegative) checkNonNegative(w.values, w.spec.name, need.nonNegative, where);
    used.add(w);
    values.set(need.name, w);
  }
  const unused = modelWeights.filter((w) => !used.has(w)).map((w) => w.spec.name);
  if (unused.length) {
    throw new ModelFormatError(`${where}: manifest weights with no layer to go to: ${unused.slice(0, 5).join(', ')}`);
  }
  return values;
}

/** Builds a model from artifacts (see the file comment); `where` names them in messages. */
export function modelFromArtifacts(
  artifacts: ModelArtifacts,
  where: string,
  options: LoadLayersOptions = {},
): Sequential {
  if (typeof artifacts !== 'object' || artifacts === null || Array.isArray(artifacts)) {
    throw new ModelFormatError(`${where}: expected model artifacts, got ${describe(artifacts)}`);
  }
  checkArtifactsDepth(artifacts, where);
  if (artifacts.format !== undefined && artifacts.format !== null && artifacts.format !== 'layers-model') {
    throw new ModelFormatError(
      `${where}: format is ${JSON.stringify(artifacts.format)}; neurasm loads 'layers-model' files`,
    );
  }
  if (artifacts.weightSpecs === undefined || artifacts.weightSpecs === null) {
    throw new ModelFormatError(`${where}: the model has no weight manifest (weightSpecs)`);
  }
  if (!Array.isArray(artifacts.weightSpecs)) throw new ModelFormatError(`${where}: weightSpecs must be an array`);
  const specs = artifacts.weightSpecs.map((s, i) => checkWeightSpec(s, `${where}: weightSpecs[${i}]`));
  const data = joinBuffers(artifacts.weightData ?? new ArrayBuffer(0), where);
  const decoded = decodeWeights(specs, data, where);
  const modelWeights = [...decoded.values()].filter((w) => w.spec.group !== 'optimizer');
  const optimizerWeights = [...decoded.values()].filter((w) => w.spec.group === 'optimizer');

  const topology = readTopology(artifacts.modelTopology, where);
  const at = `${where}: layers`;
  if (topology.layers.length === 0) throw new ModelFormatError(`${at}: the model has no layers`);
  const layers: Layer[] = topology.layers.map((entry, i) => readLayer(entry, `${at}[${i}]`));
  const names = new Set<string>();
  for (const l of layers) {
    if (names.has(l.name)) throw new ModelFormatError(`${at}: two layers are named "${l.name}"`);
    names.add(l.name);
  }
  layers.slice(1).forEach((l, i) => {
    if (l instanceof InputLayer) throw new ModelFormatError(`${at}[${i + 1}]: an InputLayer must come first`);
  });
  const input = layers[0].batchInputShape ?? readBuildShape(topology.buildInputShape, where);
  if (!input) throw new ModelFormatError(`${at}[0]: the input shape is missing (batch_input_shape of the first layer)`);

  const needed = weightsNeeded(layers, input, at);
  const values = matchWeights(needed, modelWeights, topology.name, where);

  const training =
    options.includeOptimizer === false
      ? null
      : readTraining(artifacts.neurasm?.training, artifacts.trainingConfig, where);
  const neurasm = artifacts.neurasm;
  if (neurasm !== undefined && neurasm !== null && !isObject(neurasm))
    throw new ModelFormatError(`${where}: neurasm must be an object`);
  const preprocessing = neurasm?.preprocessing === undefined ? null : revivePreprocessing(neurasm.preprocessing, where);
  const text = neurasm?.textInput === undefined ? null : readTextInput(neurasm.textInput, where, options.textFunctions);
  if (text) {
    const made = text.computeOutputShape([null]);
    if (!sameShape(input.slice(1) as number[], made.slice(1))) {
      throw new ModelFormatError(
        `${where}: neurasm.textInput makes inputs of shape ${formatShape(made.slice(1) as number[])}, but the model takes ${formatShape(input.slice(1) as number[])}`,
      );
    }
    // the numeric model's first layer now follows the text layer: it declares no input shape
    layers[0].dispose();
    layers[0] = readLayer(withoutInputShape(topology.layers[0]), `${at}[0]`);
  }

  const model = new Sequential({ name: topology.name });
  try {
    if (text) model.add(text);
    else if (!(layers[0] instanceof InputLayer) && !layers[0].batchInputShape)
      model.add(new InputLayer({ batchInputShape: input }));
    for (const l of layers) model.add(l);
    const byName = new Map([...values].map(([name, w]) => [name, w.values as Float32Array | Int8Array]));
    for (const layer of model.layers) layer.restoreWeights(byName);
    if (training) restoreTraining(model, training, optimizerWeights, where);
    model.preprocessing = preprocessing;
    return model;
  } catch (e) {
    model.dispose();
    for (const l of layers) l.dispose();
    throw wrap(e, where);
  }
}

/** A layer entry without the input shape keys of its config. */
function withoutInputShape(entry: unknown): unknown {
  const e = entry as { config?: Record<string, unknown> };
  const config = { ...e.config };
  for (const key of ['batch_input_shape', 'batchInputShape', 'batch_shape', 'input_shape', 'inputShape'])
    delete config[key];
  return { ...e, config };
}

function readBuildShape(value: unknown, where: string): SymbolicShape | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length < 2 || !value.slice(1).every((d) => Number.isInteger(d) && d > 0)) {
    throw new ModelFormatError(
      `${where}: build_input_shape must be [null, ...positive sizes], got ${JSON.stringify(value)}`,
    );
  }
  return [null, ...(value.slice(1) as number[])];
}
