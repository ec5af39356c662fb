// The accuracy bar for int8, on the classic Keras example model trained on digits: at most
// 0.5 points of held-out accuracy lost and at least 99% top-1 agreement with the float model, in
// dynamic and in static mode; and a model that takes strings quantizes, predicts and reloads.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/datasets/index.js';
import * as nn from '../../src/index.js';

beforeAll(async () => {
  await nn.ready();
});

function argmax(p: nn.Tensor): Int32Array {
  const v = p.dataSync();
  const w = p.shape[1];
  return Int32Array.from({ length: p.shape[0] }, (_, r) => {
    let best = 0;
    for (let j = 1; j < w; j++) if (v[r * w + j] > v[r * w + best]) best = j;
    return best;
  });
}

describe('int8 accuracy', () => {
  it('digits, the classic Keras example model: <= 0.5 points lost, >= 99% agreement, dynamic and static', async () => {
    nn.setSeed(42);
    const { x, y } = await loadDataset('digits');
    const split = nn.data.trainTestSplit(x, y, { testSize: 0.25, stratify: true, seed: 42 });
    const scaler = nn.data.standardScaler().fit(split.xTrain);
    const xTrain = scaler.transform(split.xTrain);
    const xTest = scaler.transform(split.xTest);
    const model = nn.sequential({
      layers: [
        nn.layers.dense({ units: 64, activation: 'relu', inputShape: [64] }),
        nn.layers.dense({ units: 64, activation: 'relu' }),
        nn.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    await model.fit(xTrain, split.yTrain, { epochs: 30, batchSize: 32, seed: 42, verbose: 0 });
    const floatAccuracy = (model.evaluate(xTest, split.yTest) as nn.Tensor[])[1].dataSync()[0];
    expect(floatAccuracy).toBeGreaterThan(0.95);
    const floatClasses = argmax(model.predict(xTest));
    for (const options of [{}, { mode: 'static' as const, calibrationData: xTrain }]) {
      const q = await nn.quantize(model, options);
      const accuracy = (q.evaluate(xTest, split.yTest) as nn.Tensor[])[1].dataSync()[0];
      expect(floatAccuracy - accuracy).toBeLessThanOrEqual(0.005);
      const classes = argmax(q.predict(xTest));
      const same = classes.filter((c, i) => c === floatClasses[i]).length / classes.length;
      expect(same).toBeGreaterThanOrEqual(0.99);
      q.dispose();
    }
    model.dispose();
  });

  it('a model that takes strings quantizes (static mode calibrates on strings), predicts strings and reloads', async () => {
    nn.setSeed(3);
    const texts = [
      'win money now',
      'meeting at noon',
      'cheap money offer',
      'lunch tomorrow at noon',
      'win a prize now',
    ];
    const labels = [1, 0, 1, 0, 1];
    const vectorizer = nn.layers.textVectorization({ maxTokens: 40, outputSequenceLength: 6 });
    vectorizer.adapt(texts);
    const model = nn.sequential({
      layers: [
        vectorizer,
        nn.layers.embedding({ inputDim: vectorizer.vocabularySize(), outputDim: 8, maskZero: true }),
        nn.layers.globalAveragePooling1d(),
        nn.layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    await model.fit(texts, labels, { epochs: 5, batchSize: 2, verbose: 0 });
    const q = await nn.quantize(model, { mode: 'static', calibrationData: texts });
    expect(q.layers.map((l) => l.className)).toEqual([
      'TextVectorization',
      'QuantizedEmbedding',
      'GlobalAveragePooling1D',
      'QuantizedDense',
    ]);
    const a = q.predict(texts).dataSync();
    const b = model.predict(texts).dataSync();
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 2);
    const loaded = await nn.loadLayersModel(nn.io.fromMemory(await nn.io.modelArtifacts(q)));
    expect(loaded.predict(texts).dataSync()).toEqual(a);
    for (const m of [model, q, loaded]) m.dispose();
  });
});
