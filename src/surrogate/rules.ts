// nn.surrogate.ruleList: an ordered IF … THEN … ELSE list of rules mimicking a network's classes,
// found by sequential covering with partial CART trees (the idea of Frank & Witten's PART).
import { ValueError } from '../errors.js';
import { optionsObject } from '../ops/options.js';
import { checkInt, describe } from '../ops/validate.js';
import type { Data } from '../training/inputs.js';
import { type CartTree, fitCart } from './cart.js';
import { argMax } from './export-text.js';
import { checkModel, type FeatureRows, featureRows, modelRows, networkLabels } from './network.js';
import { type Condition, meets, type Rule, ruleText, tightest } from './rule.js';
import { checkNames, checkTreeOptions, labelledRows, type TreeOptions } from './tree.js';

/** Options of ruleList. */
export interface RuleListOptions {
  /** Most rules before the final ELSE (default 10). */
  maxRules?: number;
  /** Smallest share of all training rows (in (0, 1], default 0.02) a rule must cover when it is found. */
  minSupport?: number;
  /** Most tests per rule: the depth of the partial trees rules are read from (default 3). */
  maxConditions?: number;
  /** Impurity of the partial trees, 'gini' (default) or 'entropy'. */
  criterion?: 'gini' | 'entropy';
  /** Extra points around the data, labelled by the network (see tree's augment). */
  augment?: TreeOptions['augment'];
  featureNames?: TreeOptions['featureNames'];
  classNames?: TreeOptions['classNames'];
  /** Seed of the augmentation and of the trees' feature order (default 0). */
  seed?: number;
}

const RULE_LIST_OPTIONS = [
  'maxRules',
  'minSupport',
  'maxConditions',
  'criterion',
  'augment',
  'featureNames',
  'classNames',
  'seed',
] as const;

/**
 * An ordered rule list: the first rule whose conditions hold gives the class; the last rule has no
 * conditions (the ELSE). Each rule's samples, support and precision count the training rows that
 * reach it (not taken by an earlier rule).
 */
export class RuleList {
  /** The rules in order; the last one is the default (no conditions). */
  readonly rules: readonly Rule[];
  /** Share of the training rows (with augmentation points) where the list gives the network's class. */
  readonly trainingFidelity: number;
  readonly featureNames: readonly string[];
  readonly classNames: readonly string[];

  /** @internal */
  constructor(rules: Rule[], trainingFidelity: number, featureNames: string[], classNames: string[]) {
    this.rules = Object.freeze(rules);
    this.trainingFidelity = trainingFidelity;
    this.featureNames = Object.freeze(featureNames);
    this.classNames = Object.freeze(classNames);
  }

  private rows(op: string, x: Data): FeatureRows {
    const d = this.featureNames.length;
    return featureRows(op, 'x', x, [d], `the rule list (${d} features)`);
  }

  /** The class index the list gives each row of x ([rows, features]). */
  predict(x: Data): number[] {
    const rows = this.rows('RuleList.predict', x);
    return Array.from({ length: rows.n }, (_, i) => this.classOf(rows.x, i, rows.d));
  }

  /** Share of the rows of x where the list gives the class `model` predicts. */
  fidelity(model: unknown, x: Data): number {
    const op = 'RuleList.fidelity';
    const net = checkModel(op, model);
    const rows = modelRows(op, net, x);
    if (rows.d !== this.featureNames.length) {
      throw new ValueError(
        `${op}: the model takes ${rows.d} features per row, the rule list ${this.featureNames.length}`,
      );
    }
    const truth = networkLabels(net, rows);
    if (truth.kind !== 'classification') throw new ValueError(`${op}: the model is a regression model`);
    let agree = 0;
    for (let i = 0; i < rows.n; i++) if (this.classOf(rows.x, i, rows.d) === truth.labels[i]) agree += 1;
    return agree / rows.n;
  }

  /** The list as lines: `IF … THEN class`, then `ELSE IF …`, and a final `ELSE class`, each with support and precision. */
  toText(): string {
    return this.rules
      .map((rule, i) => {
        const stats = `(support ${rule.support.toFixed(3)}, precision ${(rule.precision ?? 0).toFixed(3)})`;
        const last = i === this.rules.length - 1;
        const line = last ? `ELSE ${rule.className}` : i === 0 ? rule.text : `ELSE ${rule.text}`;
        return `${line}  ${stats}\n`;
      })
      .join('');
  }

  private classOf(x: ArrayLike<number>, row: number, d: number): number {
    return listClass(this.rules, x, row, d);
  }
}

/** The leaves of a tree as [conditions, leaf] pairs, left to right. */
function leafPaths(tree: CartTree, names: readonly string[]): { conditions: Condition[]; leaf: number }[] {
  const out: { conditions: Condition[]; leaf: number }[] = [];
  const walk = (node: number, path: Condition[]) => {
    if (tree.left[node] === -1) {
      out.push({ conditions: tightest(path), leaf: node });
      return;
    }
    const test = {
      feature: tree.feature[node],
      featureName: names[tree.feature[node]],
      threshold: tree.threshold[node],
    };
    walk(tree.left[node], [...path, { ...test, op: '<=' }]);
    walk(tree.right[node], [...path, { ...test, op: '>' }]);
  };
  walk(0, []);
  return out;
}

