// Readers of the recurrent layers (LSTM, GRU, SimpleRNN, Bidirectional) in the tfjs layers format,
// which Keras's converted files share. Where tfjs and Keras 3 default differently, an absent key
// reads as tfjs's default (recurrent_activation hard_sigmoid, reset_after false); Keras 3 writes both.
import { ModelFormatError } from '../io/errors.js';
import { Bidirectional, type BidirectionalMergeMode } from '../layers/bidirectional.js';
import { GRU } from '../layers/gru.js';
import type { LayerArgs, SymbolicShape } from '../layers/layer.js';
import { LSTM } from '../layers/lstm.js';
import type { GatedArgs, Recurrent, RecurrentActivation } from '../layers/recurrent.js';
import { SimpleRNN } from '../layers/simple-rnn.js';
import { readInitializer } from './initializers.js';
import {
  bool,
  type Config,
  get,
  type LayerReader,
  readRegularizer,
  readSeed,
  rejectNonNull,
  type WeightShape,
} from './reader-kit.js';

const CONSTRAINTS = ['kernel_constraint', 'recurrent_constraint', 'bias_constraint'];
const NULL_DEFAULTS = Object.fromEntries(
  [...CONSTRAINTS, 'kernel_regularizer', 'recurrent_regularizer', 'bias_regularizer', 'activity_regularizer'].map(
    (k) => [k, null],
  ),
);

function rateOf(config: Config, key: string, at: string): number {
  const v = get(config, key) ?? 0;
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) {
    throw new ModelFormatError(`${at}.${key}: expected a number in [0, 1), got ${JSON.stringify(v)}`);
  }
  return v;
}

/** The options every recurrent layer reads from its config. */
function recurrentArgs(config: Config, base: LayerArgs, at: string, gated: boolean): GatedArgs {
  rejectNonNull(config, CONSTRAINTS, at);
  if (get(config, 'stateful') === true) {
    throw new ModelFormatError(`${at}.stateful: stateful recurrent layers are not supported`);
  }
  if (get(config, 'time_major') === true) {
    throw new ModelFormatError(`${at}.time_major: time-major inputs are not supported`);
  }
  if (get(config, 'zero_output_for_mask') === true) {
    throw new ModelFormatError(`${at}.zero_output_for_mask: only false is supported (outside a Bidirectional)`);
  }
  const units = get(config, 'units');
  if (!Number.isInteger(units) || (units as number) < 1 || (units as number) > 2 ** 16) {
    throw new ModelFormatError(`${at}.units: expected a positive integer, got ${JSON.stringify(units)}`);
  }
  const seed = readSeed(config, at);
  const init = (key: string, fallback: string) => readInitializer(get(config, key) ?? fallback, `${at}.${key}`);
  const args: GatedArgs = {
    ...base,
    units: units as number,
    activation: (get(config, 'activation') ?? 'tanh') as RecurrentActivation,
    useBias: bool(config, 'use_bias', at, true),
    kernelInitializer: init('kernel_initializer', 'glorotUniform'),
    recurrentInitializer: init('recurrent_initializer', 'orthogonal'),
    biasInitializer: init('bias_initializer', 'zeros'),
    kernelRegularizer: readRegularizer(get(config, 'kernel_regularizer'), `${at}.kernel_regularizer`),
    recurrentRegularizer: readRegularizer(get(config, 'recurrent_regularizer'), `${at}.recurrent_regularizer`),
    biasRegularizer: readRegularizer(get(config, 'bias_regularizer'), `${at}.bias_regularizer`),
    returnSequences: bool(config, 'return_sequences', at, false),
    returnState: bool(config, 'return_state', at, false),
    goBackwards: bool(config, 'go_backwards', at, false),
    dropout: rateOf(config, 'dropout', at),
    recurrentDropout: rateOf(config, 'recurrent_dropout', at),
  };
  if (seed !== undefined) args.seed = seed;
  if (gated) args.recurrentActivation = (get(config, 'recurrent_activation') ?? 'hard_sigmoid') as RecurrentActivation;
  return args;
}

