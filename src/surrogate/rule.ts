// Rules as trees and rule lists print them: conjunctions of threshold tests on named features.
import { pythonFixed } from './export-text.js';

/** One test of a rule: `featureName op threshold`. */
export interface Condition {
  /** Column of the feature in a row of x. */
  feature: number;
  featureName: string;
  op: '<=' | '>';
  threshold: number;
}

/** One rule: IF all conditions THEN prediction, with how many training rows it covers and how well. */
export interface Rule {
  /** The tests, all of which must hold (empty: the rule covers every row). */
  conditions: Condition[];
  /** The class index, or the predicted value for a regression tree. */
  prediction: number;
  /** The name of the predicted class (null for regression). */
  className: string | null;
  /** Training rows the rule covers (for a rule list: the rows no earlier rule took). */
  samples: number;
  /** samples as a share of all training rows. */
  support: number;
  /** Share of the covered rows whose network label is the prediction (null for regression). */
  precision: number | null;
  /** The rule as one line, e.g. `IF petal length <= 2.45 THEN setosa`. */
  text: string;
}

/** Whether row `row` of x (d columns) meets every condition. */
export function meets(conditions: readonly Condition[], x: ArrayLike<number>, row: number, d: number): boolean {
  for (const c of conditions) {
    const v = x[row * d + c.feature];
    if (c.op === '<=' ? !(v <= c.threshold) : !(v > c.threshold)) return false;
  }
  return true;
}

/** The conditions with redundant ones removed: per feature and direction only the tightest is kept. */
export function tightest(conditions: readonly Condition[]): Condition[] {
  const kept: Condition[] = [];
  for (const c of conditions) {
    const same = kept.findIndex((k) => k.feature === c.feature && k.op === c.op);
    if (same < 0) kept.push({ ...c });
    else if (c.op === '<=' ? c.threshold < kept[same].threshold : c.threshold > kept[same].threshold)
      kept[same] = { ...c };
  }
  return kept;
}

/** `IF a <= 1.00 AND b > 2.00 THEN label` (thresholds with `decimals` digits). */
export function ruleText(conditions: readonly Condition[], label: string, decimals = 2): string {
  if (conditions.length === 0) return `THEN ${label}`;
  const tests = conditions.map((c) => `${c.featureName} ${c.op} ${pythonFixed(c.threshold, decimals)}`);
  return `IF ${tests.join(' AND ')} THEN ${label}`;
}
