import { ShapeError, ValueError } from '../errors.js';
import { conv1dPatches } from '../ops/conv1d.js';
import { fromFlat } from '../ops/create.js';
import { tidy } from '../ops/engine.js';
import { type InputQuantization, MAX_INT8_DEPTH, QuantizedMatrix, quantizedMatMul } from '../ops/quantized.js';
import { activeTape } from '../ops/tape.js';
import type { Tensor } from '../ops/tensor.js';
import { Conv1D, type Conv1DArgs } from './conv1d.js';
import { activated } from './kernel-bias.js';
import type { StoredWeight, SymbolicShape } from './layer.js';
import {
  checkCodes,
  checkInputQuantization,
  checkScales,
  inputQuantizationConfig,
  kernelBiasScale,
  kernelBiasScaleValues,
  storedValuesOf,
  weightTensors,
} from './quantized-weights.js';

/** Options of a QuantizedConv1D layer: a Conv1D's without initializers and regularizers, and the input's quantization. */
export interface QuantizedConv1DArgs
  extends Omit<Conv1DArgs, 'kernelInitializer' | 'biasInitializer' | 'kernelRegularizer' | 'biasRegularizer'> {
  /** The input's fixed quantization found by calibration (static mode); null or left out: per window (dynamic). */
  inputQuantization?: InputQuantization | null;
}

/** A quantized layer's options as its float class takes them: without inputQuantization, not trainable. */
function floatArgs<T extends object>(args: T & { inputQuantization?: unknown }): T {
  if (args === null || typeof args !== 'object') return args;
  const { inputQuantization: _, ...rest } = args;
  return { ...rest, trainable: false } as T;
}

/** Keys of the float layer's config that an int8 layer does not have. */
const FLOAT_ONLY_CONFIG = ['kernel_initializer', 'bias_initializer', 'kernel_regularizer', 'bias_regularizer'];

/**
 * A Conv1D with int8 weights: the kernel [kernelSize, channels, filters] is stored as int8 codes
 * with a scale per filter, and each output step is the int8 product of its window (the im2col row of
 * the input, quantized to 7-bit codes per window, or with the calibrated range in static mode) with
 * the kernel as a [kernelSize·channels, filters] matrix, with the bias and activation in the int8
 * GEMM's epilogue. Paddings, strides and dilation as Conv1D; it takes no mask either. Made by
 * `nn.quantize`; it has no gradient. Its weights are `[kernel (int8 codes as int32), bias, kernel_scale]`.
 */
export class QuantizedConv1D extends Conv1D {
  static override readonly className: string = 'QuantizedConv1D';
  /** The input's fixed quantization (static mode), or null (dynamic). */
  readonly inputQuantization: InputQuantization | null;
  /** The int8 kernel as a [kernelSize·channels, filters] matrix, once built. */
  matrix: QuantizedMatrix | null = null;
  private channels = 0;

  constructor(args: QuantizedConv1DArgs) {
    super(floatArgs(args));
    this.inputQuantization = checkInputQuantization(`QuantizedConv1D "${this.name}"`, args.inputQuantization);
  }

  override get computePrecision(): 'int8' {
    return 'int8';
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const out = super.computeOutputShape(inputShape);
    const depth = this.kernelSize * (inputShape[2] as number);
    if (depth > MAX_INT8_DEPTH) {
      throw new ShapeError(
        `QuantizedConv1D "${this.name}": at most ${MAX_INT8_DEPTH} values per window (kernelSize·channels) fit the int8 kernel's int32 sums, got ${depth}`,
      );
    }
    return out;
  }

