import { formatShape, ShapeError, ValueError } from '../errors.js';
import { fromFlat } from '../ops/create.js';
import { checkOptionKeys } from '../ops/options.js';
import { isTensor, type Tensor } from '../ops/tensor.js';
import { checkTensor, describe } from '../ops/validate.js';
import { parseJSONObject } from './json.js';

/** A class label: a string, or a number. */
export type Label = string | number;

/** Labels the encoders read: an array of strings or numbers, or a 1-D tensor of numbers. */
export type LabelInput = readonly Label[] | Tensor;

/** What `LabelEncoder.toJSON()` returns; `classes` is null before `fit`. */
export interface LabelEncoderJSON {
  className: 'LabelEncoder';
  classes: Label[] | null;
}

/** What `OneHotEncoder.toJSON()` returns; `classes` is null before `fit`. */
export interface OneHotEncoderJSON {
  className: 'OneHotEncoder';
  classes: Label[] | null;
}

/** The labels as a plain array, checked: all finite numbers or all strings. */
function readLabels(op: string, labels: unknown): Label[] {
  let list: Label[];
  if (isTensor(labels)) {
    checkTensor(op, 'labels', labels);
    if (labels.rank !== 1) {
      throw new ShapeError(`${op}: expected labels of shape [samples], got ${formatShape(labels.shape)}`);
    }
    list = Array.from(labels.dataSync<typeof labels.dtype>());
  } else if (Array.isArray(labels)) list = labels;
  else throw new ValueError(`${op}: expected labels to be an array or a 1-D tensor, got ${describe(labels)}`);
  const kind = typeof list[0];
  list.forEach((v, i) => {
    if (typeof v === 'number' ? !Number.isFinite(v) : typeof v !== 'string') {
      throw new ValueError(`${op}: labels[${i}] is ${describe(v)}; expected a string or a finite number`);
    }
    if (typeof v !== kind) {
      throw new ValueError(
        `${op}: labels mix strings and numbers (labels[0] is ${describe(list[0])}, labels[${i}] is ${describe(v)}); use one type`,
      );
    }
  });
  return list;
}

