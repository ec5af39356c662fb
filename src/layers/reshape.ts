import { ShapeError, ValueError } from '../errors.js';
import { reshape } from '../ops/shape.js';
import type { Tensor } from '../ops/tensor.js';
import { describeList } from '../ops/validate.js';
import { Layer, type LayerArgs, type SymbolicShape } from './layer.js';

/** Options of `layers.reshape`. */
export interface ReshapeArgs extends LayerArgs {
  /** The shape of each example afterwards (the batch dimension left out); one entry may be -1. */
  targetShape: number[];
}

/** Reshapes each example to `targetShape`, keeping the batch dimension, as Keras's Reshape. */
export class Reshape extends Layer {
  static readonly className = 'Reshape';
  /** The shape of each example afterwards (-1 for the one inferred). */
  readonly targetShape: readonly number[];

  constructor(args: ReshapeArgs) {
    super(args, 'reshape', ['targetShape']);
    const t = args.targetShape;
    const ok =
      Array.isArray(t) &&
      t.length > 0 &&
      t.every((d) => Number.isInteger(d) && (d > 0 || d === -1)) &&
      t.filter((d) => d === -1).length <= 1;
    if (!ok) {
      throw new ValueError(
        `Reshape "${this.name}": expected targetShape to be positive integers with at most one -1, got ${describeList(t)}`,
      );
    }
    this.targetShape = Object.freeze([...t]);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const rest = inputShape.slice(1);
    if (rest.some((d) => d === null)) {
      throw new ShapeError(`Reshape "${this.name}": every dimension but the batch must be known`);
    }
    const size = (rest as number[]).reduce((a, b) => a * b, 1);
    const known = this.targetShape.reduce((a, d) => (d === -1 ? a : a * d), 1);
    const inferred = this.targetShape.includes(-1) ? size / known : known;
    if (!Number.isInteger(inferred) || (this.targetShape.includes(-1) ? false : known !== size)) {
      throw new ShapeError(
        `Reshape "${this.name}": cannot reshape examples of shape [${rest.join(', ')}] (${size} values) into [${this.targetShape.join(', ')}]`,
      );
    }
    return [inputShape[0], ...this.targetShape.map((d) => (d === -1 ? inferred : d))];
  }

  call(x: Tensor): Tensor {
    const out = this.outputShape ?? this.computeOutputShape([null, ...x.shape.slice(1)]);
    return reshape(x, [x.shape[0], ...(out.slice(1) as number[])]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), target_shape: [...this.targetShape] };
  }
}
