// Training state in model files (`includeOptimizer`): the loss, metrics and optimizer, and the
// optimizer's per-weight state as weights of group 'optimizer', named as tfjs names them
// (iter, dense_1/kernel/m, ...). Where tfjs has the same optimizer with the same state, the
// standard trainingConfig is written too, so tfjs resumes training from a neurasm file.
import { NeurasmError, ValueError } from '../errors.js';
import { ModelFormatError } from '../io/errors.js';
import type { NeurasmMetadata, TrainingConfig } from '../io/types.js';
import { checkNonNegative, type DecodedWeight, type WeightToEncode } from '../io/weights.js';
import type { CompileArgs, Sequential } from '../models/sequential.js';
import { fromFlat } from '../ops/create.js';
import type { Tensor } from '../ops/tensor.js';
import type { Variable } from '../ops/variable.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { Adagrad, Adam, AdamW, Momentum, RMSprop, SGD } from '../optimizers/optimizers.js';
import { cosineDecay, exponentialDecay, type LearningRateSchedule } from '../optimizers/schedules.js';

type Config = Record<string, unknown>;
type Training = NonNullable<NeurasmMetadata['training']>;

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** neurasm's name for an optimizer (SGD and Momentum share Keras's class name SGD). */
function kindOf(o: Optimizer): string {
  if (o instanceof Momentum) return 'Momentum';
  if (o instanceof AdamW) return 'AdamW';
  if (o instanceof Adam) return 'Adam';
  if (o instanceof RMSprop) return 'RMSprop';
  if (o instanceof Adagrad) return 'Adagrad';
  if (o instanceof SGD) return 'SGD';
  throw new ValueError(`save: cannot save the state of optimizer ${o.className}`);
}

/** Suffixes of the state slots in weight names, per optimizer, in slot order (tfjs's names). */
const SLOT_NAMES: Record<string, string[]> = {
  SGD: [],
  Momentum: ['momentum'],
  Adam: ['m', 'v'],
  AdamW: ['m', 'v'],
  RMSprop: ['rms', 'momentum', 'mg'],
  Adagrad: ['accumulator'],
};

/** State slots whose values cannot be negative, per optimizer: what they are, for messages. */
const NON_NEGATIVE_SLOTS: Record<string, Record<string, string>> = {
  Adam: { v: 'an Adam second moment (v)' },
  AdamW: { v: 'an AdamW second moment (v)' },
  RMSprop: { rms: 'an RMSprop mean square (rms)' },
  Adagrad: { accumulator: 'an Adagrad accumulator' },
};

/**
 * Centered RMSprop divides by sqrt(rms - mg² + ε): rms (a mean of g²) must be at least mg² (the
 * square of a mean of g), up to float32 rounding.
 */
function checkCentered(rms: DecodedWeight, mg: DecodedWeight, epsilon: number, where: string): void {
  for (let i = 0; i < mg.values.length; i++) {
    const [r, m] = [rms.values[i], mg.values[i]];
    if (m * m - r > 1e-5 * r + epsilon) {
      throw new ModelFormatError(
        `${where}: optimizer state "${mg.spec.name}" has ${m} at index ${i} while "${rms.spec.name}" has ${r}; centered RMSprop needs mg² <= rms`,
      );
    }
  }
}

// Losses and metrics tfjs can compile from a trainingConfig.
const TFJS_LOSSES = new Set([
  'mean_squared_error',
  'mean_absolute_error',
  'categorical_crossentropy',
  'sparse_categorical_crossentropy',
  'binary_crossentropy',
]);
const TFJS_METRICS = new Set(['accuracy', 'acc', 'binary_accuracy', 'categorical_accuracy', 'precision', 'mse', 'mae']);

/** tfjs's class name and config for an optimizer whose state tfjs reads the same way, else null. */
function tfjsOptimizer(kind: string, o: Optimizer): { class_name: string; config: Config } | null {
  const learningRate = o.learningRate;
  if (kind === 'SGD') return { class_name: 'SGD', config: { learningRate } };
  if (kind === 'Adam') {
    const a = o as Adam;
    return { class_name: 'Adam', config: { learningRate, beta1: a.beta1, beta2: a.beta2, epsilon: a.epsilon } };
  }
  if (kind === 'RMSprop') {
    const r = o as RMSprop;
    const config = { learningRate, decay: r.rho, momentum: r.momentum, epsilon: r.epsilon, centered: r.centered };
    return { class_name: 'RMSProp', config };
  }
  if (kind === 'Adagrad') {
    const a = o as Adagrad;
    return { class_name: 'Adagrad', config: { learningRate, initialAccumulatorValue: a.initialAccumulatorValue } };
  }
  return null; // Momentum keeps v = -lr·(tfjs's accumulation); AdamW is not in tfjs
}

