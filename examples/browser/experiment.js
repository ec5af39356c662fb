// The demo's experiment (the classic Keras example model on the digits), shared by the page (main.js), its worker (train-worker.js) and the Node
// side of the browser test: same model, same data preparation, same fit arguments, so that with
// the plain-SIMD module the trained weights are the same bits everywhere. `nn` is passed in: the
// browser bundle here, the package (or its sources) in Node.

/** The experiment's settings (the same defaults as `npm start`). */
export const SETTINGS = Object.freeze({
  seed: 42,
  epochs: 50,
  batchSize: 32,
  learningRate: 0.001,
  hidden: [64, 64],
  testSize: 0.25,
  validationSplit: 0.1,
});

/** Hidden 64-64 relu, softmax over the 10 digits, Adam, sparse categorical cross-entropy. */
export function buildModel(nn, seed = SETTINGS.seed) {
  nn.setSeed(seed);
  const model = nn.sequential({
    layers: [
      ...SETTINGS.hidden.map((units, i) =>
        nn.layers.dense({ units, activation: 'relu', ...(i === 0 ? { inputShape: [64] } : {}) }),
      ),
      nn.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({
    optimizer: nn.train.adam(SETTINGS.learningRate),
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}

/** The fit arguments (callbacks aside). */
export function fitArgs(seed = SETTINGS.seed) {
  return {
    epochs: SETTINGS.epochs,
    batchSize: SETTINGS.batchSize,
    validationSplit: SETTINGS.validationSplit,
    shuffle: true,
    seed,
    verbose: 0,
    // as many threads as pay: for this small model one (the measured rule of fit's 'auto')
    workers: 'auto',
  };
}

/**
 * Splits the digits (x [1797, 64] float32, y [1797] int32) into a stratified training and test part
 * and standardizes the features with statistics of the training part. Frees nothing it was given.
 */
export function prepareData(nn, x, y, seed = SETTINGS.seed) {
  const split = nn.data.trainTestSplit(x, y, { testSize: SETTINGS.testSize, stratify: true, seed });
  const scaler = nn.data.standardScaler().fit(split.xTrain);
  const xTrain = scaler.transform(split.xTrain);
  const xTest = scaler.transform(split.xTest);
  nn.dispose([split.xTrain, split.xTest]);
  return { xTrain, yTrain: split.yTrain, xTest, yTest: split.yTest, scaler };
}

/** Accuracy of predicted probabilities [n, 10] against int32 labels [n]. */
export function accuracy(probabilities, labels) {
  let right = 0;
  for (let r = 0; r < labels.length; r++)
    if (argmax(probabilities.subarray(r * 10, r * 10 + 10)) === labels[r]) right++;
  return right / labels.length;
}

/** SHA-256 (hex) of the bytes of float32 arrays, in order: equal hashes mean equal bits. */
export async function fingerprint(arrays) {
  const total = arrays.reduce((n, a) => n + a.byteLength, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const a of arrays) {
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Fingerprints of a trained model: of its weights, and of its predictions on `x`. */
export async function modelFingerprints(nn, model, x) {
  const weights = model.getWeights();
  const values = weights.map((w) => w.dataSync());
  nn.dispose(weights);
  const predicted = model.predict(x);
  const predictions = predicted.dataSync();
  predicted.dispose();
  return {
    weights: await fingerprint(values),
    predictions: await fingerprint([predictions]),
    probabilities: predictions,
  };
}

/** Bytes of a model's weights in its model file. */
async function weightBytes(nn, model) {
  const artifacts = await nn.io.modelArtifacts(model);
  return artifacts.weightData.byteLength;
}

/**
 * The model quantized to int8 (dynamic mode) next to the float model on the test digits: both
 * accuracies, how often both pick the same digit, both weight sizes, and a fingerprint of the int8
 * predictions (the int8 kernels give the same bits in every module and browser).
 */
export async function int8Report(nn, model, xTest, yTest) {
  const int8 = await nn.quantize(model);
  try {
    const floatPredicted = model.predict(xTest);
    const int8Predicted = int8.predict(xTest);
    const floatProbabilities = floatPredicted.dataSync();
    const int8Probabilities = int8Predicted.dataSync();
    nn.dispose([floatPredicted, int8Predicted]);
    const labels = yTest.dataSync();
    const floatClasses = Array.from(labels, (_, r) => argmax(floatProbabilities.subarray(r * 10, r * 10 + 10)));
    const same = floatClasses.filter((c, r) => c === argmax(int8Probabilities.subarray(r * 10, r * 10 + 10))).length;
    return {
      floatAccuracy: accuracy(floatProbabilities, labels),
      int8Accuracy: accuracy(int8Probabilities, labels),
      agreement: same / labels.length,
      floatBytes: await weightBytes(nn, model),
      int8Bytes: await weightBytes(nn, int8),
      int8Predictions: await fingerprint([int8Probabilities]),
    };
  } finally {
    int8.dispose();
  }
}

function argmax(row) {
  let best = 0;
  for (let k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
  return best;
}
