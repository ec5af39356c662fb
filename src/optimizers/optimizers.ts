import {
  adagradUpdate,
  adamAlpha,
  adamUpdate,
  adamwUpdate,
  momentumUpdate,
  rmspropUpdate,
  SPARSE_KIND,
  sgdUpdate,
} from '../backend/kernels/optimizers.js';
import { ValueError } from '../errors.js';
import { checkFlag, checkHyper, Optimizer, type SparseKernel } from './optimizer.js';
import type { LearningRateSchedule } from './schedules.js';

/**
 * Plain stochastic gradient descent. An embedding's row-sparse gradient updates only the rows of the
 * batch's ids (duplicates summed first), each weight exactly as the dense update would; rows without
 * a gradient stay as they are (the dense update would only set weights below 2^-100 there to 0).
 */
export class SGD extends Optimizer {
  readonly className = 'SGD';
  constructor(learningRate: number | LearningRateSchedule) {
    super(learningRate, 'sgd');
  }
  protected slots() {
    return { count: 0, initial: 0 };
  }
  protected update(w: number, g: number, _s: number[], n: number): void {
    sgdUpdate(w, g, n, this.learningRate);
  }
  protected sparseKernel(): SparseKernel {
    return { kind: SPARSE_KIND.sgd, params: [this.learningRate] };
  }
  // a zero gradient leaves a weight as it is: only the rows present (and their block) are touched
  protected override sparseMode() {
    return 'blocks' as const;
  }
  getConfig() {
    return { learning_rate: this.learningRate, momentum: 0, nesterov: false };
  }
}

/** SGD with momentum (Keras formulation), optionally Nesterov. */
export class Momentum extends Optimizer {
  readonly className = 'SGD';
  readonly momentum: number;
  readonly useNesterov: boolean;
  constructor(learningRate: number | LearningRateSchedule, momentum: number, useNesterov = false) {
    super(learningRate, 'momentum');
    this.momentum = checkHyper('momentum', 'momentum', momentum, 0, 1);
    this.useNesterov = checkFlag('momentum', 'useNesterov', useNesterov);
  }
  protected slots() {
    return { count: 1, initial: 0 };
  }
  protected update(w: number, g: number, [v]: number[], n: number): void {
    momentumUpdate(w, g, v, n, this.learningRate, this.momentum, this.useNesterov);
  }
  protected sparseKernel(): SparseKernel {
    return {
      kind: SPARSE_KIND.momentum,
      params: [this.learningRate, this.momentum],
      flags: [this.useNesterov ? 1 : 0],
    };
  }
  getConfig() {
    return { learning_rate: this.learningRate, momentum: this.momentum, nesterov: this.useNesterov };
  }
}

/**
 * Adam (Keras 3 formulas; defaults lr 0.001, β1 0.9, β2 0.999, ε 1e-7). An embedding's row-sparse
 * gradient updates every row, as Keras 3 does (it densifies IndexedSlices): the moments of rows
 * absent from the batch decay and those weights still move, bit for bit as with the dense gradient
 * (computed from the rows present, without a dense gradient). With `lazy`, as TensorFlow Addons'
 * LazyAdam, only the rows present in the batch are updated (their moments and weights; the step
 * count is global): much less work per step for a large vocabulary, slightly different training.
 * Dense gradients are unaffected by `lazy`, and model files do not record it (Keras has no such
 * option): a model loaded with its optimizer gets the default.
 */
export class Adam extends Optimizer {
  readonly className: string = 'Adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Whether a row-sparse gradient updates only its rows (LazyAdam) instead of every row. */
  readonly lazy: boolean;
  constructor(
    learningRate: number | LearningRateSchedule = 0.001,
    beta1 = 0.9,
    beta2 = 0.999,
    epsilon = 1e-7,
    op = 'adam',
    lazy = false,
  ) {
    super(learningRate, op);
    this.lazy = checkFlag(op, 'lazy', lazy);
    this.beta1 = checkHyper(op, 'beta1', beta1, 0, 1);
    this.beta2 = checkHyper(op, 'beta2', beta2, 0, 1);
    this.epsilon = checkHyper(op, 'epsilon', epsilon, 0);
    if (this.beta1 === 1 || this.beta2 === 1) throw new ValueError(`${op}: expected beta1 and beta2 < 1`);
  }
  protected slots() {
    return { count: 2, initial: 0 };
  }
  protected update(w: number, g: number, [m, v]: number[], n: number, step: number): void {
    adamUpdate(w, g, m, v, n, this.learningRate, this.beta1, this.beta2, this.epsilon, step);
  }
  protected sparseKernel(step: number): SparseKernel {
    const alpha = adamAlpha(this.learningRate, this.beta1, this.beta2, step);
    return { kind: SPARSE_KIND.adam, params: [alpha, 1 - this.beta1, 1 - this.beta2, this.epsilon] };
  }
  protected override sparseMode() {
    return this.lazy ? ('lazy' as const) : ('dense' as const);
  }
  getConfig(): Record<string, unknown> {
    return { learning_rate: this.learningRate, beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon };
  }
}

