import { ValueError } from '../errors.js';
import { checkBooleanOption, checkStringOption, optionsObject } from '../ops/options.js';
import type { Tensor } from '../ops/tensor.js';
import { checkNumber, describe } from '../ops/validate.js';
import { isSchedule, type LearningRateSchedule } from '../optimizers/schedules.js';
import { type CustomCallbackArgs, type Logs, logValue, type TrainingModel } from './callbacks.js';

/** Base of the built-in callbacks: holds the model fit hands over. */
export abstract class Callback implements CustomCallbackArgs {
  protected model: TrainingModel | null = null;

  setModel(model: TrainingModel): void {
    this.model = model;
  }

  protected get trained(): TrainingModel {
    if (!this.model) throw new ValueError(`${this.constructor.name}: used outside fit`);
    return this.model;
  }
}

type Mode = 'auto' | 'min' | 'max';

function checkMode(op: string, mode: unknown): Mode {
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max') {
    throw new ValueError(`${op}: expected mode 'auto', 'min' or 'max', got ${describe(mode)}`);
  }
  return mode;
}

/** Whether larger is better for a monitored key: Keras's 'auto' mode. */
function maximizes(monitor: string, mode: Mode): boolean {
  if (mode !== 'auto') return mode === 'max';
  return /acc|auc|precision|recall/.test(monitor);
}

/** The monitored value of an epoch's logs; a key fit does not produce is an error listing the keys. */
function monitored(op: string, monitor: string, logs: Logs | undefined): number {
  const v = logValue(logs, monitor);
  if (v === undefined) {
    const keys = Object.keys(logs ?? {}).join(', ');
    throw new ValueError(
      `${op}: fit does not log "${monitor}"; available keys: ${keys || '(none)'}${monitor.startsWith('val_') ? ' (val_ keys need validationData or validationSplit)' : ''}`,
    );
  }
  return v;
}

function checkNonNegative(op: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new ValueError(`${op}: expected ${arg} to be a number >= 0, got ${describe(v)}`);
  }
  return v;
}

/** A count of epochs: an integer >= 0. */
function checkEpochs(op: string, arg: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 0) {
    throw new ValueError(`${op}: expected ${arg} to be a whole number of epochs >= 0, got ${describe(v)}`);
  }
  return v as number;
}

/** Checks the options every monitoring callback takes: an options object, with `monitor` a non-empty string. */
function monitorOptions<T extends { monitor?: string }>(op: string, args: T | undefined, known: string[]): T {
  const options = optionsObject(op, args, "{monitor: 'val_loss'}", ['monitor', 'mode', ...known]);
  checkStringOption(op, options, 'monitor');
  return options;
}

/** Options of `earlyStopping`, as in Keras. */
export interface EarlyStoppingArgs {
  monitor?: string;
  minDelta?: number;
  patience?: number;
  mode?: Mode;
  baseline?: number;
  restoreBestWeights?: boolean;
  startFromEpoch?: number;
}

