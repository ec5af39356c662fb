import { ValueError } from '../errors.js';
import type { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';

/** Numbers fit reports: loss, metrics and their val_ versions. */
export type Logs = Record<string, number>;

/** Formats logs as Keras prints them: `loss: 0.1234 - accuracy: 0.9650 - ...`. */
export function formatLogs(logs: Logs): string {
  return Object.entries(logs)
    .map(([k, v]) => `${k}: ${v.toFixed(4)}`)
    .join(' - ');
}

/**
 * The value logged under `key`, where tfjs's `acc` and Keras's `accuracy` name the same metric (fit
 * logs a metric under the name compile was given): `val_acc` finds `val_accuracy` and the reverse.
 */
export function logValue(logs: Logs | undefined, key: string): number | undefined {
  if (!logs) return undefined;
  if (logs[key] !== undefined) return logs[key];
  const m = /^(val_)?(acc|accuracy)$/.exec(key);
  if (!m) return undefined;
  return logs[`${m[1] ?? ''}${m[2] === 'acc' ? 'accuracy' : 'acc'}`];
}

/** What a callback may do with the model being trained. */
export interface TrainingModel {
  /** Set true to end training after the current batch. */
  stopTraining: boolean;
  getWeights(): Tensor[];
  setWeights(weights: Tensor[]): void;
  readonly optimizer: { learningRate: number } | null;
  save(target: never, config?: never): Promise<unknown>;
}

/** Callbacks as in TensorFlow.js; any of them may be async. */
export interface CustomCallbackArgs {
  /** Called once before training with the model, so the callback can stop it or read its weights. */
  setModel?: (model: TrainingModel) => void;
  onTrainBegin?: (logs?: Logs) => void | Promise<void>;
  onTrainEnd?: (logs?: Logs) => void | Promise<void>;
  onEpochBegin?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onBatchBegin?: (batch: number, logs?: Logs) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs?: Logs) => void | Promise<void>;
}

/** What fit returns: the epochs run and every logged value per epoch. */
export class History {
  /** Epoch indices (0-based, from initialEpoch). */
  readonly epoch: number[] = [];
  /** Each log key's values, one per epoch. */
  readonly history: Record<string, number[]> = {};
  /** The fit arguments this history belongs to. */
  readonly params: Record<string, unknown>;

  constructor(params: Record<string, unknown>) {
    this.params = params;
  }

  /** Adds one epoch's logs. */
  record(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) {
      this.history[k] ??= [];
      this.history[k].push(v);
    }
  }
}

/** The hooks of a training callback, in the order fit calls them per epoch and batch. */
export const CALLBACK_HOOKS = [
  'onTrainBegin',
  'onTrainEnd',
  'onEpochBegin',
  'onEpochEnd',
  'onBatchBegin',
  'onBatchEnd',
] as const;

const HOOKS = ['setModel', ...CALLBACK_HOOKS] as const;

/** Calls a list of callbacks in order, awaiting the async ones. */
export class CallbackList {
  private readonly list: CustomCallbackArgs[];

  constructor(callbacks: unknown, model?: TrainingModel) {
    const list =
      callbacks === undefined || callbacks === null ? [] : Array.isArray(callbacks) ? callbacks : [callbacks];
    list.forEach((c, i) => {
      if (c === null || typeof c !== 'object') {
        throw new ValueError(`fit: expected callbacks[${i}] to be an object of hooks, got ${describe(c)}`);
      }
      for (const hook of HOOKS) {
        const f = (c as Record<string, unknown>)[hook];
        if (f !== undefined && typeof f !== 'function') {
          throw new ValueError(`fit: callbacks[${i}].${hook} must be a function, got ${describe(f)}`);
        }
      }
    });
    this.list = list as CustomCallbackArgs[];
    if (model) for (const c of this.list) c.setModel?.(model);
  }

  /** Whether a callback asks fit to stop, instead of failing, when the loss is not a number. */
  get stopsOnNaN(): boolean {
    return this.list.some((c) => (c as { stopsOnNaN?: boolean }).stopsOnNaN === true);
  }

  /** Whether any callback has a batch-level hook (so fit computes batch logs only when needed). */
  get wantsBatchLogs(): boolean {
    return this.list.some((c) => c.onBatchBegin || c.onBatchEnd);
  }

  async trainBegin(logs?: Logs): Promise<void> {
    for (const c of this.list) await c.onTrainBegin?.(logs);
  }
  async trainEnd(logs?: Logs): Promise<void> {
    for (const c of this.list) await c.onTrainEnd?.(logs);
  }
  async epochBegin(epoch: number, logs?: Logs): Promise<void> {
    for (const c of this.list) await c.onEpochBegin?.(epoch, logs);
  }
  async epochEnd(epoch: number, logs?: Logs): Promise<void> {
    for (const c of this.list) await c.onEpochEnd?.(epoch, logs);
  }
  async batchBegin(batch: number, logs?: Logs): Promise<void> {
    for (const c of this.list) await c.onBatchBegin?.(batch, logs);
  }
  async batchEnd(batch: number, logs?: Logs): Promise<void> {
    for (const c of this.list) await c.onBatchEnd?.(batch, logs);
  }
}
