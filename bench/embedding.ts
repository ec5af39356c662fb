// `npm run bench -- embedding`: one train step of embedding(20000, 64) → mean over steps → dense(1)
// on ids [32, 200]: the table's gradient dense (a scatter-add into a zeroed table, then the dense
// update, as before row-sparse gradients) against the row-sparse path with SGD, Adam (every row
// updated, Keras semantics) and lazy Adam (only the batch's rows).
import * as nn from '../src/index.js';
import { keep } from '../src/ops/engine.js';
import { variableGrads } from '../src/ops/gradients.js';
import { ModelStep } from '../src/training/model-step.js';
import { measure, printTable } from './harness.js';

const VOCAB = 20000;
const DIM = 64;
const BATCH = 32;
const STEPS = 200;

/** Mean of [batch, steps, features] over the steps. */
class MeanOverSteps extends nn.layers.Layer {
  static readonly className: string = 'MeanOverSteps';
  computeOutputShape(shape: Array<number | null>): Array<number | null> {
    return [shape[0], shape[2]];
  }
  call(x: nn.Tensor): nn.Tensor {
    return nn.mean(x, 1);
  }
}

function makeModel(optimizer: nn.Optimizer): nn.Sequential {
  nn.setSeed(1);
  const model = nn.sequential({
    layers: [
      nn.layers.embedding({ inputDim: VOCAB, outputDim: DIM, inputLength: STEPS }),
      new MeanOverSteps({}),
      nn.layers.dense({ units: 1 }),
    ],
  });
  model.compile({ optimizer, loss: 'meanSquaredError' });
  return model;
}

/** The train pass with every gradient dense (what the tape handed out before row-sparse gradients). */
function densePass(model: nn.Sequential, variables: readonly nn.Variable[]) {
  return (x: nn.Tensor, y: nn.Tensor | null) => {
    let predictions: nn.Tensor | null = null;
    const { value, grads } = variableGrads(() => {
      const output = model.call(x, true);
      predictions = keep(output);
      return nn.losses.meanSquaredError(y!, output).mean();
    }, [...variables]);
    return { loss: value, predictions: predictions!, grads: variables.map((v) => grads[v.name]), updates: null };
  };
}

function fillIds(step: ModelStep, seed: number): void {
  const view = step.x.view() as Int32Array;
  let s = seed;
  for (let i = 0; i < view.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    view[i] = s % VOCAB;
  }
  (step.y!.view() as Float32Array).fill(0.5);
}

function timeStep(name: string, optimizer: nn.Optimizer, dense: boolean): string[] {
  const model = makeModel(optimizer);
  const variables = model.trainableWeights;
  const step = dense
    ? new ModelStep(densePass(model, variables), variables, [BATCH, STEPS], 'int32', [BATCH, 1], 'float32')
    : model.step('train', BATCH, 'int32');
  fillIds(step, 7);
  const run = () => {
    const out = step.run();
    optimizer.applyGradientList(variables, out.grads);
  };
  run();
  const replays = step.replays;
  const t = measure(run, { batches: 7, batchMs: 200 });
  // the optimizer's part alone (the same gradients again)
  const grads = step.run().grads;
  const update = measure(() => optimizer.applyGradientList(variables, grads), { batches: 7, batchMs: 200 });
  if (dense) step.dispose();
  model.dispose();
  return [name, t.medianMs.toFixed(3), update.medianMs.toFixed(3), replays ? 'yes' : 'no'];
}

/** Prints the per-step times. */
export async function runEmbedding(): Promise<void> {
  await nn.ready();
  console.log(`## embedding(${VOCAB}, ${DIM}) train step, ids [${BATCH}, ${STEPS}] (${VOCAB * DIM} table values)\n`);
  const rows = [
    timeStep('SGD, dense gradient (old path)', nn.train.sgd(0.1), true),
    timeStep('SGD, row-sparse', nn.train.sgd(0.1), false),
    timeStep('Adam, dense gradient (old path)', nn.train.adam(0.001), true),
    timeStep('Adam, row-sparse (dense semantics)', nn.train.adam(0.001), false),
    timeStep('Adam lazy, row-sparse', nn.train.adam({ learningRate: 0.001, lazy: true }), false),
  ];
  printTable(['step', 'ms per step (median)', 'of which the update', 'replays'], rows);
}
