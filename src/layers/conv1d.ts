import { ShapeError, ValueError } from '../errors.js';
import { conv1d, type Geometry1D, geometry1d, type Padding1D } from '../ops/conv1d.js';
import type { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
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
import { checkChannelsLast, type Length1D, lengthOption, paddingOption } from './pooling-options.js';
import type { Regularizer } from './regularizers.js';

/** Options of `layers.conv1d`. */
export interface Conv1DArgs extends LayerArgs, KernelBiasArgs {
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
  /** Only 'channelsLast' (the default): inputs are [batch, steps, channels]. */
  dataFormat?: 'channelsLast';
}

const CONV_OPTIONS = [
  'filters',
  'kernelSize',
  'strides',
  'padding',
  'dilationRate',
  ...KERNEL_BIAS_OPTIONS,
  'dataFormat',
  ...Object.keys(UNSUPPORTED_KERNEL_BIAS_OPTIONS),
];

/**
 * A 1-D convolution over sequences [batch, steps, channels] → [batch, outSteps, filters]:
 * activation(Σ_k x[t·strides + k·dilationRate] · kernel[k] + bias), kernel [kernelSize, channels,
 * filters] as Keras lays it out. Computed as one GEMM over the windows with bias and activation in
 * its epilogue. Does not take a mask (as Keras's Conv1D).
 */
export class Conv1D extends Layer {
  static readonly className: string = 'Conv1D';
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
  private readonly options: KernelBiasOptions;
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
    this.options = kernelBiasOptions(where, args);
    this.activation = this.options.activation;
    this.useBias = this.options.useBias;
    this.kernelRegularizer = this.options.kernelRegularizer;
    this.biasRegularizer = this.options.biasRegularizer;
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
    const { kernelInitializer, biasInitializer } = this.options;
    const shape = [this.kernelSize, channels, this.filters];
    this.kernel = this.addWeight('kernel', shape, kernelInitializer, true, this.kernelRegularizer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], biasInitializer, true, this.biasRegularizer);
  }

  call(x: Tensor, _training: boolean): Tensor {
    const g = this.geometry(x.shape[1]);
    if (g.outSteps < 1) this.computeOutputShape([null, x.shape[1], x.shape[2]]);
    return activated(this.activation, (act, alpha) => conv1d(x, this.kernel!, this.bias, g, act, alpha));
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
      ...kernelBiasConfig(this.options),
    };
  }
}