/** The trainable weights of a model with their file names, in model order. */
function trainableNamed(model: Sequential): Array<{ name: string; variable: Variable }> {
  return model.layers.flatMap((l) =>
    l.namedWeights.filter((w) => w.variable.trainable).map((w) => ({ name: w.name, variable: w.variable })),
  );
}

/** What `save({ includeOptimizer: true })` adds: configs and the state weights. */
export function trainingArtifacts(model: Sequential): {
  trainingConfig: TrainingConfig | undefined;
  training: Training;
  weights: WeightToEncode[];
} {
  const c = model.compiled;
  if (!c) throw new ValueError('save: includeOptimizer needs a compiled model (call compile first)');
  if (c.loss.name === 'custom') {
    throw new ValueError('save: includeOptimizer cannot save a custom loss function; compile with a loss name');
  }
  const o = c.optimizer;
  const kind = kindOf(o);
  const loss = snake(c.loss.name);
  const metrics = c.metricNames.map(snake);
  const names = SLOT_NAMES[kind];
  const { initial } = o.slotSpec;
  const named = trainableNamed(model);
  const weights: WeightToEncode[] = [
    { name: 'iter', shape: [], values: Int32Array.of(o.iterations), group: 'optimizer' },
  ];
  const centeredOff = kind === 'RMSprop' && !(o as RMSprop).centered;
  names.forEach((suffix, k) => {
    if (centeredOff && suffix === 'mg') return; // unused without centering (and tfjs expects it absent)
    for (const { name, variable } of named) {
      const slot = o.getSlots(variable)?.[k];
      const values = slot ? slot.dataSync() : new Float32Array(variable.size).fill(initial);
      weights.push({ name: `${name}/${suffix}`, shape: [...variable.shape], values, group: 'optimizer' });
    }
  });
  const tfjs = tfjsOptimizer(kind, o);
  const compatible = tfjs && TFJS_LOSSES.has(loss) && metrics.every((m) => TFJS_METRICS.has(m));
  return {
    trainingConfig: compatible ? { loss, metrics, optimizer_config: tfjs } : undefined,
    training: { optimizer: { className: kind, config: ownConfig(o) }, loss, metrics },
    weights,
  };
}

/** The optimizer's Keras config, with its schedule (Keras writes it in place of the learning rate). */
function ownConfig(o: Optimizer): Config {
  const config = o.getConfig();
  if (o.schedule) config.learning_rate = { class_name: o.schedule.className, config: o.schedule.getConfig() };
  return config;
}

/** A learning rate: a number, or a Keras schedule {class_name: 'ExponentialDecay' | 'CosineDecay', config}. */
function learningRate(config: Config, at: string): number | LearningRateSchedule {
  const v = config.learning_rate;
  if (typeof v !== 'object' || v === null)
    return number(config, ['learning_rate', 'learningRate', 'lr'], undefined, at);
  const s = v as Config;
  const c = (s.config ?? {}) as Config;
  if (typeof c !== 'object' || c === null) throw new ModelFormatError(`${at}.learning_rate.config: expected an object`);
  const n = (key: string, fallback?: number) => number(c, [key], fallback, `${at}.learning_rate.config`);
  if (s.class_name === 'ExponentialDecay') {
    return exponentialDecay({
      initialLearningRate: n('initial_learning_rate'),
      decaySteps: n('decay_steps'),
      decayRate: n('decay_rate'),
      staircase: c.staircase === true,
    });
  }
  if (s.class_name === 'CosineDecay') {
    return cosineDecay({
      initialLearningRate: n('initial_learning_rate'),
      decaySteps: n('decay_steps'),
      alpha: n('alpha', 0),
    });
  }
  throw new ModelFormatError(
    `${at}.learning_rate: unsupported schedule ${JSON.stringify(s.class_name)}; supported: ExponentialDecay, CosineDecay`,
  );
}

