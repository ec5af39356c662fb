// The data of the surrogate-tree fixtures (test/fixtures/surrogate_tree/): a seeded split, features
// standardized by the training part's moments (computed in float64, rounded to float32, as
// scripts/fixtures/surrogate_tree.py does), and the network each fixture was made with.
import { Random } from '../../src/random.js';

/** What scripts/fixtures/surrogate_tree_models.ts writes per data set. */
export interface SurrogateFixtureModel {
  dataset: 'iris' | 'wine' | 'breast-cancer' | 'digits';
  /** Row indices into the data set. */
  train: number[];
  test: number[];
  mean: number[];
  std: number[];
  layers: { units: number; activation: 'relu' | 'softmax' | 'tanh' | 'linear' }[];
  /** getWeights() of the network, flat. */
  weights: number[][];
  /** The network's labels (classes, or outputs for a regression network) on the standardized rows. */
  labelsTrain: number[];
  labelsTest: number[];
}

/** A seeded 70/30 split of `rows` row indices. */
export function splitIndices(rows: number, seed: number): { train: number[]; test: number[] } {
  const order = new Random(seed).shuffle(Array.from({ length: rows }, (_, i) => i));
  const cut = Math.round(rows * 0.7);
  return { train: order.slice(0, cut), test: order.slice(cut) };
}

export const standardized = {
  /** Per-feature mean and standard deviation (1 for a constant feature) over the given rows. */
  moments(x: ArrayLike<number>, d: number, rows: readonly number[]): { mean: number[]; std: number[] } {
    const mean = new Array<number>(d).fill(0);
    const std = new Array<number>(d).fill(0);
    for (const i of rows) for (let f = 0; f < d; f++) mean[f] += x[i * d + f];
    for (let f = 0; f < d; f++) mean[f] /= rows.length;
    for (const i of rows) for (let f = 0; f < d; f++) std[f] += (x[i * d + f] - mean[f]) ** 2;
    for (let f = 0; f < d; f++) std[f] = Math.sqrt(std[f] / rows.length) || 1;
    return { mean, std };
  },
  /** The given rows, standardized, as float32. */
  rows(x: ArrayLike<number>, d: number, rows: readonly number[], mean: number[], std: number[]): Float32Array {
    const out = new Float32Array(rows.length * d);
    rows.forEach((i, k) => {
      for (let f = 0; f < d; f++) out[k * d + f] = (x[i * d + f] - mean[f]) / std[f];
    });
    return out;
  },
};
