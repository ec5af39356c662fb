import { Recurrent, type RecurrentArgs } from './recurrent.js';

/** Options of `layers.simpleRNN`. */
export type SimpleRNNArgs = RecurrentArgs;

/** A fully connected recurrent layer: h_t = act(x·W + h_{t−1}·U + b). One fused kernel runs the time loop. */
export class SimpleRNN extends Recurrent {
  static readonly className = 'SimpleRNN';
  protected readonly cell = 'simpleRnn' as const;

  constructor(args: SimpleRNNArgs) {
    super(args, 'simple_rnn', []);
  }
}
