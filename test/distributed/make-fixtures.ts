// Fixtures of the distributed test (npm run test:distributed), written by neurasm for the Python side:
//   <dir>/cases/<name>/model/      a model of one layer kind, with random weights (two saved quantized)
//   <dir>/cases/<name>/input.bin   float32 inputs, output.bin neurasm's outputs, case.json their shapes
//   <dir>/bn-momentum/             a BatchNormalization model before/after one training step (its statistics)
//   <dir>/digits/                  the classic Keras model (untrained) and the standardized digits split
// Usage: npx tsx test/distributed/make-fixtures.ts DIR
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../../src/datasets/index.js';
import * as nn from '../../src/index.js';
import { randomArray } from '../helpers/random.js';

const L = nn.layers;
const out = process.argv[2];
if (!out) throw new Error('usage: make-fixtures.ts DIR');

function writeF32(path: string, values: ArrayLike<number>): void {
  writeFileSync(path, Buffer.from(Float32Array.from(values).buffer));
}

/** Gives every weight seeded random values (variances positive), so that no translation hides behind zeros or ones. */
function randomizeWeights(model: nn.Sequential, seed: number): void {
  const weights = model.getWeights();
  const names = model.layers.flatMap((l) => l.weights.map((w) => w.name));
  const fresh = weights.map((w, i) => {
    const positive = /moving_variance$/.test(names[i]);
    const values = randomArray(w.size, seed + i, positive ? 0.5 : -0.6, positive ? 1.5 : 0.6);
    return nn.tensor(values, [...w.shape]);
  });
  model.setWeights(fresh);
  nn.dispose([...weights, ...fresh]);
}

interface Case {
  layers: nn.layers.Layer[];
  input: number[];
  /** Token ids in [1, vocabulary) (with some 0 padding when `pad`), else uniform in [-2, 2). */
  ids?: { vocabulary: number; pad?: boolean };
}

const cases: Record<string, () => Case> = {
  dense_activations: () => ({
    input: [5],
    layers: [
      L.dense({ units: 7, activation: 'relu', inputShape: [5] }),
      L.dense({ units: 7, activation: 'elu' }),
      L.dense({ units: 7, activation: 'leakyRelu' }),
      L.dense({ units: 7, activation: 'tanh' }),
      L.dense({ units: 7, activation: 'sigmoid' }),
      L.dense({ units: 7, activation: 'softplus' }),
      L.dense({ units: 7, activation: 'gelu' }),
      L.dense({ units: 7, useBias: false }),
      L.activation({ activation: 'relu' }),
      L.dense({ units: 4, activation: 'softmax' }),
    ],
  }),
  dropout_noise_reshape: () => ({
    input: [6],
    layers: [
      L.dense({ units: 8, activation: 'relu', inputShape: [6] }),
      L.dropout({ rate: 0.5 }),
      L.gaussianNoise({ stddev: 0.3 }),
      L.reshape({ targetShape: [4, 2] }),
      L.spatialDropout1d({ rate: 0.2 }),
      L.globalAveragePooling1d({ keepdims: true }),
      L.flatten(),
      L.dense({ units: 3 }),
    ],
  }),
  batch_normalization: () => ({
    input: [6],
    layers: [
      L.dense({ units: 8, inputShape: [6] }),
      L.batchNormalization({ momentum: 0.9, epsilon: 0.01 }),
      L.dense({ units: 3, activation: 'softmax' }),
    ],
  }),
  embedding_pooling: () => ({
    input: [9],
    ids: { vocabulary: 30 },
    layers: [
      L.embedding({ inputDim: 30, outputDim: 6, inputLength: 9 }),
      L.maxPooling1d({ poolSize: 2 }),
      L.averagePooling1d({ poolSize: 2, padding: 'same' }),
      L.globalAveragePooling1d(),
      L.dense({ units: 2 }),
    ],
  }),
  masked_embedding_pooling: () => ({
    input: [8],
    ids: { vocabulary: 20, pad: true },
    layers: [
      L.embedding({ inputDim: 20, outputDim: 5, inputLength: 8, maskZero: true }),
      L.globalAveragePooling1d(),
      L.dense({ units: 2 }),
    ],
  }),
  masked_backwards_max: () => ({
    input: [8],
    ids: { vocabulary: 20, pad: true },
    layers: [
      L.embedding({ inputDim: 20, outputDim: 5, inputLength: 8, maskZero: true }),
      L.gru({ units: 4, resetAfter: true, goBackwards: true, returnSequences: true, recurrentActivation: 'sigmoid' }),
      L.globalMaxPooling1d(),
      L.dense({ units: 2 }),
    ],
  }),
  conv1d: () => ({
    input: [11, 4],
    layers: [
      L.conv1d({ filters: 5, kernelSize: 3, activation: 'relu', inputShape: [11, 4] }),
      L.conv1d({ filters: 4, kernelSize: 2, strides: 2, padding: 'same' }),
      L.conv1d({ filters: 3, kernelSize: 2, dilationRate: 2, padding: 'causal', activation: 'tanh' }),
      L.maxPooling1d({ poolSize: 2, padding: 'same' }),
      L.globalMaxPooling1d(),
      L.batchNormalization({}),
    ],
  }),
  lstm: () => ({
    input: [7, 3],
    layers: [
      L.lstm({ units: 5, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [7, 3] }),
      L.lstm({ units: 4 }), // tfjs's default gates: hard_sigmoid (the step loop)
      L.dense({ units: 2 }),
    ],
  }),
  lstm_backwards: () => ({
    input: [6, 3],
    layers: [
      L.lstm({
        units: 4,
        goBackwards: true,
        returnSequences: true,
        recurrentActivation: 'sigmoid',
        inputShape: [6, 3],
      }),
      L.flatten(),
    ],
  }),
  gru: () => ({
    input: [7, 3],
    layers: [
      L.gru({ units: 5, resetAfter: true, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [7, 3] }),
      L.gru({ units: 4, resetAfter: true }),
      L.dense({ units: 2 }),
    ],
  }),
  simple_rnn: () => ({
    input: [6, 3],
    layers: [L.simpleRNN({ units: 4, inputShape: [6, 3] }), L.dense({ units: 2 })],
  }),
  masked_text: () => ({
    input: [9],
    ids: { vocabulary: 25, pad: true },
    layers: [
      L.embedding({ inputDim: 25, outputDim: 6, inputLength: 9, maskZero: true }),
      L.lstm({ units: 5, returnSequences: true, recurrentActivation: 'sigmoid' }),
      L.gru({ units: 4, resetAfter: true, recurrentActivation: 'sigmoid' }),
      L.dense({ units: 3, activation: 'softmax' }),
    ],
  }),
};

