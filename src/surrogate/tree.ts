// nn.surrogate.tree: a CART tree fitted to a network's predictions; treeFromJSON reads one back.
import { ShapeError, ValueError } from '../errors.js';
import { optionsObject } from '../ops/options.js';
import { checkInt, describe } from '../ops/validate.js';
import type { Data } from '../training/inputs.js';
import { type CartTree, type Criterion, fitCart } from './cart.js';
import {
  type AugmentOptions,
  augmentRows,
  checkAugment,
  checkModel,
  type FeatureRows,
  modelRows,
  type NetworkLabels,
  networkLabels,
} from './network.js';
import { SurrogateTree, type SurrogateTreeJSON } from './surrogate-tree.js';

/** Options of tree (scikit-learn's DecisionTreeClassifier parameters, camelCase). */
export interface TreeOptions {
  /** Deepest level a leaf may sit at (root: 0); an integer >= 1, or undefined/null for no limit (sklearn's None). */
  maxDepth?: number | null;
  /** Fewest rows a node needs to be split (default 2). */
  minSamplesSplit?: number;
  /** Fewest rows each child of a split must keep (default 1). */
  minSamplesLeaf?: number;
  /** Impurity of classification trees: 'gini' (default) or 'entropy' (bits). Regression trees use squared error. */
  criterion?: 'gini' | 'entropy';
  /** Cost-complexity pruning strength (default 0: none), as sklearn's ccp_alpha. */
  ccpAlpha?: number;
  /**
   * Extra points sampled around the data and labelled by the network, so that the tree also learns
   * the network between and around the rows: 'auto' (recommended: 50 points per row of x, scale
   * 0.3), a count, or {samples, scale}. Each point is a row of x drawn uniformly at random plus
   * Gaussian noise on every feature with standard deviation scale × that feature's standard
   * deviation over x (scale default 0.3). Seeded by `seed`. Default: none (the tree sees the rows
   * of x only, as scikit-learn would).
   */
  augment?: 'auto' | number | AugmentOptions;
  /** A name per input feature (strings or numbers); default `feature_0`, `feature_1`, … as sklearn's export_text. */
  featureNames?: readonly (string | number)[];
  /** A name per class of a classification model; default the class indices `0`, `1`, …. */
  classNames?: readonly (string | number)[];
  /**
   * Seed (an integer in [0, 2^32), default 0) for the augmentation noise and for the order in which
   * splits visit the features, which breaks ties between equally good splits exactly as
   * scikit-learn's `random_state=seed` does.
   */
  seed?: number;
}

const TREE_OPTIONS = [
  'maxDepth',
  'minSamplesSplit',
  'minSamplesLeaf',
  'criterion',
  'ccpAlpha',
  'augment',
  'featureNames',
  'classNames',
  'seed',
] as const;

/** A checked list of names: strings or finite numbers (written as strings), `count` of them. */
export function checkNames(op: string, arg: string, names: unknown, count: number, what: string): string[] {
  if (!Array.isArray(names))
    throw new ValueError(`${op}: expected ${arg} to be an array of ${count} names, got ${describe(names)}`);
  if (names.length !== count) {
    throw new ShapeError(`${op}: expected ${arg} to hold ${count} names (one per ${what}), got ${names.length}`);
  }
  return names.map((name, i) => {
    if (typeof name === 'string' || (typeof name === 'number' && Number.isFinite(name))) return String(name);
    throw new ValueError(`${op}: expected ${arg}[${i}] to be a string or a number, got ${describe(name)}`);
  });
}

/** tree's options, checked (the names are checked later, against the model's widths). */
export interface CheckedTreeOptions {
  params: {
    maxDepth: number;
    minSamplesSplit: number;
    minSamplesLeaf: number;
    criterion: 'gini' | 'entropy';
    ccpAlpha: number;
    randomState: number;
  };
  augment: ReturnType<typeof checkAugment>;
  featureNames: unknown;
  classNames: unknown;
}

