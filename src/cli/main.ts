// `npm start`: trains the classic Keras example model (hidden 64-64 relu, softmax, adam, sparse categorical
// cross-entropy) on a data set with standardized features, and reports the held-out test accuracy;
// with `--kfold N`, the mean ± std accuracy of a stratified N-fold cross-validation instead.
import * as nn from '../index.js';
import { parseArgs, USAGE, UsageError } from './args.js';
import { reportExplanations } from './explain-report.js';
import { reportInt8 } from './int8-report.js';
import { type CliData, loadData } from './load-data.js';
import { bar, progressCallbacks } from './progress.js';
import { runSpam } from './spam.js';

/** The options with the tabular data sets' defaults filled in. */
type Options = ReturnType<typeof parseArgs> & { epochs: number; testSize: number };

/** The classic Keras example model for `features` inputs and `numClasses` classes, compiled. */
function buildModel(features: number, numClasses: number, options: Options): nn.Sequential {
  const model = nn.sequential({
    layers: [
      ...options.hidden.map((units, i) =>
        nn.layers.dense({ units, activation: 'relu', ...(i === 0 ? { inputShape: [features] } : {}) }),
      ),
      nn.layers.dense({ units: numClasses, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: nn.train.adam(options.lr), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

const tty = Boolean(process.stdout.isTTY);
const live = tty ? (text: string) => process.stdout.write(`\r${text}`) : null;
const write = (line: string) => process.stdout.write(`${tty ? '\r\x1b[K' : ''}${line}\n`);
const percent = (v: number) => `${(100 * v).toFixed(2)}%`;

/** One stratified train/test split: trains with per-epoch progress and reports the test accuracy. */
async function runSplit(data: CliData, options: Options): Promise<void> {
  const { x, y, numClasses } = data;
  const split = nn.data.trainTestSplit(x, y, { testSize: options.testSize, stratify: true, seed: options.seed });
  const scaler = nn.data.standardScaler().fit(split.xTrain);
  const xTrain = scaler.transform(split.xTrain);
  const xTest = scaler.transform(split.xTest);

  const model = buildModel(x.shape[1], numClasses, options);
  model.summary();

  const trainRows = Math.floor(xTrain.shape[0] * (1 - options.validationSplit));
  const batches = Math.ceil(trainRows / options.batchSize);
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
    `test: loss ${testLoss.dataSync()[0].toFixed(4)}, accuracy ${percent(testAccuracy.dataSync()[0])} on ${xTest.shape[0]} held-out examples`,
  );
  console.log(
    `training: ${Math.round((trainRows * options.epochs) / seconds)} samples/s (${options.epochs} epochs in ${seconds.toFixed(2)} s${options.validationSplit > 0 ? ', validation included' : ''})`,
  );
  await reportInt8(model, xTest, split.yTest, xTrain, write);
  if (options.explain > 0) {
    await reportExplanations(
      model,
      xTest,
      split.yTest,
      xTrain,
      data.featureNames,
      data.classNames,
      options.explain,
      write,
    );
  }
  nn.dispose([split, xTrain, xTest, testLoss, testAccuracy]);
  model.dispose();
}

/** Stratified k-fold cross-validation: a line per fold, then the mean ± std of the held-out accuracy. */
async function runKFold(x: nn.Tensor, y: nn.Tensor, classNames: string[], k: number, options: Options): Promise<void> {
  const n = x.shape[0];
  const numClasses = classNames.length;
  const counts = new Array<number>(numClasses).fill(0);
  for (const label of y.dataSync<'int32'>()) counts[label]++;
  const fewest = counts.indexOf(Math.min(...counts));
  if (counts[fewest] < k) {
    throw new UsageError(
      `--kfold ${k}: class "${classNames[fewest]}" has only ${counts[fewest]} examples; stratified folds need at least ${k} per class`,
    );
  }
  console.log(`${k}-fold stratified cross-validation (features standardized per fold on its training part)`);
  let foldStarted = performance.now();
  const started = foldStarted;
  const cv = await nn.data.crossValidate(
    (fold) => {
      const model = buildModel(x.shape[1], numClasses, options);
      if (fold === 0) model.summary();
      return model;
    },
    x,
    y,
    {
      k,
      stratified: true,
      epochs: options.epochs,
      batchSize: options.batchSize,
      preprocess: 'standard',
      seed: options.seed,
      callbacks: live
        ? {
            onEpochEnd: (epoch: number, logs?: nn.Logs) => {
              const loss = logs?.loss ?? Number.NaN;
              live(`${bar(epoch + 1, options.epochs)} epoch ${epoch + 1}/${options.epochs} - loss: ${loss.toFixed(4)}`);
            },
          }
        : undefined,
      onFold: (fold, folds, result) => {
        const seconds = (performance.now() - foldStarted) / 1000;
        const heldOut = n - Number(result.history.params.samples);
        write(
          `fold ${String(fold + 1).padStart(String(folds).length)}/${folds}: loss ${result.loss.toFixed(4)}, accuracy ${percent(result.accuracy)} on ${heldOut} held-out examples (${seconds.toFixed(2)} s)`,
        );
        foldStarted = performance.now();
      },
    },
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `cross-validated accuracy: ${percent(cv.mean.accuracy)} ± ${percent(cv.std.accuracy)} (mean ± population std over ${k} folds); loss ${cv.mean.loss.toFixed(4)} ± ${cv.std.loss.toFixed(4)}`,
  );
  console.log(`${k} models of ${options.epochs} epochs trained in ${seconds.toFixed(2)} s`);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const info = await nn.ready();
  nn.setSeed(options.seed);
  if (options.explain > 0 && (options.data === 'spam' || options.kfold !== null)) {
    throw new UsageError(
      `--explain: explains the tabular model of one split, not ${options.data === 'spam' ? 'the spam filter' : '--kfold'}`,
    );
  }
  if (options.data === 'spam') {
    console.log(`neurasm ${info.module}`);
    await runSpam(options, write, live);
    return;
  }
  const tabular: Options = { ...options, epochs: options.epochs ?? 50, testSize: options.testSize ?? 0.25 };
  const data = await loadData(options.data, options.label);
  const { x, y, numClasses, classNames, label } = data;
  console.log(`neurasm ${info.module} | data: ${label}`);
  console.log(`${x.shape[0]} examples, ${x.shape[1]} features, ${numClasses} classes`);
  try {
    if (options.kfold !== null) await runKFold(x, y, classNames, options.kfold, tabular);
    else await runSplit(data, tabular);
  } finally {
    nn.dispose([x, y]);
  }
}

main().catch((e: unknown) => {
  if (e instanceof UsageError) {
    console.error(`error: ${e.message}\n`);
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  console.error(e instanceof Error ? `error: ${e.message}` : e);
  process.exitCode = 1;
});
