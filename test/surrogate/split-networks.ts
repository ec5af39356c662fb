// Networks trained as scripts/fixtures/surrogate_tree_models.ts trains the fixtures' (d-32-k,
// relu/softmax, standardized features, Adam 0.01, seed 13), on other seeded 70/30 splits: the
// surrogates' fidelity is measured over several splits, not on one.
import { type DatasetName, loadDataset } from '../../src/datasets/index.js';
import * as nn from '../../src/index.js';
import type { Sequential } from '../../src/models/sequential.js';
import { splitIndices, standardized } from './fixture-data.js';

/** Epochs per data set, as the fixtures' networks were trained. */
export const EPOCHS: Record<DatasetName, number> = { iris: 150, wine: 100, 'breast-cancer': 60, digits: 40 };

/** A trained network and its split's standardized rows. */
export interface SplitNetwork {
  network: Sequential;
  xTrain: nn.Tensor;
  xTest: nn.Tensor;
  /** The network's accuracy on the held-out rows (true labels). */
  accuracy: number;
  dispose(): void;
}

/** Trains the fixtures' network on the seeded split `split` of data set `name`. */
export async function splitNetwork(name: DatasetName, split: number): Promise<SplitNetwork> {
  const data = await loadDataset(name);
  const x = data.x.dataSync<'float32'>();
  const y = data.y.dataSync<'int32'>();
  const rows = data.y.shape[0];
  const d = data.x.shape[1];
  const classes = data.numClasses;
  nn.dispose(data);
  const { train, test } = splitIndices(rows, split);
  const { mean, std } = standardized.moments(x, d, train);
  const xTrain = nn.tensor(standardized.rows(x, d, train, mean, std), [train.length, d]);
  const xTest = nn.tensor(standardized.rows(x, d, test, mean, std), [test.length, d]);
  nn.setSeed(13);
  const network = nn.sequential({
    layers: [
      nn.layers.dense({ units: 32, activation: 'relu', inputShape: [d] }),
      nn.layers.dense({ units: classes, activation: 'softmax' }),
    ],
  });
  network.compile({ optimizer: nn.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
  const yTrain = nn.tensor(
    Int32Array.from(train, (i) => y[i]),
    [train.length],
    'int32',
  );
  await network.fit(xTrain, yTrain, { epochs: EPOCHS[name], batchSize: 32, verbose: 0 });
  yTrain.dispose();
  const predicted = network.predictClasses(xTest);
  const labels = predicted.dataSync<'int32'>();
  predicted.dispose();
  const accuracy = test.filter((row, k) => labels[k] === y[row]).length / test.length;
  return {
    network,
    xTrain,
    xTest,
    accuracy,
    dispose() {
      network.dispose();
      nn.dispose([xTrain, xTest]);
    },
  };
}
