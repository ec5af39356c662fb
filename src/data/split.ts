import { formatShape, ShapeError, ValueError } from '../errors.js';
import { fromFlat } from '../ops/create.js';
import { checkOptionKeys } from '../ops/options.js';
import { isTensor, type Tensor } from '../ops/tensor.js';
import { checkInt, checkNumber, checkTensor, describe } from '../ops/validate.js';
import { type Random, randomFor } from '../random.js';
import type { StratifyLabels } from './kfold.js';

/** Options of `trainTestSplit`. */
export interface TrainTestSplitOptions {
  /** The test part: a fraction in (0, 1) of the rows (rounded up), or an integer count. Default 0.25. */
  testSize?: number;
  /** Shuffle the rows before splitting. Default true. Without shuffling the test rows are the last ones. */
  shuffle?: boolean;
  /** Keep each class's share of rows the same in both parts, reading `y` as class labels. Default false. */
  stratify?: boolean;
  /** Seed for the shuffle; default: the library-wide generator (`nn.setSeed`). */
  seed?: number;
}

/** The two parts of a split; the caller owns (and disposes) the four tensors. */
export interface TrainTestSplit {
  xTrain: Tensor;
  xTest: Tensor;
  yTrain: Tensor;
  yTest: Tensor;
}

const OP = 'trainTestSplit';

function testCount(op: string, testSize: unknown, n: number): number {
  const size = checkNumber(op, 'testSize', testSize);
  let count: number;
  if (Number.isInteger(size) && size >= 1) count = size;
  else if (size > 0 && size < 1) count = Math.ceil(size * n);
  else {
    throw new ValueError(`${op}: expected testSize to be a fraction in (0, 1) or an integer count >= 1, got ${size}`);
  }
  if (count > n - 1) {
    throw new ValueError(`${op}: testSize ${size} leaves no rows for training out of ${n} (test part: ${count} rows)`);
  }
  return count;
}

/** Throws unless every label is an integer (1-based row in the message); returns them. */
function integerLabels(op: string, labels: unknown[]): number[] {
  const bad = labels.findIndex((v) => typeof v !== 'number' || !Number.isInteger(v));
  if (bad >= 0) {
    const got = typeof labels[bad] === 'number' ? labels[bad] : describe(labels[bad]);
    throw new ValueError(`${op}: stratify needs integer class labels in y; row ${bad + 1} is ${got}`);
  }
  return labels as number[];
}

/**
 * The class label of each row: y's values (1-D tensor or array of integers), the index of each row's
 * largest value (2-D tensor, one-hot), or each string's place among the sorted distinct strings.
 */
function classLabels(op: string, y: StratifyLabels): number[] {
  if (!isTensor(y)) {
    const labels: unknown[] = Array.from(y as ArrayLike<unknown>);
    if (labels.length > 0 && labels.every((v) => typeof v === 'string')) {
      const names = [...new Set(labels as string[])].sort();
      const code = new Map(names.map((name, i) => [name, i]));
      return (labels as string[]).map((v) => code.get(v)!);
    }
    return integerLabels(op, labels);
  }
  const values = y.dataSync();
  const n = y.shape[0];
  if (y.rank === 1) return integerLabels(op, Array.from(values));
  if (y.rank !== 2) {
    throw new ShapeError(
      `${op}: stratify needs y of shape [rows] (labels) or [rows, classes] (one-hot), got ${formatShape(y.shape)}`,
    );
  }
  const k = y.shape[1];
  if (k === 0)
    throw new ShapeError(`${op}: stratify needs y with at least one class column, got ${formatShape(y.shape)}`);
  const labels = new Array<number>(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (values[r * k + c] > values[r * k + best]) best = c;
    labels[r] = best;
  }
  return labels;
}

/**
 * Splits rows per class. Each class gets floor(count * nTest / n) test rows; the rows left over go to
 * the classes with the largest remainders (then the larger classes, then the smaller labels).
 */
function stratifiedIndices(labels: number[], nTest: number, shuffle: boolean, rng: Random) {
  const n = labels.length;
  const groups = new Map<number, number[]>();
  labels.forEach((label, r) => {
    const g = groups.get(label);
    if (g) g.push(r);
    else groups.set(label, [r]);
  });
  const classes = [...groups.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([label, rows]) => {
      const exact = (rows.length * nTest) / n;
      return { label, rows, take: Math.floor(exact), remainder: exact - Math.floor(exact) };
    });
  let left = nTest - classes.reduce((s, c) => s + c.take, 0);
  const byRemainder = [...classes].sort(
    (a, b) => b.remainder - a.remainder || b.rows.length - a.rows.length || a.label - b.label,
  );
  for (const c of byRemainder) {
    if (left === 0) break;
    c.take++;
    left--;
  }
  const train: number[] = [];
  const test: number[] = [];
  for (const c of classes) {
    if (shuffle) {
      rng.shuffle(c.rows);
      test.push(...c.rows.slice(0, c.take));
      train.push(...c.rows.slice(c.take));
    } else {
      test.push(...c.rows.slice(c.rows.length - c.take));
      train.push(...c.rows.slice(0, c.rows.length - c.take));
    }
  }
  if (shuffle) {
    rng.shuffle(train);
    rng.shuffle(test);
  } else {
    train.sort((a, b) => a - b);
    test.sort((a, b) => a - b);
  }
  return { train, test };
}