/** The three weights of a recurrent layer for an input [batch, steps, features]. */
function recurrentWeights(layer: Recurrent, inputShape: SymbolicShape): WeightShape[] {
  const features = inputShape[inputShape.length - 1] as number;
  const g = layer.gates * layer.units;
  const out: WeightShape[] = [
    { name: 'kernel', shape: [features, g] },
    { name: 'recurrent_kernel', shape: [layer.units, g] },
  ];
  if (layer.useBias) out.push({ name: 'bias', shape: layer.biasShape });
  return out;
}

const CELL_READERS = {
  LSTM: {
    read(config, base, at) {
      // tfjs writes unit_forget_bias as null: its default, true
      return new LSTM({
        ...recurrentArgs(config, base, at, true),
        unitForgetBias: bool(config, 'unit_forget_bias', at, true),
      });
    },
    weights: (layer, shape) => recurrentWeights(layer as Recurrent, shape),
    defaults: NULL_DEFAULTS,
  },
  GRU: {
    read(config, base, at) {
      return new GRU({ ...recurrentArgs(config, base, at, true), resetAfter: bool(config, 'reset_after', at, false) });
    },
    weights: (layer, shape) => recurrentWeights(layer as Recurrent, shape),
    defaults: NULL_DEFAULTS,
  },
  SimpleRNN: {
    read(config, base, at) {
      const { recurrentActivation: _, ...args } = recurrentArgs(config, base, at, false);
      return new SimpleRNN(args);
    },
    weights: (layer, shape) => recurrentWeights(layer as Recurrent, shape),
    defaults: NULL_DEFAULTS,
  },
} satisfies Record<string, LayerReader>;

/** Reads a wrapped recurrent layer's `{class_name, config}` (Bidirectional's layer, backward_layer). */
function readWrapped(entry: unknown, at: string): Recurrent {
  const e = (entry ?? {}) as Config;
  const className = e.class_name ?? e.className;
  const config = e.config;
  if (typeof className !== 'string' || !Object.hasOwn(CELL_READERS, className)) {
    throw new ModelFormatError(
      `${at}.class_name: expected LSTM, GRU or SimpleRNN inside a Bidirectional, got ${JSON.stringify(className)}`,
    );
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ModelFormatError(`${at}.config: expected an object, got ${JSON.stringify(config)}`);
  }
  // Keras 3 writes zero_output_for_mask true for a wrapped layer returning sequences: what
  // Bidirectional does anyway
  const { zero_output_for_mask: _, ...c } = config as Config;
  const name = get(c, 'name');
  const base: LayerArgs = { trainable: bool(c, 'trainable', at, true) };
  if (typeof name === 'string' && name.length > 0) base.name = name;
  return CELL_READERS[className as keyof typeof CELL_READERS].read(c, base, `${at}.config`) as Recurrent;
}

/** Readers of the recurrent layer classes. */
export const RECURRENT_READERS = {
  ...CELL_READERS,
  Bidirectional: {
    read(config, base, at) {
      const mode = get(config, 'merge_mode');
      const layer = readWrapped(get(config, 'layer'), `${at}.layer`);
      const back = get(config, 'backward_layer');
      return new Bidirectional({
        ...base,
        layer,
        mergeMode: (mode === undefined ? 'concat' : mode) as BidirectionalMergeMode | null,
        ...(back === undefined || back === null ? {} : { backwardLayer: readWrapped(back, `${at}.backward_layer`) }),
      });
    },
    weights(layer, shape) {
      const b = layer as Bidirectional;
      const named = (l: Recurrent) => recurrentWeights(l, shape).map((w) => ({ ...w, name: `${l.name}/${w.name}` }));
      return [...named(b.forwardLayer), ...named(b.backwardLayer)];
    },
  },
} satisfies Record<string, LayerReader>;