/** Stops training when the monitored value stops improving (Keras 3 semantics). */
export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly patience: number;
  readonly restoreBestWeights: boolean;
  /** The epoch training stopped at (0 when it ran to the end). */
  stoppedEpoch = 0;
  /** The epoch with the best monitored value. */
  bestEpoch = 0;
  private readonly minDelta: number;
  private readonly max: boolean;
  private readonly baseline: number | undefined;
  private readonly startFromEpoch: number;
  private wait = 0;
  private best: number | null = null;
  private bestWeights: Tensor[] | null = null;

  constructor(options?: EarlyStoppingArgs) {
    super();
    const op = 'earlyStopping';
    const args = monitorOptions(op, options, [
      'minDelta',
      'patience',
      'baseline',
      'restoreBestWeights',
      'startFromEpoch',
      'verbose',
    ]);
    checkBooleanOption(op, args, 'restoreBestWeights');
    if (args.baseline !== undefined && args.baseline !== null) checkNumber(op, 'baseline', args.baseline);
    this.monitor = args.monitor ?? 'val_loss';
    this.minDelta = Math.abs(checkNonNegative(op, 'minDelta', args.minDelta ?? 0));
    this.patience = checkEpochs(op, 'patience', args.patience ?? 0);
    this.max = maximizes(this.monitor, checkMode(op, args.mode ?? 'auto'));
    this.baseline = args.baseline ?? undefined;
    this.restoreBestWeights = args.restoreBestWeights ?? false;
    this.startFromEpoch = checkEpochs(op, 'startFromEpoch', args.startFromEpoch ?? 0);
  }

  private improves(value: number, reference: number | null | undefined): boolean {
    if (reference === null || reference === undefined) return true;
    return this.max ? value - this.minDelta > reference : value + this.minDelta < reference;
  }

  private keepWeights(): void {
    for (const t of this.bestWeights ?? []) t.dispose();
    this.bestWeights = this.trained.getWeights();
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = null;
    this.bestEpoch = 0;
    for (const t of this.bestWeights ?? []) t.dispose();
    this.bestWeights = null;
  }

  onEpochEnd(epoch: number, logs?: Logs): void {
    const current = monitored('earlyStopping', this.monitor, logs);
    if (epoch < this.startFromEpoch) return;
    if (this.restoreBestWeights && !this.bestWeights) this.keepWeights();
    this.wait++;
    if (this.improves(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.keepWeights();
      if (this.baseline === undefined || this.improves(current, this.baseline)) {
        this.wait = 0;
        return;
      }
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.trained.stopTraining = true;
    }
  }

  onTrainEnd(): void {
    if (this.restoreBestWeights && this.bestWeights) {
      this.trained.setWeights(this.bestWeights);
      for (const t of this.bestWeights) t.dispose();
      this.bestWeights = null;
    }
  }
}

/** Options of `reduceLROnPlateau`, as in Keras. */
export interface ReduceLROnPlateauArgs {
  monitor?: string;
  factor?: number;
  patience?: number;
  mode?: Mode;
  minDelta?: number;
  cooldown?: number;
  minLr?: number;
}

/** Multiplies the learning rate by `factor` when the monitored value stops improving (Keras 3). */
export class ReduceLROnPlateau extends Callback {
  readonly monitor: string;
  private readonly factor: number;
  private readonly patience: number;
  private readonly max: boolean;
  private readonly minDelta: number;
  private readonly cooldown: number;
  private readonly minLr: number;
  private wait = 0;
  private cooldownCounter = 0;
  private best = Number.POSITIVE_INFINITY;

  constructor(options?: ReduceLROnPlateauArgs) {
    super();
    const op = 'reduceLROnPlateau';
    const args = monitorOptions(op, options, ['factor', 'patience', 'minDelta', 'cooldown', 'minLr', 'verbose']);
    this.monitor = args.monitor ?? 'val_loss';
    this.factor = args.factor ?? 0.1;
    if (!(typeof this.factor === 'number' && this.factor > 0 && this.factor < 1)) {
      throw new ValueError(`${op}: expected factor in (0, 1), got ${describe(args.factor)}`);
    }
    this.patience = checkEpochs(op, 'patience', args.patience ?? 10);
    this.max = maximizes(this.monitor, checkMode(op, args.mode ?? 'auto'));
    this.minDelta = checkNonNegative(op, 'minDelta', args.minDelta ?? 1e-4);
    this.cooldown = checkEpochs(op, 'cooldown', args.cooldown ?? 0);
    this.minLr = checkNonNegative(op, 'minLr', args.minLr ?? 0);
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.cooldownCounter = 0;
    this.best = this.max ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }

  onEpochEnd(_epoch: number, logs?: Logs): void {
    const optimizer = this.trained.optimizer;
    if (!optimizer) return;
    const current = monitored('reduceLROnPlateau', this.monitor, logs);
    if (logs) logs.learning_rate = optimizer.learningRate;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.wait = 0;
    }
    const better = this.max ? current > this.best + this.minDelta : current < this.best - this.minDelta;
    if (better) {
      this.best = current;
      this.wait = 0;
    } else if (this.cooldownCounter <= 0) {
      this.wait++;
      if (this.wait >= this.patience && optimizer.learningRate > this.minLr) {
        optimizer.learningRate = Math.max(optimizer.learningRate * this.factor, this.minLr);
        this.cooldownCounter = this.cooldown;
        this.wait = 0;
      }
    }
  }
}

