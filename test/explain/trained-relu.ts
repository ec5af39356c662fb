// A relu/softmax network trained on a standardized data set, with its float64 reference: the
// integrated-gradients tests' subject.
import { loadDataset } from '../../src/datasets/index.js';
import * as nn from '../../src/index.js';
import { type Dense64, denseLayers } from './mlp64.js';

/** A relu/softmax network trained briefly on a standardized data set (seed 1), with its float64 reference. */
export async function trainedReluNetwork(name: 'iris' | 'breast-cancer', hidden: number[], epochs: number) {
  const data = await loadDataset(name);
  const xs = nn.data.standardScaler().fit(data.x).transform(data.x);
  nn.setSeed(1);
  const features = xs.shape[1];
  const net = nn.sequential({
    layers: [
      ...hidden.map((units, i) =>
        nn.layers.dense({ units, activation: 'relu', ...(i === 0 ? { inputShape: [features] } : {}) }),
      ),
      nn.layers.dense({ units: data.numClasses, activation: 'softmax' }),
    ],
  });
  net.compile({ optimizer: nn.train.adam(0.001), loss: 'sparse_categorical_crossentropy' });
  await net.fit(xs, data.y, { epochs, batchSize: 32, seed: 1, verbose: 0 });
  const reference: Dense64[] = denseLayers(
    net.getWeights().map((w) => w.dataSync()),
    [...hidden.map(() => 'relu' as const), 'softmax'],
  );
  nn.dispose([data.x, data.y]);
  return { net, xs, values: xs.dataSync(), reference, features };
}
