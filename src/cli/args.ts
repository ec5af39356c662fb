import { datasetNames } from '../datasets/index.js';

/** What `npm start` was asked to do. */
export interface CliOptions {
  /** A built-in data set name or a path to a CSV file. */
  data: string;
  /** The label column of a CSV file: a header name or a 0-based index (negative from the end); null for the last. */
  label: string | number | null;
  /** Passes over the training data; null for the data set's default (50, or 10 for spam). */
  epochs: number | null;
  batchSize: number;
  hidden: number[];
  lr: number;
  seed: number;
  /** Fraction held out for the final test; null for the default (0.25, or 0.2 for spam). */
  testSize: number | null;
  /** Fraction of the training part held out for val_ metrics; 0 turns validation off. */
  validationSplit: number;
  /** Folds of a stratified cross-validation to run instead of the single split, or null. */
  kfold: number | null;
  /** Test examples to explain after training (0: none). */
  explain: number;
  /** `--help` was asked for: print the usage and exit 0. */
  help: boolean;
}

/** Usage text. */
export const USAGE = `Usage: npm start -- [options]
  --data NAME|FILE.csv   ${datasetNames.join('|')} or a CSV file of numeric features and a label column:
                         class names or integer classes; a header row is detected (default digits);
                         or spam: a text classifier trained on the SpamAssassin emails (from the
                         repository's datasets/ folder), reporting spam precision and recall
  --label COLUMN         the CSV's label column, by header name or 0-based index (default the last)
  --epochs N             passes over the training data (default 50; 10 for spam)
  --batch-size N         examples per step (default 32)
  --hidden A,B,...       hidden layer widths (default 64,64; not for spam)
  --lr X                 Adam learning rate (default 0.001)
  --seed N               seed of weights, split and shuffling (default 42)
  --test-size X          fraction held out for the final test (default 0.25; 0.2 for spam)
  --validation-split X   fraction of the training part used for val_ metrics, 0 for none (default 0.1)
  --kfold N              stratified N-fold cross-validation (N >= 2) instead of one split: reports each
                         fold's held-out accuracy and the mean ± std (features standardized per fold,
                         every fold trained on its whole training part; --test-size and
                         --validation-split do not apply)
  --explain N            after training, explain N test examples (integrated gradients: the features
                         that moved the prediction most) and print a rule list distilled from the
                         network with its fidelity on the test examples (not for spam or --kfold)
  --help, -h             this text`;

/** Raised for a bad command line; main prints it with the usage text. */
export class UsageError extends Error {}

/** The number a flag's text holds; NaN for blank text (which `Number` would read as 0). */
function toNumber(v: string): number {
  return v.trim() === '' ? Number.NaN : Number(v);
}

function positiveInt(flag: string, v: string): number {
  const n = toNumber(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag}: expected a positive integer, got "${v}"`);
  return n;
}

/** A number in (0, 1), or in [0, 1) when `zero` may be given. */
function fraction(flag: string, v: string, zero = false): number {
  const n = toNumber(v);
  if (!((zero ? n >= 0 : n > 0) && n < 1)) {
    const range = zero ? 'from 0 (none) up to 1' : 'between 0 and 1';
    throw new UsageError(`${flag}: expected a number ${range}, got "${v}"`);
  }
  return n;
}

/** Comma-separated layer widths, each a positive integer: `64,32`. */
function widths(flag: string, v: string): number[] {
  if (v.trim() === '') throw new UsageError(`${flag}: expected comma-separated layer widths such as 64,64, got ""`);
  return v.split(',').map((s) => {
    if (s.trim() === '')
      throw new UsageError(`${flag}: expected comma-separated layer widths such as 64,64, got "${v}" (an empty width)`);
    return positiveInt(flag, s.trim());
  });
}

/** A column index when the text is an integer, else a column name. */
function column(v: string): string | number {
  return /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
}

/** Parses `--flag value` and `--flag=value` pairs. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = {
    data: 'digits',
    label: null,
    epochs: null,
    batchSize: 32,
    hidden: [64, 64],
    lr: 0.001,
    seed: 42,
    testSize: null,
    validationSplit: 0.1,
    kfold: null,
    explain: 0,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag}: expected a value`);
      return v;
    };
    switch (flag) {
      case '--data':
        options.data = value();
        break;
      case '--label': {
        const v = value();
        if (v.trim() === '') throw new UsageError('--label: expected a column name or index, got ""');
        options.label = column(v);
        break;
      }
      case '--epochs':
        options.epochs = positiveInt(flag, value());
        break;
      case '--batch-size':
        options.batchSize = positiveInt(flag, value());
        break;
      case '--hidden':
        options.hidden = widths(flag, value());
        break;
      case '--lr': {
        const v = value();
        options.lr = toNumber(v);
        if (!(options.lr > 0 && Number.isFinite(options.lr)))
          throw new UsageError(`--lr: expected a positive number, got "${v}"`);
        break;
      }
      case '--seed': {
        const v = value();
        options.seed = toNumber(v);
        if (!Number.isInteger(options.seed)) throw new UsageError(`--seed: expected an integer, got "${v}"`);
        break;
      }
      case '--test-size':
        options.testSize = fraction(flag, value());
        break;
      case '--validation-split':
        options.validationSplit = fraction(flag, value(), true);
        break;
      case '--kfold': {
        const v = value();
        options.kfold = toNumber(v);
        if (!Number.isInteger(options.kfold) || options.kfold < 2) {
          throw new UsageError(`--kfold: expected an integer >= 2 (the number of folds), got "${v}"`);
        }
        break;
      }
      case '--explain':
        options.explain = positiveInt(flag, value());
        break;
      case '--help':
      case '-h':
        return { ...options, help: true };
      default:
        throw new UsageError(`unknown option "${argv[i]}"`);
    }
  }
  return options;
}
