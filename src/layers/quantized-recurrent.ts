import { ShapeError, ValueError } from '../errors.js';
import { fromFlat } from '../ops/create.js';
import { keep, tidy } from '../ops/engine.js';
import { checkBooleanOption } from '../ops/options.js';
import { type InputQuantization, MAX_INT8_DEPTH, QuantizedMatrix, quantizedMatMul } from '../ops/quantized.js';
import type { Tensor } from '../ops/tensor.js';
import type { Variable } from '../ops/variable.js';
import { GRU, type GRUArgs } from './gru.js';
import type { StoredWeight, SymbolicShape } from './layer.js';
import { LSTM } from './lstm.js';
import {
  checkCodes,
  checkInputQuantization,
  checkScales,
  inputQuantizationConfig,
  storedValuesOf,
  weightTensors,
} from './quantized-weights.js';
import { Gated, type GatedArgs, type Recurrent, type RecurrentRunOptions } from './recurrent.js';
import { SimpleRNN } from './simple-rnn.js';

/** Options of the int8 recurrent layers: the float layer's, without initializers, regularizers and dropout. */
export interface QuantizedRecurrentArgs
  extends Omit<
    GatedArgs,
    | 'kernelInitializer'
    | 'recurrentInitializer'
    | 'biasInitializer'
    | 'kernelRegularizer'
    | 'recurrentRegularizer'
    | 'biasRegularizer'
    | 'dropout'
    | 'recurrentDropout'
    | 'seed'
  > {
  /** The input's fixed quantization found by calibration (static mode); null or left out: per step (dynamic). */
  inputQuantization?: InputQuantization | null;
}

/** Options of a QuantizedGRU: also resetAfter. */
export interface QuantizedGRUArgs extends QuantizedRecurrentArgs, Pick<GRUArgs, 'resetAfter'> {}

/** Keys of the float layers' config that the int8 layers do not have. */
const FLOAT_ONLY_CONFIG = [
  'kernel_initializer',
  'recurrent_initializer',
  'bias_initializer',
  'kernel_regularizer',
  'recurrent_regularizer',
  'bias_regularizer',
  'kernel_constraint',
  'recurrent_constraint',
  'bias_constraint',
  'dropout',
  'recurrent_dropout',
  'seed',
];

/** What replaces an int8 layer's weights: the int8 kernel, its scales, and the float parts. */
export interface QuantizedRecurrentWeights {
  /** int8 codes of the kernel [features, G·units], row-major, in [−127, 127]. */
  codes: Int8Array;
  /** A finite scale > 0 per kernel column (G·units). */
  scales: Float32Array;
  /** The recurrent kernel [units, G·units], float32. */
  recurrentKernel: Float32Array;
  /** The bias (the layer's biasShape), float32; null without useBias. */
  bias: Float32Array | null;
}

/**
 * Base of the int8 recurrent layers (QuantizedLSTM, QuantizedGRU, QuantizedSimpleRNN): the input
 * projection x·kernel + bias of every step, which the float layer makes with one GEMM before its
 * time loop, is the int8 product (each step's input quantized to 7-bit codes, or with the
 * calibrated range in static mode; the kernel int8 with a scale per column); the recurrent kernel
 * and the time loop stay float32 (the same fused kernel as the float layer). Masks,
 * returnSequences, returnState (applyWithState) and goBackwards as the float layer; inference only
 * (no dropout, no gradient). Weights: `[kernel (int8 codes as int32), recurrent_kernel, bias, kernel_scale]`.
 */
export abstract class QuantizedRecurrent extends Gated {
  /** The input's fixed quantization (static mode), or null (dynamic). */
  readonly inputQuantization: InputQuantization | null;
  /** The int8 kernel [features, G·units], once built. */
  matrix: QuantizedMatrix | null = null;
  /** The input part of the bias [G·units] (the int8 product adds it), once built (and if useBias). */
  inputBias: Tensor | null = null;
  private features = 0;

  constructor(args: QuantizedRecurrentArgs, prefix: string, ownOptions: readonly string[]) {
    // kept in the layer's options (initArgs), so that a Bidirectional's copies quantize alike
    super(args === null || typeof args !== 'object' ? args : { ...args, trainable: false }, prefix, [
      'inputQuantization',
      ...ownOptions,
    ]);
    this.inputQuantization = checkInputQuantization(`${this.className} "${this.name}"`, args.inputQuantization);
  }

  override get computePrecision(): 'int8' {
    return 'int8';
  }

