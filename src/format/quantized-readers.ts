// Readers of the quantized layers (nn.quantize) in model files: neurasm's extension of the tfjs
// layers format. A QuantizedDense layer stores its kernel as int8 codes (manifest dtype 'int8') with a
// float32 `kernel_scale` per unit; a QuantizedEmbedding stores its table the same way with an
// `embeddings_scale` per row. QuantizedConv1D stores [kernel (int8), bias, kernel_scale], the int8
// recurrent layers [kernel (int8), recurrent_kernel, bias, kernel_scale] (a QuantizedBidirectional
// its two layers' in turn); their configs are the float layer's without initializers and
// regularizers (read by the float layer's reader), plus input_quantization. TensorFlow.js cannot read these; save `nn.dequantize(model)` for it.
import { ModelFormatError } from '../io/errors.js';
import type { ActivationIdentifier } from '../layers/activations.js';
import type { BidirectionalMergeMode } from '../layers/bidirectional.js';
import type { Conv1D } from '../layers/conv1d.js';
import type { GRU } from '../layers/gru.js';
import type { Layer, LayerArgs, SymbolicShape } from '../layers/layer.js';
import type { LSTM } from '../layers/lstm.js';
import { QuantizedBidirectional } from '../layers/quantized-bidirectional.js';
import { type QuantizedConv1D, quantizedConv1dOf } from '../layers/quantized-conv1d.js';
import { QuantizedDense } from '../layers/quantized-dense.js';
import { QuantizedEmbedding } from '../layers/quantized-embedding.js';
import { type QuantizedRecurrent, quantizedRecurrentOf } from '../layers/quantized-recurrent.js';
import { isInputQuantization } from '../layers/quantized-weights.js';
import type { SimpleRNN } from '../layers/simple-rnn.js';
import { CONV_READERS } from './conv-readers.js';
import { positiveInt } from './embedding-readers.js';
import { bool, type Config, get, type LayerReader, type WeightShape } from './reader-kit.js';
import { RECURRENT_READERS } from './recurrent-readers.js';

/** The static input quantization of a QuantizedDense config: null, or {scale, zero_point}. */
function readInputQuantization(value: unknown, at: string): { scale: number; zeroPoint: number } | null {
  if (value === undefined || value === null) return null;
  const v = value as Config;
  const scale = v.scale;
  const zeroPoint = get(v, 'zero_point');
  if (typeof value !== 'object' || !isInputQuantization(scale, zeroPoint)) {
    throw new ModelFormatError(
      `${at}.input_quantization: expected null or {scale > 0, zero_point: an integer in [0, 127]}, got ${JSON.stringify(value)}`,
    );
  }
  return { scale: scale as number, zeroPoint: zeroPoint as number };
}

/** The weights of an int8 recurrent layer for an input [batch, steps, features]. */
function recurrentWeights(layer: Layer, inputShape: SymbolicShape): WeightShape[] {
  const r = layer as QuantizedRecurrent;
  const features = inputShape[inputShape.length - 1] as number;
  const g = r.gates * r.units;
  const out: WeightShape[] = [
    { name: 'kernel', shape: [features, g], dtype: 'int8' },
    { name: 'recurrent_kernel', shape: [r.units, g] },
  ];
  if (r.useBias) out.push({ name: 'bias', shape: r.biasShape });
  out.push({ name: 'kernel_scale', shape: [g], nonNegative: 'a kernel scale' });
  return out;
}

/** The reader of an int8 recurrent layer: the float layer's reader for the shared options. */
function recurrentReader(className: 'LSTM' | 'GRU' | 'SimpleRNN'): LayerReader {
  return {
    read(config, base, at) {
      const float = RECURRENT_READERS[className].read(config, base, at) as LSTM | GRU | SimpleRNN;
      return quantizedRecurrentOf(float, readInputQuantization(get(config, 'input_quantization'), at));
    },
    weights: recurrentWeights,
  };
}

const RECURRENT_CLASSES = { QuantizedLSTM: 'LSTM', QuantizedGRU: 'GRU', QuantizedSimpleRNN: 'SimpleRNN' } as const;

