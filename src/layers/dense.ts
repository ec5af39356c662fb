import { Reduce } from '../backend/codes.js';
import {
  activationBackward,
  activationForward,
  softmaxRows,
  softmaxRowsBackward,
} from '../backend/kernels/activations.js';
import { gemm } from '../backend/kernels/gemm.js';
import { reduceAxis } from '../backend/kernels/reduce.js';
import { ShapeError, ValueError } from '../errors.js';
import { softmax } from '../ops/activations.js';
import { fusedMatMul } from '../ops/matmul.js';
import { checkBooleanOption, rejectUnsupported } from '../ops/options.js';
import type { Tensor } from '../ops/tensor.js';
import { describe, describeList } from '../ops/validate.js';
import type { Variable } from '../ops/variable.js';
import {
  type ActivationIdentifier,
  type ActivationName,
  activationCode,
  defaultAlpha,
  kerasActivationName,
  resolveActivation,
} from './activations.js';
import { getInitializer, type Initializer } from './initializers.js';
import { Layer, type LayerArgs, regularizerConfig, type SymbolicShape } from './layer.js';
import { getRegularizer, type Regularizer } from './regularizers.js';
import type { LayerStep, StepContext } from './step.js';

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

// Activations whose derivative can be computed from the output alone (or from the output standing in
// for the input: relu, leakyRelu and elu have the sign of their input), so GEMM can fuse them.
const FUSABLE = new Set<ActivationName>(['linear', 'relu', 'leakyRelu', 'elu', 'sigmoid', 'tanh']);

// backward's GEMM options, made once rather than every step
const TRANSPOSE_A = Object.freeze({ transA: true });
const TRANSPOSE_B = Object.freeze({ transB: true });

/** The options with `inputDim` turned into `inputShape`, as TensorFlow.js reads them. */
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
  readonly className = 'Dense';
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
    if (inputShape.length !== 2 || width === null) {
      throw new ShapeError(
        `Dense "${this.name}": expected input of shape [batch, features], got [${inputShape.map((d) => d ?? '*').join(', ')}] (add a flatten layer before it)`,
      );
    }
    return [inputShape[0], this.units];
  }

  protected override createWeights(inputShape: SymbolicShape): void {
    const width = inputShape[1] as number;
    this.kernel = this.addWeight('kernel', [width, this.units], this.kernelInitializer, true, this.kernelRegularizer);
    if (this.useBias)
      this.bias = this.addWeight('bias', [this.units], this.biasInitializer, true, this.biasRegularizer);
  }

  call(x: Tensor, _training: boolean): Tensor {
    const act = this.activation;
    const z = fusedMatMul({
      a: x,
      b: this.kernel!,
      bias: this.bias ?? undefined,
      activation: act === 'softmax' ? 'linear' : act,
      leakyreluAlpha: defaultAlpha(act),
    });
    if (act !== 'softmax') return z;
    const y = softmax(z);
    return y;
  }

  makeStep(ctx: StepContext): LayerStep {
    const { units } = this;
    const width = ctx.inputWidth;
    const act: ActivationName = ctx.emitLogits ? 'linear' : this.activation;
    const fused = FUSABLE.has(act);
    const code = act === 'softmax' ? 0 : activationCode(act);
    const alpha = defaultAlpha(act);
    const output = ctx.alloc(ctx.maxRows * units);
    const outputGrad = ctx.alloc(ctx.maxRows * units);
    const preActivation = fused || act === 'softmax' ? output : ctx.alloc(ctx.maxRows * units);
    const kernel = this.kernel!;
    const kernelPtr = kernel.ptr();
    const biasPtr = this.bias ? this.bias.ptr() : 0;
    const kernelGrad = ctx.alloc(width * units);
    const biasGrad = this.bias ? ctx.alloc(units) : 0;
    const paramGrads = [{ variable: kernel, grad: kernelGrad, regularizer: this.kernelRegularizer }];
    if (this.bias) paramGrads.push({ variable: this.bias, grad: biasGrad, regularizer: this.biasRegularizer });
    const forwardOptions = { bias: biasPtr, activation: fused ? code : 0, alpha };
    return {
      output,
      outputGrad,
      outputWidth: units,
      paramGrads,
      forward(rows) {
        gemm(ctx.input, kernelPtr, preActivation, rows, width, units, forwardOptions);
        if (act === 'softmax') softmaxRows(output, output, rows, units);
        else if (!fused) activationForward(code, preActivation, output, rows * units, alpha);
      },
      backward(rows) {
        // turn the gradient of the output into the gradient of the pre-activation, in place
        if (act === 'softmax') softmaxRowsBackward(output, outputGrad, outputGrad, rows, units);
        else if (act !== 'linear') {
          activationBackward(code, preActivation, output, outputGrad, outputGrad, rows * units, alpha);
        }
        gemm(ctx.input, outputGrad, kernelGrad, width, rows, units, TRANSPOSE_A);
        if (biasGrad) reduceAxis(Reduce.sum, outputGrad, biasGrad, 1, rows, units);
        if (ctx.inputGrad) gemm(outputGrad, kernelPtr, ctx.inputGrad, rows, units, width, TRANSPOSE_B);
      },
    };
  }

  /** Frees the weights (the layer can be built again). */
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
