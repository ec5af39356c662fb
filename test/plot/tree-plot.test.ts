import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../src/errors.js';
import { treePlot } from '../../src/plot/tree-plot.js';
import type { SurrogateTreeJSON } from '../../src/surrogate/surrogate-tree.js';
import { select, textOf } from '../helpers/xml.js';
import { checkedSvg } from './check-svg.js';

// x0 ≤ 0.5 ? A : (x1 ≤ 2 ? B : A), preorder
const tree: SurrogateTreeJSON = {
  format: 'neurasm-surrogate-tree',
  version: 1,
  kind: 'classification',
  featureNames: ['petal <width>', 'petal length'],
  classNames: ['A', 'B'],
  nFeatures: 2,
  nClasses: 2,
  left: [1, -1, 3, -1, -1],
  right: [2, -1, 4, -1, -1],
  feature: [0, -2, 1, -2, -2],
  threshold: [0.5, -2, 2, -2, -2],
  impurity: [0.5, 0, 0.3, 0, 0],
  samples: [100, 40, 60, 45, 15],
  value: [
    [0.55, 0.45],
    [1, 0],
    [0.25, 0.75],
    [0, 1],
    [1, 0],
  ],
};

const regression: SurrogateTreeJSON = {
  ...tree,
  kind: 'regression',
  classNames: null,
  nClasses: 0,
  value: [[2.5], [1], [3.25], [4], [1.0001]],
};

describe('treePlot', () => {
  it('draws every node, splits as "feature ≤ threshold", leaves with class and samples, edges true/false', () => {
    const root = checkedSvg(treePlot(tree));
    const nodes = select(root, 'g', 'node');
    expect(nodes.map((g) => g.attributes['data-node'])).toEqual(['0', '1', '2', '3', '4']);
    expect(nodes.map((g) => select(g, 'text').map(textOf))).toEqual([
      ['petal <width> ≤ 0.50', 'samples = 100', 'class = A'],
      ['class = A', 'samples = 40'],
      ['petal length ≤ 2.00', 'samples = 60', 'class = B'],
      ['class = B', 'samples = 45'],
      ['class = A', 'samples = 15'],
    ]);
    expect(select(root, 'g', 'leaf')).toHaveLength(3);
    // fill by (majority) class: A and B differ, the same class the same colour
    const fills = nodes.map((g) => select(g, 'rect')[0].attributes.fill);
    expect(fills[0]).toBe(fills[1]);
    expect(fills[2]).toBe(fills[3]);
    expect(fills[0]).not.toBe(fills[2]);
    expect(select(root, 'text', 'edge-label').map(textOf)).toEqual(['true', 'false', 'true', 'false']);
    expect(select(root, 'line')).toHaveLength(4);
    // top-down: children below their parent, the true child left of the false one
    const box = (i: number) => select(nodes[i], 'rect')[0].attributes;
    expect(Number(box(1).y)).toBeGreaterThan(Number(box(0).y));
    expect(Number(box(1).x)).toBeLessThan(Number(box(2).x));
    expect(Number(box(3).x)).toBeLessThan(Number(box(4).x));
    expect(select(nodes[2], 'title')[0].text).toBe(
      'node 2: petal length ≤ 2.00, samples = 60, class = B (A 0.25, B 0.75)',
    );
  });

  it('takes a SurrogateTree-like object, JSON text parsed, decimals, maxDepth and width', () => {
    const svg = treePlot(tree);
    expect(treePlot({ toJSON: () => tree })).toBe(svg);
    expect(treePlot(JSON.parse(JSON.stringify(tree)))).toBe(svg);
    expect(treePlot(tree)).toBe(svg);
    const shallow = checkedSvg(treePlot(tree, { maxDepth: 1, decimals: 0 }));
    const nodes = select(shallow, 'g', 'node');
    expect(nodes.map((g) => g.attributes['data-node'])).toEqual(['0', '1', '2']);
    expect(select(nodes[2], 'text').map(textOf)).toEqual(['petal length ≤ 2', 'samples = 60', 'class = B', '…']);
    expect(select(checkedSvg(treePlot(tree, { maxDepth: 0 })), 'g', 'node')).toHaveLength(1);
    const scaled = checkedSvg(treePlot(tree, { width: 300 }));
    expect(scaled.attributes.width).toBe('300');
    expect(scaled.attributes.viewBox).toBe(checkedSvg(svg).attributes.viewBox);
    expect(svg).not.toContain('<width>');
  });

  it('draws a regression tree with values, filled from low to high', () => {
    const root = checkedSvg(treePlot(regression, { decimals: 1 }));
    const nodes = select(root, 'g', 'node');
    expect(select(nodes[3], 'text').map(textOf)).toEqual(['value = 4.0', 'samples = 45']);
    expect(select(nodes[1], 'rect')[0].attributes.fill).toBe('#ffffff');
    expect(select(nodes[3], 'rect')[0].attributes.fill).toBe('#e58139');
  });

  it('rejects malformed tree JSON, naming the field', () => {
    const bad = (patch: Record<string, unknown>) => () => treePlot({ ...tree, ...patch } as never);
    expect(() => treePlot(null as never)).toThrow(
      new ValueError('treePlot: expected tree to be a SurrogateTree or its toJSON() object, got null'),
    );
    expect(bad({ kind: 'forest' })).toThrow(
      "treePlot: expected tree.kind to be 'classification' or 'regression', got \"forest\"",
    );
    expect(bad({ left: [1, -1, 3, -1] })).toThrow(
      new ShapeError('treePlot: expected tree.right to have one entry per node (4, as tree.left), got 5'),
    );
    expect(bad({ samples: 'many' })).toThrow('treePlot: expected tree.samples to be an array, got "many"');
    expect(bad({ left: [1, -1, 7, -1, -1] })).toThrow(
      'treePlot: expected tree.left[2] to be -1 (a leaf, with tree.right[2] -1 too) or a later node in (2, 4], got 7',
    );
    expect(bad({ left: [1, -1, 1, -1, -1] })).toThrow('expected tree.left[2] to be -1');
    expect(bad({ right: [2, -1, -1, -1, -1] })).toThrow(
      'expected tree.right[2] to be -1 (a leaf, with tree.left[2] -1 too)',
    );
    expect(bad({ left: [1, -1, 3, -1, -1], right: [2, -1, 3, -1, -1] })).toThrow(
      'treePlot: expected node 3 to be the child of exactly one node, got 2 parents',
    );
    expect(bad({ feature: [0, -2, 5, -2, -2] })).toThrow(
      'treePlot: expected tree.feature[2] (a split) to be a feature index in [0, 1], got 5',
    );
    expect(bad({ threshold: [Number.NaN, -2, 2, -2, -2] })).toThrow(
      'expected tree.threshold to hold finite numbers, got NaN at node 0',
    );
    expect(bad({ value: [[0.5, 0.5], [1, 0], [0, 1], [0, 1], [1]] })).toThrow(
      'treePlot: expected tree.value[4] to hold 2 values (one per class), got 1',
    );
    expect(bad({ featureNames: ['a', 2] })).toThrow(
      'expected tree.featureNames to be an array of strings, got an array of length 2',
    );
    expect(bad({ left: [], right: [], feature: [], threshold: [], samples: [], value: [] })).toThrow(
      'expected tree.left to hold at least one node, got an empty array',
    );
    expect(() => treePlot(tree, { maxDepth: -1 })).toThrow('treePlot: expected maxDepth to be an integer ≥ 0, got -1');
    expect(() => treePlot(tree, { decimals: 21 })).toThrow('expected decimals to be an integer in [0, 20], got 21');
  });
});
