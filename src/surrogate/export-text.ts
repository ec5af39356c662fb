// A tree as text, character for character as scikit-learn's sklearn.tree.export_text prints it.
import { type CartTree, cartDepth } from './cart.js';

/** How toText lays the tree out (sklearn's export_text arguments). */
export interface TextOptions {
  /** Levels printed before a branch is shown as "truncated branch of depth k" (default 10). */
  maxDepth?: number;
  /** Characters per level of indentation (default 3). */
  spacing?: number;
  /** Digits after the decimal point for thresholds and values (default 2). */
  decimals?: number;
  /** Print the sample counts per class at each leaf (default false). */
  showWeights?: boolean;
}

/**
 * x with `decimals` digits after the point, rounding halves to even on the exact binary value, as
 * Python's format does (JavaScript's toFixed rounds exact halves up).
 */
export function pythonFixed(x: number, decimals: number): string {
  const fixed = x.toFixed(decimals);
  const exact = Math.abs(x).toFixed(100);
  const point = exact.indexOf('.');
  const rest = exact.slice(point + 1 + decimals);
  if (!/^50*$/.test(rest)) return fixed;
  // an exact half: toFixed rounded away from zero; go to the even neighbour instead
  const scale = 10 ** decimals;
  const down = Math.trunc(Math.abs(x) * scale);
  const even = down % 2 === 0 ? down : down + 1;
  const text = (even / scale).toFixed(decimals);
  return x < 0 ? `-${text}` : text;
}

/** sklearn's export_text for a tree whose features and classes are named as given. */
export function exportText(
  tree: CartTree,
  featureNames: readonly string[],
  classNames: readonly string[],
  options: Required<TextOptions>,
): string {
  const { maxDepth, spacing, decimals, showWeights } = options;
  const classifier = tree.nClasses > 0;
  const lines: string[] = [];
  const leafText = (node: number, indent: string) => {
    const value = tree.value[node];
    if (!classifier) {
      lines.push(`${indent} value: [${value.map((v) => pythonFixed(v, decimals)).join(', ')}]`);
      return;
    }
    const weights = showWeights
      ? `[${value.map((v) => pythonFixed(v * tree.samples[node], decimals)).join(', ')}]`
      : '';
    lines.push(`${indent}${showWeights ? ' weights: ' : ''}${weights} class: ${classNames[argMax(value)]}`);
  };
  const walk = (node: number, depth: number) => {
    let indent = `|${' '.repeat(spacing)}`.repeat(depth);
    indent = `${indent.slice(0, indent.length - spacing)}${'-'.repeat(spacing)}`;
    if (depth <= maxDepth + 1) {
      if (tree.left[node] !== -1) {
        const name = featureNames[tree.feature[node]];
        const threshold = pythonFixed(tree.threshold[node], decimals);
        lines.push(`${indent} ${name} <= ${threshold}`);
        walk(tree.left[node], depth + 1);
        lines.push(`${indent} ${name} >  ${threshold}`);
        walk(tree.right[node], depth + 1);
      } else {
        leafText(node, indent);
      }
    } else {
      const depthBelow = cartDepth(tree, node) + 1;
      if (depthBelow === 1) leafText(node, indent);
      else lines.push(`${indent} truncated branch of depth ${depthBelow}`);
    }
  };
  walk(0, 1);
  return `${lines.map((l) => `${l}\n`).join('')}`;
}

/** Index of the first largest value. */
export function argMax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