async function writeCase(name: string, make: () => Case, index: number): Promise<void> {
  const dir = join(out, 'cases', name);
  mkdirSync(dir, { recursive: true });
  const c = make();
  const model = nn.sequential({ layers: c.layers });
  model.build([null, ...c.input]);
  randomizeWeights(model, 1000 * (index + 1));
  const rows = 13;
  const size = rows * c.input.reduce((a, b) => a * b, 1);
  let values: Float32Array;
  if (c.ids) {
    const { vocabulary, pad } = c.ids;
    values = randomArray(size, 77 + index, 1, vocabulary).map(Math.floor);
    // trailing and inner padding in some rows
    if (pad) for (let i = 0; i < size; i += 3) if ((i / 3) % 2 === 0) values[i] = 0;
  } else {
    values = randomArray(size, 77 + index, -2, 2);
  }
  const x = nn.tensor(values, [rows, ...c.input], c.ids ? 'int32' : 'float32');
  const y = model.predict(x) as nn.Tensor;
  writeF32(join(dir, 'input.bin'), values);
  writeF32(join(dir, 'output.bin'), y.dataSync());
  writeFileSync(join(dir, 'case.json'), JSON.stringify({ inputShape: x.shape, outputShape: y.shape, ids: !!c.ids }));
  await model.save(`file://${join(dir, 'model')}`);
  nn.dispose([x, y]);
  model.dispose();
}

/**
 * The dense case saved with quantized weights (uint8 and float16): output.bin is what neurasm predicts
 * with the model loaded back from that file, so the bridge must dequantize as neurasm does.
 */
async function writeQuantizedCases(): Promise<void> {
  for (const quantize of ['uint8', 'float16'] as const) {
    const from = join(out, 'cases', 'dense_activations');
    const dir = join(out, 'cases', `dense_${quantize}`);
    mkdirSync(dir, { recursive: true });
    const original = await nn.loadLayersModel(`file://${join(from, 'model')}`);
    await original.save(`file://${join(dir, 'model')}`, { quantize });
    const model = await nn.loadLayersModel(`file://${join(dir, 'model')}`);
    const meta = JSON.parse(readFileSync(join(from, 'case.json'), 'utf8'));
    const values = readFileSync(join(from, 'input.bin'));
    writeFileSync(join(dir, 'input.bin'), values);
    const x = nn.tensor(new Float32Array(values.buffer, values.byteOffset, values.byteLength / 4), meta.inputShape);
    const y = model.predict(x) as nn.Tensor;
    writeF32(join(dir, 'output.bin'), y.dataSync());
    writeFileSync(join(dir, 'case.json'), JSON.stringify(meta));
    nn.dispose([x, y]);
    original.dispose();
    model.dispose();
  }
}

