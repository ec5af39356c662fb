// A fitted surrogate tree: prediction, fidelity to a network, importances, rules, text and JSON.
import { ShapeError, ValueError } from '../errors.js';
import { optionsObject } from '../ops/options.js';
import { checkInt, describe } from '../ops/validate.js';
import type { Data } from '../training/inputs.js';
import { type CartTree, cartDepth, cartImportances, leafOf } from './cart.js';
import { argMax, exportText, pythonFixed, type TextOptions } from './export-text.js';
import { checkModel, featureRows, modelRows, networkLabels } from './network.js';
import { type Condition, type Rule, ruleText, tightest } from './rule.js';

/** A surrogate tree as toJSON writes it and treeFromJSON reads it. */
export interface SurrogateTreeJSON {
  format: 'neurasm-surrogate-tree';
  version: 1;
  kind: 'classification' | 'regression';
  featureNames: string[];
  classNames: string[] | null;
  nFeatures: number;
  nClasses: number;
  /** Per node in preorder: left/right child (-1 for a leaf), feature and threshold (-2 for a leaf). */
  left: number[];
  right: number[];
  feature: number[];
  threshold: number[];
  impurity: number[];
  samples: number[];
  /** Per node: class fractions, or [mean target] for regression. */
  value: number[][];
}

/**
 * A CART tree fitted to a network's predictions (sklearn's DecisionTreeClassifier, or
 * DecisionTreeRegressor for a regression model). A row goes left at a node when
 * `x[feature] <= threshold`.
 */
export class SurrogateTree {
  /** 'classification' (the network's predicted classes) or 'regression' (its single linear output). */
  readonly kind: 'classification' | 'regression';
  /** Levels below the root (a single leaf: 0). */
  readonly depth: number;
  /** Number of leaves. */
  readonly leafCount: number;
  /** Number of nodes, internal and leaves. */
  readonly nodeCount: number;
  readonly featureNames: readonly string[];
  /** Class names (null for regression). */
  readonly classNames: readonly string[] | null;
  /** Total impurity decrease per feature, weighted by node size and normalized to sum 1 (sklearn's feature_importances_). */
  readonly featureImportances: number[];

  /** @internal */
  constructor(
    private readonly nodes: CartTree,
    featureNames: readonly string[],
    classNames: readonly string[] | null,
  ) {
    this.kind = nodes.nClasses > 0 ? 'classification' : 'regression';
    this.depth = cartDepth(nodes);
    this.nodeCount = nodes.left.length;
    this.leafCount = nodes.left.filter((l) => l === -1).length;
    this.featureNames = Object.freeze([...featureNames]);
    this.classNames = classNames ? Object.freeze([...classNames]) : null;
    this.featureImportances = cartImportances(nodes);
  }

  /** The leaf of each row (x: [rows, features], any form model.predict takes). */
  private leaves(op: string, x: Data): { leaves: number[]; rows: number } {
    const rows = featureRows(
      op,
      'x',
      x,
      [this.nodes.nFeatures],
      `the surrogate tree (${this.nodes.nFeatures} features)`,
    );
    const leaves = Array.from({ length: rows.n }, (_, i) => leafOf(this.nodes, rows.x, i, rows.d));
    return { leaves, rows: rows.n };
  }

  /** Per row of x: the class index (classification) or the predicted value (regression). */
  predict(x: Data): number[] {
    return this.leaves('SurrogateTree.predict', x).leaves.map((leaf) => this.leafPrediction(leaf));
  }

  /** Per row of x: the class fractions of its leaf (one per class, as sklearn's predict_proba). */
  predictProba(x: Data): number[][] {
    if (this.kind === 'regression') {
      throw new ValueError('SurrogateTree.predictProba: a regression tree has no class probabilities; use predict');
    }
    return this.leaves('SurrogateTree.predictProba', x).leaves.map((leaf) => [...this.nodes.value[leaf]]);
  }