  /** Zero codes with scale 1 and a zero bias, until `setQuantizedWeights` (or a model file) fills them. */
  protected override createWeights(inputShape: SymbolicShape): void {
    this.channels = inputShape[2] as number;
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'zeros', false);
    this.setQuantizedWeights(
      new Int8Array(this.kernelSize * this.channels * this.filters),
      new Float32Array(this.filters).fill(1),
      this.useBias ? new Float32Array(this.filters) : null,
    );
  }

  /**
   * Replaces the weights: int8 codes of the kernel [kernelSize, channels, filters] (row-major) in
   * [−127, 127], a finite scale > 0 per filter and the bias (null without). Everything is checked
   * before anything changes.
   */
  setQuantizedWeights(codes: Int8Array, scales: Float32Array, bias: Float32Array | null): void {
    const where = `QuantizedConv1D "${this.name}"`;
    if (this.channels === 0) {
      throw new ValueError(`${where}: the layer is not built yet; add it to a model with an input shape`);
    }
    const depth = this.kernelSize * this.channels;
    checkCodes(where, 'kernel', codes, depth * this.filters);
    checkScales(where, 'kernel_scale', scales, this.filters);
    if (this.useBias !== (bias !== null) || (bias && bias.length !== this.filters)) {
      throw new ShapeError(
        `${where}: expected ${this.useBias ? `a bias of ${this.filters} values` : 'no bias'}, got ${bias ? `${bias.length} values` : 'none'}`,
      );
    }
    // in place once built: a recorded predict pass reads the same addresses
    if (this.matrix) this.matrix.replace(codes, scales);
    else this.matrix = QuantizedMatrix.fromCodes(codes, scales, depth, this.filters);
    if (bias) tidy(() => this.bias!.assign(fromFlat([this.filters], 'float32', bias)));
  }

  override call(x: Tensor, _training: boolean): Tensor {
    const g = this.geometry(x.shape[1]);
    if (g.outSteps < 1) this.computeOutputShape([null, x.shape[1], x.shape[2]]);
    const patches = conv1dPatches(x, g);
    const y = activated(this.activation, (act, alpha) =>
      quantizedMatMul(patches, this.matrix!, this.bias, act, alpha, this.inputQuantization),
    );
    if (!activeTape()) patches.dispose();
    return y;
  }

  override countParams(): number {
    return this.matrix ? this.matrix.codes.length + this.filters * (this.useBias ? 2 : 1) : 0;
  }

  /** Its stored weights (`storedWeights`), the int8 codes as int32 tensors. */
  override getWeights(): Tensor[] {
    return weightTensors(this.storedWeights());
  }

  /** Takes what getWeights gives; everything is checked before anything changes. */
  override setWeights(weights: Tensor[]): void {
    this.restoreWeights(storedValuesOf(`${this.className} "${this.name}".setWeights`, this.storedWeights(), weights));
  }

  override storedWeights(): StoredWeight[] {
    const bias = this.bias ? (this.bias.dataSync() as Float32Array) : null;
    return kernelBiasScale(this.name, [this.kernelSize, this.channels, this.filters], this.matrix!, bias);
  }

  override restoreWeights(values: ReadonlyMap<string, Float32Array | Int8Array>): void {
    const { codes, scales, bias } = kernelBiasScaleValues(this.name, values, this.useBias);
    this.setQuantizedWeights(codes, scales, bias);
  }

  override dispose(): void {
    super.dispose();
    this.matrix?.dispose();
    this.matrix = null;
  }

  override getConfig(): Record<string, unknown> {
    const config = super.getConfig();
    for (const key of FLOAT_ONLY_CONFIG) delete config[key];
    const q = this.inputQuantization;
    config.input_quantization = inputQuantizationConfig(q);
    return config;
  }
}

/** The options of a Conv1D's window, output and input shape, which its int8 layer shares. */
function sharedOptions(layer: Conv1D): Conv1DArgs {
  return {
    name: layer.name,
    ...(layer.batchInputShape ? { batchInputShape: layer.batchInputShape } : {}),
    filters: layer.filters,
    kernelSize: layer.kernelSize,
    strides: layer.strides,
    padding: layer.padding,
    dilationRate: layer.dilationRate,
    activation: layer.activation,
    useBias: layer.useBias,
  };
}

/** The int8 layer of a Conv1D: same name, declared input shape and options; weights not filled yet. */
export function quantizedConv1dOf(layer: Conv1D, input: InputQuantization | null): QuantizedConv1D {
  return new QuantizedConv1D({ ...sharedOptions(layer), inputQuantization: input });
}

/** The float Conv1D of an int8 one: same name, declared input shape and options; weights not filled yet. */
export function floatConv1dOf(layer: QuantizedConv1D): Conv1D {
  return new Conv1D(sharedOptions(layer));
}
