// Overfitting and its remedies on the breast-cancer data: an oversized 512-512
// network trained 300 epochs without any remedy, then with L2, dropout, and early stopping that
// restores the best weights. Prints final train and validation loss for each run.
// Run: npx tsx examples/overfitting.ts [epochs]

import { loadDataset } from '../src/datasets/index.js';
import * as nn from '../src/index.js';

const epochs = Number(process.argv[2] ?? 300);
await nn.ready({ relaxedSimd: false });
const data = await loadDataset('breast-cancer');
const split = nn.data.trainTestSplit(data.x, data.y, { testSize: 0.3, stratify: true, seed: 7 });
const scaler = nn.data.standardScaler().fit(split.xTrain);
const xTrain = scaler.transform(split.xTrain);
const xVal = scaler.transform(split.xTest);

type Variant = { name: string; l2?: number; dropout?: number; earlyStopping?: boolean };
const variants: Variant[] = [
  { name: 'no remedy' },
  { name: 'l2(1e-3)', l2: 1e-3 },
  { name: 'dropout(0.5)', dropout: 0.5 },
  { name: 'earlyStopping(patience 10, restoreBestWeights)', earlyStopping: true },
  { name: 'l2 + dropout + earlyStopping', l2: 1e-3, dropout: 0.5, earlyStopping: true },
];

const rows: string[] = [];
for (const v of variants) {
  nn.setSeed(1);
  const reg = v.l2 ? nn.regularizers.l2({ l2: v.l2 }) : undefined;
  const layers: nn.layers.Layer[] = [
    nn.layers.dense({ units: 512, activation: 'relu', inputShape: [30], kernelRegularizer: reg }),
  ];
  if (v.dropout) layers.push(nn.layers.dropout({ rate: v.dropout }));
  layers.push(nn.layers.dense({ units: 512, activation: 'relu', kernelRegularizer: reg }));
  if (v.dropout) layers.push(nn.layers.dropout({ rate: v.dropout }));
  layers.push(nn.layers.dense({ units: 2, activation: 'softmax' }));
  const model = nn.sequential({ layers });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const callbacks = v.earlyStopping ? [nn.callbacks.earlyStopping({ patience: 10, restoreBestWeights: true })] : [];
  const started = performance.now();
  const history = await model.fit(xTrain, split.yTrain, {
    epochs,
    batchSize: 32,
    validationData: [xVal, split.yTest],
    seed: 3,
    verbose: 0,
    callbacks,
  });
  // the final weights (for early stopping: the restored best ones), measured without regularization terms
  const lossOnly = (x: nn.Tensor, y: nn.Tensor) =>
    nn.tidy(() => nn.losses.sparseSoftmaxCrossEntropy(y, nn.log(model.predict(x)), {}).dataSync()[0]);
  const trainLoss = lossOnly(xTrain, split.yTrain);
  const valLoss = lossOnly(xVal, split.yTest);
  const [, acc] = model.evaluate(xVal, split.yTest) as nn.Tensor[];
  rows.push(
    `| ${v.name} | ${history.epoch.length} | ${trainLoss.toFixed(4)} | ${valLoss.toFixed(4)} | ${(valLoss - trainLoss).toFixed(4)} | ${(100 * acc.dataSync()[0]).toFixed(1)}% | ${((performance.now() - started) / 1000).toFixed(1)} s |`,
  );
  acc.dispose();
  model.dispose();
}
console.log(`breast-cancer, 512-512 relu, adam, batch 32, up to ${epochs} epochs, 70/30 stratified split (seed 7)\n`);
console.log('| run | epochs run | train loss | validation loss | gap | validation accuracy | time |');
console.log('|---|--:|--:|--:|--:|--:|--:|');
for (const r of rows) console.log(r);
