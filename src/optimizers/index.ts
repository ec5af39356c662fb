import { ValueError } from '../errors.js';
import { describe } from '../ops/validate.js';
import { isOptimizer, type Optimizer } from './optimizer.js';
import { Adagrad, Adam, AdamW, Momentum, RMSprop, SGD } from './optimizers.js';
import type { LearningRateSchedule } from './schedules.js';

/** Optimizer factories with TensorFlow.js's names and argument order (`nn.train.adam(...)`). */
export const train = {
  /** Plain SGD. */
  sgd: (learningRate: number | LearningRateSchedule) => new SGD(learningRate),
  /** SGD with momentum, optionally Nesterov. */
  momentum: (learningRate: number | LearningRateSchedule, momentum: number, useNesterov = false) =>
    new Momentum(learningRate, momentum, useNesterov),
  /** Adam (lr 0.001, β1 0.9, β2 0.999, ε 1e-7 by default). */
  adam: (learningRate?: number | LearningRateSchedule, beta1?: number, beta2?: number, epsilon?: number) =>
    new Adam(learningRate, beta1, beta2, epsilon),
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
