import { datasetNames } from '../datasets/index.js';

/** What `npm start` was asked to do. */
export interface CliOptions {
  /** A built-in data set name or a path to a CSV file (header row, last column the label). */
  data: string;
  epochs: number;
  batchSize: number;
  hidden: number[];
  lr: number;
  seed: number;
  testSize: number;
  validationSplit: number;
  /** Folds of a stratified cross-validation to run instead of the single split, or null. */
  kfold: number | null;
}

/** Usage text. */
export const USAGE = `Usage: npm start -- [options]
  --data NAME|FILE.csv   ${datasetNames.join('|')} or a CSV with a header, last column the label (default digits)
  --epochs N             passes over the training data (default 50)
  --batch-size N         examples per step (default 32)
  --hidden A,B,...       hidden layer widths (default 64,64)
  --lr X                 Adam learning rate (default 0.001)
  --seed N               seed of weights, split and shuffling (default 42)
  --test-size X          fraction held out for the final test (default 0.25)
  --validation-split X   fraction of the training part used for val_ metrics (default 0.1)
  --kfold N              stratified N-fold cross-validation (N >= 2) instead of one split: reports each
                         fold's held-out accuracy and the mean ± std (features standardized per fold,
                         every fold trained on its whole training part; --test-size and
                         --validation-split do not apply)`;

/** Raised for a bad command line; main prints it with the usage text. */
export class UsageError extends Error {}

function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag}: expected a positive integer, got "${v}"`);
  return n;
}

function fraction(flag: string, v: string): number {
  const n = Number(v);
  if (!(n > 0 && n < 1)) throw new UsageError(`${flag}: expected a number between 0 and 1, got "${v}"`);
  return n;
}

/** Parses `--flag value` and `--flag=value` pairs. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = {
    data: 'digits',
    epochs: 50,
    batchSize: 32,
    hidden: [64, 64],
    lr: 0.001,
    seed: 42,
    testSize: 0.25,
    validationSplit: 0.1,
    kfold: null,
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
      case '--epochs':
        options.epochs = positiveInt(flag, value());
        break;
      case '--batch-size':
        options.batchSize = positiveInt(flag, value());
        break;
      case '--hidden':
        options.hidden = value()
          .split(',')
          .filter((s) => s.trim() !== '')
          .map((s) => positiveInt(flag, s.trim()));
        break;
      case '--lr': {
        const v = value();
        options.lr = Number(v);
        if (!(options.lr > 0 && Number.isFinite(options.lr)))
          throw new UsageError(`--lr: expected a positive number, got "${v}"`);
        break;
      }
      case '--seed': {
        const v = value();
        options.seed = Number(v);
        if (!Number.isInteger(options.seed)) throw new UsageError(`--seed: expected an integer, got "${v}"`);
        break;
      }
      case '--test-size':
        options.testSize = fraction(flag, value());
        break;
      case '--validation-split':
        options.validationSplit = fraction(flag, value());
        break;
      case '--kfold': {
        const v = value();
        options.kfold = Number(v);
        if (!Number.isInteger(options.kfold) || options.kfold < 2) {
          throw new UsageError(`--kfold: expected an integer >= 2 (the number of folds), got "${v}"`);
        }
        break;
      }
      case '--help':
      case '-h':
        throw new UsageError('');
      default:
        throw new UsageError(`unknown option "${argv[i]}"`);
    }
  }
  return options;
}