/** AdamW: Adam with decoupled weight decay (Keras default weightDecay 0.004). */
export class AdamW extends Adam {
  override readonly className = 'AdamW';
  readonly weightDecay: number;
  constructor(
    learningRate: number | LearningRateSchedule = 0.001,
    weightDecay = 0.004,
    beta1 = 0.9,
    beta2 = 0.999,
    epsilon = 1e-7,
  ) {
    super(learningRate, beta1, beta2, epsilon, 'adamw');
    this.weightDecay = checkHyper('adamw', 'weightDecay', weightDecay, 0);
  }
  protected override update(w: number, g: number, [m, v]: number[], n: number, step: number): void {
    adamwUpdate(w, g, m, v, n, this.learningRate, this.beta1, this.beta2, this.epsilon, step, this.weightDecay);
  }
  protected override sparseKernel(step: number): SparseKernel {
    const { params } = super.sparseKernel(step);
    return { kind: SPARSE_KIND.adamw, params: [...params, this.learningRate * this.weightDecay] };
  }
  override getConfig() {
    return { ...super.getConfig(), weight_decay: this.weightDecay };
  }
}

/** RMSprop (Keras 3 formulas; defaults rho 0.9, momentum 0, ε 1e-7, not centered). */
export class RMSprop extends Optimizer {
  readonly className = 'RMSprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;
  constructor(
    learningRate: number | LearningRateSchedule = 0.001,
    rho = 0.9,
    momentum = 0,
    epsilon = 1e-7,
    centered = false,
  ) {
    super(learningRate, 'rmsprop');
    this.rho = checkHyper('rmsprop', 'rho (decay)', rho, 0, 1);
    this.momentum = checkHyper('rmsprop', 'momentum', momentum, 0, 1);
    this.epsilon = checkHyper('rmsprop', 'epsilon', epsilon, 0);
    this.centered = checkFlag('rmsprop', 'centered', centered);
  }
  protected slots() {
    return { count: 3, initial: 0 };
  }
  protected update(w: number, g: number, [ms, mom, mg]: number[], n: number): void {
    rmspropUpdate(w, g, ms, mom, mg, n, this.learningRate, this.rho, this.momentum, this.epsilon, this.centered);
  }
  protected sparseKernel(): SparseKernel {
    return {
      kind: SPARSE_KIND.rmsprop,
      params: [this.learningRate, this.rho, this.momentum, this.epsilon],
      flags: [this.centered ? 1 : 0, this.momentum > 0 ? 1 : 0],
    };
  }
  getConfig() {
    return {
      learning_rate: this.learningRate,
      rho: this.rho,
      momentum: this.momentum,
      epsilon: this.epsilon,
      centered: this.centered,
    };
  }
}

/** Adagrad (Keras 3 formulas; initial accumulator 0.1, ε 1e-7). */
export class Adagrad extends Optimizer {
  readonly className = 'Adagrad';
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;
  constructor(learningRate: number | LearningRateSchedule = 0.001, initialAccumulatorValue = 0.1, epsilon = 1e-7) {
    super(learningRate, 'adagrad');
    this.initialAccumulatorValue = checkHyper('adagrad', 'initialAccumulatorValue', initialAccumulatorValue, 0);
    this.epsilon = checkHyper('adagrad', 'epsilon', epsilon, 0);
  }
  protected slots() {
    return { count: 1, initial: this.initialAccumulatorValue };
  }
  protected update(w: number, g: number, [acc]: number[], n: number): void {
    adagradUpdate(w, g, acc, n, this.learningRate, this.epsilon);
  }
  protected sparseKernel(): SparseKernel {
    return { kind: SPARSE_KIND.adagrad, params: [this.learningRate, this.epsilon] };
  }
  getConfig() {
    return {
      learning_rate: this.learningRate,
      initial_accumulator_value: this.initialAccumulatorValue,
      epsilon: this.epsilon,
    };
  }
}
