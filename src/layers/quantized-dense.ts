import { ShapeError, ValueError } from '../errors.js';
import { fromFlat } from '../ops/create.js';
import { keep } from '../ops/engine.js';
import { type InputQuantization, MAX_INT8_DEPTH, QuantizedMatrix, quantizedMatMul } from '../ops/quantized.js';
import type { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
import {
  type ActivationIdentifier,
  type ActivationName,
  kerasActivationName,
  resolveActivation,
} from './activations.js';
import { activated } from './kernel-bias.js';
import { Layer, type LayerArgs, type StoredWeight, type SymbolicShape } from './layer.js';
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

/** Options of a QuantizedDense layer (made by `nn.quantize`, or read from a model file). */
export interface QuantizedDenseArgs extends LayerArgs {
  /** Number of output features. */
  units: number;
  /** Activation of the output (default linear). */
  activation?: ActivationIdentifier;
  /** Whether there is a bias (default true). */
  useBias?: boolean;
  /**
   * The fixed quantization of the input found by calibration (static mode); null or left out: each
   * input row is quantized with its own range when it comes (dynamic mode).
   */
  inputQuantization?: InputQuantization | null;
}

const OPTIONS = ['units', 'activation', 'useBias', 'inputQuantization'];

/**
 * A Dense layer with int8 weights: activation(x · kernel + bias), with the kernel stored as int8
 * codes and a scale per output column, and the product computed in int32 by the int8 kernels. Made by
 * `nn.quantize` from a Dense layer; it has no gradient (train the float model, then quantize again).
 * Its weights are `[kernel (int8 codes as int32), bias, kernel_scale]`, Keras's order for its int8 Dense.
 */
export class QuantizedDense extends Layer {
  static readonly className = 'QuantizedDense';
  /** Number of output features. */
  readonly units: number;
  /** Activation of the output. */
  readonly activation: ActivationName;
  /** Whether there is a bias. */
  readonly useBias: boolean;
  /** The input's fixed quantization (static mode), or null (dynamic). */
  readonly inputQuantization: InputQuantization | null;
  /** The int8 kernel, once built. */
  matrix: QuantizedMatrix | null = null;
  /** The bias [units], once built (and if useBias). */
  bias: Tensor | null = null;

  constructor(args: QuantizedDenseArgs) {
    super({ ...args, trainable: false }, 'quantized_dense', OPTIONS);
    const where = `QuantizedDense "${this.name}"`;
    if (!Number.isInteger(args.units) || args.units < 1) {
      throw new ValueError(`${where}: expected units to be a positive integer, got ${describe(args.units)}`);
    }
    if (args.useBias !== undefined && typeof args.useBias !== 'boolean') {
      throw new ValueError(`${where}: expected useBias to be true or false, got ${describe(args.useBias)}`);
    }
    this.units = args.units;
    this.activation = resolveActivation(args.activation ?? 'linear', `${where} activation`);
    this.useBias = args.useBias ?? true;
    this.inputQuantization = checkInputQuantization(where, args.inputQuantization);
  }

  override get computePrecision(): 'int8' {
    return 'int8';
  }

  /** Passes a mask on, as Dense does. */
  override get supportsMasking(): boolean {
    return true;
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const width = inputShape[inputShape.length - 1];
    if (inputShape.length < 2 || width === null) {
      throw new ShapeError(
        `QuantizedDense "${this.name}": expected input of shape [batch, ..., features], got [${inputShape.map((d) => d ?? '*').join(', ')}]`,
      );
    }
    if (width > MAX_INT8_DEPTH) {
      throw new ShapeError(
        `QuantizedDense "${this.name}": at most ${MAX_INT8_DEPTH} input features fit the int8 kernel's int32 sums, got ${width}`,
      );
    }
    return [...inputShape.slice(0, -1), this.units];
  }

  /** Zero codes with scale 1 and a zero bias, until `setQuantizedWeights` (or a model file) fills them. */
  protected override createWeights(inputShape: SymbolicShape): void {
    const width = inputShape[inputShape.length - 1] as number;
    this.inputWidth = width;
    this.setQuantizedWeights(
      new Int8Array(width * this.units),
      new Float32Array(this.units).fill(1),
      this.useBias ? new Float32Array(this.units) : null,
    );
  }

  /** The input width the layer is built for (0 before). */
  private inputWidth = 0;

  /**
   * Replaces the weights: int8 codes [depth×units] in [−127, 127], a finite scale > 0 per unit and
   * the bias (null without). Everything is checked before anything changes.
   */
  setQuantizedWeights(codes: Int8Array, scales: Float32Array, bias: Float32Array | null): void {
    const where = `QuantizedDense "${this.name}"`;
    const depth = this.inputWidth;
    if (depth === 0)
      throw new ValueError(`${where}: the layer is not built yet; add it to a model with an input shape`);
    checkCodes(where, 'kernel', codes, depth * this.units);
    checkScales(where, 'kernel_scale', scales, this.units);
    if (this.useBias !== (bias !== null) || (bias && bias.length !== this.units)) {
      throw new ShapeError(
        `${where}: expected ${this.useBias ? `a bias of ${this.units} values` : 'no bias'}, got ${bias ? `${bias.length} values` : 'none'}`,
      );
    }
    // in place once built: a recorded predict pass reads the same addresses
    if (this.matrix) this.matrix.replace(codes, scales);
    else this.matrix = QuantizedMatrix.fromCodes(codes, scales, depth, this.units);
    if (bias && this.bias) this.bias.view().set(bias);
    else if (bias) this.bias = keep(fromFlat([this.units], 'float32', bias));
  }

  call(x: Tensor): Tensor {
    const m = this.matrix!;
    return activated(this.activation, (act, alpha) =>
      quantizedMatMul(x, m, this.bias, act, alpha, this.inputQuantization),
    );
  }

  override countParams(): number {
    return this.matrix ? this.matrix.codes.length + this.units + (this.useBias ? this.units : 0) : 0;
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
    const m = this.matrix!;
    const bias = this.bias ? (this.bias.dataSync() as Float32Array) : null;
    return kernelBiasScale(this.name, [m.depth, m.columns], m, bias);
  }

  override restoreWeights(values: ReadonlyMap<string, Float32Array | Int8Array>): void {
    const { codes, scales, bias } = kernelBiasScaleValues(this.name, values, this.useBias);
    this.setQuantizedWeights(codes, scales, bias);
  }

  override dispose(): void {
    super.dispose();
    this.matrix?.dispose();
    this.bias?.dispose();
    this.matrix = null;
    this.bias = null;
  }

  override getConfig(): Record<string, unknown> {
    const q = this.inputQuantization;
    return {
      ...super.getConfig(),
      units: this.units,
      activation: kerasActivationName(this.activation),
      use_bias: this.useBias,
      input_quantization: inputQuantizationConfig(q),
    };
  }
}