/** A new tensor holding the given rows of `t`, in that order. */
function gatherRows(t: Tensor, rows: number[]): Tensor {
  const src = t.dataSync<typeof t.dtype>();
  const width = t.size / t.shape[0];
  const out = t.dtype === 'int32' ? new Int32Array(rows.length * width) : new Float32Array(rows.length * width);
  rows.forEach((r, i) => {
    out.set(src.subarray(r * width, (r + 1) * width), i * width);
  });
  return fromFlat([rows.length, ...t.shape.slice(1)], t.dtype, out);
}

/** The options of a split, checked. */
interface SplitSettings {
  testSize: number;
  shuffle: boolean;
  stratify: boolean;
  seed?: number;
}

function checkSettings(op: string, options: unknown): SplitSettings {
  const {
    testSize = 0.25,
    shuffle = true,
    stratify = false,
    seed,
  } = checkOptionKeys(op, options, ['testSize', 'shuffle', 'stratify', 'seed']) as TrainTestSplitOptions;
  for (const [name, v] of [
    ['shuffle', shuffle],
    ['stratify', stratify],
  ] as const) {
    if (typeof v !== 'boolean') throw new ValueError(`${op}: expected ${name} to be a boolean, got ${describe(v)}`);
  }
  return { testSize, shuffle, stratify, seed };
}

/** The row indices of both parts; `labels` is read only when stratifying. */
function splitRows(op: string, n: number, labels: () => number[], settings: SplitSettings) {
  if (n < 2) throw new ValueError(`${op}: expected at least 2 rows to split, got ${n}`);
  const nTest = testCount(op, settings.testSize, n);
  const { shuffle, seed } = settings;
  const rng = randomFor(seed === undefined ? undefined : checkNumber(op, 'seed', seed));
  if (settings.stratify) return stratifiedIndices(labels(), nTest, shuffle, rng);
  const order = [...Array(n).keys()];
  if (!shuffle) return { train: order.slice(0, n - nTest), test: order.slice(n - nTest) };
  rng.shuffle(order);
  return { test: order.slice(0, nTest), train: order.slice(nTest) };
}

/**
 * Splits the rows of `x` and `y` (same row count, any rank >= 1) into a training and a test part,
 * as scikit-learn's `train_test_split`. With `stratify`, each class keeps its proportion in both
 * parts (y holds integer labels, or one-hot rows). A `seed` makes the split reproducible.
 *
 * @example
 * const { xTrain, xTest, yTrain, yTest } = nn.data.trainTestSplit(x, y, { testSize: 0.2, stratify: true, seed: 1 });
 */
export function trainTestSplit(x: Tensor, y: Tensor, options: TrainTestSplitOptions = {}): TrainTestSplit {
  checkTensor(OP, 'x', x);
  checkTensor(OP, 'y', y);
  const settings = checkSettings(OP, options);
  for (const [name, t] of [
    ['x', x],
    ['y', y],
  ] as const) {
    if (t.rank === 0) throw new ShapeError(`${OP}: expected ${name} to have rows (rank >= 1), got a scalar`);
  }
  const n = x.shape[0];
  if (y.shape[0] !== n) {
    throw new ShapeError(
      `${OP}: x and y must have the same number of rows, got x ${formatShape(x.shape)} and y ${formatShape(y.shape)}`,
    );
  }
  const parts = splitRows(OP, n, () => classLabels(OP, y), settings);
  return {
    xTrain: gatherRows(x, parts.train),
    xTest: gatherRows(x, parts.test),
    yTrain: gatherRows(y, parts.train),
    yTest: gatherRows(y, parts.test),
  };
}

/** The rows of each part of a split, in the order `trainTestSplit` puts them. */
export interface TrainTestIndices {
  train: Int32Array;
  test: Int32Array;
}

/**
 * The row indices of the split that `trainTestSplit` makes with the same options, for data that is
 * not a tensor (texts, file names): take the rows with them (or `nn.data.takeRows` for tensors).
 * `y` holds the class labels, as `stratifiedKFold` takes them (a tensor of class indices or one-hot
 * rows, or an array of integers or of strings), or, without `stratify`, may be just the number of
 * rows. For the same labels as a tensor and as an array the indices are the same.
 *
 * @example
 * const { texts, labels } = await loadSpam();
 * const { train, test } = nn.data.trainTestIndices(labels, { testSize: 0.2, stratify: true, seed: 0 });
 * const testTexts = Array.from(test, (i) => texts[i]);
 */
export function trainTestIndices(y: number | StratifyLabels, options: TrainTestSplitOptions = {}): TrainTestIndices {
  const op = 'trainTestIndices';
  const settings = checkSettings(op, options);
  let n: number;
  if (typeof y === 'number') {
    n = checkInt(op, 'y', y, 0);
    if (settings.stratify) {
      throw new ValueError(`${op}: stratify needs the class label of each row in y, got only the number of rows ${n}`);
    }
  } else if (isTensor(y)) {
    checkTensor(op, 'y', y);
    if (y.rank === 0) throw new ShapeError(`${op}: expected y to have rows (rank >= 1), got a scalar`);
    n = y.shape[0];
  } else if (y !== null && typeof y === 'object' && typeof (y as ArrayLike<unknown>).length === 'number') {
    n = y.length;
  } else {
    throw new ValueError(
      `${op}: expected y to be a number of rows, a Tensor or an array of class labels, got ${describe(y)}`,
    );
  }
  const parts = splitRows(op, n, () => classLabels(op, y as StratifyLabels), settings);
  return { train: Int32Array.from(parts.train), test: Int32Array.from(parts.test) };
}
