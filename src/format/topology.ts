// The model topology of a layers-model file, in the layouts found in the wild:
//   tfjs >= 1.x:              { class_name: 'Sequential', config: { name, layers: [...] } }
//   Keras via the converter:  { keras_version, backend, model_config: { class_name, config } }
//   older Keras and tfjs:     config is the array of layers itself
//   functional models (Model / Functional) whose layers form a single chain are read as Sequential.

import { ModelFormatError } from '../io/errors.js';
import type { Layer, SymbolicShape } from '../layers/layer.js';
import type { Sequential } from '../models/sequential.js';
import { writeLayer } from './layers.js';

type Config = Record<string, unknown>;

/** What `readTopology` finds: the model's name and its layer entries in order. */
export interface TopologyLayers {
  name: string | undefined;
  layers: unknown[];
  /** Keras 3's build_input_shape, used when no layer declares an input shape. */
  buildInputShape?: unknown;
}

const isObject = (v: unknown): v is Config => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The name of the layer feeding a Keras 2 / tfjs inbound node `[[["name", 0, 0, {}]]]` or Keras 3 `{args: [...]}`. */
function inboundNames(layer: Config, at: string): string[] {
  const nodes = layer.inbound_nodes;
  if (nodes === undefined || (Array.isArray(nodes) && nodes.length === 0)) return [];
  if (!Array.isArray(nodes) || nodes.length !== 1) {
    throw new ModelFormatError(`${at}.inbound_nodes: a layer called more than once is not supported (shared layers)`);
  }
  const node = nodes[0];
  if (Array.isArray(node)) {
    return node.map((t, i) => {
      if (!Array.isArray(t) || typeof t[0] !== 'string') {
        throw new ModelFormatError(`${at}.inbound_nodes[0][${i}]: expected ["layer name", node, tensor, kwargs]`);
      }
      return t[0];
    });
  }
  if (isObject(node) && Array.isArray(node.args)) {
    return node.args.map((arg, i) => {
      const history = isObject(arg) && isObject(arg.config) ? arg.config.keras_history : undefined;
      if (!Array.isArray(history) || typeof history[0] !== 'string') {
        throw new ModelFormatError(`${at}.inbound_nodes[0].args[${i}]: expected a Keras tensor with keras_history`);
      }
      return history[0];
    });
  }
  throw new ModelFormatError(`${at}.inbound_nodes: unrecognised node layout ${JSON.stringify(node).slice(0, 80)}`);
}

/** Names in input_layers / output_layers: [["name", 0, 0], ...] or Keras 3's single ["name", 0, 0]. */
function endpointNames(value: unknown, at: string): string[] {
  if (Array.isArray(value) && typeof value[0] === 'string') return [value[0]];
  if (Array.isArray(value) && value.every((v) => Array.isArray(v) && typeof v[0] === 'string')) {
    return value.map((v) => (v as string[])[0]);
  }
  throw new ModelFormatError(`${at}: expected [["layer name", 0, 0]], got ${JSON.stringify(value)}`);
}

/** Orders the layers of a functional model that is a single chain; throws for any other graph. */
function chainOf(config: Config, at: string): unknown[] {
  const layers = config.layers;
  if (!Array.isArray(layers)) throw new ModelFormatError(`${at}.layers: expected an array`);
  const inputs = endpointNames(config.input_layers, `${at}.input_layers`);
  const outputs = endpointNames(config.output_layers, `${at}.output_layers`);
  if (inputs.length !== 1 || outputs.length !== 1) {
    throw new ModelFormatError(`${at}: only models with one input and one output are supported`);
  }
  const byName = new Map<string, { entry: Config; from: string[] }>();
  layers.forEach((l, i) => {
    if (!isObject(l)) throw new ModelFormatError(`${at}.layers[${i}]: expected a layer object`);
    const name = l.name ?? (isObject(l.config) ? l.config.name : undefined);
    if (typeof name !== 'string') throw new ModelFormatError(`${at}.layers[${i}].name: expected a string`);
    if (byName.has(name)) throw new ModelFormatError(`${at}.layers[${i}]: duplicate layer name "${name}"`);
    byName.set(name, { entry: l, from: inboundNames(l, `${at}.layers[${i}]`) });
  });
  // walk back from the output: every layer must have exactly one input, ending at the model input
  const chain: unknown[] = [];
  let current = outputs[0];
  const seen = new Set<string>();
  for (;;) {
    const node = byName.get(current);
    if (!node) throw new ModelFormatError(`${at}: the graph refers to a layer "${current}" that is not listed`);
    if (seen.has(current)) throw new ModelFormatError(`${at}: the graph has a cycle at "${current}"`);
    seen.add(current);
    chain.unshift(node.entry);
    if (current === inputs[0]) break;
    if (node.from.length !== 1) {
      throw new ModelFormatError(
        `${at}: layer "${current}" has ${node.from.length} inputs; only models whose layers form a single chain are supported`,
      );
    }
    current = node.from[0];
  }
  if (chain.length !== layers.length) {
    throw new ModelFormatError(
      `${at}: only models whose layers form a single chain are supported (some layers are off the path)`,
    );
  }
  return chain;
}

/** Finds the model config in a topology and returns its layer entries, in order. */
export function readTopology(topology: unknown, where: string): TopologyLayers {
  if (topology instanceof ArrayBuffer) {
    throw new ModelFormatError(`${where}: a binary model topology (graph model) is not a layers model`);
  }
  if (!isObject(topology)) {
    throw new ModelFormatError(`${where}: expected modelTopology to be an object, got ${JSON.stringify(topology)}`);
  }
  let at = `${where}: modelTopology`;
  let model: Config = topology;
  if (topology.model_config !== undefined) {
    if (!isObject(topology.model_config)) throw new ModelFormatError(`${at}.model_config: expected an object`);
    model = topology.model_config;
    at += '.model_config';
  }
  const className = model.class_name ?? model.className;
  const config = model.config;
  if (className === 'Sequential') {
    if (Array.isArray(config)) return { name: undefined, layers: config };
    if (!isObject(config) || !Array.isArray(config.layers)) {
      throw new ModelFormatError(`${at}.config: expected {name, layers: [...]} or an array of layers`);
    }
    const name = typeof config.name === 'string' ? config.name : undefined;
    return { name, layers: config.layers, buildInputShape: config.build_input_shape };
  }
  if (className === 'Model' || className === 'Functional') {
    if (!isObject(config)) throw new ModelFormatError(`${at}.config: expected an object`);
    const name = typeof config.name === 'string' ? config.name : undefined;
    return { name, layers: chainOf(config, `${at}.config`) };
  }
  throw new ModelFormatError(
    `${at}.class_name: expected 'Sequential' (or a single-chain 'Model'/'Functional'), got ${JSON.stringify(className)}`,
  );
}

/** The topology tfjs writes for a Sequential model (first layer carrying batch_input_shape). */
export function writeTopology(model: Sequential, version: string): Config {
  // a first layer that takes strings is kept beside the topology (text-input.ts): the numeric model after it starts here
  const text = model.layers[0]?.takesStrings;
  const numeric = text ? model.layers.slice(1) : model.layers;
  const input = text ? model.layers[0].outputShape : model.inputShape;
  const layers = numeric.map((l: Layer, i: number) => writeLayer(l, i === 0 ? (input as SymbolicShape) : null));
  return {
    class_name: 'Sequential',
    config: { name: model.name, layers },
    keras_version: `neurasm ${version}`,
    backend: 'neurasm',
  };
}
