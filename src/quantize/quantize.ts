// nn.quantize and nn.dequantize: a copy of a model whose Dense, Embedding, Conv1D and recurrent
// (LSTM, GRU, SimpleRNN) layers hold int8 weights (and back). The copy is made through the model's
// own artifacts (format/), so every other layer, the text input and the preprocessing come along
// exactly as a save and load would give them.
import { ValueError } from '../errors.js';
import { modelFromArtifacts } from '../format/from-artifacts.js';
import { modelArtifacts } from '../format/to-artifacts.js';
import { Bidirectional } from '../layers/bidirectional.js';
import { Conv1D } from '../layers/conv1d.js';
import { Dense } from '../layers/dense.js';
import { Embedding } from '../layers/embedding.js';
import { GRU } from '../layers/gru.js';
import type { Layer, SymbolicShape } from '../layers/layer.js';
import { LSTM } from '../layers/lstm.js';
import {
  floatBidirectionalOf,
  QuantizedBidirectional,
  quantizedBidirectionalOf,
} from '../layers/quantized-bidirectional.js';
import { floatConv1dOf, QuantizedConv1D, quantizedConv1dOf } from '../layers/quantized-conv1d.js';
import { QuantizedDense } from '../layers/quantized-dense.js';
import { QuantizedEmbedding } from '../layers/quantized-embedding.js';
import { floatRecurrentOf, QuantizedRecurrent, quantizedRecurrentOf } from '../layers/quantized-recurrent.js';
import type { Recurrent } from '../layers/recurrent.js';
import { SimpleRNN } from '../layers/simple-rnn.js';
import { Sequential } from '../models/sequential.js';
import { fromFlat } from '../ops/create.js';
import { checkBooleanOption, optionsObject } from '../ops/options.js';
import { int8Codes } from '../ops/quantized.js';
import { checkInt, describe } from '../ops/validate.js';
import type { Variable } from '../ops/variable.js';
import type { Data } from '../training/inputs.js';
import { calibrate, inputQuantizationOf } from './calibrate.js';

/** Options of `nn.quantize`. */
export interface QuantizeOptions {
  /**
   * 'dynamic' (default): each input row of a quantized Dense layer is quantized with its own range
   * when it comes. 'static': with one range per layer, found by running `calibrationData` through
   * the float model.
   */
  mode?: 'dynamic' | 'static';
  /** Examples like the model's inputs (static mode only): a few hundred typical rows are enough. */
  calibrationData?: Data;
  /** A weight scale per output unit (default true), or one per weight matrix. */
  perChannel?: boolean;
  /** Rows per batch when running the calibration data (default 256). */
  batchSize?: number;
}

const OPTIONS: ReadonlyArray<keyof QuantizeOptions> = ['mode', 'calibrationData', 'perChannel', 'batchSize'];

/** Throws unless `model` is a built Sequential model that is not disposed. */
function checkModel(op: string, model: unknown): Sequential {
  if (!(model instanceof Sequential))
    throw new ValueError(`${op}: expected a Sequential model, got ${describe(model)}`);
  if (model.isDisposed) throw new ValueError(`${op}: model "${model.name}" was disposed`);
  if (!model.inputShape || model.layers.length === 0 || model.layers.some((l) => !l.built)) {
    throw new ValueError(
      `${op}: model "${model.name}" is not built yet; give its first layer an inputShape, or fit or predict once`,
    );
  }
  return model;
}

/** The name and declared input shape of a layer, for the layer that replaces it. */
function declaredInput(layer: Layer): { name: string; batchInputShape?: SymbolicShape } {
  return layer.batchInputShape ? { name: layer.name, batchInputShape: layer.batchInputShape } : { name: layer.name };
}

/** Sets a variable's values (of its size). */
function assignValues(v: Variable, values: Float32Array): void {
  const t = fromFlat(v.shape, 'float32', values);
  try {
    v.assign(t);
  } finally {
    t.dispose();
  }
}

/** Fills an int8 recurrent layer from its float layer: the kernel quantized, the rest copied. */
function fillRecurrent(q: QuantizedRecurrent, float: Recurrent, perChannel: boolean): void {
  const kernel = float.kernel!;
  const per = perChannel ? 'column' : 'tensor';
  const { codes, scales } = int8Codes(kernel.dataSync() as Float32Array, kernel.shape[0], kernel.shape[1], per);
  q.setQuantizedWeights({
    codes,
    scales,
    recurrentKernel: float.recurrentKernel!.dataSync() as Float32Array,
    bias: float.bias ? (float.bias.dataSync() as Float32Array) : null,
  });
}