/** Stops training at the first epoch whose monitored value (default 'loss') is below `threshold`. */
export class LossThreshold extends Callback {
  readonly threshold: number;
  readonly monitor: string;
  /** The epoch training stopped at, or -1. */
  stoppedEpoch = -1;

  constructor(options: { threshold: number; monitor?: string }) {
    super();
    const args = optionsObject('lossThreshold', options, '{threshold: 0.05}', ['threshold', 'monitor']);
    checkStringOption('lossThreshold', args, 'monitor');
    if (typeof args.threshold !== 'number' || !Number.isFinite(args.threshold)) {
      throw new ValueError(`lossThreshold: expected threshold to be a finite number, got ${describe(args.threshold)}`);
    }
    this.threshold = args.threshold;
    this.monitor = args.monitor ?? 'loss';
  }

  onEpochEnd(epoch: number, logs?: Logs): void {
    if (monitored('lossThreshold', this.monitor, logs) < this.threshold) {
      this.stoppedEpoch = epoch;
      this.trained.stopTraining = true;
    }
  }
}

/** Ends training (without an error) when a batch's loss is NaN or infinite. */
export class TerminateOnNaN extends Callback {
  /** Read by fit: stop instead of throwing a DivergenceError. */
  readonly stopsOnNaN = true;
}

/** Sets the learning rate at the start of each epoch (or step, for a per-step schedule). */
export class LearningRateScheduler extends Callback {
  private readonly schedule: LearningRateSchedule | ((epoch: number, lr: number) => number);

  constructor(schedule: LearningRateSchedule | ((epoch: number, lr: number) => number)) {
    super();
    if (typeof schedule !== 'function' && !isSchedule(schedule)) {
      throw new ValueError(
        `learningRateScheduler: expected a function (epoch, lr) => lr or a schedule, got ${describe(schedule)}`,
      );
    }
    this.schedule = schedule;
  }

  private set(lr: number, when: string): void {
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) {
      throw new ValueError(
        `learningRateScheduler: the schedule returned ${describe(lr)} at ${when}; expected a number > 0`,
      );
    }
    this.trained.optimizer!.learningRate = lr;
  }

  onEpochBegin(epoch: number): void {
    const optimizer = this.trained.optimizer;
    if (!optimizer) return;
    if (typeof this.schedule === 'function') this.set(this.schedule(epoch, optimizer.learningRate), `epoch ${epoch}`);
    else if (this.schedule.unit === 'epoch') this.set(this.schedule.at(epoch), `epoch ${epoch}`);
  }

  onBatchBegin(): void {
    const optimizer = this.trained.optimizer as { learningRate: number; iterations?: number } | null;
    if (!optimizer || typeof this.schedule === 'function' || this.schedule.unit !== 'step') return;
    this.set(this.schedule.at(optimizer.iterations ?? 0), `step ${optimizer.iterations}`);
  }
}

/** Options of `modelCheckpoint`. */
export interface ModelCheckpointArgs {
  monitor?: string;
  saveBestOnly?: boolean;
  mode?: Mode;
  /** Passed to model.save (e.g. { includeOptimizer: true }). */
  saveConfig?: Record<string, unknown>;
}

/**
 * Saves the model after each epoch (or only when the monitored value improved) to a save target;
 * `{epoch}` in a string target is replaced by the 1-based epoch, `{name}` by a log value.
 */
export class ModelCheckpoint extends Callback {
  readonly target: unknown;
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  /** Epochs (0-based) at which the model was saved. */
  readonly savedEpochs: number[] = [];
  private readonly max: boolean;
  private readonly saveConfig: Record<string, unknown> | undefined;
  private best: number | null = null;

