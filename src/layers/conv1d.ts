import { ShapeError, ValueError } from '../errors.js';
import { conv1d, type Geometry1D, geometry1d, type Padding1D } from '../ops/conv1d.js';
import { OUTPUT_DIFFERENTIABLE, type OutputDifferentiable } from '../ops/dense.js';
import { checkBooleanOption, rejectUnsupported } from '../ops/options.js';
import type { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
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
import { checkChannelsLast, type Length1D, lengthOption, paddingOption } from './pooling-options.js';
import { getRegularizer, type Regularizer } from './regularizers.js';

/** Options of `layers.conv1d`. */
export interface Conv1DArgs extends LayerArgs {
  /** Number of output channels. */
  filters: number;
  /** Length of the window (a number or [n]). */
  kernelSize: Length1D;
  /** Steps between windows (default 1). */
  strides?: Length1D;
  /** 'valid' (whole windows only, the default), 'same' (ceil(steps / strides) outputs) or 'causal'. */
  padding?: Padding1D;
  /** Steps between the taps of a window (default 1); with strides > 1 it must be 1, as in Keras. */
  dilationRate?: Length1D;
  /** Activation applied to the output (default linear). */
  activation?: ActivationIdentifier;
  /** Whether to add a bias (default true). */
  useBias?: boolean;
  /** Kernel initializer (default glorotUniform). */
  kernelInitializer?: string | Initializer;
  /** Bias initializer (default zeros). */
  biasInitializer?: string | Initializer;
  /** Penalty on the kernel. */
  kernelRegularizer?: Regularizer | string | null;
  /** Penalty on the bias. */
  biasRegularizer?: Regularizer | string | null;
  /** Only 'channelsLast' (the default): inputs are [batch, steps, channels]. */
  dataFormat?: 'channelsLast';
}

const UNSUPPORTED_CONV_OPTIONS = {
  kernelConstraint: 'weight constraints are not supported yet',
  biasConstraint: 'weight constraints are not supported yet',
};

const CONV_OPTIONS = [
  'filters',
  'kernelSize',
  'strides',
  'padding',
  'dilationRate',
  'activation',
  'useBias',
  'kernelInitializer',
  'biasInitializer',
  'kernelRegularizer',
  'biasRegularizer',
  'dataFormat',
  ...Object.keys(UNSUPPORTED_CONV_OPTIONS),
];

// Activations GEMM's epilogue applies (sigmoid goes through its op, which notes the logits).
const FUSED: ReadonlySet<string> = new Set(OUTPUT_DIFFERENTIABLE.filter((a) => a !== 'sigmoid'));

/**
 * A 1-D convolution over sequences [batch, steps, channels] → [batch, outSteps, filters]:
 * activation(Σ_k x[t·strides + k·dilationRate] · kernel[k] + bias), kernel [kernelSize, channels,
 * filters] as Keras lays it out. Computed as one GEMM over the windows with bias and activation in
 * its epilogue. Does not take a mask (as Keras's Conv1D).
 */
export class Conv1D extends Layer {
  static readonly className = 'Conv1D';
  /** Number of output channels. */
  readonly filters: number;
  /** Window length. */
  readonly kernelSize: number;
  /** Steps between windows. */
  readonly strides: number;
  /** Padding mode. */
  readonly padding: Padding1D;
  /** Steps between the taps of a window. */
  readonly dilationRate: number;
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
  /** The kernel [kernelSize, channels, filters], once built. */
  kernel: Variable | null = null;
  /** The bias [filters], once built (and if useBias). */
  bias: Variable | null = null;

  constructor(args: Conv1DArgs) {
    super(args, 'conv1d', CONV_OPTIONS);
    const where = `Conv1D "${this.name}"`;
    if (!Number.isInteger(args.filters) || args.filters < 1 || args.filters > 2 ** 24) {
      throw new ValueError(`${where}: expected filters to be a positive integer, got ${describe(args.filters)}`);
    }
    this.filters = args.filters;
    this.kernelSize = lengthOption(where, 'kernelSize', args.kernelSize);
    this.strides = lengthOption(where, 'strides', args.strides, 1);
    this.dilationRate = lengthOption(where, 'dilationRate', args.dilationRate, 1);
    if (this.strides > 1 && this.dilationRate > 1) {
      throw new ValueError(
        `${where}: strides ${this.strides} with dilationRate ${this.dilationRate}: one of them must be 1 (as in Keras)`,
      );
    }
    this.padding = paddingOption(where, args.padding, ['valid', 'same', 'causal']);
    checkChannelsLast(where, args.dataFormat);
    checkBooleanOption(where, args, 'useBias');
    rejectUnsupported(where, args, UNSUPPORTED_CONV_OPTIONS);
    this.activation = resolveActivation(args.activation, where);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = getInitializer(args.kernelInitializer ?? 'glorotUniform', `${where} kernelInitializer`);
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros', `${where} biasInitializer`);
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer, `${where} kernelRegularizer`);
    this.biasRegularizer = getRegularizer(args.biasRegularizer, `${where} biasRegularizer`);
  }

  /** Where the windows fall on a sequence of `steps` steps. */
  geometry(steps: number): Geometry1D {
    return geometry1d(steps, this.kernelSize, this.strides, this.dilationRate, this.padding);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const [batch, steps, channels] = inputShape;
    if (inputShape.length !== 3 || channels === null) {
      throw new ShapeError(
        `Conv1D "${this.name}": expected input of shape [batch, steps, channels], got [${inputShape.map((d) => d ?? '*').join(', ')}]`,
      );
    }
    if (steps === null) return [batch, null, this.filters];
    const out = this.geometry(steps).outSteps;
    if (out < 1) {
      throw new ShapeError(
        `Conv1D "${this.name}": a sequence of ${steps} steps is shorter than the window (kernelSize ${this.kernelSize}, dilationRate ${this.dilationRate}) with padding 'valid'`,
      );
    }
    return [batch, out, this.filters];
  }

  protected override createWeights(inputShape: SymbolicShape): void {
    const channels = inputShape[2] as number;
    this.kernel = this.addWeight(
      'kernel',
      [this.kernelSize, channels, this.filters],
      this.kernelInitializer,
      true,
      this.kernelRegularizer,
    );
    if (this.useBias)
      this.bias = this.addWeight('bias', [this.filters], this.biasInitializer, true, this.biasRegularizer);
  }

  call(x: Tensor, _training: boolean): Tensor {
    const g = this.geometry(x.shape[1]);
    if (g.outSteps < 1) this.computeOutputShape([null, x.shape[1], x.shape[2]]);
    const act = this.activation;
    if (FUSED.has(act)) {
      return conv1d(x, this.kernel!, this.bias, g, act as OutputDifferentiable, defaultAlpha(act));
    }
    return applyActivation(act, conv1d(x, this.kernel!, this.bias, g, 'linear', 0));
  }

  override dispose(): void {
    super.dispose();
    this.kernel = null;
    this.bias = null;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernel_size: [this.kernelSize],
      strides: [this.strides],
      padding: this.padding,
      data_format: 'channels_last',
      dilation_rate: [this.dilationRate],
      activation: kerasActivationName(this.activation),
      use_bias: this.useBias,
      kernel_initializer: { class_name: this.kernelInitializer.className, config: this.kernelInitializer.config },
      bias_initializer: { class_name: this.biasInitializer.className, config: this.biasInitializer.config },
      kernel_regularizer: regularizerConfig(this.kernelRegularizer),
      bias_regularizer: regularizerConfig(this.biasRegularizer),
    };
  }
}
