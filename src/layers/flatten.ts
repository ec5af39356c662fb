import { ShapeError } from '../errors.js';
import { reshape } from '../ops/shape.js';
import type { Tensor } from '../ops/tensor.js';
import { Layer, type LayerArgs, type SymbolicShape } from './layer.js';
import { sharedBuffersStep } from './shared-buffers-step.js';
import type { LayerStep, StepContext } from './step.js';

export { InputLayer } from './input-layer.js';

/** Flattens each example to one dimension: [batch, a, b, ...] → [batch, a·b·...]. */
export class Flatten extends Layer {
  readonly className = 'Flatten';

  constructor(args: LayerArgs = {}) {
    super(args, 'flatten');
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

  makeStep(ctx: StepContext): LayerStep {
    return sharedBuffersStep(ctx);
  }
}
