import { ValueError } from '../errors.js';
import { describe } from '../ops/validate.js';
import type { LossSpec } from './losses.js';

/**
 * A metric accumulated over an epoch, as Keras's stateful metrics: `update` with each batch's labels
 * and predictions (probabilities), `result` at any time, `reset` between epochs.
 */
export interface Metric {
  /** The key in fit's logs and history (the name the user gave, e.g. 'accuracy' or 'acc'). */
  readonly key: string;
  reset(): void;
  /**
   * Adds a batch: its first `rows` rows. `labels` holds class indices (sparse) or rows of targets;
   * `preds` holds rows of `width` predictions; both are live views valid for this call, and may hold
   * more rows than the batch (fit passes views of its whole buffers).
   */
  update(labels: ArrayLike<number>, preds: ArrayLike<number>, rows: number, width: number): void;
  result(): number;
}

type Kind =
  | 'binaryAccuracy'
  | 'categoricalAccuracy'
  | 'sparseCategoricalAccuracy'
  | 'precision'
  | 'recall'
  | 'mse'
  | 'mae';

const ALIASES: Record<string, Kind | 'accuracy'> = {
  accuracy: 'accuracy',
  acc: 'accuracy',
  binaryaccuracy: 'binaryAccuracy',
  categoricalaccuracy: 'categoricalAccuracy',
  sparsecategoricalaccuracy: 'sparseCategoricalAccuracy',
  precision: 'precision',
  recall: 'recall',
  mse: 'mse',
  meansquarederror: 'mse',
  mae: 'mae',
  meanabsoluteerror: 'mae',
};

/** What `compile({ metrics })` accepts: tfjs camelCase, Keras snake_case, or Keras's short names. */
export type MetricIdentifier =
  | 'accuracy'
  | 'acc'
  | 'binaryAccuracy'
  | 'binary_accuracy'
  | 'categoricalAccuracy'
  | 'categorical_accuracy'
  | 'sparseCategoricalAccuracy'
  | 'sparse_categorical_accuracy'
  | 'precision'
  | 'recall'
  | 'mse'
  | 'meanSquaredError'
  | 'mean_squared_error'
  | 'mae'
  | 'meanAbsoluteError'
  | 'mean_absolute_error';

/** Names `compile({ metrics })` accepts. */
export const metricNames = [
  'accuracy',
  'binaryAccuracy',
  'categoricalAccuracy',
  'sparseCategoricalAccuracy',
  'precision',
  'recall',
  'mse',
  'mae',
];

function argmaxRow(v: ArrayLike<number>, offset: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if (v[offset + j] > v[offset + best]) best = j;
  return best;
}

function ratio(
  key: string,
  count: (labels: ArrayLike<number>, preds: ArrayLike<number>, rows: number, width: number) => [number, number],
): Metric {
  let num = 0;
  let den = 0;
  return {
    key,
    reset() {
      num = 0;
      den = 0;
    },
    update(labels, preds, rows, width) {
      const [a, b] = count(labels, preds, rows, width);
      num += a;
      den += b;
    },
    result: () => (den === 0 ? 0 : num / den),
  };
}

function make(kind: Kind, key: string): Metric {
  switch (kind) {
    case 'sparseCategoricalAccuracy':
      return ratio(key, (labels, preds, rows, width) => {
        let hit = 0;
        for (let r = 0; r < rows; r++) if (argmaxRow(preds, r * width, width) === labels[r]) hit++;
        return [hit, rows];
      });
    case 'categoricalAccuracy':
      return ratio(key, (labels, preds, rows, width) => {
        let hit = 0;
        for (let r = 0; r < rows; r++)
          if (argmaxRow(preds, r * width, width) === argmaxRow(labels, r * width, width)) hit++;
        return [hit, rows];
      });
    case 'binaryAccuracy':
      return ratio(key, (labels, preds, rows, width) => {
        let hit = 0;
        const n = rows * width;
        for (let i = 0; i < n; i++) if (preds[i] > 0.5 === labels[i] > 0.5) hit++;
        return [hit, n];
      });
    case 'precision':
    case 'recall':
      return ratio(key, (labels, preds, rows, width) => {
        let tp = 0;
        let other = 0;
        for (let i = 0; i < rows * width; i++) {
          const p = preds[i] > 0.5;
          const t = labels[i] > 0.5;
          if (p && t) tp++;
          else if (kind === 'precision' ? p && !t : !p && t) other++;
        }
        return [tp, tp + other];
      });
    case 'mse':
    case 'mae':
      return ratio(key, (labels, preds, rows, width) => {
        let s = 0;
        for (let i = 0; i < rows * width; i++) {
          const d = preds[i] - labels[i];
          s += kind === 'mse' ? d * d : Math.abs(d);
        }
        return [s / width, rows];
      });
  }
}

/**
 * Resolves `compile({ metrics })`. 'accuracy' is matched to the loss as Keras does: sparse labels →
 * sparse categorical accuracy, one output → binary accuracy, else categorical accuracy.
 */
export function getMetrics(what: unknown, loss: LossSpec, outputWidth: number): Metric[] {
  if (what === undefined || what === null) return [];
  const list = Array.isArray(what) ? what : [what];
  const keys = new Set<string>();
  return list.map((m) => {
    const alias = typeof m === 'string' ? m.replace(/_/g, '').toLowerCase() : '';
    const kind = Object.hasOwn(ALIASES, alias) ? ALIASES[alias] : undefined;
    if (!kind) {
      throw new ValueError(`compile: unknown metric ${describe(m)}; expected one of ${metricNames.join(', ')}`);
    }
    const key = m as string;
    if (keys.has(key)) throw new ValueError(`compile: metric "${key}" is listed twice`);
    keys.add(key);
    if (kind !== 'accuracy') {
      if (
        loss.sparseLabels !== (kind === 'sparseCategoricalAccuracy') &&
        (kind.endsWith('Accuracy') || loss.sparseLabels)
      ) {
        throw new ValueError(`compile: metric "${key}" does not fit the labels of loss ${loss.name}`);
      }
      return make(kind, key);
    }
    if (loss.sparseLabels) return make('sparseCategoricalAccuracy', key);
    return make(outputWidth === 1 ? 'binaryAccuracy' : 'categoricalAccuracy', key);
  });
}
