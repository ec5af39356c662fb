import {
  activationBackward,
  activationForward,
  softmaxRows,
  softmaxRowsBackward,
} from '../backend/kernels/activations.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../ops/tensor.js';
import {
  type ActivationIdentifier,
  type ActivationName,
  activationCode,
  activationNames,
  applyActivation,
  defaultAlpha,
  kerasActivationName,
  resolveActivation,
} from './activations.js';
import { Layer, type LayerArgs, type SymbolicShape } from './layer.js';
import { sharedBuffersStep } from './shared-buffers-step.js';
import type { LayerStep, StepContext } from './step.js';

/** Options of `layers.activation`. */
export interface ActivationArgs extends LayerArgs {
  /** The activation to apply. */
  activation: ActivationIdentifier;
}

/** Applies an activation function to its input. */
export class Activation extends Layer {
  readonly className = 'Activation';
  /** The activation applied. */
  readonly activation: ActivationName;

  constructor(args: ActivationArgs) {
    super(args, 'activation', ['activation']);
    const where = `Activation "${this.name}"`;
    // resolveActivation reads a missing name as linear; this layer has to be told which one
    if (args.activation === undefined || args.activation === null) {
      throw new ValueError(
        `${where}: expected an activation, e.g. layers.activation({activation: 'relu'}); one of ${activationNames.join(', ')}`,
      );
    }
    this.activation = resolveActivation(args.activation, where);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [...inputShape];
  }

  call(x: Tensor): Tensor {
    return applyActivation(this.activation, x);
  }

  makeStep(ctx: StepContext): LayerStep {
    const width = ctx.inputWidth;
    // identity: share the input's buffers (with emitLogits the loss works from the logits)
    if (ctx.emitLogits || this.activation === 'linear') return sharedBuffersStep(ctx);
    const act = this.activation;
    const output = ctx.alloc(ctx.maxRows * width);
    // the output gradient only serves the input gradient: none asked, none kept
    const outputGrad = ctx.inputGrad ? ctx.alloc(ctx.maxRows * width) : 0;
    const code = act === 'softmax' ? 0 : activationCode(act);
    const alpha = defaultAlpha(act);
    return {
      output,
      outputGrad,
      outputWidth: width,
      paramGrads: [],
      forward(rows) {
        if (act === 'softmax') softmaxRows(ctx.input, output, rows, width);
        else activationForward(code, ctx.input, output, rows * width, alpha);
      },
      backward(rows) {
        if (!ctx.inputGrad) return;
        if (act === 'softmax') softmaxRowsBackward(output, outputGrad, ctx.inputGrad, rows, width);
        else activationBackward(code, ctx.input, output, outputGrad, ctx.inputGrad, rows * width, alpha);
      },
    };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: kerasActivationName(this.activation) };
  }
}
