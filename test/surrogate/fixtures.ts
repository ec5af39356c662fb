// Loads the surrogate-tree fixtures: the networks neurasm trained, rebuilt from their weights, the
// standardized rows, and scikit-learn's trees (scripts/fixtures/surrogate_tree*.{ts,py}).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { loadDataset } from '../../src/datasets/index.js';
import * as nn from '../../src/index.js';
import type { Sequential } from '../../src/models/sequential.js';
import { type SurrogateFixtureModel, standardized } from './fixture-data.js';

const DIR = fileURLToPath(new URL('../fixtures/surrogate_tree', import.meta.url));

/** One case of scikit-learn's trees. */
export interface SklearnCase {
  options: Record<string, number | string | null>;
  predictions: number[];
  depth: number;
  leaves: number;
  importances: number[];
  nodes: { left: number[]; right: number[]; feature: number[]; threshold: number[] };
  stable: boolean;
  text?: string;
  textWeights?: string;
  /** export_text with max_depth=1, spacing=2. */
  textTruncated?: string;
}

export interface SurrogateFixture {
  name: string;
  kind: 'classification' | 'regression';
  model: SurrogateFixtureModel;
  network: Sequential;
  xTrain: Float32Array;
  xTest: Float32Array;
  d: number;
  cases: SklearnCase[];
}

/** The fixture `name` (iris, wine, breast-cancer, digits, wine-regression), its network rebuilt. */
export async function loadFixture(name: string): Promise<SurrogateFixture> {
  const model = JSON.parse(readFileSync(join(DIR, `${name}.models.json`), 'utf8')) as SurrogateFixtureModel;
  const sk = JSON.parse(readFileSync(join(DIR, `${name}.sklearn.json`), 'utf8'));
  const data = await loadDataset(model.dataset);
  const x = data.x.dataSync<'float32'>();
  const d = data.x.shape[1];
  nn.dispose(data);
  const network = nn.sequential({
    layers: model.layers.map((layer, i) => nn.layers.dense({ ...layer, ...(i === 0 ? { inputShape: [d] } : {}) })),
  });
  const shapes = network.getWeights().map((w) => {
    const shape = w.shape;
    w.dispose();
    return shape;
  });
  const weights = model.weights.map((w, i) => nn.tensor(w, shapes[i] as number[]));
  network.setWeights(weights);
  nn.dispose(weights);
  return {
    name,
    kind: sk.kind,
    model,
    network,
    xTrain: standardized.rows(x, d, model.train, model.mean, model.std),
    xTest: standardized.rows(x, d, model.test, model.mean, model.std),
    d,
    cases: sk.cases,
  };
}

/** A fixture's standardized training rows as a tensor [train rows, d]. */
export const trainRows = (f: SurrogateFixture) => nn.tensor(f.xTrain, [f.model.train.length, f.d]);

/** A fixture's standardized held-out rows as a tensor [test rows, d]. */
export const testRows = (f: SurrogateFixture) => nn.tensor(f.xTest, [f.model.test.length, f.d]);

/** The fixtures of the four data sets and the regression case, loaded before the file's tests and freed after. */
export function useFixtures(): Map<string, SurrogateFixture> {
  const fixtures = new Map<string, SurrogateFixture>();
  beforeAll(async () => {
    await nn.ready();
    for (const name of ['iris', 'wine', 'breast-cancer', 'digits', 'wine-regression']) {
      fixtures.set(name, await loadFixture(name));
    }
  });
  afterAll(() => {
    for (const f of fixtures.values()) f.network.dispose();
  });
  return fixtures;
}
