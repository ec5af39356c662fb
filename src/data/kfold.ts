import { formatShape, ShapeError, ValueError } from '../errors.js';
import { fromFlat } from '../ops/create.js';
import { checkOptionKeys } from '../ops/options.js';
import { isTensor, type Tensor } from '../ops/tensor.js';
import { checkInt, checkNumber, checkTensor, describe } from '../ops/validate.js';
import { randomFor } from '../random.js';

/** One fold of a cross-validation: the rows to train on and the held-out rows, both ascending. */
export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

/** Options of `kFold` and `stratifiedKFold`. */
export interface KFoldOptions {
  /** Number of folds, >= 2 and at most the number of samples. Default 5. */
  k?: number;
  /** Shuffle before cutting the folds. Default false (as scikit-learn): without it, folds are contiguous runs. */
  shuffle?: boolean;
  /** Seed for the shuffle; default: the library-wide generator (`nn.setSeed`). */
  seed?: number;
}

/** Labels `stratifiedKFold` accepts: a tensor of class indices [n] or one-hot rows [n, classes], or an array. */
export type StratifyLabels = Tensor | ArrayLike<number> | readonly string[];

function checkOptions(op: string, options: unknown, n: number) {
  const { k = 5, shuffle = false, seed } = checkOptionKeys(op, options, ['k', 'shuffle', 'seed']) as KFoldOptions;
  checkInt(op, 'k', k, 2);
  if (k > n) throw new ValueError(`${op}: k = ${k} folds need at least ${k} samples, got ${n}`);
  if (typeof shuffle !== 'boolean')
    throw new ValueError(`${op}: expected shuffle to be a boolean, got ${describe(shuffle)}`);
  const rng = shuffle ? randomFor(seed === undefined ? undefined : checkNumber(op, 'seed', seed)) : null;
  return { k, rng };
}

/** Folds from each sample's test fold number. */
function foldsFrom(testFold: Int32Array, k: number): Fold[] {
  const sizes = new Int32Array(k);
  for (const f of testFold) sizes[f]++;
  const n = testFold.length;
  const folds = Array.from(sizes, (size) => ({ train: new Int32Array(n - size), test: new Int32Array(size) }));
  const filled = folds.map(() => ({ train: 0, test: 0 }));
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < k; f++) {
      if (f === testFold[i]) folds[f].test[filled[f].test++] = i;
      else folds[f].train[filled[f].train++] = i;
    }
  }
  return folds;
}

/**
 * Splits the indices 0..n-1 into k folds (as scikit-learn's `KFold`): every index is in exactly one
 * test part, and the first n % k folds hold one index more than the others. With `shuffle`, the
 * indices are permuted before cutting.
 *
 * @example
 * for (const { train, test } of nn.data.kFold(x.shape[0], { k: 5, shuffle: true, seed: 1 })) {
 *   const xTrain = nn.data.takeRows(x, train); // ...
 * }
 */
export function kFold(n: number, options: KFoldOptions = {}): Fold[] {
  const op = 'kFold';
  checkInt(op, 'n', n, 0);
  const { k, rng } = checkOptions(op, options, n);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  if (rng) rng.shuffle(order);
  const testFold = new Int32Array(n);
  const base = Math.floor(n / k);
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = base + (f < n % k ? 1 : 0);
    for (let i = start; i < start + size; i++) testFold[order[i]] = f;
    start += size;
  }
  return foldsFrom(testFold, k);
}

/** Each sample's class, numbered by first appearance, with the class's name for messages. */
function encodeLabels(op: string, y: StratifyLabels): { codes: Int32Array; names: string[] } {
  let raw: ArrayLike<number | string>;
  if (isTensor(y)) {
    checkTensor(op, 'y', y);
    const values = y.dataSync<typeof y.dtype>();
    if (y.rank === 2 && y.shape[1] > 0) {
      // one-hot (or probability) rows: the class is the column of the largest value
      const width = y.shape[1];
      const cls = new Array<string>(y.shape[0]);
      for (let r = 0; r < y.shape[0]; r++) {
        let best = 0;
        for (let c = 1; c < width; c++) if (values[r * width + c] > values[r * width + best]) best = c;
        cls[r] = String(best);
      }
      raw = cls;
    } else if (y.rank === 1) raw = values;
    else {
      throw new ShapeError(
        `${op}: expected y of shape [samples] (labels) or [samples, classes] (one-hot), got ${formatShape(y.shape)}`,
      );
    }
  } else if (y !== null && typeof y === 'object' && typeof (y as ArrayLike<unknown>).length === 'number') {
    raw = y as ArrayLike<number | string>;
  } else {
    throw new ValueError(`${op}: expected y to be a Tensor or an array of labels, got ${describe(y)}`);
  }
  const codes = new Int32Array(raw.length);
  const index = new Map<string, number>();
  const names: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i];
    if (typeof v === 'number' ? !Number.isFinite(v) : typeof v !== 'string') {
      throw new ValueError(`${op}: label ${i} is ${describe(v)}; expected class labels (numbers or strings)`);
    }
    const key = String(v);
    let code = index.get(key);
    if (code === undefined) {
      code = names.length;
      index.set(key, code);
      names.push(key);
    }
    codes[i] = code;
  }
  return { codes, names };
}

