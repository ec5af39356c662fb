import { ShapeError, ValueError } from '../errors.js';
import { reshape } from '../ops/shape.js';
import type { Tensor } from '../ops/tensor.js';
import { Layer, type LayerArgs, type SymbolicShape } from './layer.js';
import type { LayerStep, StepContext } from './step.js';

/** A step that changes nothing in row-major memory: it shares its input's buffers. */
export function sharedBuffersStep(ctx: StepContext): LayerStep {
  return {
    output: ctx.input,
    outputGrad: ctx.inputGrad,
    outputWidth: ctx.inputWidth,
    paramGrads: [],
    forward() {},
    backward() {},
  };
}

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

/** Declares the input shape of a model (`inputShape` or `batchInputShape`); passes data through. */
export class InputLayer extends Layer {
  readonly className = 'InputLayer';

  constructor(args: LayerArgs) {
    super(args, 'input');
    if (!this.batchInputShape) {
      throw new ValueError(`InputLayer "${this.name}": expected inputShape or batchInputShape`);
    }
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [...inputShape];
  }

  call(x: Tensor): Tensor {
    return reshape(x, [...x.shape]);
  }

  makeStep(ctx: StepContext): LayerStep {
    return sharedBuffersStep(ctx);
  }
}