/** Fills a float recurrent layer from its int8 layer: the kernel code · scale, the rest copied. */
function fillFloatRecurrent(float: Recurrent, q: QuantizedRecurrent): void {
  assignValues(float.kernel!, q.matrix!.dequantize());
  assignValues(float.recurrentKernel!, q.recurrentKernel!.dataSync() as Float32Array);
  if (float.bias) assignValues(float.bias, q.bias!.dataSync() as Float32Array);
}

/** A copy of the model through its artifacts (layers, weights, text input, preprocessing). */
function copyOf(model: Sequential, where: string): Sequential {
  return modelFromArtifacts(modelArtifacts(model), where);
}

/**
 * A new model from `source`'s layers, each replaced by `replace(layer)` when that gives a layer (the
 * replaced ones are disposed); compiled with the loss and metrics of `compiledLike`.
 */
function rebuilt(
  source: Sequential,
  compiledLike: Sequential,
  replace: (layer: Layer) => { layer: Layer; fill: () => void } | null,
): Sequential {
  const out = new Sequential({ name: source.name });
  const layers = [...source.layers];
  try {
    for (let i = 0; i < layers.length; i++) {
      const swap = replace(layers[i]);
      if (!swap) {
        out.add(layers[i]);
        continue;
      }
      out.add(swap.layer);
      swap.fill();
      layers[i].dispose();
      layers[i] = swap.layer;
    }
    out.preprocessing = source.preprocessing;
    const c = compiledLike.compiled;
    if (c) out.compile({ optimizer: 'sgd', ...c.lossAndMetrics });
    return out;
  } catch (e) {
    out.dispose();
    for (const l of layers) l.dispose();
    throw e;
  }
}

/**
 * A copy of `model` for inference whose Dense layers compute with int8 weights and int8 kernels
 * (symmetric codes in [−127, 127] with a scale per output unit, inputs quantized to 7-bit codes,
 * int32 sums, the bias and activation applied in float) and whose Embedding tables are int8 with a
 * scale per row: about 4x smaller. Conv1D layers run the same int8 product over the windows of
 * their input; LSTM, GRU and SimpleRNN layers run it for their input projection (x·kernel + bias
 * of every step), their recurrent kernel and time loop staying in float32, and so do both
 * directions of a Bidirectional. Other layers (a TimeDistributed, batch normalization) stay in
 * float32 (`summary()` lists them).
 * The copy predicts, evaluates (compiled with the model's loss and metrics), saves and loads; it
 * does not train — train the float model and quantize it again. `model` is not changed.
 *
 * @example
 * const small = await nn.quantize(model);                     // dynamic: ranges per input row
 * const fixed = await nn.quantize(model, { mode: 'static', calibrationData: xTrain.slice(0, 500) });
 */
