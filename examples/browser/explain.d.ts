// Types of explain.js, for the Node side of the browser test (TypeScript).
import type * as NN from '../../src/index.js';

type Neurasm = typeof NN;

export declare const IG_STEPS: number;

export declare const TREE_DEPTH: number;

export declare const PIXEL_NAMES: readonly string[];

export declare function digitAttributions(
  nn: Neurasm,
  model: NN.Sequential,
  scaler: NN.data.StandardScaler,
  features: ArrayLike<number>,
): Promise<{ attributions: number[]; delta: number }>;

export declare function distilledTree(
  nn: Neurasm,
  model: NN.Sequential,
  xTrain: NN.Tensor,
  xTest: NN.Tensor,
): Promise<{ tree: NN.surrogate.SurrogateTree; fidelity: number; depth: number; leaves: number }>;

export declare function treeInInkUnits(
  tree: NN.surrogate.SurrogateTree,
  scaler: NN.data.StandardScaler,
): NN.surrogate.SurrogateTreeJSON;