/** Checks tree's options (all but the names, which need the model's widths). */
export function checkTreeOptions(op: string, options: TreeOptions | undefined): CheckedTreeOptions {
  const args = optionsObject(op, options, '{maxDepth: 4}', TREE_OPTIONS);
  const maxDepth =
    args.maxDepth === undefined || args.maxDepth === null ? Infinity : checkInt(op, 'maxDepth', args.maxDepth, 1);
  const criterion = args.criterion ?? 'gini';
  if (criterion !== 'gini' && criterion !== 'entropy') {
    throw new ValueError(`${op}: expected criterion to be 'gini' or 'entropy', got ${describe(criterion)}`);
  }
  const ccpAlpha = args.ccpAlpha ?? 0;
  if (typeof ccpAlpha !== 'number' || !Number.isFinite(ccpAlpha) || ccpAlpha < 0) {
    throw new ValueError(`${op}: expected ccpAlpha to be a finite number >= 0, got ${describe(ccpAlpha)}`);
  }
  return {
    params: {
      maxDepth,
      minSamplesSplit: checkInt(op, 'minSamplesSplit', args.minSamplesSplit ?? 2, 2),
      minSamplesLeaf: checkInt(op, 'minSamplesLeaf', args.minSamplesLeaf ?? 1, 1),
      criterion,
      ccpAlpha,
      randomState: checkInt(op, 'seed', args.seed ?? 0, 0, 2 ** 32 - 1),
    },
    augment: checkAugment(op, args.augment),
    featureNames: args.featureNames,
    classNames: args.classNames,
  };
}

/** Fits the tree to labelled rows; shared by tree and the rule list. */
export function fitSurrogate(
  op: string,
  rows: FeatureRows,
  labels: NetworkLabels,
  checked: CheckedTreeOptions,
): SurrogateTree {
  const featureNames =
    checked.featureNames === undefined
      ? Array.from({ length: rows.d }, (_, i) => `feature_${i}`)
      : checkNames(op, 'featureNames', checked.featureNames, rows.d, 'input feature');
  let classNames: string[] | null = null;
  if (labels.kind === 'classification') {
    classNames =
      checked.classNames === undefined
        ? Array.from({ length: labels.classes }, (_, i) => String(i))
        : checkNames(op, 'classNames', checked.classNames, labels.classes, 'class of the model');
  } else if (checked.classNames !== undefined) {
    throw new ValueError(`${op}: classNames was given, but the model is a regression model (one linear output)`);
  }
  const criterion: Criterion = labels.kind === 'regression' ? 'squared_error' : checked.params.criterion;
  const nodes = fitCart(rows.x, rows.n, rows.d, labels.labels, labels.classes, { ...checked.params, criterion });
  return new SurrogateTree(nodes, featureNames, classNames);
}

/** Rows of x, plus the augmentation points, and the network's labels for all of them. */
export function labelledRows(
  op: string,
  model: unknown,
  x: Data,
  checked: CheckedTreeOptions,
): { rows: FeatureRows; labels: NetworkLabels } {
  const net = checkModel(op, model);
  const data = modelRows(op, net, x);
  const rows = checked.augment ? augmentRows(data, checked.augment, checked.params.randomState) : data;
  return { rows, labels: networkLabels(net, rows) };
}

/**
 * A decision tree that mimics `model`: fitted with scikit-learn's CART (DecisionTreeClassifier
 * semantics: best split over all features, thresholds halfway between sorted distinct values,
 * ties broken as sklearn's random_state = seed) to the network's predicted classes on the rows of
 * x (and on `augment` extra points around them). A model with one linear output is a regression
 * model: the tree is then a regression tree (DecisionTreeRegressor, squared error) fitted to its
 * outputs. The network is evaluated in large batches on the Wasm path.
 */
export async function tree(model: unknown, x: Data, options?: TreeOptions): Promise<SurrogateTree> {
  const op = 'surrogate.tree';
  const checked = checkTreeOptions(op, options);
  const { rows, labels } = labelledRows(op, model, x, checked);
  return fitSurrogate(op, rows, labels, checked);
}

