import { checkBooleanOption } from '../ops/options.js';
import { Gated, type GatedArgs } from './recurrent.js';

/** Options of `layers.gru`. */
export interface GRUArgs extends GatedArgs {
  /**
   * Apply the reset gate after the recurrent product, with a separate recurrent bias (bias [2,
   * 3·units]): Keras 3's default and cuDNN's form. Default false, as tfjs (which has only this form).
   */
  resetAfter?: boolean;
}

/**
 * Gated recurrent unit (Cho 2014), as Keras: gates z, r, h in that order in the kernels;
 * h_t = z·h_{t−1} + (1 − z)·act(x·Wh + (r·h_{t−1})·Uh + bh), or with resetAfter
 * act(x·Wh + bh + r·(h_{t−1}·Uh + b'h)). One fused kernel runs the time loop.
 */
export class GRU extends Gated {
  static readonly className = 'GRU';
  protected readonly cell = 'gru' as const;
  /** Whether the reset gate applies after the recurrent product. */
  readonly resetAfter: boolean;

  constructor(args: GRUArgs) {
    super(args, 'gru', ['resetAfter']);
    checkBooleanOption(`GRU "${this.name}"`, args, 'resetAfter');
    this.resetAfter = args.resetAfter ?? false;
  }

  protected override get resetsAfter(): boolean {
    return this.resetAfter;
  }

  override get biasShape(): number[] {
    return this.resetAfter ? [2, 3 * this.units] : [3 * this.units];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), reset_after: this.resetAfter, implementation: 2 };
  }
}