/**
 * Splits samples into k folds that keep each class's proportion (as scikit-learn's
 * `StratifiedKFold`): each class's members are dealt out so that every fold's test part holds
 * floor or ceil of (class size / k) of them, and fold sizes differ by at most 1. Without `shuffle`
 * a class's members go to the folds in data order; with it, at random.
 *
 * `y` holds class labels: a tensor [samples] of class indices, one-hot rows [samples, classes],
 * or an array of numbers or strings. Every class needs at least k members.
 */
export function stratifiedKFold(y: StratifyLabels, options: KFoldOptions = {}): Fold[] {
  const op = 'stratifiedKFold';
  const { codes, names } = encodeLabels(op, y);
  const n = codes.length;
  const { k, rng } = checkOptions(op, options, n);
  const counts = new Int32Array(names.length);
  for (const c of codes) counts[c]++;
  const fewest = Math.min(...counts);
  counts.forEach((count, c) => {
    if (count < k) {
      throw new ValueError(
        `${op}: class ${names[c]} has ${count} member${count === 1 ? '' : 's'}, fewer than k = ${k}, ` +
          `so some fold's test part would lack it; ${fewest >= 2 ? `use k <= ${fewest}, ` : ''}or kFold without stratification`,
      );
    }
  });
  // Deal the class-sorted samples round-robin to the folds: fold f gets sorted positions f, f + k, ...
  // A class is a contiguous run in that order, so each fold receives floor or ceil of its count / k.
  const allocation = Array.from({ length: names.length }, () => new Int32Array(k));
  let position = 0;
  counts.forEach((count, c) => {
    for (let i = 0; i < count; i++) allocation[c][(position + i) % k]++;
    position += count;
  });
  const testFold = new Int32Array(n);
  const members = names.map(() => [] as number[]);
  codes.forEach((c, i) => {
    members[c].push(i);
  });
  members.forEach((rows, c) => {
    const foldOf = new Int32Array(rows.length);
    let at = 0;
    for (let f = 0; f < k; f++) for (let j = 0; j < allocation[c][f]; j++) foldOf[at++] = f;
    if (rng) rng.shuffle(foldOf);
    rows.forEach((row, j) => {
      testFold[row] = foldOf[j];
    });
  });
  return foldsFrom(testFold, k);
}

/**
 * A new tensor holding the given rows (first-axis entries) of `x`, in that order; the caller owns it.
 *
 * @example
 * const xTest = nn.data.takeRows(x, fold.test);
 */
export function takeRows(x: Tensor, indices: Int32Array | readonly number[]): Tensor {
  const op = 'takeRows';
  checkTensor(op, 'x', x);
  if (x.rank === 0) throw new ShapeError(`${op}: expected x to have rows (rank >= 1), got a scalar`);
  if (!(indices instanceof Int32Array) && !Array.isArray(indices)) {
    throw new ValueError(
      `${op}: expected indices to be an Int32Array or an array of numbers, got ${describe(indices)}`,
    );
  }
  const n = x.shape[0];
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    if (!Number.isInteger(r) || r < 0 || r >= n) {
      throw new ValueError(`${op}: indices[${i}] = ${describe(r)} is not a row of x (shape ${formatShape(x.shape)})`);
    }
  }
  const src = x.dataSync<typeof x.dtype>();
  const width = n === 0 ? 0 : x.size / n;
  const out = x.dtype === 'int32' ? new Int32Array(indices.length * width) : new Float32Array(indices.length * width);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    out.set(src.subarray(r * width, (r + 1) * width), i * width);
  }
  return fromFlat([indices.length, ...x.shape.slice(1)], x.dtype, out);
}
