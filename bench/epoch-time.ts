// Whether training slows down as it runs: the epoch time at the start and at the end of a long fit of
// an oversized network with L2 (examples/overfitting.ts). Weights and optimizer slots that decay into
// subnormal floats make every multiply that touches them 10-100x slower on x86, since Wasm has no
// flush-to-zero; the kernels flush them, so the last epochs should cost what the first ones did.
import { backendInfo, relaxedSimdAvailable } from '../src/backend/loader.js';
import { loadDataset } from '../src/datasets/index.js';
import * as nn from '../src/index.js';
import { SMALLEST_NORMAL_F32 } from '../src/reference/math.js';
import { clockName, median, now, printTable } from './harness.js';

const EPOCHS = 300;
/** Epochs timed at each end. */
const SAMPLE = 10;
const TARGET = 1.2;

/** What one run measured. */
interface Run {
  module: string;
  firstMs: number;
  lastMs: number;
  /** Subnormal values among the weights and optimizer slots after the run, and how many values there are. */
  subnormal: number;
  values: number;
}

function countSubnormal(t: nn.Tensor): number {
  let count = 0;
  for (const v of t.dataSync()) if (v !== 0 && Math.abs(v) < SMALLEST_NORMAL_F32) count++;
  return count;
}

/** The breast-cancer split of examples/overfitting.ts, standardized on the training part. */
async function loadData(): Promise<{ xTrain: nn.Tensor; yTrain: nn.Tensor; xVal: nn.Tensor; yVal: nn.Tensor }> {
  const data = await loadDataset('breast-cancer');
  const split = nn.data.trainTestSplit(data.x, data.y, { testSize: 0.3, stratify: true, seed: 7 });
  const scaler = nn.data.standardScaler().fit(split.xTrain);
  const sets = {
    xTrain: scaler.transform(split.xTrain),
    yTrain: split.yTrain,
    xVal: scaler.transform(split.xTest),
    yVal: split.yTest,
  };
  nn.dispose([data.x, data.y, split.xTrain, split.xTest]);
  return sets;
}

function makeModel(): nn.Sequential {
  const reg = () => nn.regularizers.l2({ l2: 1e-3 });
  const model = nn.sequential({
    layers: [
      nn.layers.dense({ units: 512, activation: 'relu', inputShape: [30], kernelRegularizer: reg() }),
      nn.layers.dense({ units: 512, activation: 'relu', kernelRegularizer: reg() }),
      nn.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/**
 * Trains one model for EPOCHS - SAMPLE epochs, then times its last SAMPLE epochs one at a time,
 * alternating with early epochs (2 to SAMPLE + 1) of a fresh model: both ends are measured under the
 * same load, which on a shared machine drifts more over a long run than the effect measured.
 */
async function run(relaxedSimd: boolean): Promise<Run> {
  await nn.ready({ relaxedSimd });
  const { xTrain, yTrain, xVal, yVal } = await loadData();
  const epoch = async (model: nn.Sequential, epochs = 1): Promise<number> => {
    const start = now();
    await model.fit(xTrain, yTrain, { epochs, batchSize: 32, validationData: [xVal, yVal], seed: 3, verbose: 0 });
    return now() - start;
  };
  nn.setSeed(1);
  const trained = makeModel();
  await epoch(trained, EPOCHS - SAMPLE);
  nn.setSeed(1);
  const fresh = makeModel();
  await epoch(fresh); // its first epoch, which also builds the training plan, is not timed
  const first: number[] = [];
  const last: number[] = [];
  for (let i = 0; i < SAMPLE; i++) {
    last.push(await epoch(trained));
    first.push(await epoch(fresh));
  }
  let subnormal = 0;
  let values = 0;
  for (const w of trained.weights) {
    for (const t of [w, ...(trained.optimizer?.getSlots(w) ?? [])]) {
      subnormal += countSubnormal(t);
      values += t.size;
    }
  }
  const module = backendInfo().module;
  trained.dispose();
  fresh.dispose();
  nn.dispose([xTrain, yTrain, xVal, yVal]);
  return { module, firstMs: median(first), lastMs: median(last), subnormal, values };
}

/** Runs the suite and prints its table. */
export async function runEpochTime(): Promise<void> {
  console.log(`## Epoch time, first vs last of ${EPOCHS} epochs\n`);
  const runs = [await run(false)];
  if (relaxedSimdAvailable()) runs.push(await run(true));
  printTable(
    ['module', 'first epochs (ms)', 'last epochs (ms)', 'last/first', 'target', 'subnormal weights + slots at the end'],
    runs.map((r) => [
      r.module,
      r.firstMs.toFixed(1),
      r.lastMs.toFixed(1),
      `${(r.lastMs / r.firstMs).toFixed(2)}x`,
      `≤${TARGET}x`,
      `${r.subnormal} of ${r.values}`,
    ]),
  );
  console.log(
    `\nbreast-cancer (70% train, standardized, 30% validation), 30-512-512-2 relu/softmax, kernel l2(1e-3) on the` +
      ` hidden layers, Adam, batch 32, ${EPOCHS} epochs (as examples/overfitting.ts). Last: median of epochs` +
      ` ${EPOCHS - SAMPLE + 1}-${EPOCHS}, each timed alternately with an epoch of a fresh model (first: median of its` +
      ` epochs 2-${SAMPLE + 1}); each epoch includes its validation pass; ${clockName}.`,
  );
}
