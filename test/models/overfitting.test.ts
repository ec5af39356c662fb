import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/datasets/index.js';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

// A smaller version of examples/overfitting.ts (whose 512-512, 300-epoch figures are in the README).
describe('remedies against overfitting on breast-cancer', () => {
  it('l2 and earlyStopping(restoreBestWeights) each end with a validation loss at least 10% lower', async () => {
    const data = await loadDataset('breast-cancer');
    const split = nn.data.trainTestSplit(data.x, data.y, { testSize: 0.3, stratify: true, seed: 7 });
    const scaler = nn.data.standardScaler().fit(split.xTrain);
    const xTrain = scaler.transform(split.xTrain);
    const xVal = scaler.transform(split.xTest);
    const run = async (l2: number, earlyStopping: boolean) => {
      nn.setSeed(1);
      const reg = l2 ? nn.regularizers.l2({ l2 }) : undefined;
      const model = nn.sequential({
        layers: [
          nn.layers.dense({ units: 128, activation: 'relu', inputShape: [30], kernelRegularizer: reg }),
          nn.layers.dense({ units: 128, activation: 'relu', kernelRegularizer: reg }),
          nn.layers.dense({ units: 2, activation: 'softmax' }),
        ],
      });
      model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      await model.fit(xTrain, split.yTrain, {
        epochs: 80,
        validationData: [xVal, split.yTest],
        seed: 3,
        verbose: 0,
        callbacks: earlyStopping ? [nn.callbacks.earlyStopping({ patience: 10, restoreBestWeights: true })] : [],
      });
      // the data loss only (no penalty terms), so that the runs compare fairly
      const valLoss = nn.tidy(
        () => nn.losses.sparseSoftmaxCrossEntropy(split.yTest, nn.log(model.predict(xVal))).dataSync()[0],
      );
      const trainLoss = nn.tidy(
        () => nn.losses.sparseSoftmaxCrossEntropy(split.yTrain, nn.log(model.predict(xTrain))).dataSync()[0],
      );
      model.dispose();
      return { trainLoss, valLoss };
    };
    const plain = await run(0, false);
    const withL2 = await run(1e-3, false);
    const stopped = await run(0, true);
    expect(plain.valLoss - plain.trainLoss).toBeGreaterThan(0.05); // it overfits
    expect(withL2.valLoss).toBeLessThan(0.9 * plain.valLoss);
    expect(stopped.valLoss).toBeLessThan(0.9 * plain.valLoss);
    nn.dispose([data.x, data.y, split, xTrain, xVal]);
  }, 120_000);
});
