import { ShapeError, ValueError } from '../errors.js';
import { dense } from '../ops/dense.js';
import type { Tensor } from '../ops/tensor.js';
import { describe, describeList } from '../ops/validate.js';
import type { Variable } from '../ops/variable.js';
import type { ActivationName } from './activations.js';
import {
  activated,
  KERNEL_BIAS_OPTIONS,
  type KernelBiasArgs,
  type KernelBiasOptions,
  kernelBiasConfig,
  kernelBiasOptions,
  UNSUPPORTED_KERNEL_BIAS_OPTIONS,
} from './kernel-bias.js';
import { Layer, type LayerArgs, type SymbolicShape } from './layer.js';
import type { Regularizer } from './regularizers.js';

/** Options of `layers.dense`. */
export interface DenseArgs extends LayerArgs, KernelBiasArgs {
  /** Number of output features. */
  units: number;
  /** Number of input features, for the first layer of a model: the same as `inputShape: [inputDim]`. */
  inputDim?: number;
}

const DENSE_OPTIONS = ['units', ...KERNEL_BIAS_OPTIONS, 'inputDim', ...Object.keys(UNSUPPORTED_KERNEL_BIAS_OPTIONS)];

function withInputDim(args: DenseArgs): DenseArgs {
  if (args === null || typeof args !== 'object' || args.inputDim === undefined) return args;
  const dim = args.inputDim;
  if (!Number.isInteger(dim) || dim < 1) {
    throw new ValueError(`dense: expected inputDim to be a positive integer, got ${describe(dim)}`);
  }
  if (args.inputShape !== undefined || args.batchInputShape !== undefined) {
    const given = args.inputShape ?? args.batchInputShape?.slice(1);
    if (!Array.isArray(given) || given.length !== 1 || given[0] !== dim) {
      throw new ValueError(`dense: inputDim ${dim} disagrees with the input shape ${describeList(given)}`);
    }
    return args;
  }
  return { ...args, inputShape: [dim] };
}

/** A fully connected layer: activation(x · kernel + bias). */
export class Dense extends Layer {
  /** Passes a mask on, as Keras does. */
  override get supportsMasking(): boolean {
    return true;
  }

  static readonly className = 'Dense';
  /** Number of output features. */
  readonly units: number;
  /** Activation of the output. */
  readonly activation: ActivationName;
  /** Whether there is a bias. */
  readonly useBias: boolean;
  private readonly options: KernelBiasOptions;
  /** Penalty on the kernel, if any. */
  readonly kernelRegularizer: Regularizer | null;
  /** Penalty on the bias, if any. */
  readonly biasRegularizer: Regularizer | null;
  /** The kernel variable [inputWidth, units], once built. */
  kernel: Variable | null = null;
  /** The bias variable [units], once built (and if useBias). */
  bias: Variable | null = null;

  constructor(args: DenseArgs) {
    super(withInputDim(args), 'dense', DENSE_OPTIONS);
    const where = `Dense "${this.name}"`;
    if (!Number.isInteger(args.units) || args.units < 1) {
      throw new ValueError(`${where}: expected units to be a positive integer, got ${describe(args.units)}`);
    }
    this.options = kernelBiasOptions(where, args);
    this.units = args.units;
    this.activation = this.options.activation;
    this.useBias = this.options.useBias;
    this.kernelRegularizer = this.options.kernelRegularizer;
    this.biasRegularizer = this.options.biasRegularizer;
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const width = inputShape[inputShape.length - 1];
    if (inputShape.length < 2 || width === null) {
      throw new ShapeError(
        `Dense "${this.name}": expected input of shape [batch, ..., features], got [${inputShape.map((d) => d ?? '*').join(', ')}]`,
      );
    }
    return [...inputShape.slice(0, -1), this.units];
  }

  protected override createWeights(inputShape: SymbolicShape): void {
    const width = inputShape[inputShape.length - 1] as number;
    const { kernelInitializer, biasInitializer } = this.options;
    this.kernel = this.addWeight('kernel', [width, this.units], kernelInitializer, true, this.kernelRegularizer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], biasInitializer, true, this.biasRegularizer);
  }

  call(x: Tensor, _training: boolean): Tensor {
    return activated(this.activation, (act, alpha) => dense(x, this.kernel!, this.bias, act, alpha));
  }

  override dispose(): void {
    super.dispose();
    this.kernel = null;
    this.bias = null;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      ...kernelBiasConfig(this.options),
    };
  }
}