/** Checks that `v` is an array of `count` numbers each passing `ok`. */
function numberArray(op: string, arg: string, v: unknown, count: number, ok: (n: number) => boolean): number[] {
  if (!Array.isArray(v) || v.length !== count || !v.every((n) => typeof n === 'number' && ok(n))) {
    throw new ValueError(`${op}: expected ${arg} to be an array of ${count} valid numbers, got ${describe(v)}`);
  }
  return v as number[];
}

/** A SurrogateTree from what its toJSON wrote (the object, or its JSON text); every field is checked. */
export async function treeFromJSON(json: SurrogateTreeJSON | string): Promise<SurrogateTree> {
  const op = 'surrogate.treeFromJSON';
  let j: SurrogateTreeJSON;
  try {
    j = typeof json === 'string' ? JSON.parse(json) : json;
  } catch {
    throw new ValueError(`${op}: expected JSON text of a surrogate tree, got text that does not parse`);
  }
  if (typeof j !== 'object' || j === null || j.format !== 'neurasm-surrogate-tree' || j.version !== 1) {
    throw new ValueError(
      `${op}: expected an object written by SurrogateTree.toJSON (format 'neurasm-surrogate-tree', version 1), got ${describe(j)}`,
    );
  }
  const nFeatures = checkInt(op, 'nFeatures', j.nFeatures, 1);
  const regression = j.kind === 'regression';
  if (!regression && j.kind !== 'classification')
    throw new ValueError(`${op}: expected kind 'classification' or 'regression', got ${describe(j.kind)}`);
  const nClasses = regression ? 0 : checkInt(op, 'nClasses', j.nClasses, 1);
  const count = Array.isArray(j.left) ? j.left.length : 0;
  if (count < 1)
    throw new ValueError(`${op}: expected left to be a non-empty array of child indices, got ${describe(j.left)}`);
  const child = (n: number) => Number.isInteger(n) && n >= -1 && n < count;
  const left = numberArray(op, 'left', j.left, count, child);
  const right = numberArray(op, 'right', j.right, count, child);
  const feature = numberArray(op, 'feature', j.feature, count, (n) => Number.isInteger(n) && n >= -2 && n < nFeatures);
  const threshold = numberArray(op, 'threshold', j.threshold, count, Number.isFinite);
  const impurity = numberArray(op, 'impurity', j.impurity, count, Number.isFinite);
  const samples = numberArray(op, 'samples', j.samples, count, (n) => Number.isInteger(n) && n >= 1);
  const width = regression ? 1 : nClasses;
  if (!Array.isArray(j.value) || j.value.length !== count)
    throw new ValueError(`${op}: expected value to hold ${count} rows, got ${describe(j.value)}`);
  const value = j.value.map((row, i) => numberArray(op, `value[${i}]`, row, width, Number.isFinite));
  // every internal node has two later children and a feature; every node but the root one parent
  const parents = new Array<number>(count).fill(0);
  for (let i = 0; i < count; i++) {
    const leaf = left[i] === -1;
    if (leaf !== (right[i] === -1) || (!leaf && (left[i] <= i || right[i] <= i || feature[i] < 0))) {
      throw new ValueError(
        `${op}: node ${i} is neither a leaf (-1, -1) nor a split with two later children and a feature`,
      );
    }
    if (!leaf) {
      parents[left[i]] += 1;
      parents[right[i]] += 1;
    }
  }
  if (parents.some((p, i) => p !== (i === 0 ? 0 : 1))) throw new ValueError(`${op}: the nodes do not form one tree`);
  const nodes: CartTree = { left, right, feature, threshold, impurity, samples, value, nFeatures, nClasses };
  const featureNames = checkNames(op, 'featureNames', j.featureNames, nFeatures, 'input feature');
  const classNames = regression ? null : checkNames(op, 'classNames', j.classNames, nClasses, 'class');
  return new SurrogateTree(nodes, featureNames, classNames);
}
