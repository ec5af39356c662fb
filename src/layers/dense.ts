import { ShapeError, ValueError } from '../errors.js';
import { dense, OUTPUT_DIFFERENTIABLE, type OutputDifferentiable } from '../ops/dense.js';
import { checkBooleanOption, rejectUnsupported } from '../ops/options.js';
import type { Tensor } from '../ops/tensor.js';
import { describe, describeList } from '../ops/validate.js';
import type { Variable } from '../ops/variable.js';
import {
  type ActivationIdentifier,
  type ActivationName,
  applyActivation,
  defaultAlpha,
  kerasActivationName,
  resolveActivation,
} from './activations.js';
import { getInitializer, type Initializer } from './initializers.js';
import { Layer, type LayerArgs, regularizerConfig, type SymbolicShape } from './layer.js';
import { getRegularizer, type Regularizer } from './regularizers.js';

/** Options of `layers.dense`. */
export interface DenseArgs extends LayerArgs {
  /** Number of output features. */
  units: number;
  /** Activation applied to the output (default linear). */
  activation?: ActivationIdentifier;
  /** Whether to add a bias (default true). */
  useBias?: boolean;
  /** Kernel initializer (default glorotUniform, as in Keras). */
  kernelInitializer?: string | Initializer;
  /** Bias initializer (default zeros). */
  biasInitializer?: string | Initializer;
  /** Penalty on the kernel, e.g. nn.regularizers.l2({ l2: 0.01 }). */
  kernelRegularizer?: Regularizer | string | null;
  /** Penalty on the bias. */
  biasRegularizer?: Regularizer | string | null;
  /** Number of input features, for the first layer of a model: the same as `inputShape: [inputDim]`. */
  inputDim?: number;
}

const UNSUPPORTED_DENSE_OPTIONS = {
  kernelConstraint: 'weight constraints are not supported yet',
  biasConstraint: 'weight constraints are not supported yet',
};

const DENSE_OPTIONS = [
  'units',
  'activation',
  'useBias',
  'kernelInitializer',
  'biasInitializer',
  'kernelRegularizer',
  'biasRegularizer',
  'inputDim',
  ...Object.keys(UNSUPPORTED_DENSE_OPTIONS),
];

// Activations the GEMM epilogue applies. Sigmoid is left out: its op notes the logits, so that a
// binary cross-entropy computes from them.
const FUSED: ReadonlySet<string> = new Set(OUTPUT_DIFFERENTIABLE.filter((a) => a !== 'sigmoid'));

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
  private readonly kernelInitializer: Initializer;
  private readonly biasInitializer: Initializer;
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
    checkBooleanOption(where, args, 'useBias');
    rejectUnsupported(where, args, UNSUPPORTED_DENSE_OPTIONS);
    this.units = args.units;
    this.activation = resolveActivation(args.activation, where);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = getInitializer(
      args.kernelInitializer ?? 'glorotUniform',
      `Dense "${this.name}" kernelInitializer`,
    );
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros', `Dense "${this.name}" biasInitializer`);
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer, `Dense "${this.name}" kernelRegularizer`);
    this.biasRegularizer = getRegularizer(args.biasRegularizer, `Dense "${this.name}" biasRegularizer`);
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
    this.kernel = this.addWeight('kernel', [width, this.units], this.kernelInitializer, true, this.kernelRegularizer);
    if (this.useBias)
      this.bias = this.addWeight('bias', [this.units], this.biasInitializer, true, this.biasRegularizer);
  }

  call(x: Tensor, _training: boolean): Tensor {
    const act = this.activation;
    if (FUSED.has(act)) return dense(x, this.kernel!, this.bias, act as OutputDifferentiable, defaultAlpha(act));
    return applyActivation(act, dense(x, this.kernel!, this.bias, 'linear', 0));
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
      activation: kerasActivationName(this.activation),
      use_bias: this.useBias,
      kernel_initializer: { class_name: this.kernelInitializer.className, config: this.kernelInitializer.config },
      bias_initializer: { class_name: this.biasInitializer.className, config: this.biasInitializer.config },
      kernel_regularizer: regularizerConfig(this.kernelRegularizer),
      bias_regularizer: regularizerConfig(this.biasRegularizer),
    };
  }
}
