// A surrogate decision tree drawn top-down: splits, leaves, and which way a row goes.
import type { SurrogateTree, SurrogateTreeJSON } from '../surrogate/surrogate-tree.js';
import { classColour, sequential } from './colour.js';
import { formatFixed, formatNumber } from './format.js';
import { intOption, optionsOf } from './input.js';
import { el, svgDocument, text, textWidth, title, wrap } from './svg.js';
import { type CheckedTree, checkTreeJSON } from './tree-json.js';

/** Options of `treePlot`. */
export interface TreePlotOptions {
  /** Levels drawn below the root (default: all); a split at the last level is drawn with "…" below it. */
  maxDepth?: number;
  /** Width in px the drawing is scaled to (default: its natural width). */
  width?: number;
  /** Decimals of thresholds and regression values (default 2, as `toText`). */
  decimals?: number;
}

const OPTIONS = ['maxDepth', 'width', 'decimals'];
const LINE = 15;
const LEVEL_GAP = 44;

/** The index of the largest entry (the first on ties, as numpy's argmax). */
function argMax(values: readonly number[]): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k] > values[best]) best = k;
  return best;
}

/**
 * A surrogate tree drawn top-down: each split as "feature ≤ threshold" with its samples and
 * majority class (or mean value), each leaf with its class (or value) and samples; a row goes
 * along the edge labelled true when the test holds. Nodes are filled by their (majority) class
 * from a fixed palette, or for a regression tree from white to orange by value. Takes a
 * SurrogateTree or its `toJSON()` object, which is checked (a tree read from a file plots too).
 *
 * @example
 * import * as plot from 'neurasm/plot';
 * const surrogate = await nn.surrogate.tree(model, xTrain, { maxDepth: 3, featureNames, classNames });
 * writeFileSync('tree.svg', plot.treePlot(surrogate));
 * writeFileSync('tree-top.svg', plot.treePlot(JSON.parse(readFileSync('tree.json', 'utf8')), { maxDepth: 2 }));
 */
export function treePlot(
  tree: SurrogateTreeJSON | SurrogateTree | { toJSON(): SurrogateTreeJSON },
  options?: TreePlotOptions,
): string {
  const op = 'treePlot';
  const args = optionsOf<TreePlotOptions>(op, options, OPTIONS);
  const t = checkTreeJSON(op, tree);
  const maxDepth = args.maxDepth === undefined ? Number.MAX_SAFE_INTEGER : intOption(op, 'maxDepth', args.maxDepth, 0);
  const displayWidth = args.width === undefined ? undefined : intOption(op, 'width', args.width, 100);
  const decimals = intOption(op, 'decimals', args.decimals ?? 2, 0, 20);

  const isLeaf = (i: number) => t.left[i] === -1;
  const depth = new Array<number>(t.left.length).fill(-1);
  const visible: number[] = [];
  const visit = (i: number, d: number) => {
    depth[i] = d;
    visible.push(i);
    if (!isLeaf(i) && d < maxDepth) {
      visit(t.left[i], d + 1);
      visit(t.right[i], d + 1);
    }
  };
  visit(0, 0);
  const shownLeaf = (i: number) => isLeaf(i) || depth[i] >= maxDepth;

  const values = visible.map((i) => t.value[i][0]);
  const vLo = Math.min(...values);
  const vHi = Math.max(...values);
  const prediction = (i: number) =>
    t.kind === 'regression'
      ? `value = ${formatFixed(t.value[i][0], decimals)}`
      : `class = ${className(t, argMax(t.value[i]))}`;
  const lines = (i: number): string[] => {
    const samples = `samples = ${formatNumber(t.samples[i])}`;
    if (isLeaf(i)) return [prediction(i), samples];
    const test = `${t.featureNames[t.feature[i]]} ≤ ${formatFixed(t.threshold[i], decimals)}`;
    return depth[i] >= maxDepth ? [test, samples, prediction(i), '…'] : [test, samples, prediction(i)];
  };
  const boxWidth = new Map(visible.map((i) => [i, Math.max(...lines(i).map((l) => textWidth(l))) + 16]));
  const slot = Math.max(...boxWidth.values()) + 14;
  const boxHeight = 4 * LINE + 10;
  const level = boxHeight + LEVEL_GAP;

  // leaves take slots left to right; a split sits above the middle of its two children
  const cx = new Map<number, number>();
  let nextSlot = 0;
  const place = (i: number): number => {
    const x = shownLeaf(i) ? (nextSlot++ + 0.5) * slot : (place(t.left[i]) + place(t.right[i])) / 2;
    cx.set(i, x);
    return x;
  };
  place(0);
  const width = Math.max(nextSlot * slot, 120);
  const top = 10;
  const levels = Math.max(...visible.map((i) => depth[i])) + 1;
  const height = top + levels * level - LEVEL_GAP + 10;

  const edges: string[] = [];
  const nodes: string[] = [];
  for (const i of visible) {
    const x = cx.get(i)!;
    const y = top + depth[i] * level;
    if (!shownLeaf(i)) {
      (
        [
          [t.left[i], 'true'],
          [t.right[i], 'false'],
        ] as const
      ).forEach(([child, label]) => {
        const x2 = cx.get(child)!;
        const y1 = y + lines(i).length * LINE + 10;
        const y2 = y + level;
        edges.push(el('line', { x1: x, y1, x2, y2, stroke: '#888888' }));
        const lx = x + (x2 - x) * 0.35;
        edges.push(
          text(lx + (label === 'true' ? -4 : 4), y1 + (y2 - y1) * 0.35 + 4, label, {
            'text-anchor': label === 'true' ? 'end' : 'start',
            fill: '#666666',
            'font-size': 10,
            class: 'edge-label',
          }),
        );
      });
    }
    const w = boxWidth.get(i)!;
    const fill =
      t.kind === 'regression'
        ? sequential(vHi > vLo ? (t.value[i][0] - vLo) / (vHi - vLo) : 0.5)
        : classColour(argMax(t.value[i]));
    const body = lines(i).map((l, k) =>
      text(x, y + 5 + LINE * (k + 1) - 3, l, {
        'text-anchor': 'middle',
        fill: '#222222',
        'font-weight': k === 0 && !isLeaf(i) ? 'bold' : undefined,
      }),
    );
    const detail =
      t.kind === 'regression'
        ? `mean ${formatNumber(t.value[i][0])}`
        : t.value[i].map((p, k) => `${className(t, k)} ${formatNumber(p)}`).join(', ');
    nodes.push(
      wrap(
        'g',
        { class: isLeaf(i) ? 'node leaf' : 'node split', 'data-node': i },
        title(
          `node ${i}: ${lines(i)
            .filter((l) => l !== '…')
            .join(', ')} (${detail})`,
        ) +
          el('rect', {
            x: x - w / 2,
            y,
            width: w,
            height: lines(i).length * LINE + 10,
            rx: 5,
            ry: 5,
            fill,
            stroke: '#666666',
          }) +
          body.join(''),
      ),
    );
  }
  const heading = `Surrogate ${t.kind} tree: ${t.left.filter((l) => l === -1).length} leaves`;
  return svgDocument(width, height, heading, edges.join('') + nodes.join(''), displayWidth ?? width);
}

function className(t: CheckedTree, k: number): string {
  return t.classNames?.[k] ?? String(k);
}