  /**
   * How faithfully the tree mimics `model` on x: the share of rows where the tree's class equals the
   * network's predicted class; for a regression tree, R² of the tree's predictions against the
   * network's outputs (1: identical).
   */
  fidelity(model: unknown, x: Data): number {
    const op = 'SurrogateTree.fidelity';
    const net = checkModel(op, model);
    const rows = modelRows(op, net, x);
    if (rows.d !== this.nodes.nFeatures) {
      throw new ShapeError(`${op}: the model takes ${rows.d} features per row, the tree ${this.nodes.nFeatures}`);
    }
    const truth = networkLabels(net, rows);
    if ((truth.kind === 'regression') !== (this.kind === 'regression')) {
      throw new ValueError(`${op}: the tree is a ${this.kind} tree, the model a ${truth.kind} model`);
    }
    const predicted = Array.from({ length: rows.n }, (_, i) =>
      this.leafPrediction(leafOf(this.nodes, rows.x, i, rows.d)),
    );
    if (truth.kind === 'classification') {
      let agree = 0;
      for (let i = 0; i < rows.n; i++) if (predicted[i] === truth.labels[i]) agree += 1;
      return agree / rows.n;
    }
    const mean = truth.labels.reduce((a, b) => a + b, 0) / rows.n;
    let residual = 0;
    let total = 0;
    for (let i = 0; i < rows.n; i++) {
      residual += (truth.labels[i] - predicted[i]) ** 2;
      total += (truth.labels[i] - mean) ** 2;
    }
    return total === 0 ? (residual === 0 ? 1 : 0) : 1 - residual / total;
  }

  /**
   * One rule per leaf, left to right: the path's tests (per feature and direction only the tightest),
   * the leaf's prediction, its training rows (samples, support) and, for classes, its precision
   * (the share of its training rows the network labelled with the predicted class).
   */
  toRules(): Rule[] {
    const rules: Rule[] = [];
    const total = this.nodes.samples[0];
    const walk = (node: number, path: Condition[]) => {
      const { left, right, feature, threshold } = this.nodes;
      if (left[node] === -1) {
        const conditions = tightest(path);
        const prediction = this.leafPrediction(node);
        const className = this.classNames ? this.classNames[prediction] : null;
        rules.push({
          conditions,
          prediction,
          className,
          samples: this.nodes.samples[node],
          support: this.nodes.samples[node] / total,
          precision: this.classNames ? this.nodes.value[node][prediction] : null,
          text: ruleText(conditions, className ?? pythonFixed(prediction, 2)),
        });
        return;
      }
      const test = {
        feature: feature[node],
        featureName: this.featureNames[feature[node]],
        threshold: threshold[node],
      };
      walk(left[node], [...path, { ...test, op: '<=' }]);
      walk(right[node], [...path, { ...test, op: '>' }]);
    };
    walk(0, []);
    return rules;
  }

  /**
   * The tree as text, as scikit-learn's `export_text(tree, feature_names, class_names)` prints it
   * (same options: maxDepth 10, spacing 3, decimals 2, showWeights false).
   */
  toText(options?: TextOptions): string {
    const op = 'SurrogateTree.toText';
    const args = optionsObject(op, options, '{decimals: 3}', ['maxDepth', 'spacing', 'decimals', 'showWeights']);
    const showWeights = args.showWeights ?? false;
    if (typeof showWeights !== 'boolean') {
      throw new ValueError(`${op}: expected showWeights to be a boolean, got ${describe(showWeights)}`);
    }
    return exportText(this.nodes, this.featureNames, this.classNames ?? [], {
      maxDepth: checkInt(op, 'maxDepth', args.maxDepth ?? 10, 0),
      spacing: checkInt(op, 'spacing', args.spacing ?? 3, 1),
      decimals: checkInt(op, 'decimals', args.decimals ?? 2, 0, 20),
      showWeights,
    });
  }

  /** A plain object (JSON.stringify-able) that treeFromJSON turns back into this tree. */
  toJSON(): SurrogateTreeJSON {
    const n = this.nodes;
    return {
      format: 'neurasm-surrogate-tree',
      version: 1,
      kind: this.kind,
      featureNames: [...this.featureNames],
      classNames: this.classNames ? [...this.classNames] : null,
      nFeatures: n.nFeatures,
      nClasses: n.nClasses,
      left: [...n.left],
      right: [...n.right],
      feature: [...n.feature],
      threshold: [...n.threshold],
      impurity: [...n.impurity],
      samples: [...n.samples],
      value: n.value.map((v) => [...v]),
    };
  }

  private leafPrediction(leaf: number): number {
    const value = this.nodes.value[leaf];
    return this.kind === 'regression' ? value[0] : argMax(value);
  }
}