  /** The input projection runs in int8, the recurrent kernel and the time loop in float32. */
  override get precisionNote(): string {
    return 'recurrent kernel in float32';
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const out = super.computeOutputShape(inputShape);
    if ((inputShape[2] as number) > MAX_INT8_DEPTH) {
      throw new ShapeError(
        `${this.className} "${this.name}": at most ${MAX_INT8_DEPTH} input features fit the int8 kernel's int32 sums, got ${inputShape[2]}`,
      );
    }
    return out;
  }

  /** Zero weights (codes 0 with scale 1), until `setQuantizedWeights` (or a model file) fills them. */
  protected override createWeights(inputShape: SymbolicShape): void {
    this.features = inputShape[2] as number;
    const g = this.gates * this.units;
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, g], 'zeros', false);
    if (this.useBias) this.bias = this.addWeight('bias', this.biasShape, 'zeros', false);
    this.setQuantizedWeights({
      codes: new Int8Array(this.features * g),
      scales: new Float32Array(g).fill(1),
      recurrentKernel: new Float32Array(this.units * g),
      bias: this.useBias ? new Float32Array(this.biasShape.reduce((a, b) => a * b, 1)) : null,
    });
  }

  /** Replaces the weights; everything is checked before anything changes. */
  setQuantizedWeights(w: QuantizedRecurrentWeights): void {
    const where = `${this.className} "${this.name}"`;
    if (this.features === 0) {
      throw new ValueError(`${where}: the layer is not built yet; add it to a model with an input shape`);
    }
    const g = this.gates * this.units;
    checkCodes(where, 'kernel', w.codes, this.features * g);
    checkScales(where, 'kernel_scale', w.scales, g);
    if (!(w.recurrentKernel instanceof Float32Array) || w.recurrentKernel.length !== this.units * g) {
      throw new ShapeError(`${where}: expected a recurrent kernel of ${this.units * g} float32 values`);
    }
    const biasSize = this.biasShape.reduce((a, b) => a * b, 1);
    if (this.useBias !== (w.bias !== null) || (w.bias && w.bias.length !== biasSize)) {
      throw new ShapeError(
        `${where}: expected ${this.useBias ? `a bias of ${biasSize} values` : 'no bias'}, got ${w.bias ? `${w.bias.length} values` : 'none'}`,
      );
    }
    // in place once built: a recorded predict pass reads the same addresses
    if (this.matrix) this.matrix.replace(w.codes, w.scales);
    else this.matrix = QuantizedMatrix.fromCodes(w.codes, w.scales, this.features, g);
    if (w.bias && this.inputBias) this.inputBias.view().set(w.bias.subarray(0, g));
    else if (w.bias) this.inputBias = keep(fromFlat([g], 'float32', w.bias.subarray(0, g)));
    const assign = (v: Variable, values: Float32Array) => tidy(() => v.assign(fromFlat(v.shape, 'float32', values)));
    assign(this.recurrentKernel!, w.recurrentKernel);
    if (w.bias) assign(this.bias!, w.bias);
  }

  /** The int8 product of every step's input with the kernel, plus the input bias. */
  protected override inputProjection(x: Tensor): Tensor {
    return quantizedMatMul(x, this.matrix!, this.inputBias, 'linear', 0, this.inputQuantization);
  }

  /** @internal The fused op with the int8 input projection; never in training mode (no dropout). */
  override run(x: Tensor, _training: boolean, mask: Tensor | null, extra: RecurrentRunOptions): Tensor {
    return super.run(x, false, mask, extra);
  }

  override countParams(): number {
    if (!this.matrix) return 0;
    return this.matrix.codes.length + this.matrix.columns + this.recurrentKernel!.size + (this.bias?.size ?? 0);
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
    const r = this.recurrentKernel!;
    const out: StoredWeight[] = [
      { name: `${this.name}/kernel`, shape: [m.depth, m.columns], values: m.codes },
      { name: `${this.name}/recurrent_kernel`, shape: [...r.shape], values: r.dataSync() as Float32Array },
    ];
    if (this.bias) {
      out.push({
        name: `${this.name}/bias`,
        shape: [...this.bias.shape],
        values: this.bias.dataSync() as Float32Array,
      });
    }
    out.push({ name: `${this.name}/kernel_scale`, shape: [m.columns], values: m.scales });
    return out;
  }

  override restoreWeights(values: ReadonlyMap<string, Float32Array | Int8Array>): void {
    this.setQuantizedWeights({
      codes: values.get(`${this.name}/kernel`) as Int8Array,
      scales: values.get(`${this.name}/kernel_scale`) as Float32Array,
      recurrentKernel: values.get(`${this.name}/recurrent_kernel`) as Float32Array,
      bias: this.useBias ? (values.get(`${this.name}/bias`) as Float32Array) : null,
    });
  }

  override dispose(): void {
    super.dispose();
    this.matrix?.dispose();
    this.inputBias?.dispose();
    this.matrix = null;
    this.inputBias = null;
  }

  override getConfig(): Record<string, unknown> {
    const config = super.getConfig();
    for (const key of FLOAT_ONLY_CONFIG) delete config[key];
    const q = this.inputQuantization;
    config.input_quantization = inputQuantizationConfig(q);
    return config;
  }
}