export async function quantize(model: Sequential, options: QuantizeOptions = {}): Promise<Sequential> {
  const op = 'quantize';
  checkModel(op, model);
  const o = optionsObject(op, options, "{mode: 'dynamic'}", OPTIONS);
  const mode = o.mode ?? 'dynamic';
  if (mode !== 'dynamic' && mode !== 'static') {
    throw new ValueError(`${op}: expected mode to be 'dynamic' or 'static', got ${describe(mode)}`);
  }
  checkBooleanOption(op, o, 'perChannel');
  const perChannel = o.perChannel ?? true;
  const batchSize = checkInt(op, 'batchSize', o.batchSize ?? 256, 1);
  if (mode === 'static' && o.calibrationData === undefined) {
    throw new ValueError(`${op}: mode 'static' needs calibrationData: examples like the model's inputs`);
  }
  if (mode === 'dynamic' && o.calibrationData !== undefined) {
    throw new ValueError(
      `${op}: calibrationData is for mode 'static'; dynamic mode finds each row's range as it comes`,
    );
  }
  const already = model.layers.find((l) => l.computePrecision === 'int8');
  if (already) throw new ValueError(`${op}: model "${model.name}" is already quantized (layer "${already.name}")`);
  const ranges = mode === 'static' ? calibrate(model, o.calibrationData, batchSize) : null;
  const copy = copyOf(model, op);
  // the copy's layers have the source's names: the calibrated ranges are found by name
  const rangeByName = new Map([...(ranges ?? new Map())].map(([layer, range]) => [layer.name, range]));
  return rebuilt(copy, model, (layer) => {
    if (layer instanceof Dense) {
      const range = rangeByName.get(layer.name);
      const q = new QuantizedDense({
        ...declaredInput(layer),
        units: layer.units,
        activation: layer.activation,
        useBias: layer.useBias,
        inputQuantization: range ? inputQuantizationOf(range) : null,
      });
      const kernel = layer.kernel!;
      return {
        layer: q,
        fill: () => {
          const { codes, scales } = int8Codes(
            kernel.dataSync() as Float32Array,
            kernel.shape[0],
            kernel.shape[1],
            perChannel ? 'column' : 'tensor',
          );
          q.setQuantizedWeights(codes, scales, layer.bias ? (layer.bias.dataSync() as Float32Array) : null);
        },
      };
    }
    if (layer instanceof Conv1D && !(layer instanceof QuantizedConv1D)) {
      const range = rangeByName.get(layer.name);
      const q = quantizedConv1dOf(layer, range ? inputQuantizationOf(range) : null);
      const kernel = layer.kernel!;
      return {
        layer: q,
        fill: () => {
          // the kernel [size, channels, filters] is the [size·channels, filters] matrix of the windows
          const depth = kernel.shape[0] * kernel.shape[1];
          const per = perChannel ? 'column' : 'tensor';
          const { codes, scales } = int8Codes(kernel.dataSync() as Float32Array, depth, kernel.shape[2], per);
          q.setQuantizedWeights(codes, scales, layer.bias ? (layer.bias.dataSync() as Float32Array) : null);
        },
      };
    }
    if (
      (layer instanceof LSTM || layer instanceof GRU || layer instanceof SimpleRNN) &&
      !(layer instanceof QuantizedRecurrent)
    ) {
      const range = rangeByName.get(layer.name);
      const q = quantizedRecurrentOf(layer, range ? inputQuantizationOf(range) : null);
      return { layer: q, fill: () => fillRecurrent(q, layer, perChannel) };
    }
    if (layer instanceof Bidirectional && !(layer instanceof QuantizedBidirectional)) {
      // both directions read the wrapper's input: its range quantizes both
      const range = rangeByName.get(layer.name);
      const q = quantizedBidirectionalOf(layer, range ? inputQuantizationOf(range) : null);
      return {
        layer: q,
        fill: () => {
          fillRecurrent(q.forwardLayer as QuantizedRecurrent, layer.forwardLayer, perChannel);
          fillRecurrent(q.backwardLayer as QuantizedRecurrent, layer.backwardLayer, perChannel);
        },
      };
    }
    if (layer instanceof Embedding && !(layer instanceof QuantizedEmbedding)) {
      const q = new QuantizedEmbedding({
        ...declaredInput(layer),
        inputDim: layer.inputDim,
        outputDim: layer.outputDim,
        maskZero: layer.maskZero,
        ...(layer.inputLength ? { inputLength: layer.inputLength } : {}),
      });
      const table = layer.embeddings!;
      return {
        layer: q,
        fill: () => {
          const { codes, scales } = int8Codes(table.dataSync() as Float32Array, layer.inputDim, layer.outputDim, 'row');
          q.setQuantizedWeights(codes, scales);
        },
      };
    }
    return null;
  });
}

/**
 * A float32 copy of a quantized model: each int8 layer becomes its float layer with weights
 * code · scale (what the int8 model computes with, before its inputs are quantized). Save it for
 * TensorFlow.js, which cannot read int8 layers. `model` is not changed.
 */
export async function dequantize(model: Sequential): Promise<Sequential> {
  const op = 'dequantize';
  checkModel(op, model);
  const copy = copyOf(model, op);
  return rebuilt(copy, model, (layer) => {
    if (layer instanceof QuantizedDense) {
      const d = new Dense({
        ...declaredInput(layer),
        units: layer.units,
        activation: layer.activation,
        useBias: layer.useBias,
      });
      const m = layer.matrix!;
      return {
        layer: d,
        fill: () => {
          assignValues(d.kernel!, m.dequantize());
          if (d.bias) assignValues(d.bias, layer.bias!.dataSync() as Float32Array);
        },
      };
    }
    if (layer instanceof QuantizedConv1D) {
      const c = floatConv1dOf(layer);
      const m = layer.matrix!;
      return {
        layer: c,
        fill: () => {
          assignValues(c.kernel!, m.dequantize());
          if (c.bias) assignValues(c.bias, layer.bias!.dataSync() as Float32Array);
        },
      };
    }
    if (layer instanceof QuantizedRecurrent) {
      const r = floatRecurrentOf(layer);
      return { layer: r, fill: () => fillFloatRecurrent(r, layer) };
    }
    if (layer instanceof QuantizedBidirectional) {
      const b = floatBidirectionalOf(layer);
      return {
        layer: b,
        fill: () => {
          fillFloatRecurrent(b.forwardLayer, layer.forwardLayer as QuantizedRecurrent);
          fillFloatRecurrent(b.backwardLayer, layer.backwardLayer as QuantizedRecurrent);
        },
      };
    }
    if (layer instanceof QuantizedEmbedding) {
      const e = new Embedding({
        ...declaredInput(layer),
        inputDim: layer.inputDim,
        outputDim: layer.outputDim,
        maskZero: layer.maskZero,
        ...(layer.inputLength ? { inputLength: layer.inputLength } : {}),
      });
      const t = layer.table!;
      return { layer: e, fill: () => assignValues(e.embeddings!, t.dequantize()) };
    }
    return null;
  });
}
