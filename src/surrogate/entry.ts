// nn.surrogate's bodies (tree.ts, rules.ts) are loaded on first use: the browser bundle fetches
// them in the chunk of code that pages need later or never (src/lazy-import.ts). lazy.ts exports
// them as surrogateTree, surrogateTreeFromJSON and surrogateRuleList.
import { loadedOnFirstUse } from '../lazy-import.js';
import type { ruleList as ruleListBody } from './rules.js';
import type { tree as treeBody, treeFromJSON as treeFromJSONBody } from './tree.js';

export type { TextOptions } from './export-text.js';
export type { AugmentOptions } from './network.js';
export type { Condition, Rule } from './rule.js';
export type { RuleList, RuleListOptions } from './rules.js';
export type { SurrogateTree, SurrogateTreeJSON } from './surrogate-tree.js';
export type { TreeOptions } from './tree.js';

/** What nn.surrogate takes from the chunk loaded on first use (src/lazy.ts). */
export interface SurrogateBodies {
  surrogateTree: typeof treeBody;
  surrogateTreeFromJSON: typeof treeFromJSONBody;
  surrogateRuleList: typeof ruleListBody;
}

/**
 * A decision tree that mimics a trained network, to read what it learned. The tree is grown with
 * scikit-learn's CART, ported step for step (DecisionTreeClassifier: best split over all features,
 * thresholds halfway between sorted distinct values, ties broken as `random_state = seed`, default
 * 0, so the same rows and labels give sklearn's tree), on the network's predicted classes for the
 * rows of x, evaluated as large batches on the Wasm path. A model with one linear output is a
 * regression model: the tree is then a regression tree (DecisionTreeRegressor, squared error) on
 * its outputs. `augment` adds points around the data (a row drawn at random plus Gaussian noise of
 * `scale` (default 0.3) × each feature's standard deviation), labelled by the network, so that the
 * tree sees the network's boundary densely: `augment: 'auto'` adds 50 points per row. With it, and
 * `criterion: 'entropy'`, a depth-5 tree agreed with a wine network on 0.953 of held-out rows
 * (10 splits pooled; 0.906 without augmentation).
 *
 * The tree predicts (`predict`, `predictProba`), measures its `fidelity(model, x)` (share of rows
 * where tree and network agree; R² for regression), and gives `featureImportances` (sklearn's),
 * `toRules()`, `toText()` (sklearn's export_text), `toJSON()`, `depth` and `leafCount`.
 *
 * @example
 * const surrogate = await nn.surrogate.tree(model, xTrain, {
 *   maxDepth: 5, criterion: 'entropy', augment: 'auto', seed: 0, featureNames, classNames,
 * });
 * console.log(surrogate.toText());
 * console.log('fidelity on held-out rows', surrogate.fidelity(model, xTest));
 * for (const rule of surrogate.toRules()) console.log(rule.text, rule.support, rule.precision);
 */
export const tree: typeof treeBody = loadedOnFirstUse<Pick<SurrogateBodies, 'surrogateTree'>>(
  'surrogateTree',
  'surrogate.tree',
);

/**
 * A surrogate tree back from what its `toJSON()` wrote (the object or its JSON text); every field
 * is checked.
 *
 * @example
 * localStorage.setItem('tree', JSON.stringify(surrogate));
 * const again = await nn.surrogate.treeFromJSON(localStorage.getItem('tree')!);
 */
export const treeFromJSON: typeof treeFromJSONBody = loadedOnFirstUse<Pick<SurrogateBodies, 'surrogateTreeFromJSON'>>(
  'surrogateTreeFromJSON',
  'surrogate.treeFromJSON',
);

/**
 * An ordered IF … THEN … ELSE rule list that mimics a classifier, each rule with its support (share
 * of the rows it takes) and precision (share of those where the network agrees), and the list's
 * fidelity. Found by sequential covering (as PART): a small CART tree (depth `maxConditions`,
 * leaves of at least `minSupport` of the rows) is grown on the rows no rule covers yet, its most
 * precise leaf (Laplace-corrected) becomes the next rule and its rows are removed; the last rule,
 * ELSE, gives the majority class of the rows left. Covering gives short rules that each hold for
 * the rows they take, where rules read off one tree repeat its top tests and come unordered.
 *
 * @example
 * const list = await nn.surrogate.ruleList(model, xTrain, { maxRules: 6, featureNames, classNames });
 * console.log(list.toText());
 * console.log(list.fidelity(model, xTest));
 */
export const ruleList: typeof ruleListBody = loadedOnFirstUse<Pick<SurrogateBodies, 'surrogateRuleList'>>(
  'surrogateRuleList',
  'surrogate.ruleList',
);