function number(config: Config, keys: string[], fallback: number | undefined, at: string): number {
  for (const k of keys) {
    const v = config[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ModelFormatError(`${at}.${k}: expected a finite number, got ${JSON.stringify(v)}`);
    }
    return v;
  }
  if (fallback === undefined) throw new ModelFormatError(`${at}: missing ${keys[0]}`);
  return fallback;
}

function flag(config: Config, keys: string[]): boolean {
  for (const k of keys) if (typeof config[k] === 'boolean') return config[k] as boolean;
  return false;
}

/** An optimizer from neurasm's or tfjs's / Keras's description; `tfjsMomentum` if its state is tfjs's. */
function makeOptimizer(
  className: string,
  config: Config,
  at: string,
): { optimizer: Optimizer; kind: string; tfjsMomentum: boolean } {
  const eps = (d: number) => number(config, ['epsilon'], d, at);
  try {
    const lr = learningRate(config, at);
    switch (className) {
      case 'SGD': {
        const m = number(config, ['momentum'], 0, at);
        if (m === 0) return { optimizer: new SGD(lr), kind: 'SGD', tfjsMomentum: false };
        return { optimizer: new Momentum(lr, m, flag(config, ['nesterov'])), kind: 'Momentum', tfjsMomentum: false };
      }
      case 'Momentum': {
        const m = number(config, ['momentum'], undefined, at);
        const nesterov = flag(config, ['nesterov', 'useNesterov', 'use_nesterov']);
        return { optimizer: new Momentum(lr, m, nesterov), kind: 'Momentum', tfjsMomentum: !('nesterov' in config) };
      }
      case 'Adam':
      case 'AdamW': {
        if (config.amsgrad === true) throw new ModelFormatError(`${at}: amsgrad is not supported`);
        const b1 = number(config, ['beta_1', 'beta1'], 0.9, at);
        const b2 = number(config, ['beta_2', 'beta2'], 0.999, at);
        if (className === 'Adam')
          return { optimizer: new Adam(lr, b1, b2, eps(1e-7)), kind: 'Adam', tfjsMomentum: false };
        const wd = number(config, ['weight_decay', 'weightDecay'], 0.004, at);
        return { optimizer: new AdamW(lr, wd, b1, b2, eps(1e-7)), kind: 'AdamW', tfjsMomentum: false };
      }
      case 'RMSprop':
      case 'RMSProp': {
        const rho = number(config, ['rho', 'decay'], 0.9, at);
        const m = number(config, ['momentum'], 0, at);
        const rms = new RMSprop(lr, rho, m, eps(1e-7), flag(config, ['centered']));
        return { optimizer: rms, kind: 'RMSprop', tfjsMomentum: false };
      }
      case 'Adagrad': {
        const acc = number(config, ['initial_accumulator_value', 'initialAccumulatorValue'], 0.1, at);
        return { optimizer: new Adagrad(lr, acc, eps(1e-7)), kind: 'Adagrad', tfjsMomentum: false };
      }
    }
  } catch (e) {
    if (e instanceof NeurasmError && !(e instanceof ModelFormatError))
      throw new ModelFormatError(`${at}: ${e.message}`);
    throw e;
  }
  throw new ModelFormatError(
    `${at}: unsupported optimizer class "${className}"; supported: SGD, Momentum, Adam, AdamW, RMSprop, Adagrad (or load with { includeOptimizer: false })`,
  );
}

/** A checked description of what to compile: from neurasm's block, else tfjs's trainingConfig. */
export function readTraining(
  own: unknown,
  standard: unknown,
  where: string,
): { className: string; config: Config; loss: string; metrics: string[] } | null {
  const source = own ?? standard;
  if (source === undefined || source === null) return null;
  const at = own ? `${where}: neurasm.training` : `${where}: trainingConfig`;
  if (typeof source !== 'object' || Array.isArray(source)) throw new ModelFormatError(`${at}: expected an object`);
  const s = source as Config;
  const opt = (own ? s.optimizer : s.optimizer_config) as Config | undefined;
  const className = opt?.className ?? opt?.class_name;
  const config = opt?.config;
  if (typeof className !== 'string' || typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ModelFormatError(`${at}: expected the optimizer as {class_name, config}`);
  }
  for (const key of ['weighted_metrics', 'loss_weights', 'sample_weight_mode']) {
    if (s[key] !== undefined && s[key] !== null) throw new ModelFormatError(`${at}.${key} is not supported`);
  }
  if (typeof s.loss !== 'string') {
    throw new ModelFormatError(
      `${at}.loss: expected one loss name (models with several outputs are not supported), got ${JSON.stringify(s.loss)}`,
    );
  }
  // tfjs writes {} when there are none, and {output: name} per output
  const metrics =
    s.metrics === undefined || s.metrics === null
      ? []
      : Array.isArray(s.metrics)
        ? s.metrics
        : typeof s.metrics === 'object'
          ? Object.values(s.metrics)
          : s.metrics;
  if (!Array.isArray(metrics) || metrics.some((m) => typeof m !== 'string')) {
    throw new ModelFormatError(`${at}.metrics: expected an array of metric names, got ${JSON.stringify(metrics)}`);
  }
  return { className, config: config as Config, loss: s.loss, metrics: metrics as string[] };
}