  constructor(target: unknown, options?: ModelCheckpointArgs) {
    super();
    const op = 'modelCheckpoint';
    if (target === undefined || target === null) throw new ValueError(`${op}: expected a save target`);
    const args = monitorOptions(op, options, ['saveBestOnly', 'saveConfig']);
    checkBooleanOption(op, args, 'saveBestOnly');
    if (args.saveConfig !== undefined) optionsObject(`${op} saveConfig`, args.saveConfig, '{includeOptimizer: true}');
    this.target = target;
    this.monitor = args.monitor ?? 'val_loss';
    this.saveBestOnly = args.saveBestOnly ?? false;
    this.max = maximizes(this.monitor, checkMode(op, args.mode ?? 'auto'));
    this.saveConfig = args.saveConfig;
  }

  onTrainBegin(): void {
    this.best = null;
  }

  async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    if (this.saveBestOnly) {
      const current = monitored('modelCheckpoint', this.monitor, logs);
      const better = this.best === null || (this.max ? current > this.best : current < this.best);
      if (!better) return;
      this.best = current;
    }
    const target =
      typeof this.target === 'string'
        ? this.target.replace(/\{(\w+)(?::[^}]*)?\}/g, (m, key: string) => {
            const value = key === 'epoch' ? epoch + 1 : logValue(logs, key);
            return value !== undefined ? String(value) : m;
          })
        : this.target;
    await this.trained.save(target as never, this.saveConfig as never);
    this.savedEpochs.push(epoch);
  }
}

/** Writes each epoch's logs as a CSV row to a file (Node); the file is replaced whole each time. */
export class CsvLogger extends Callback {
  readonly path: string;
  private readonly separator: string;
  private readonly append: boolean;
  private lines: string[] = [];
  private keys: string[] | null = null;

  constructor(path: string, options?: { separator?: string; append?: boolean }) {
    super();
    if (typeof path !== 'string' || path.length === 0) {
      throw new ValueError(`csvLogger: expected a file path, got ${describe(path)}`);
    }
    const args = optionsObject('csvLogger', options, "{separator: ';', append: true}", ['separator', 'append']);
    checkStringOption('csvLogger', args, 'separator');
    checkBooleanOption('csvLogger', args, 'append');
    this.path = path;
    this.separator = args.separator ?? ',';
    this.append = args.append ?? false;
  }

  private async fs() {
    const name = 'node:fs/promises';
    return (await import(/* @vite-ignore */ name)) as typeof import('node:fs/promises');
  }

  async onTrainBegin(): Promise<void> {
    this.lines = [];
    this.keys = null;
    if (!this.append) return;
    const fs = await this.fs();
    const existing = await fs.readFile(this.path, 'utf8').catch(() => '');
    this.lines = existing.split('\n').filter((l) => l.length > 0);
    if (this.lines.length > 0) this.keys = this.lines[0].split(this.separator).slice(1);
  }

  async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    const values = logs ?? {};
    if (!this.keys) {
      this.keys = Object.keys(values).sort();
      this.lines.push(['epoch', ...this.keys].join(this.separator));
    }
    this.lines.push([String(epoch), ...this.keys.map((k) => String(values[k] ?? ''))].join(this.separator));
    const fs = await this.fs();
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      await fs.writeFile(tmp, `${this.lines.join('\n')}\n`);
      await fs.rename(tmp, this.path);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw new ValueError(`csvLogger: cannot write "${this.path}": ${(e as Error).message}`);
    }
  }
}

/** Built-in callbacks, as `tf.callbacks` / `keras.callbacks`. */
export const callbacks = {
  earlyStopping: (args?: EarlyStoppingArgs) => new EarlyStopping(args),
  reduceLROnPlateau: (args?: ReduceLROnPlateauArgs) => new ReduceLROnPlateau(args),
  lossThreshold: (args: { threshold: number; monitor?: string }) => new LossThreshold(args),
  terminateOnNaN: () => new TerminateOnNaN(),
  learningRateScheduler: (schedule: LearningRateSchedule | ((epoch: number, lr: number) => number)) =>
    new LearningRateScheduler(schedule),
  modelCheckpoint: (target: unknown, args?: ModelCheckpointArgs) => new ModelCheckpoint(target, args),
  csvLogger: (path: string, args?: { separator?: string; append?: boolean }) => new CsvLogger(path, args),
};
