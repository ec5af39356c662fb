// A user's program against the published typings (test/package/package.test.ts type-checks it as
// ESM and as CommonJS). It is compiled, never run: the calls need not make sense together.
import * as nn from 'neurasm';
import { type Dataset, type DatasetName, loadDataset } from 'neurasm/datasets';
import * as plot from 'neurasm/plot';

export async function main(): Promise<void> {
  await nn.ready();

  // chainable methods, dtype-typed reads
  const t: nn.Tensor = nn
    .tensor2d([[1]])
    .add(1)
    .relu();
  const values: Float32Array = t.add(nn.scalar(2)).mul(3).sum().dataSync();
  const classes: Int32Array = t.argMax(-1).dataSync<'int32'>();
  const nested: nn.NestedArray = await t.reshape([1, 1]).transpose().array();
  const isTensor: boolean = t instanceof nn.Tensor && nn.isTensor(t);
  // @ts-expect-error the engine's members (@internal) are not in the public types
  t.dataPtr;

  // layers, compile with the names of tfjs and Keras, fit, History, predict
  const model: nn.Sequential = nn.sequential({
    layers: [
      nn.layers.dense({ units: 8, activation: 'relu', inputShape: [4], kernelInitializer: 'heNormal', useBias: true }),
      nn.layers.dropout({ rate: 0.1 }),
      nn.layers.dense({ units: 8, activation: 'leaky_relu', kernelRegularizer: nn.regularizers.l2({ l2: 0.01 }) }),
      nn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  model.compile({ optimizer: nn.train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: 'acc' });
  model.compile({
    optimizer: 'RMSprop',
    loss: (yTrue: nn.Tensor, yPred: nn.Tensor) => nn.losses.meanSquaredError(yTrue, yPred),
  });
  const name: nn.ActivationIdentifier = 'gelu';
  nn.layers.activation({ activation: name });
  // @ts-expect-error 'relux' is no activation
  nn.layers.dense({ units: 1, activation: 'relux' });
  // @ts-expect-error 'adamax' is no optimizer of neurasm
  model.compile({ optimizer: 'adamax', loss: 'mse' });
  // @ts-expect-error 'crossentropy' is no loss
  model.compile({ optimizer: 'adam', loss: 'crossentropy' });
  // @ts-expect-error 'f1' is no metric
  model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['f1'] });

  const data: Dataset = await loadDataset('iris' satisfies DatasetName);
  const stop = nn.callbacks.earlyStopping({ monitor: 'val_loss', patience: 3, restoreBestWeights: true });
  const history: nn.History = await model.fit(data.x, data.y, {
    epochs: 2,
    batchSize: 16,
    validationSplit: 0.2,
    shuffle: true,
    verbose: 0,
    callbacks: [stop, { onEpochEnd: async (epoch: number, logs?: nn.Logs) => console.log(epoch, logs?.loss) }],
  });
  const losses: number[] = history.history.loss;
  const predictions: nn.Tensor = model.predict(data.x, { batchSize: 32 });
  const evaluated: nn.Tensor | nn.Tensor[] = model.evaluate(data.x, data.y);

  // saving and loading, and the io types
  const saved: nn.io.SaveResult = await model.save('file://./my-model', { includeOptimizer: true });
  const artifacts: nn.io.ModelArtifacts = await nn.io.modelArtifacts(model);
  const handler: nn.io.IOHandler = nn.io.fromMemory(artifacts);
  const loaded: nn.Sequential = await nn.loadLayersModel(handler);
  const fromFile: nn.Sequential = await nn.loadLayersModel('file://./my-model/model.json');
  const error: typeof nn.io.ModelFormatError = nn.io.ModelFormatError;

  console.log(values, classes, nested, isTensor, losses, predictions, evaluated, saved, loaded, fromFile, error);
  nn.dispose([t, data.x, data.y, predictions]);
  nn.tidy(() =>
    nn
      .ones([2, 2])
      .matMul(nn.zeros([2, 2]))
      .mean(),
  );
  console.log(nn.memory().numTensors);

  // pictures: tensors and arrays in, SVG markup out
  const svg: string = plot.waterfallPlot(nn.tensor1d([0.1, -0.2]), { baseValue: 0.5, featureNames: ['a', 'b'] });
  const tree: plot.TreePlotOptions = { maxDepth: 2 };
  console.log(
    svg,
    plot.heatMap([1, -1], { width: 2, height: 1 }),
    plot.textPlot([{ token: 'a', attribution: 1 }]),
    tree,
  );
}
