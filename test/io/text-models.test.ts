// A model that takes strings in model files: the text layer and its vocabulary round-trip under the
// `neurasm` key, and tfjs 4.22 loads the numeric model after it from the same files.
import { readFile, rm } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { expectClose } from '../helpers/close.js';
import { tempDir, tfjsFileLoader, tfjsReady } from './helpers.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));
beforeAll(tfjsReady);

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const TEXTS = ['Free money, now!', 'Meeting at noon', 'free FREE offer', 'lunch at noon?', 'Ça va très bien 🙂'];
const LABELS = [1, 0, 1, 0, 0];

async function trainedBagOfWords(): Promise<{ model: nn.Sequential; vectorizer: nn.layers.TextVectorization }> {
  nn.setSeed(5);
  const vectorizer = nn.layers.textVectorization({ outputMode: 'multi_hot', ngrams: 2 });
  vectorizer.adapt(TEXTS);
  const model = nn.sequential({
    layers: [
      vectorizer,
      nn.layers.dense({ units: 4, activation: 'relu' }),
      nn.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  model.compile({ optimizer: nn.train.adam(0.05), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  await model.fit(TEXTS, LABELS, { epochs: 30, batchSize: 5, verbose: 0 });
  return { model, vectorizer };
}

describe('models that take strings, in model files', () => {
  it('save and load with the vocabulary: the loaded model predicts the same from strings', async () => {
    const { model, vectorizer } = await trainedBagOfWords();
    const expected = Array.from(model.predict(TEXTS).dataSync());
    expect(model.predictClasses(TEXTS).dataSync()).toEqual(Int32Array.from(LABELS));
    const dir = await tempDir();
    dirs.push(dir);
    await model.save(`file://${dir}`);
    const json = JSON.parse(await readFile(`${dir}/model.json`, 'utf8'));
    expect(json.neurasm.textInput.class_name).toBe('TextVectorization');
    expect(json.neurasm.textInput.config.vocabulary).toEqual(vectorizer.getVocabulary());
    expect(json.modelTopology.config.layers.map((l: { class_name: string }) => l.class_name)).toEqual([
      'Dense',
      'Dense',
    ]);
    const loaded = await nn.loadLayersModel(`file://${dir}/model.json`);
    expect(loaded.layers[0]).toBeInstanceOf(nn.layers.TextVectorization);
    expect((loaded.layers[0] as nn.layers.TextVectorization).getVocabulary()).toEqual(vectorizer.getVocabulary());
    expectClose(loaded.predict(TEXTS).dataSync(), expected, 0, 0);
    loaded.dispose();
    model.dispose();
  });

  it('tfjs loads the numeric model of the same files: it takes the vectorized texts', async () => {
    const { model, vectorizer } = await trainedBagOfWords();
    const dir = await tempDir();
    dirs.push(dir);
    await model.save(`file://${dir}`);
    const tfModel = await tfl.loadLayersModel(tfjsFileLoader(dir));
    const bags = vectorizer.vectorize(TEXTS);
    const tfOut = tf.tidy(() =>
      (tfModel.predict(tf.tensor(Array.from(bags.dataSync()), [...bags.shape])) as tf.Tensor).dataSync(),
    );
    expectClose(tfOut, model.predict(TEXTS).dataSync(), 1e-5, 1e-6);
    bags.dispose();
    model.dispose();
  });

  it('token ids through an embedding: neurasm reloads the model that takes strings, tfjs the one of ids', async () => {
    nn.setSeed(6);
    const vectorizer = nn.layers.textVectorization({ maxTokens: 30, outputSequenceLength: 5 });
    vectorizer.adapt(TEXTS);
    const model = nn.sequential({
      layers: [
        vectorizer,
        nn.layers.embedding({ inputDim: 30, outputDim: 3 }),
        nn.layers.globalAveragePooling1d(),
        nn.layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    await model.fit(TEXTS, LABELS, { epochs: 3, batchSize: 2, verbose: 0 });
    const expected = model.predict(TEXTS).dataSync();
    const dir = await tempDir();
    dirs.push(dir);
    await model.save(`file://${dir}`);
    const loaded = await nn.loadLayersModel(`file://${dir}/model.json`);
    expectClose(loaded.predict(TEXTS).dataSync(), expected, 0, 0);
    const tfModel = await tfl.loadLayersModel(tfjsFileLoader(dir));
    expect(tfModel.layers[0].getClassName()).toBe('Embedding');
    const ids = vectorizer.vectorize(TEXTS);
    const tfOut = tf.tidy(() =>
      (tfModel.predict(tf.tensor(Array.from(ids.dataSync()), [...ids.shape], 'int32')) as tf.Tensor).dataSync(),
    );
    expectClose(tfOut, expected, 1e-5, 1e-6);
    ids.dispose();
    loaded.dispose();
    model.dispose();
  });

  it('a text layer in a built model refuses a vocabulary that changes the width the next layer takes', async () => {
    const { model, vectorizer } = await trainedBagOfWords();
    const width = vectorizer.outputShape![1];
    expect(() => vectorizer.adapt(['one two three four five six seven'])).toThrow(
      new RegExp(`next layer takes ${width} columns, and the new vocabulary gives`),
    );
    expect(vectorizer.vocabularySize()).toBe(width);
    model.dispose();
  });

  it('in a model, int mode needs outputSequenceLength and the bag modes a vocabulary', () => {
    expect(() => nn.sequential({ layers: [nn.layers.textVectorization({ maxTokens: 10 })] })).toThrow(
      /give outputSequenceLength to use the layer in a model/,
    );
    expect(() => nn.sequential({ layers: [nn.layers.textVectorization({ outputMode: 'count' })] })).toThrow(
      /adapt the layer .* before adding it to a model/,
    );
  });
});
