import { ShapeError, ValueError } from '../errors.js';
import { reshape } from '../ops/shape.js';
import type { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
import { Layer, type LayerArgs, type SymbolicShape } from './layer.js';

export { InputLayer } from './input-layer.js';

/** Options of `layers.flatten`. */
export interface FlattenArgs extends LayerArgs {
  /** Only 'channelsLast' (the default): the layout of the rows. */
  dataFormat?: 'channelsLast';
}

/** Flattens each example to one dimension: [batch, a, b, ...] → [batch, a·b·...]. */
export class Flatten extends Layer {
  static readonly className = 'Flatten';

  constructor(args: FlattenArgs = {}) {
    super(args, 'flatten', ['dataFormat']);
    if (args.dataFormat !== undefined && args.dataFormat !== 'channelsLast') {
      throw new ValueError(
        `Flatten "${this.name}": expected dataFormat 'channelsLast' (the only layout), got ${describe(args.dataFormat)}`,
      );
    }
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const rest = inputShape.slice(1);
    if (rest.some((d) => d === null)) {
      throw new ShapeError(`Flatten "${this.name}": every dimension but the batch must be known`);
    }
    return [inputShape[0], (rest as number[]).reduce((a, b) => a * b, 1)];
  }

  call(x: Tensor): Tensor {
    return reshape(x, [x.shape[0], -1]);
  }
}
