import { formatShape, ShapeError, ValueError } from '../errors.js';
import { fromFlat } from '../ops/create.js';
import { checkOptionKeys } from '../ops/options.js';
import type { Tensor } from '../ops/tensor.js';
import { checkNumber, checkTensor, describe } from '../ops/validate.js';
import { type Random, randomFor } from '../random.js';

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

function testCount(testSize: unknown, n: number): number {
  const size = checkNumber(OP, 'testSize', testSize);
  let count: number;
  if (Number.isInteger(size) && size >= 1) count = size;
  else if (size > 0 && size < 1) count = Math.ceil(size * n);
  else {
    throw new ValueError(`${OP}: expected testSize to be a fraction in (0, 1) or an integer count >= 1, got ${size}`);
  }
  if (count > n - 1) {
    throw new ValueError(`${OP}: testSize ${size} leaves no rows for training out of ${n} (test part: ${count} rows)`);
  }
  return count;
}

/** The class label of each row: y's values (1-D, integers) or the index of each row's largest value (2-D, one-hot). */
function classLabels(y: Tensor): number[] {
  const values = y.dataSync();
  const n = y.shape[0];
  if (y.rank === 1) {
    const labels = Array.from(values);
    const bad = labels.findIndex((v) => !Number.isInteger(v));
    if (bad >= 0)
      throw new ValueError(`${OP}: stratify needs integer class labels in y; row ${bad + 1} is ${labels[bad]}`);
    return labels;
  }
  if (y.rank !== 2) {
    throw new ShapeError(
      `${OP}: stratify needs y of shape [rows] (labels) or [rows, classes] (one-hot), got ${formatShape(y.shape)}`,
    );
  }
  const k = y.shape[1];
  if (k === 0)
    throw new ShapeError(`${OP}: stratify needs y with at least one class column, got ${formatShape(y.shape)}`);
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
  const {
    testSize = 0.25,
    shuffle = true,
    stratify = false,
    seed,
  } = checkOptionKeys(OP, options, ['testSize', 'shuffle', 'stratify', 'seed']) as TrainTestSplitOptions;
  for (const [name, v] of [
    ['shuffle', shuffle],
    ['stratify', stratify],
  ] as const) {
    if (typeof v !== 'boolean') throw new ValueError(`${OP}: expected ${name} to be a boolean, got ${describe(v)}`);
  }
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
  if (n < 2) throw new ValueError(`${OP}: expected at least 2 rows to split, got ${n}`);
  const nTest = testCount(testSize, n);
  const rng = randomFor(seed === undefined ? undefined : checkNumber(OP, 'seed', seed));

  let parts: { train: number[]; test: number[] };
  if (stratify) parts = stratifiedIndices(classLabels(y), nTest, shuffle, rng);
  else {
    const order = [...Array(n).keys()];
    if (shuffle) {
      rng.shuffle(order);
      parts = { test: order.slice(0, nTest), train: order.slice(nTest) };
    } else parts = { train: order.slice(0, n - nTest), test: order.slice(n - nTest) };
  }
  return {
    xTrain: gatherRows(x, parts.train),
    xTest: gatherRows(x, parts.test),
    yTrain: gatherRows(y, parts.train),
    yTest: gatherRows(y, parts.test),
  };
}