/**
 * Compiles a loaded model as described and restores the optimizer's state from the 'optimizer'
 * weights (all of them must be present and used). Throws ModelFormatError on any mismatch; on
 * error the caller disposes the model (and with it the optimizer).
 */
export function restoreTraining(
  model: Sequential,
  training: { className: string; config: Config; loss: string; metrics: string[] },
  state: DecodedWeight[],
  where: string,
): void {
  const at = `${where}: training config`;
  const { optimizer, kind, tfjsMomentum } = makeOptimizer(training.className, training.config, `${at} optimizer`);
  try {
    // names from the file: compile checks them
    model.compile({ optimizer, loss: training.loss, metrics: training.metrics } as CompileArgs);
  } catch (e) {
    optimizer.dispose();
    if (e instanceof NeurasmError) throw new ModelFormatError(`${at}: ${e.message}`);
    throw e;
  }
  if (state.length === 0) return; // a training config alone (Keras, or tfjs without state): fresh optimizer
  const byName = new Map(state.map((w) => [w.spec.name, w]));
  const used = new Set<string>();
  const iter = byName.get('iter');
  if (iter) {
    const n = iter.values[0];
    if (iter.values.length !== 1 || !Number.isInteger(n) || n < 0) {
      throw new ModelFormatError(`${where}: optimizer weight "iter" must be one non-negative integer`);
    }
    optimizer.iterations = n;
    used.add('iter');
  }
  const names = SLOT_NAMES[kind];
  const centeredOff = kind === 'RMSprop' && !(optimizer as RMSprop).centered;
  const { initial } = optimizer.slotSpec;
  for (const { name, variable } of trainableNamed(model)) {
    const slots: Tensor[] = [];
    try {
      names.forEach((suffix) => {
        const key = `${name}/${suffix}`;
        const w = byName.get(key);
        if (!w) {
          if (centeredOff && suffix === 'mg') {
            slots.push(fromFlat(variable.shape, 'float32', new Float32Array(variable.size).fill(initial)));
            return;
          }
          throw new ModelFormatError(`${where}: optimizer state "${key}" is missing from the manifest`);
        }
        if (
          w.spec.dtype !== 'float32' ||
          w.values.length !== variable.size ||
          w.spec.shape.some((d, i) => d !== variable.shape[i]) ||
          w.spec.shape.length !== variable.rank
        ) {
          throw new ModelFormatError(
            `${where}: optimizer state "${key}" has shape [${w.spec.shape.join(', ')}], the weight [${variable.shape.join(', ')}]`,
          );
        }
        const what = NON_NEGATIVE_SLOTS[kind]?.[suffix];
        if (what) checkNonNegative(w.values, key, what, where);
        const rms = byName.get(`${name}/rms`);
        if (suffix === 'mg' && !centeredOff && rms) checkCentered(rms, w, (optimizer as RMSprop).epsilon, where);
        // tfjs's momentum accumulates g; Keras's (neurasm's) v accumulates -lr·g
        const values = tfjsMomentum ? w.values.map((a) => -optimizer.learningRate * a) : w.values;
        slots.push(fromFlat(variable.shape, 'float32', values));
        used.add(key);
      });
      optimizer.setSlots(variable, slots);
    } finally {
      for (const t of slots) t.dispose();
    }
  }
  const unused = state.map((w) => w.spec.name).filter((n) => !used.has(n));
  if (unused.length) {
    throw new ModelFormatError(
      `${where}: optimizer weights with no use in a ${kind} optimizer: ${unused.slice(0, 5).join(', ')}`,
    );
  }
}
