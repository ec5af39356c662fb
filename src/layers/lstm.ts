import { checkBooleanOption } from '../ops/options.js';
import type { Initializer } from './initializers.js';
import { Gated, type GatedArgs } from './recurrent.js';

/** Options of `layers.lstm`. */
export interface LSTMArgs extends GatedArgs {
  /** Start the forget gate's bias at 1 (default true, as Keras and tfjs). */
  unitForgetBias?: boolean;
}

/**
 * Bias values with the forget gate's quarter at ones: Keras's unit_forget_bias. Written in files as
 * the initializer it wraps, as Keras does.
 */
function unitForgetBias(base: Initializer, units: number): Initializer {
  return {
    className: base.className,
    config: base.config,
    generate(shape) {
      const values = base.generate(shape);
      values.fill(1, units, 2 * units);
      return values;
    },
  };
}

/**
 * Long short-term memory (Hochreiter 1997), as Keras: gates i, f, c, o in that order in the
 * kernels; c_t = f·c_{t−1} + i·act(x·Wc + h·Uc + bc), h_t = o·act(c_t). One fused kernel runs the
 * time loop (forward and backward).
 */
export class LSTM extends Gated {
  static readonly className = 'LSTM';
  protected readonly cell = 'lstm' as const;
  /** Whether the forget gate's bias starts at 1. */
  readonly unitForgetBias: boolean;

  constructor(args: LSTMArgs) {
    super(args, 'lstm', ['unitForgetBias']);
    checkBooleanOption(`LSTM "${this.name}"`, args, 'unitForgetBias');
    this.unitForgetBias = args.unitForgetBias ?? true;
  }

  protected override effectiveBiasInitializer(): Initializer {
    return this.unitForgetBias ? unitForgetBias(this.biasInitializer, this.units) : this.biasInitializer;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), unit_forget_bias: this.unitForgetBias, implementation: 2 };
  }
}
