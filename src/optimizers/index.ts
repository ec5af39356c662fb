import { ValueError } from '../errors.js';
import { checkOptionNames } from '../ops/options.js';
import { describe } from '../ops/validate.js';
import { isOptimizer, type Optimizer } from './optimizer.js';
import { Adagrad, Adam, AdamW, Momentum, RMSprop, SGD } from './optimizers.js';
import { isSchedule, type LearningRateSchedule } from './schedules.js';

/** Options of `train.adam` as an object (the positional arguments, plus `lazy`). */
export interface AdamOptions {
  learningRate?: number | LearningRateSchedule;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Update only the rows of an embedding present in the batch (LazyAdam); default false (every row, as Keras). */
  lazy?: boolean;
}

/** Optimizer factories with TensorFlow.js's names and argument order (`nn.train.adam(...)`). */
export const train = {
  /** Plain SGD. */
  sgd: (learningRate: number | LearningRateSchedule) => new SGD(learningRate),
  /** SGD with momentum, optionally Nesterov. */
  momentum: (learningRate: number | LearningRateSchedule, momentum: number, useNesterov = false) =>
    new Momentum(learningRate, momentum, useNesterov),
  /**
   * Adam (lr 0.001, β1 0.9, β2 0.999, ε 1e-7 by default), with tfjs's positional arguments or an
   * options object `{ learningRate, beta1, beta2, epsilon, lazy }`. `lazy: true` (TensorFlow Addons'
   * LazyAdam) makes an embedding's sparse gradient update only the rows of the ids in the batch;
   * by default every row is updated, as Keras does.
   */
  adam: (
    learningRate?: number | LearningRateSchedule | AdamOptions,
    beta1?: number,
    beta2?: number,
    epsilon?: number,
  ): Adam => {
    if (learningRate === null || typeof learningRate !== 'object' || isSchedule(learningRate)) {
      return new Adam(learningRate as number | LearningRateSchedule | undefined, beta1, beta2, epsilon);
    }
    checkOptionNames('adam', learningRate, ['learningRate', 'beta1', 'beta2', 'epsilon', 'lazy']);
    if (beta1 !== undefined) throw new ValueError('adam: give beta1 in the options object, not after it');
    const o = learningRate;
    return new Adam(o.learningRate, o.beta1, o.beta2, o.epsilon, 'adam', o.lazy ?? false);
  },
  /** AdamW (weight decay 0.004 by default). */
  adamw: (
    learningRate?: number | LearningRateSchedule,
    weightDecay?: number,
    beta1?: number,
    beta2?: number,
    epsilon?: number,
  ) => new AdamW(learningRate, weightDecay, beta1, beta2, epsilon),
  /** RMSprop (tfjs argument order: learningRate, decay, momentum, epsilon, centered). */
  rmsprop: (
    learningRate?: number | LearningRateSchedule,
    decay?: number,
    momentum?: number,
    epsilon?: number,
    centered?: boolean,
  ) => new RMSprop(learningRate, decay, momentum, epsilon, centered),
  /** Adagrad. */
  adagrad: (learningRate?: number | LearningRateSchedule, initialAccumulatorValue?: number) =>
    new Adagrad(learningRate, initialAccumulatorValue),
};

/** What `compile({ optimizer })` accepts by name (case-insensitive at run time): Keras and tfjs spellings. */
export type OptimizerName =
  | 'sgd'
  | 'SGD'
  | 'momentum'
  | 'Momentum'
  | 'adam'
  | 'Adam'
  | 'adamw'
  | 'AdamW'
  | 'rmsprop'
  | 'RMSprop'
  | 'RMSProp'
  | 'adagrad'
  | 'Adagrad';

// Keras defaults for optimizers given by name in compile().
const BY_NAME: Record<Lowercase<OptimizerName>, () => Optimizer> = {
  sgd: () => new SGD(0.01),
  momentum: () => new Momentum(0.01, 0.9),
  adam: () => new Adam(),
  adamw: () => new AdamW(),
  rmsprop: () => new RMSprop(),
  adagrad: () => new Adagrad(),
};

/** Resolves `compile({ optimizer })`: a name (Keras defaults) or an optimizer object. */
export function getOptimizer(what: unknown): Optimizer {
  if (isOptimizer(what)) return what;
  if (typeof what === 'string') {
    const name = what.toLowerCase();
    if (Object.hasOwn(BY_NAME, name)) return BY_NAME[name as keyof typeof BY_NAME]();
  }
  throw new ValueError(
    `compile: unknown optimizer ${describe(what)}; expected one of ${Object.keys(BY_NAME).join(', ')} or an optimizer from nn.train`,
  );
}

export { Optimizer } from './optimizer.js';
export { Adagrad, Adam, AdamW, Momentum, RMSprop, SGD };