/** An LSTM whose input projection runs on the int8 kernels (recurrent kernel in float32); see QuantizedRecurrent. */
export class QuantizedLSTM extends QuantizedRecurrent {
  static readonly className = 'QuantizedLSTM';
  protected readonly cell = 'lstm' as const;

  constructor(args: QuantizedRecurrentArgs) {
    super(args, 'lstm', []);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), implementation: 2 };
  }
}

/** A GRU (both resetAfter forms) whose input projection runs on the int8 kernels (recurrent kernel in float32). */
export class QuantizedGRU extends QuantizedRecurrent {
  static readonly className = 'QuantizedGRU';
  protected readonly cell = 'gru' as const;
  /** Whether the reset gate applies after the recurrent product (bias [2, 3·units]: the input row, then the recurrent row). */
  readonly resetAfter: boolean;

  constructor(args: QuantizedGRUArgs) {
    super(args, 'gru', ['resetAfter']);
    checkBooleanOption(`QuantizedGRU "${this.name}"`, args, 'resetAfter');
    this.resetAfter = args.resetAfter ?? false;
  }

  protected override get resetsAfter(): boolean {
    return this.resetAfter;
  }

  override get biasShape(): number[] {
    return this.resetAfter ? [2, 3 * this.units] : [3 * this.units];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), reset_after: this.resetAfter, implementation: 2 };
  }
}

/** A SimpleRNN whose input projection runs on the int8 kernels (recurrent kernel in float32). */
export class QuantizedSimpleRNN extends QuantizedRecurrent {
  static readonly className = 'QuantizedSimpleRNN';
  protected readonly cell = 'simpleRnn' as const;

  constructor(args: Omit<QuantizedRecurrentArgs, 'recurrentActivation'>) {
    super(args, 'simple_rnn', []);
  }

  /** A SimpleRNN has no gates: no recurrent activation in its config. */
  protected override recurrentActivationConfig(): Record<string, unknown> {
    return {};
  }
}

/** The options a recurrent layer and its int8 layer share, with its name (or `name`) and declared input shape. */
function sharedOptions(layer: Recurrent, name = layer.name): QuantizedRecurrentArgs {
  const args: QuantizedRecurrentArgs = {
    name,
    ...(layer.batchInputShape ? { batchInputShape: layer.batchInputShape } : {}),
    units: layer.units,
    activation: layer.activation,
    useBias: layer.useBias,
    returnSequences: layer.returnSequences,
    returnState: layer.returnState,
    goBackwards: layer.goBackwards,
  };
  if (layer instanceof Gated && !(layer instanceof QuantizedSimpleRNN))
    args.recurrentActivation = layer.recurrentActivation;
  return args;
}

/**
 * The int8 layer of an LSTM, GRU or SimpleRNN: same name (or `name`), input shape and options;
 * weights not filled yet.
 */
export function quantizedRecurrentOf(
  layer: LSTM | GRU | SimpleRNN,
  input: InputQuantization | null,
  name?: string,
): QuantizedRecurrent {
  const args = { ...sharedOptions(layer, name), inputQuantization: input };
  if (layer instanceof LSTM) return new QuantizedLSTM(args);
  if (layer instanceof GRU) return new QuantizedGRU({ ...args, resetAfter: layer.resetAfter });
  return new QuantizedSimpleRNN(args);
}

/** The float layer of an int8 recurrent layer: same name (or `name`), input shape and options; weights not filled yet. */
export function floatRecurrentOf(layer: QuantizedRecurrent, name?: string): LSTM | GRU | SimpleRNN {
  const args = sharedOptions(layer, name);
  if (layer instanceof QuantizedLSTM) return new LSTM(args);
  if (layer instanceof QuantizedGRU) return new GRU({ ...args, resetAfter: layer.resetAfter });
  return new SimpleRNN(args);
}
