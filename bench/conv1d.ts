// `npm run bench -- conv1d`: conv1d(128 filters, kernel 5, relu) on x [32, 200, 64], the shape of
// the text model embedding(20000, 64) → conv1d → globalMaxPooling1d → dense: the op forward and
// forward + backward, with GEMM reading the sequence directly (dilation 1) and with the patches
// gathered first (im2col), against a plain matMul of the patch matrix's size; then the train step
// of conv1d → globalMaxPooling1d → dense(1, sigmoid) with Adam and binary cross-entropy, on that x
// and on token ids through embedding(20000, 64) (the conv's input gradient then needed too).
import { relaxedSimdAvailable } from '../src/backend/loader.js';
import * as nn from '../src/index.js';
import { conv1d, geometry1d } from '../src/ops/conv1d.js';
import { measure, printTable, randomFloats } from './harness.js';

const BATCH = 32;
const STEPS = 200;
const CHANNELS = 64;
const FILTERS = 128;
const SIZE = 5;

/** GFLOP/s of `flops` done in `ms`. */
const rate = (flops: number, ms: number) => (flops / ms / 1e6).toFixed(1);

function opRows(): string[][] {
  const x = nn.tensor(randomFloats(BATCH * STEPS * CHANNELS, 1), [BATCH, STEPS, CHANNELS]);
  const w = nn.tensor(randomFloats(SIZE * CHANNELS * FILTERS, 2), [SIZE, CHANNELS, FILTERS]);
  const b = nn.tensor(randomFloats(FILTERS, 3), [FILTERS]);
  const g = geometry1d(STEPS, SIZE, 1, 1, 'valid');
  const flops = 2 * BATCH * g.outSteps * SIZE * CHANNELS * FILTERS;
  const rows: string[][] = [];
  for (const gather of [false, true]) {
    const name = gather ? 'im2col + GEMM' : 'GEMM on the sequence (lda)';
    const forward = measure(() => nn.tidy(() => void conv1d(x, w, b, g, 'relu', 0, gather)));
    const both = measure(() =>
      nn.tidy(() => void nn.grads((xt, wt, bt) => nn.sum(conv1d(xt, wt, bt, g, 'relu', 0, gather)))([x, w, b])),
    );
    rows.push([
      name,
      forward.medianMs.toFixed(2),
      rate(flops, forward.medianMs),
      both.medianMs.toFixed(2),
      rate(3 * flops, both.medianMs),
    ]);
  }
  const patches = nn.tensor(randomFloats(BATCH * g.outSteps * SIZE * CHANNELS, 4), [
    BATCH * g.outSteps,
    SIZE * CHANNELS,
  ]);
  const w2 = nn.reshape(w, [SIZE * CHANNELS, FILTERS]);
  const mm = measure(() => nn.tidy(() => void nn.matMul(patches, w2)));
  rows.push([
    `matMul [${BATCH * g.outSteps}×${SIZE * CHANNELS}]·[${SIZE * CHANNELS}×${FILTERS}]`,
    mm.medianMs.toFixed(2),
    rate(flops, mm.medianMs),
    '',
    '',
  ]);
  nn.dispose([x, w, b, patches, w2]);
  return rows;
}

const VOCAB = 20000;

/** One train step of [embedding(20000, 64) →] conv1d → globalMaxPooling1d → dense(1, sigmoid), timed. */
function trainRow(embedded: boolean): string[] {
  nn.setSeed(1);
  const conv = { filters: FILTERS, kernelSize: SIZE, activation: 'relu' as const };
  const model = nn.sequential({
    layers: [
      ...(embedded
        ? [nn.layers.embedding({ inputDim: VOCAB, outputDim: CHANNELS, inputLength: STEPS }), nn.layers.conv1d(conv)]
        : [nn.layers.conv1d({ ...conv, inputShape: [STEPS, CHANNELS] })]),
      nn.layers.globalMaxPooling1d(),
      nn.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  const optimizer = nn.train.adam(0.001);
  model.compile({ optimizer, loss: 'binaryCrossentropy' });
  const step = model.step('train', BATCH, embedded ? 'int32' : 'float32');
  if (embedded) {
    const ids = step.x.view() as Int32Array;
    const r = randomFloats(ids.length, 5);
    for (let i = 0; i < ids.length; i++) ids[i] = Math.floor(((r[i] + 1) / 2) * VOCAB);
  } else step.x.view().set(randomFloats(BATCH * STEPS * CHANNELS, 5));
  (step.y!.view() as Float32Array).fill(1);
  const variables = model.trainableWeights;
  const run = () => optimizer.applyGradientList(variables, step.run().grads);
  run();
  const t = measure(run, { batches: 7, batchMs: 300 });
  const name = embedded
    ? `ids [${BATCH}, ${STEPS}] → embedding(${VOCAB}, ${CHANNELS})`
    : `x [${BATCH}, ${STEPS}, ${CHANNELS}]`;
  const row = [name, t.medianMs.toFixed(2), ((BATCH * 1000) / t.medianMs).toFixed(0), step.replays ? 'yes' : 'no'];
  model.dispose();
  return row;
}

/** Prints the conv1d op and train step figures, with each module. */
export async function runConv1d(): Promise<void> {
  for (const relaxedSimd of relaxedSimdAvailable() ? [false, true] : [false]) {
    await nn.ready({ relaxedSimd });
    console.log(
      `## conv1d(${FILTERS}, ${SIZE}, relu) on x [${BATCH}, ${STEPS}, ${CHANNELS}] (${nn.backendInfo().module})\n`,
    );
    printTable(['way', 'forward ms', 'GFLOP/s', 'forward + backward ms', 'GFLOP/s'], opRows());
    console.log('');
    console.log('train step: … → conv1d → globalMaxPooling1d → dense(1, sigmoid), Adam, binary cross-entropy\n');
    printTable(['input', 'ms per step (median)', 'samples/s', 'replays'], [trainRow(false), trainRow(true)]);
    console.log('');
  }
}
