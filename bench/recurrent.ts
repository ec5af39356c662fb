// Training speed of the recurrent layers: lstm(64) and gru(64) over a float input [32, 200, 64],
// then dense(1, sigmoid), Adam, binary cross-entropy (the Keras IMDB model without its embedding).
// Samples per second of fit, and the GFLOP/s that makes (multiply-adds of the GEMMs counted twice).
import { backendInfo } from '../src/backend/loader.js';
import * as nn from '../src/index.js';
import { clockName, median, now, printTable, randomFloats } from './harness.js';

const BATCH = 32;
const STEPS = 200;
const FEATURES = 64;
const UNITS = 64;
const BATCHES = 8;
const EPOCHS = 4;

/** Floating-point operations of one training sample: forward (x·W, h·R) and backward (dW, dR, dh). */
function flopsPerSample(gates: number): number {
  const g = gates * UNITS;
  const forward = 2 * STEPS * g * (FEATURES + UNITS);
  const backward = 2 * STEPS * g * (FEATURES + UNITS) + 2 * STEPS * g * UNITS;
  return forward + backward;
}

async function timeLayer(kind: 'lstm' | 'gru', recurrentActivation: 'sigmoid' | 'hardSigmoid'): Promise<string[]> {
  nn.setSeed(1);
  const layer =
    kind === 'lstm'
      ? nn.layers.lstm({ units: UNITS, recurrentActivation, inputShape: [STEPS, FEATURES] })
      : nn.layers.gru({ units: UNITS, recurrentActivation, resetAfter: true, inputShape: [STEPS, FEATURES] });
  const model = nn.sequential({ layers: [layer, nn.layers.dense({ units: 1, activation: 'sigmoid' })] });
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  const n = BATCH * BATCHES;
  const x = nn.tensor(randomFloats(n * STEPS * FEATURES, 3), [n, STEPS, FEATURES]);
  const y = nn.tensor(
    Array.from({ length: n }, (_, i) => i % 2),
    [n, 1],
  );
  const epochMs: number[] = [];
  let start = now();
  await model.fit(x, y, {
    epochs: EPOCHS + 1,
    batchSize: BATCH,
    verbose: 0,
    callbacks: {
      onEpochEnd: () => {
        const t = now();
        epochMs.push(t - start);
        start = t;
      },
    },
  });
  // the first epoch records the traces
  const ms = median(epochMs.slice(1));
  const samples = (n / ms) * 1000;
  const gflops = (samples * flopsPerSample(kind === 'lstm' ? 4 : 3)) / 1e9;
  nn.dispose([x, y]);
  model.dispose();
  return [`${kind}(${UNITS})`, recurrentActivation, samples.toFixed(0), gflops.toFixed(1)];
}

/** Prints samples/s and GFLOP/s of training lstm(64) and gru(64). */
export async function runRecurrent(): Promise<void> {
  await nn.ready();
  console.log(
    `## recurrent: fit of [${BATCH}, ${STEPS}, ${FEATURES}] batches → rnn(${UNITS}) → dense(1, sigmoid), adam`,
  );
  console.log(`module: ${backendInfo().module}; ${clockName}; median epoch of ${EPOCHS} after the first\n`);
  const rows: string[][] = [];
  for (const kind of ['lstm', 'gru'] as const) {
    for (const act of ['sigmoid', 'hardSigmoid'] as const) rows.push(await timeLayer(kind, act));
  }
  printTable(['layer', 'gates', 'samples/s', 'GFLOP/s'], rows);
}
