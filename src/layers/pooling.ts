import { ShapeError } from '../errors.js';
import { type Geometry1D, geometry1d, type Padding1D } from '../ops/conv1d.js';
import { pool1d } from '../ops/pool1d.js';
import type { Tensor } from '../ops/tensor.js';
import { Layer, type LayerArgs, type SymbolicShape } from './layer.js';
import { checkChannelsLast, type Length1D, lengthOption, paddingOption } from './pooling-options.js';

/** Options of `layers.maxPooling1d` and `layers.averagePooling1d`. */
export interface Pooling1DArgs extends LayerArgs {
  /** Window length (default 2). */
  poolSize?: Length1D;
  /** Steps between windows (default poolSize). */
  strides?: Length1D;
  /** 'valid' (whole windows only, the default) or 'same' (ceil(steps / strides) windows). */
  padding?: 'valid' | 'same';
  /** Only 'channelsLast' (the default): inputs are [batch, steps, channels]. */
  dataFormat?: 'channelsLast';
}

/** What the 1-D poolings share: options, shapes and config. */
abstract class Pooling1D extends Layer {
  /** Window length. */
  readonly poolSize: number;
  /** Steps between windows. */
  readonly strides: number;
  /** Padding mode. */
  readonly padding: Padding1D;

  constructor(args: Pooling1DArgs, prefix: string) {
    super(args, prefix, ['poolSize', 'strides', 'padding', 'dataFormat']);
    const where = `${this.className} "${this.name}"`;
    this.poolSize = lengthOption(where, 'poolSize', args.poolSize, 2);
    this.strides = lengthOption(where, 'strides', args.strides, this.poolSize);
    this.padding = paddingOption(where, args.padding, ['valid', 'same']);
    checkChannelsLast(where, args.dataFormat);
  }

  /** Where the windows fall on a sequence of `steps` steps. */
  geometry(steps: number): Geometry1D {
    return geometry1d(steps, this.poolSize, this.strides, 1, this.padding);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const [batch, steps, channels] = inputShape;
    if (inputShape.length !== 3 || channels === null) {
      throw new ShapeError(
        `${this.className} "${this.name}": expected input of shape [batch, steps, channels], got [${inputShape.map((d) => d ?? '*').join(', ')}]`,
      );
    }
    if (steps === null) return [batch, null, channels];
    const out = this.geometry(steps).outSteps;
    if (out < 1) {
      throw new ShapeError(
        `${this.className} "${this.name}": a sequence of ${steps} steps is shorter than the window (poolSize ${this.poolSize}) with padding 'valid'`,
      );
    }
    return [batch, out, channels];
  }

  /** The windows of x, checked. */
  protected windows(x: Tensor): Geometry1D {
    const g = this.geometry(x.shape[1]);
    if (g.outSteps < 1) this.computeOutputShape([null, x.shape[1], x.shape[2]]);
    return g;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      pool_size: [this.poolSize],
      padding: this.padding,
      strides: [this.strides],
      data_format: 'channels_last',
    };
  }
}

/** The maximum of each window of steps: [batch, steps, channels] → [batch, outSteps, channels]. */
export class MaxPooling1D extends Pooling1D {
  static readonly className = 'MaxPooling1D';

  constructor(args: Pooling1DArgs = {}) {
    super(args, 'max_pooling1d');
  }

  call(x: Tensor, _training: boolean): Tensor {
    return pool1d('max', x, this.windows(x));
  }
}

/**
 * The mean of each window of steps: [batch, steps, channels] → [batch, outSteps, channels]; with
 * 'same' padding, over the window's real steps only (as TensorFlow).
 */
export class AveragePooling1D extends Pooling1D {
  static readonly className = 'AveragePooling1D';

  constructor(args: Pooling1DArgs = {}) {
    super(args, 'average_pooling1d');
  }

  call(x: Tensor, _training: boolean): Tensor {
    return pool1d('avg', x, this.windows(x));
  }
}
