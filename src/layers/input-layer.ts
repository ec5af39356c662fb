import { ValueError } from '../errors.js';
import { reshape } from '../ops/shape.js';
import type { Tensor } from '../ops/tensor.js';
import { Layer, type LayerArgs, type SymbolicShape } from './layer.js';

/** Declares the input shape of a model (`inputShape` or `batchInputShape`); passes data through. */
export class InputLayer extends Layer {
  static readonly className = 'InputLayer';

  constructor(args: LayerArgs) {
    super(args, 'input', []);
    if (!this.batchInputShape) {
      throw new ValueError(`InputLayer "${this.name}": expected inputShape or batchInputShape`);
    }
    // a model does not run its InputLayer, so a penalty here would be silently dropped (Keras has none)
    if (this.activityRegularizer) {
      throw new ValueError(
        `InputLayer "${this.name}": an inputLayer takes no activityRegularizer; give it to the first layer after it`,
      );
    }
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [...inputShape];
  }

  call(x: Tensor): Tensor {
    return reshape(x, [...x.shape]);
  }
}
