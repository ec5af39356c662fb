// An app that imports the package by name, bundled by Vite (the browser test builds and loads it).
import * as nn from 'neurasm';
import { loadDataset } from 'neurasm/datasets';

const out = document.getElementById('out');
try {
  const info = await nn.ready();
  const { x, y } = await loadDataset('iris');
  nn.setSeed(1);
  const model = nn.sequential({
    layers: [
      nn.layers.dense({ units: 16, activation: 'relu', inputShape: [4] }),
      nn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: nn.train.adam(0.05), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const history = await model.fit(x, y, { epochs: 40, verbose: 0, seed: 1 });
  out.textContent = JSON.stringify({ module: info.module, accuracy: history.history.accuracy.at(-1) });
} catch (e) {
  out.textContent = JSON.stringify({ error: `${e.name}: ${e.message}` });
}
