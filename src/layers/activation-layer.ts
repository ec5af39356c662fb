import { ValueError } from '../errors.js';
import type { Tensor } from '../ops/tensor.js';
import {
  type ActivationIdentifier,
  type ActivationName,
  activationNames,
  applyActivation,
  kerasActivationName,
  resolveActivation,
} from './activations.js';
import { Layer, type LayerArgs, type SymbolicShape } from './layer.js';

/** Options of `layers.activation`. */
export interface ActivationArgs extends LayerArgs {
  /** The activation to apply. */
  activation: ActivationIdentifier;
}

/** Applies an activation function to its input. */
export class Activation extends Layer {
  /** Passes a mask on, as Keras does. */
  override get supportsMasking(): boolean {
    return true;
  }

  static readonly className = 'Activation';
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

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: kerasActivationName(this.activation) };
  }
}
