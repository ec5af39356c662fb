// Whether training slows down as it runs: the epoch time at the start and at the end of a long fit of
// an oversized network with L2 (examples/overfitting.ts). Weights and optimizer slots that decay into
// subnormal floats make every multiply that touches them 10-100x slower on x86, since Wasm has no
// flush-to-zero; the kernels flush them, so the last epochs should cost what the first ones did.
import { backendInfo, relaxedSimdAvailable } from '../src/backend/loader.js';
import { loadDataset } from '../src/datasets/index.js';
import * as nn from '../src/index.js';
import { clockName, median, now, printTable } from './harness.js';

const EPOCHS = 300;
/** Epochs timed at each end (the very first epoch, which compiles code, is left out). */
const SAMPLE = 10;
const TARGET = 1.2;
const SMALLEST_NORMAL = 1.1754943508222875e-38;

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
  for (const v of t.dataSync()) if (v !== 0 && Math.abs(v) < SMALLEST_NORMAL) count++;
  return count;
}

async function run(relaxedSimd: boolean): Promise<Run> {
  await nn.ready({ relaxedSimd });
  const data = await loadDataset('breast-cancer');
  const split = nn.data.trainTestSplit(data.x, data.y, { testSize: 0.3, stratify: true, seed: 7 });
  const scaler = nn.data.standardScaler().fit(split.xTrain);
  const xTrain = scaler.transform(split.xTrain);
  const xVal = scaler.transform(split.xTest);
  nn.setSeed(1);
  const reg = () => nn.regularizers.l2({ l2: 1e-3 });
  const model = nn.sequential({
    layers: [
      nn.layers.dense({ units: 512, activation: 'relu', inputShape: [30], kernelRegularizer: reg() }),
      nn.layers.dense({ units: 512, activation: 'relu', kernelRegularizer: reg() }),
      nn.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const times: number[] = [];
  let start = 0;
  await model.fit(xTrain, split.yTrain, {
    epochs: EPOCHS,
    batchSize: 32,
    validationData: [xVal, split.yTest],
    seed: 3,
    verbose: 0,
    callbacks: [
      {
        onEpochBegin: () => {
          start = now();
        },
        onEpochEnd: () => {
          times.push(now() - start);
        },
      },
    ],
  });
  let subnormal = 0;
  let values = 0;
  for (const w of model.weights) {
    for (const t of [w, ...(model.optimizer?.getSlots(w) ?? [])]) {
      subnormal += countSubnormal(t);
      values += t.size;
    }
  }
  const module = backendInfo().module;
  model.dispose();
  for (const t of [data.x, data.y, ...Object.values(split), xTrain, xVal]) t.dispose();
  return {
    module,
    firstMs: median(times.slice(1, 1 + SAMPLE)),
    lastMs: median(times.slice(-SAMPLE)),
    subnormal,
    values,
  };
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
      ` hidden layers, Adam, batch 32, ${EPOCHS} epochs (as examples/overfitting.ts). First: median of epochs` +
      ` 2-${SAMPLE + 1}; last: median of the last ${SAMPLE}; each epoch includes its validation pass; ${clockName}.`,
  );
}
