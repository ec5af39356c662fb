import { ShapeError, ValueError } from '../errors.js';
import { add, div, maximum, mul, sub } from '../ops/arithmetic.js';
import { type Geometry1D, geometry1d } from '../ops/conv1d.js';
import { checkBooleanOption } from '../ops/options.js';
import { pool1d } from '../ops/pool1d.js';
import { max } from '../ops/reduction.js';
import { expandDims } from '../ops/shape.js';
import { sum } from '../ops/sum.js';
import type { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
import { Layer, type LayerArgs, type SymbolicShape } from './layer.js';

/** Options of `layers.globalAveragePooling1d` and `layers.globalMaxPooling1d`. */
export interface GlobalPooling1DArgs extends LayerArgs {
  /** Keep the steps axis, with length 1: output [batch, 1, channels] (Keras 3; default false). */
  keepdims?: boolean;
  /** Only 'channelsLast' (the default): inputs are [batch, steps, channels]. */
  dataFormat?: 'channelsLast';
}

/** One window over all the steps of x (the pooling kernels without a mask). */
function wholeSequence(x: Tensor): Geometry1D {
  return geometry1d(x.shape[1], x.shape[1], x.shape[1], 1, 'valid');
}

// A value below every float32 a masked step can hold, so that a padded step never wins a max.
const LOWEST = -3.4028234663852886e38;

/** What the 1-D global poolings share: options, shapes, masks and config. */
abstract class GlobalPooling1D extends Layer {
  /** Whether the steps axis is kept (length 1). */
  readonly keepdims: boolean;

  constructor(args: GlobalPooling1DArgs, prefix: string) {
    super(args, prefix, ['keepdims', 'dataFormat']);
    const where = `${this.className} "${this.name}"`;
    checkBooleanOption(where, args, 'keepdims');
    if (args.dataFormat !== undefined && args.dataFormat !== 'channelsLast') {
      throw new ValueError(
        `${where}: expected dataFormat 'channelsLast' (inputs [batch, steps, channels]), got ${describe(args.dataFormat)}`,
      );
    }
    this.keepdims = args.keepdims ?? false;
  }

  /** Uses the mask (padded steps are left out of the pooling), as Keras does. */
  override get supportsMasking(): boolean {
    return true;
  }

  /** The mask is consumed here: the output has no steps axis to mask. */
  override computeMask(_x: Tensor, _mask: Tensor | null): Tensor | null {
    return null;
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length !== 3) {
      throw new ShapeError(
        `${this.className} "${this.name}": expected input of shape [batch, steps, channels], got [${inputShape.map((d) => d ?? '*').join(', ')}]`,
      );
    }
    if (inputShape[1] === 0)
      throw new ShapeError(`${this.className} "${this.name}": expected at least one step, got 0`);
    return this.keepdims ? [inputShape[0], 1, inputShape[2]] : [inputShape[0], inputShape[2]];
  }

  /** The output shape for x. */
  protected outShape(x: Tensor): number[] {
    return this.keepdims ? [x.shape[0], 1, x.shape[2]] : [x.shape[0], x.shape[2]];
  }

  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { ...super.getConfig(), data_format: 'channels_last' };
    // tfjs has no keepdims: written only when set, so that tfjs reads the default file as it writes it
    if (this.keepdims) config.keepdims = true;
    return config;
  }
}

/**
 * Averages over the steps: [batch, steps, channels] → [batch, channels]. With a mask, the average
 * of the real steps only, Σ x·mask / Σ mask, as Keras's GlobalAveragePooling1D (a sequence with no
 * real step gives 0 where Keras gives NaN).
 */
export class GlobalAveragePooling1D extends GlobalPooling1D {
  static readonly className = 'GlobalAveragePooling1D';

  constructor(args: GlobalPooling1DArgs = {}) {
    super(args, 'global_average_pooling1d');
  }

  call(x: Tensor, _training: boolean, mask?: Tensor | null): Tensor {
    if (!mask) return pool1d('avg', x, wholeSequence(x), this.outShape(x));
    const m = expandDims(mask, 2);
    return div(sum(mul(x, m), 1, this.keepdims), maximum(sum(m, 1, this.keepdims), 1));
  }
}

/**
 * The maximum over the steps: [batch, steps, channels] → [batch, channels]. With a mask, the
 * maximum over the real steps only (a sequence with no real step gives 0); Keras 3's
 * GlobalMaxPooling1D ignores the mask (with a warning) and takes all steps.
 */
export class GlobalMaxPooling1D extends GlobalPooling1D {
  static readonly className = 'GlobalMaxPooling1D';

  constructor(args: GlobalPooling1DArgs = {}) {
    super(args, 'global_max_pooling1d');
  }

  call(x: Tensor, _training: boolean, mask?: Tensor | null): Tensor {
    if (!mask) return pool1d('max', x, wholeSequence(x), this.outShape(x));
    const m = expandDims(mask, 2);
    // real steps keep their value, padded ones become LOWEST: x·m + (m − 1)·|LOWEST|
    const masked = add(mul(x, m), mul(sub(m, 1), -LOWEST));
    // a sequence without a real step: 0 instead of LOWEST
    return mul(max(masked, 1, this.keepdims), max(m, 1, this.keepdims));
  }
}