/**
 * An ordered IF … THEN … ELSE rule list that mimics `model`'s predicted classes on the rows of x.
 *
 * Algorithm: sequential covering with partial trees (as PART, Frank & Witten 1998). While rules may
 * be added, a CART tree of depth maxConditions (whose leaves keep at least minSupport of all rows)
 * is grown on the rows no rule covers yet, labelled by the network; its leaf with the best
 * Laplace-corrected precision (correct + 1) / (covered + classes) (ties: more rows, then leftmost)
 * becomes the next rule, and the rows it covers are removed. It stops at maxRules rules, when
 * the remaining rows are of one class, or when the best leaf is the whole remainder; the final
 * ELSE gives the majority class of the rows left. Why: rules read off one tree repeat the tests of
 * the top splits in every rule and come unordered; covering makes each rule short and precise for
 * the rows it takes, lets later rules refine what earlier ones leave, and inherits the CART port's
 * determinism (seeded ties as scikit-learn).
 */
export async function ruleList(model: unknown, x: Data, options?: RuleListOptions): Promise<RuleList> {
  const op = 'surrogate.ruleList';
  const args = optionsObject(op, options, '{maxRules: 8}', RULE_LIST_OPTIONS);
  const maxRules = checkInt(op, 'maxRules', args.maxRules ?? 10, 1);
  const maxConditions = checkInt(op, 'maxConditions', args.maxConditions ?? 3, 1);
  const minSupport = args.minSupport ?? 0.02;
  if (typeof minSupport !== 'number' || !(minSupport > 0 && minSupport <= 1)) {
    throw new ValueError(`${op}: expected minSupport to be a share of the rows in (0, 1], got ${describe(minSupport)}`);
  }
  const checked = checkTreeOptions(op, {
    criterion: args.criterion,
    augment: args.augment,
    featureNames: args.featureNames,
    classNames: args.classNames,
    seed: args.seed,
  });
  const { rows, labels } = labelledRows(op, model, x, checked);
  if (labels.kind !== 'classification') {
    throw new ValueError(
      `${op}: the model is a regression model (one linear output); a rule list needs classes (use surrogate.tree)`,
    );
  }
  const { n, d } = rows;
  const classes = labels.classes;
  const featureNames =
    args.featureNames === undefined
      ? Array.from({ length: d }, (_, i) => `feature_${i}`)
      : checkNames(op, 'featureNames', args.featureNames, d, 'input feature');
  const classNames =
    args.classNames === undefined
      ? Array.from({ length: classes }, (_, i) => String(i))
      : checkNames(op, 'classNames', args.classNames, classes, 'class of the model');
  const minLeaf = Math.max(1, Math.ceil(minSupport * n));

  let remaining = Array.from({ length: n }, (_, i) => i);
  const rules: Rule[] = [];
  const makeRule = (conditions: Condition[], prediction: number, covered: number[]): Rule => {
    const correct = covered.filter((i) => labels.labels[i] === prediction).length;
    return {
      conditions,
      prediction,
      className: classNames[prediction],
      samples: covered.length,
      support: covered.length / n,
      precision: covered.length > 0 ? correct / covered.length : 0,
      text: ruleText(conditions, classNames[prediction]),
    };
  };
  while (rules.length < maxRules && remaining.length >= 2 * minLeaf) {
    const m = remaining.length;
    const sub = new Float32Array(m * d);
    const subLabels = new Int32Array(m);
    remaining.forEach((row, k) => {
      sub.set(rows.x.subarray(row * d, (row + 1) * d), k * d);
      subLabels[k] = labels.labels[row];
    });
    if (subLabels.every((label) => label === subLabels[0])) break;
    const partial = fitCart(sub, m, d, subLabels, classes, {
      ...checked.params,
      maxDepth: maxConditions,
      minSamplesSplit: 2,
      minSamplesLeaf: minLeaf,
      ccpAlpha: 0,
    });
    if (partial.left[0] === -1) break;
    let best: { conditions: Condition[]; prediction: number; score: number; size: number } | null = null;
    for (const { conditions, leaf } of leafPaths(partial, featureNames)) {
      const prediction = argMax(partial.value[leaf]);
      const size = partial.samples[leaf];
      const correct = Math.round(partial.value[leaf][prediction] * size);
      const score = (correct + 1) / (size + classes);
      if (!best || score > best.score || (score === best.score && size > best.size)) {
        best = { conditions, prediction, score, size };
      }
    }
    if (!best) break;
    const chosen = best;
    const covered = remaining.filter((row) => meets(chosen.conditions, rows.x, row, d));
    rules.push(makeRule(chosen.conditions, chosen.prediction, covered));
    remaining = remaining.filter((row) => !meets(chosen.conditions, rows.x, row, d));
  }
  const counts = new Array<number>(classes).fill(0);
  for (const row of remaining) counts[labels.labels[row]] += 1;
  const fallback = remaining.length > 0 ? argMax(counts) : (rules[rules.length - 1]?.prediction ?? 0);
  rules.push(makeRule([], fallback, remaining));
  let agree = 0;
  for (let i = 0; i < n; i++) if (listClass(rules, rows.x, i, d) === labels.labels[i]) agree += 1;
  return new RuleList(rules, agree / n, featureNames, classNames);
}

/** The class the first rule whose conditions hold gives row `row` (the last rule has none). */
function listClass(rules: readonly Rule[], x: ArrayLike<number>, row: number, d: number): number {
  for (const rule of rules) if (meets(rule.conditions, x, row, d)) return rule.prediction;
  return rules[rules.length - 1].prediction;
}