const TEXTS = [
  'free money now, click here',
  'lunch at noon?',
  'the meeting moved to friday',
  'win a free prize now!!!',
  'can you send the report',
  'cheap pills, free shipping',
];

/**
 * A model that takes strings (textVectorization first): the bridge trains the numeric model after it,
 * and keeps the text layer. input.bin holds the token ids neurasm's vectorizer made of TEXTS.
 */
async function writeTextModel(): Promise<void> {
  const dir = join(out, 'cases', 'text_vectorization');
  mkdirSync(dir, { recursive: true });
  const vectorizer = L.textVectorization({ maxTokens: 40, outputSequenceLength: 7 });
  vectorizer.adapt(TEXTS);
  const model = nn.sequential({
    layers: [
      vectorizer,
      L.embedding({ inputDim: vectorizer.vocabularySize(), outputDim: 6, maskZero: true }),
      L.lstm({ units: 5, recurrentActivation: 'sigmoid' }),
      L.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  nn.dispose(model.predict(TEXTS) as nn.Tensor); // builds the layers
  randomizeWeights(model, 5151);
  const ids = vectorizer.vectorize(TEXTS);
  const y = model.predict(TEXTS) as nn.Tensor;
  writeF32(join(dir, 'input.bin'), ids.dataSync());
  writeF32(join(dir, 'output.bin'), y.dataSync());
  writeFileSync(join(dir, 'case.json'), JSON.stringify({ inputShape: ids.shape, outputShape: y.shape, ids: true }));
  writeFileSync(join(dir, 'texts.json'), JSON.stringify(TEXTS));
  await model.save(`file://${join(dir, 'model')}`);
  nn.dispose([ids, y]);
  model.dispose();
}

/** A BatchNormalization model before and after one training step (the Python side compares the moving statistics). */
async function writeBatchNormMomentum(): Promise<void> {
  const dir = join(out, 'bn-momentum');
  mkdirSync(dir, { recursive: true });
  const model = nn.sequential({ layers: [L.batchNormalization({ momentum: 0.8, epsilon: 0.001, inputShape: [5] })] });
  model.build([null, 5]);
  randomizeWeights(model, 4242);
  await model.save(`file://${join(dir, 'before')}`);
  const values = randomArray(16 * 5, 99, -3, 3);
  writeF32(join(dir, 'input.bin'), values);
  const x = nn.tensor(values, [16, 5]);
  model.compile({ optimizer: nn.train.sgd(0.01), loss: 'meanSquaredError' });
  await model.trainOnBatch(x, nn.zeros([16, 5]));
  await model.save(`file://${join(dir, 'after')}`);
  x.dispose();
  model.dispose();
}

/** The classic Keras example model (64 → 64 relu → 64 relu → 10 softmax) and the standardized digits. */
async function writeDigits(): Promise<void> {
  const dir = join(out, 'digits');
  mkdirSync(dir, { recursive: true });
  nn.setSeed(42);
  const ds = await loadDataset('digits');
  const split = nn.data.trainTestSplit(ds.x, ds.y, { testSize: 0.2, stratify: true, seed: 42 });
  const scaler = nn.data.standardScaler().fit(split.xTrain);
  const xTrain = scaler.transform(split.xTrain);
  const xTest = scaler.transform(split.xTest);
  for (const [name, t] of Object.entries({
    x_train: xTrain,
    x_test: xTest,
    y_train: split.yTrain,
    y_test: split.yTest,
  })) {
    writeF32(join(dir, `${name}.bin`), t.dataSync());
  }
  writeFileSync(
    join(dir, 'meta.json'),
    JSON.stringify({ train: xTrain.shape[0], test: xTest.shape[0], features: xTrain.shape[1], classes: ds.numClasses }),
  );
  const model = nn.sequential({
    layers: [
      L.dense({ units: 64, activation: 'relu', inputShape: [64] }),
      L.dense({ units: 64, activation: 'relu' }),
      L.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  await model.save(`file://${join(dir, 'model')}`, { preprocessing: scaler });
  nn.dispose([ds.x, ds.y, split, xTrain, xTest]);
  model.dispose();
}

await nn.ready();
for (const [i, [name, make]] of Object.entries(cases).entries()) await writeCase(name, make, i);
await writeQuantizedCases();
await writeTextModel();
await writeBatchNormMomentum();
await writeDigits();
console.log(`fixtures: ${Object.keys(cases).length + 3} layer cases, bn-momentum, digits in ${out}`);
