// `npm start`: trains the request's model (hidden 64-64 relu, softmax, adam, sparse categorical
// cross-entropy) on a data set with standardized features, and reports the held-out test accuracy.
import { datasetNames, loadDataset } from '../datasets/index.js';
import * as nn from '../index.js';
import { parseArgs, USAGE, UsageError } from './args.js';
import { progressCallbacks } from './progress.js';

async function loadData(data: string) {
  if ((datasetNames as readonly string[]).includes(data)) {
    const ds = await loadDataset(data as (typeof datasetNames)[number]);
    return { x: ds.x, y: ds.y, numClasses: ds.numClasses, label: `${ds.name} (${ds.description})` };
  }
  if (!data.toLowerCase().endsWith('.csv')) {
    throw new UsageError(`--data: expected one of ${datasetNames.join(', ')} or a .csv file, got "${data}"`);
  }
  const csv = await nn.data.readCsv(data);
  if (csv.classNames.length < 2) {
    nn.dispose([csv.x, csv.y]);
    throw new UsageError(`--data: the last column of ${data} must hold class labels (found no classes)`);
  }
  return { x: csv.x, y: csv.y, numClasses: csv.classNames.length, label: data };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const info = await nn.ready();
  nn.setSeed(options.seed);
  const { x, y, numClasses, label } = await loadData(options.data);
  console.log(`neurasm ${info.module} | data: ${label}`);
  console.log(`${x.shape[0]} examples, ${x.shape[1]} features, ${numClasses} classes`);

  const split = nn.data.trainTestSplit(x, y, { testSize: options.testSize, stratify: true, seed: options.seed });
  const scaler = nn.data.standardScaler().fit(split.xTrain);
  const xTrain = scaler.transform(split.xTrain);
  const xTest = scaler.transform(split.xTest);

  const model = nn.sequential({
    layers: [
      ...options.hidden.map((units, i) =>
        nn.layers.dense({ units, activation: 'relu', ...(i === 0 ? { inputShape: [x.shape[1]] } : {}) }),
      ),
      nn.layers.dense({ units: numClasses, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: nn.train.adam(options.lr), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  model.summary();

  const trainRows = Math.floor(xTrain.shape[0] * (1 - options.validationSplit));
  const batches = Math.ceil(trainRows / options.batchSize);
  const tty = Boolean(process.stdout.isTTY);
  const live = tty ? (text: string) => process.stdout.write(`\r${text}`) : null;
  const write = (line: string) => process.stdout.write(`${tty ? '\r\x1b[K' : ''}${line}\n`);
  const started = performance.now();
  await model.fit(xTrain, split.yTrain, {
    epochs: options.epochs,
    batchSize: options.batchSize,
    validationSplit: options.validationSplit,
    seed: options.seed,
    verbose: 0,
    callbacks: progressCallbacks(options.epochs, batches, write, live),
  });
  const seconds = (performance.now() - started) / 1000;

  const [testLoss, testAccuracy] = model.evaluate(xTest, split.yTest) as nn.Tensor[];
  console.log(
    `test: loss ${testLoss.dataSync()[0].toFixed(4)}, accuracy ${(100 * testAccuracy.dataSync()[0]).toFixed(2)}% on ${xTest.shape[0]} held-out examples`,
  );
  console.log(
    `training: ${Math.round((trainRows * options.epochs) / seconds)} samples/s (${options.epochs} epochs in ${seconds.toFixed(2)} s, validation included)`,
  );
  nn.dispose([x, y, split, xTrain, xTest, testLoss, testAccuracy]);
  model.dispose();
}

main().catch((e: unknown) => {
  if (e instanceof UsageError) {
    if (e.message) console.error(`error: ${e.message}\n`);
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  console.error(e instanceof Error ? `error: ${e.message}` : e);
  process.exitCode = 1;
});
