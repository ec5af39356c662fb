// The structural check of a surrogate tree's JSON before it is drawn (a tree read from a file too).
import { ShapeError, ValueError } from '../errors.js';
import type { SurrogateTreeJSON } from '../surrogate/surrogate-tree.js';
import { describe } from './input.js';

/** The fields of a tree the plot reads, checked. */
export interface CheckedTree {
  kind: 'classification' | 'regression';
  featureNames: string[];
  classNames: string[] | null;
  left: number[];
  right: number[];
  feature: number[];
  threshold: number[];
  samples: number[];
  value: number[][];
}

const ARRAYS = ['left', 'right', 'feature', 'threshold', 'samples', 'value'] as const;

/**
 * The tree's fields (calling `toJSON()` on a SurrogateTree), after checking that the arrays have
 * one entry per node, that children come after their parent in preorder and that every node but
 * the root has exactly one parent, that splits name a feature and a finite threshold, and that
 * values are finite (one per class for a classification tree).
 */
export function checkTreeJSON(op: string, tree: unknown): CheckedTree {
  const json: unknown =
    typeof tree === 'object' && tree !== null && typeof (tree as { toJSON?: unknown }).toJSON === 'function'
      ? (tree as { toJSON(): SurrogateTreeJSON }).toJSON()
      : tree;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ValueError(`${op}: expected tree to be a SurrogateTree or its toJSON() object, got ${describe(json)}`);
  }
  const t = json as Record<string, unknown>;
  if (t.kind !== 'classification' && t.kind !== 'regression') {
    throw new ValueError(`${op}: expected tree.kind to be 'classification' or 'regression', got ${describe(t.kind)}`);
  }
  const strings = (name: string, v: unknown): string[] => {
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) {
      throw new ValueError(`${op}: expected tree.${name} to be an array of strings, got ${describe(v)}`);
    }
    return v;
  };
  const featureNames = strings('featureNames', t.featureNames);
  const classNames = t.classNames === null || t.classNames === undefined ? null : strings('classNames', t.classNames);
  for (const name of ARRAYS) {
    if (!Array.isArray(t[name]))
      throw new ValueError(`${op}: expected tree.${name} to be an array, got ${describe(t[name])}`);
  }
  const n = (t.left as unknown[]).length;
  if (n === 0) throw new ShapeError(`${op}: expected tree.left to hold at least one node, got an empty array`);
  for (const name of ARRAYS) {
    const length = (t[name] as unknown[]).length;
    if (length !== n) {
      throw new ShapeError(
        `${op}: expected tree.${name} to have one entry per node (${n}, as tree.left), got ${length}`,
      );
    }
  }
  const numbers = (name: string): number[] => {
    const a = t[name] as unknown[];
    a.forEach((x, i) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        throw new ValueError(`${op}: expected tree.${name} to hold finite numbers, got ${describe(x)} at node ${i}`);
      }
    });
    return a as number[];
  };
  const [left, right, feature, threshold, samples] = ['left', 'right', 'feature', 'threshold', 'samples'].map(numbers);
  const parents = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    const leaf = left[i] === -1 && right[i] === -1;
    if (leaf) continue;
    for (const [side, child] of [
      ['left', left[i]],
      ['right', right[i]],
    ] as const) {
      if (!Number.isInteger(child) || child <= i || child >= n) {
        throw new ValueError(
          `${op}: expected tree.${side}[${i}] to be -1 (a leaf, with tree.${side === 'left' ? 'right' : 'left'}[${i}] -1 too) or a later node in (${i}, ${n - 1}], got ${child}`,
        );
      }
      parents[child] += 1;
    }
    if (!Number.isInteger(feature[i]) || feature[i] < 0 || feature[i] >= featureNames.length) {
      throw new ValueError(
        `${op}: expected tree.feature[${i}] (a split) to be a feature index in [0, ${featureNames.length - 1}], got ${feature[i]}`,
      );
    }
  }
  for (let i = 1; i < n; i++) {
    if (parents[i] !== 1) {
      throw new ValueError(`${op}: expected node ${i} to be the child of exactly one node, got ${parents[i]} parents`);
    }
  }
  samples.forEach((s, i) => {
    if (s < 0) throw new ValueError(`${op}: expected tree.samples to be ≥ 0, got ${s} at node ${i}`);
  });
  const classes = t.kind === 'regression' ? 1 : (classNames?.length ?? (t.value as unknown[][])[0]?.length);
  const value = (t.value as unknown[]).map((v, i) => {
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new ValueError(
        `${op}: expected tree.value[${i}] to be a non-empty array of finite numbers, got ${describe(v)}`,
      );
    }
    if (v.length !== classes) {
      throw new ShapeError(
        `${op}: expected tree.value[${i}] to hold ${classes} value${classes === 1 ? '' : 's'} (${t.kind === 'regression' ? 'the mean target' : 'one per class'}), got ${v.length}`,
      );
    }
    return v as number[];
  });
  return { kind: t.kind, featureNames, classNames, left, right, feature, threshold, samples, value };
}