/** Reads a wrapped int8 recurrent layer's `{class_name, config}` (QuantizedBidirectional's layer, backward_layer). */
function readWrapped(entry: unknown, at: string): QuantizedRecurrent {
  const e = (entry ?? {}) as Config;
  const className = e.class_name ?? e.className;
  const config = e.config;
  if (typeof className !== 'string' || !Object.hasOwn(RECURRENT_CLASSES, className)) {
    throw new ModelFormatError(
      `${at}.class_name: expected QuantizedLSTM, QuantizedGRU or QuantizedSimpleRNN inside a QuantizedBidirectional, got ${JSON.stringify(className)}`,
    );
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ModelFormatError(`${at}.config: expected an object, got ${JSON.stringify(config)}`);
  }
  const c = config as Config;
  const name = get(c, 'name');
  const base: LayerArgs = { trainable: bool(c, 'trainable', at, true) };
  if (typeof name === 'string' && name.length > 0) base.name = name;
  const cell = RECURRENT_CLASSES[className as keyof typeof RECURRENT_CLASSES];
  return recurrentReader(cell).read(c, base, `${at}.config`) as QuantizedRecurrent;
}

/** Readers of the quantized layers. */
export const QUANTIZED_READERS = {
  QuantizedDense: {
    read(config, base, at) {
      return new QuantizedDense({
        ...base,
        units: positiveInt(get(config, 'units'), at, 'units'),
        activation: (get(config, 'activation') ?? 'linear') as ActivationIdentifier,
        useBias: bool(config, 'use_bias', at, true),
        inputQuantization: readInputQuantization(get(config, 'input_quantization'), `${at}`),
      });
    },
    weights(layer, inputShape) {
      const d = layer as QuantizedDense;
      const width = inputShape[inputShape.length - 1] as number;
      const out: WeightShape[] = [{ name: 'kernel', shape: [width, d.units], dtype: 'int8' }];
      if (d.useBias) out.push({ name: 'bias', shape: [d.units] });
      out.push({ name: 'kernel_scale', shape: [d.units], nonNegative: 'a kernel scale' });
      return out;
    },
  },
  QuantizedEmbedding: {
    read(config, base, at) {
      const inputLength = get(config, 'input_length');
      return new QuantizedEmbedding({
        ...base,
        inputDim: positiveInt(get(config, 'input_dim'), at, 'input_dim'),
        outputDim: positiveInt(get(config, 'output_dim'), at, 'output_dim'),
        maskZero: bool(config, 'mask_zero', at, false),
        ...(inputLength === undefined || inputLength === null
          ? {}
          : { inputLength: inputLength as number | Array<number | null> }),
      });
    },
    weights(layer) {
      const e = layer as QuantizedEmbedding;
      return [
        { name: 'embeddings', shape: [e.inputDim, e.outputDim], dtype: 'int8' },
        { name: 'embeddings_scale', shape: [e.inputDim], nonNegative: 'an embedding scale' },
      ];
    },
  },
  QuantizedConv1D: {
    read(config, base, at) {
      // the float layer's reader checks the window and output options
      const float = CONV_READERS.Conv1D.read(config, base, at) as Conv1D;
      return quantizedConv1dOf(float, readInputQuantization(get(config, 'input_quantization'), at));
    },
    weights(layer, inputShape) {
      const c = layer as QuantizedConv1D;
      const channels = inputShape[inputShape.length - 1] as number;
      const out: WeightShape[] = [{ name: 'kernel', shape: [c.kernelSize, channels, c.filters], dtype: 'int8' }];
      if (c.useBias) out.push({ name: 'bias', shape: [c.filters] });
      out.push({ name: 'kernel_scale', shape: [c.filters], nonNegative: 'a kernel scale' });
      return out;
    },
  },
  QuantizedLSTM: recurrentReader('LSTM'),
  QuantizedGRU: recurrentReader('GRU'),
  QuantizedSimpleRNN: recurrentReader('SimpleRNN'),
  QuantizedBidirectional: {
    read(config, base, at) {
      const mode = get(config, 'merge_mode');
      const back = get(config, 'backward_layer');
      return new QuantizedBidirectional({
        ...base,
        layer: readWrapped(get(config, 'layer'), `${at}.layer`),
        mergeMode: (mode === undefined ? 'concat' : mode) as BidirectionalMergeMode | null,
        ...(back === undefined || back === null ? {} : { backwardLayer: readWrapped(back, `${at}.backward_layer`) }),
      });
    },
    weights(layer, shape) {
      const b = layer as QuantizedBidirectional;
      const named = (l: Layer) => recurrentWeights(l, shape).map((w) => ({ ...w, name: `${l.name}/${w.name}` }));
      return [...named(b.forwardLayer), ...named(b.backwardLayer)];
    },
  },
} satisfies Record<string, LayerReader>;