/** Sorted distinct labels: numbers ascending, strings in code-unit order (as numpy's unique). */
function sortedClasses(labels: Label[]): Label[] {
  const distinct = [...new Set(labels)];
  return typeof distinct[0] === 'number'
    ? (distinct as number[]).sort((a, b) => a - b)
    : (distinct as string[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Parses `{ className, classes }` (or its JSON text) and checks the classes. */
function parseClasses(op: string, json: unknown, className: string): Label[] | null {
  const o = parseJSONObject(op, json, "an encoder's", className);
  const classes = o.classes ?? null;
  if (classes === null) return null;
  if (!Array.isArray(classes) || classes.length === 0) {
    throw new ValueError(`${op}: expected classes to be a non-empty array, got ${describe(classes)}`);
  }
  const list = readLabels(op, classes);
  if (new Set(list).size !== list.length) throw new ValueError(`${op}: classes repeat a label`);
  return list;
}

/** What both encoders share: the sorted distinct labels and the label -> index map. */
abstract class ClassEncoder {
  /** Which encoder this is, as in its JSON. */
  abstract readonly className: 'LabelEncoder' | 'OneHotEncoder';
  private known: Label[] | null = null;
  private index = new Map<Label, number>();

  /** The distinct labels in index order, or null before `fit`. */
  get classes(): Label[] | null {
    return this.known && [...this.known];
  }

  /** Number of classes, or null before `fit`. */
  get numClasses(): number | null {
    return this.known?.length ?? null;
  }

  /** Whether `fit` has run (or the state was loaded with `fromJSON`). */
  get isFitted(): boolean {
    return this.known !== null;
  }

  protected setClasses(classes: Label[]): void {
    this.known = classes;
    this.index = new Map(classes.map((c, i) => [c, i]));
  }

  /** Learns the distinct labels. Returns this encoder. */
  fit(labels: LabelInput): this {
    const list = readLabels(`${this.className}.fit`, labels);
    if (list.length === 0) throw new ValueError(`${this.className}.fit: expected at least one label, got none`);
    this.setClasses(sortedClasses(list));
    return this;
  }

  /** The fitted classes, or an error naming `op` when not fitted. */
  protected fitted(op: string): Label[] {
    if (this.known === null) throw new ValueError(`${op}: the encoder is not fitted yet; call fit(labels) first`);
    return this.known;
  }

  /** Each label's class index; a label `fit` did not see is an error. */
  protected codes(op: string, labels: LabelInput): Int32Array {
    const classes = this.fitted(op);
    const list = readLabels(op, labels);
    return Int32Array.from(list, (label, i) => {
      const code = this.index.get(label);
      if (code === undefined) {
        const shown = classes.length > 10 ? `${classes.slice(0, 10).join(', ')}, ...` : classes.join(', ');
        throw new ValueError(`${op}: labels[${i}] = ${describe(label)} was not seen by fit (classes: ${shown})`);
      }
      return code;
    });
  }

  /** Encodes labels. */
  abstract transform(labels: LabelInput): Tensor;

  /** `fit(labels)` then `transform(labels)`. */
  fitTransform(labels: LabelInput): Tensor {
    return this.fit(labels).transform(labels);
  }
}

/**
 * Maps class labels (strings or numbers) to integer indices 0..classes-1 and back, as
 * scikit-learn's LabelEncoder: `classes` are the distinct labels seen by `fit`, sorted.
 *
 * @example
 * const enc = nn.data.labelEncoder();
 * const y = enc.fitTransform(['cat', 'dog', 'cat']); // int32 [0, 1, 0]
 * enc.inverseTransform(y); // ['cat', 'dog', 'cat']
 */
export class LabelEncoder extends ClassEncoder {
  readonly className = 'LabelEncoder';

  /** The class index of each label: an int32 tensor [samples]. */
  transform(labels: LabelInput): Tensor {
    const codes = this.codes(`${this.className}.transform`, labels);
    return fromFlat([codes.length], 'int32', codes);
  }

  /** The label of each class index (a tensor [samples] or an array of integers). */
  inverseTransform(indices: Tensor | ArrayLike<number>): Label[] {
    const op = `${this.className}.inverseTransform`;
    const classes = this.fitted(op);
    let values: ArrayLike<number>;
    if (isTensor(indices)) {
      checkTensor(op, 'indices', indices);
      if (indices.rank !== 1) {
        throw new ShapeError(`${op}: expected indices of shape [samples], got ${formatShape(indices.shape)}`);
      }
      values = indices.dataSync<typeof indices.dtype>();
    } else if (indices !== null && typeof indices === 'object' && typeof indices.length === 'number') values = indices;
    else throw new ValueError(`${op}: expected indices to be a tensor or an array, got ${describe(indices)}`);
    return Array.from(values, (v, i) => {
      if (!Number.isInteger(v) || v < 0 || v >= classes.length) {
        throw new ValueError(`${op}: indices[${i}] = ${describe(v)} is not a class index in [0, ${classes.length})`);
      }
      return classes[v];
    });
  }

  /** The classes as JSON; `LabelEncoder.fromJSON` restores the encoder. */
  toJSON(): LabelEncoderJSON {
    return { className: 'LabelEncoder', classes: this.classes };
  }

  /** Restores an encoder saved with `toJSON` (the object or its JSON text). */
  static fromJSON(json: unknown): LabelEncoder {
    const enc = new LabelEncoder();
    const classes = parseClasses('LabelEncoder.fromJSON', json, 'LabelEncoder');
    if (classes) enc.setClasses(classes);
    return enc;
  }
}

/**
 * Encodes class labels (strings or numbers) as one-hot rows: float32 [samples, classes], with the
 * column order of `classes` (the sorted distinct labels seen by `fit`). For the targets of
 * `categoricalCrossentropy`; `inverseTransform` maps rows (one-hot or probabilities) back to the
 * label of their largest value.
 *
 * @example
 * const enc = nn.data.oneHotEncoder();
 * const y = enc.fitTransform(['setosa', 'virginica', 'setosa']); // [[1, 0], [0, 1], [1, 0]]
 */
export class OneHotEncoder extends ClassEncoder {
  readonly className = 'OneHotEncoder';

  /** One-hot rows: float32 [samples, classes]. */
  transform(labels: LabelInput): Tensor {
    const codes = this.codes('OneHotEncoder.transform', labels);
    const k = this.numClasses!;
    const out = new Float32Array(codes.length * k);
    codes.forEach((c, i) => {
      out[i * k + c] = 1;
    });
    return fromFlat([codes.length, k], 'float32', out);
  }

  /** The label of each row's largest value (rows: [samples, classes], one-hot or probabilities). */
  inverseTransform(rows: Tensor): Label[] {
    const op = 'OneHotEncoder.inverseTransform';
    const classes = this.fitted(op);
    checkTensor(op, 'rows', rows);
    if (rows.rank !== 2 || rows.shape[1] !== classes.length) {
      throw new ShapeError(
        `${op}: expected rows of shape [samples, ${classes.length}] (one column per class), got ${formatShape(rows.shape)}`,
      );
    }
    const v = rows.dataSync<typeof rows.dtype>();
    const k = classes.length;
    return Array.from({ length: rows.shape[0] }, (_, r) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (v[r * k + c] > v[r * k + best]) best = c;
      return classes[best];
    });
  }

  /** The classes as JSON; `OneHotEncoder.fromJSON` restores the encoder. */
  toJSON(): OneHotEncoderJSON {
    return { className: 'OneHotEncoder', classes: this.classes };
  }

  /** Restores an encoder saved with `toJSON` (the object or its JSON text). */
  static fromJSON(json: unknown): OneHotEncoder {
    const enc = new OneHotEncoder();
    const classes = parseClasses('OneHotEncoder.fromJSON', json, 'OneHotEncoder');
    if (classes) enc.setClasses(classes);
    return enc;
  }
}

/**
 * An encoder from class labels to integer indices (int32), and back. It has no options; passing
 * any (scikit-learn's, say) is an error rather than ignored.
 */
export function labelEncoder(options: Record<string, never> = {}): LabelEncoder {
  checkOptionKeys('labelEncoder', options, []);
  return new LabelEncoder();
}

/**
 * An encoder from class labels to one-hot rows (float32 [samples, classes]), and back. It has no
 * options (an unseen label is always an error); passing any is an error rather than ignored.
 */
export function oneHotEncoder(options: Record<string, never> = {}): OneHotEncoder {
  checkOptionKeys('oneHotEncoder', options, []);
  return new OneHotEncoder();
}
