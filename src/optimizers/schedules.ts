import { ValueError } from '../errors.js';
import { checkBooleanOption, optionsObject } from '../ops/options.js';
import { describe } from '../ops/validate.js';

/**
 * A learning rate that changes with training progress. `unit` says what `at` takes: the optimizer's
 * step count (Keras's LearningRateSchedule) or the epoch.
 */
export interface LearningRateSchedule {
  readonly className: string;
  readonly unit: 'step' | 'epoch';
  /** The learning rate at a step (0-based) or epoch (0-based). */
  at(t: number): number;
  getConfig(): Record<string, unknown>;
}

function positive(op: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new ValueError(`${op}: expected ${arg} to be a positive number, got ${describe(v)}`);
  }
  return v;
}

/** lr = initialLearningRate · decayRate^(step / decaySteps), with whole steps of decay when `staircase`. */
export function exponentialDecay(args: {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  staircase?: boolean;
}): LearningRateSchedule {
  const op = 'exponentialDecay';
  args = optionsObject(op, args, '{initialLearningRate: 0.01, decaySteps: 1000, decayRate: 0.9}', [
    'initialLearningRate',
    'decaySteps',
    'decayRate',
    'staircase',
  ]);
  const lr0 = positive(op, 'initialLearningRate', args.initialLearningRate);
  const steps = positive(op, 'decaySteps', args.decaySteps);
  const rate = positive(op, 'decayRate', args.decayRate);
  checkBooleanOption(op, args, 'staircase');
  const staircase = args.staircase ?? false;
  return {
    className: 'ExponentialDecay',
    unit: 'step',
    at: (step) => lr0 * rate ** (staircase ? Math.floor(step / steps) : step / steps),
    getConfig: () => ({ initial_learning_rate: lr0, decay_steps: steps, decay_rate: rate, staircase }),
  };
}

/** Cosine decay from initialLearningRate to alpha·initialLearningRate over decaySteps, then flat. */
export function cosineDecay(args: {
  initialLearningRate: number;
  decaySteps: number;
  alpha?: number;
}): LearningRateSchedule {
  const op = 'cosineDecay';
  args = optionsObject(op, args, '{initialLearningRate: 0.01, decaySteps: 1000}', [
    'initialLearningRate',
    'decaySteps',
    'alpha',
  ]);
  const lr0 = positive(op, 'initialLearningRate', args.initialLearningRate);
  const steps = positive(op, 'decaySteps', args.decaySteps);
  const alpha = args.alpha ?? 0;
  if (!(typeof alpha === 'number' && alpha >= 0 && alpha <= 1))
    throw new ValueError(`${op}: expected alpha in [0, 1], got ${describe(alpha)}`);
  return {
    className: 'CosineDecay',
    unit: 'step',
    at: (step) => {
      const cosine = 0.5 * (1 + Math.cos((Math.PI * Math.min(step, steps)) / steps));
      return lr0 * ((1 - alpha) * cosine + alpha);
    },
    getConfig: () => ({ initial_learning_rate: lr0, decay_steps: steps, alpha }),
  };
}

/** lr = initialLearningRate · dropRate^floor(epoch / epochsPerDrop) (default: halve every 10 epochs). */
export function stepDecay(args: {
  initialLearningRate: number;
  dropRate?: number;
  epochsPerDrop?: number;
}): LearningRateSchedule {
  const op = 'stepDecay';
  args = optionsObject(op, args, '{initialLearningRate: 0.01}', ['initialLearningRate', 'dropRate', 'epochsPerDrop']);
  const lr0 = positive(op, 'initialLearningRate', args.initialLearningRate);
  const drop = positive(op, 'dropRate', args.dropRate ?? 0.5);
  const every = positive(op, 'epochsPerDrop', args.epochsPerDrop ?? 10);
  return {
    className: 'StepDecay',
    unit: 'epoch',
    at: (epoch) => lr0 * drop ** Math.floor(epoch / every),
    getConfig: () => ({ initial_learning_rate: lr0, drop_rate: drop, epochs_per_drop: every }),
  };
}

/** Whether a value is a learning-rate schedule. */
export function isSchedule(v: unknown): v is LearningRateSchedule {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as LearningRateSchedule).at === 'function' &&
    ((v as LearningRateSchedule).unit === 'step' || (v as LearningRateSchedule).unit === 'epoch')
  );
}
