// Row-sparse gradients (an embedding's table) and the optimizers' updates from them: fit (sparse
// path) against the eager loop (dense gradients from nn.variableGrads, dense updates), bit for bit.
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { bits, eagerFit, weightValues } from '../helpers/eager-fit.js';
import { randomArray } from '../helpers/random.js';

beforeAll(async () => {
  await nn.ready();
});

const mse = (a: nn.Tensor, b: nn.Tensor) => nn.losses.meanSquaredError(a, b);
const VOCAB = 23;
const STEPS = 5;
const ROWS = 40;

/** Ids with many repeats (a small vocabulary, some ids absent), 40 examples of 5. */
function ids(seed: number): Int32Array {
  const r = randomArray(ROWS * STEPS, seed, 0, 1);
  // ids 0..15 only: rows 16..22 of the table never get a gradient
  return Int32Array.from(r, (v) => Math.floor(v * v * 16));
}

const x = ids(3);
const y = randomArray(ROWS * 2, 4);

/** embedding(23, outputDim) → flatten → dense(2), the same initial weights for a given seed. */
function model(outputDim: number, regularizer?: ReturnType<typeof nn.regularizers.l2>): nn.Sequential {
  nn.setSeed(5);
  return nn.sequential({
    layers: [
      nn.layers.embedding({
        inputDim: VOCAB,
        outputDim,
        inputLength: STEPS,
        embeddingsRegularizer: regularizer ?? null,
      }),
      nn.layers.flatten(),
      nn.layers.dense({ units: 2, activation: 'tanh' }),
    ],
  });
}

type MakeOptimizer = () => nn.Optimizer;

const OPTIMIZERS: Array<[string, MakeOptimizer]> = [
  ['sgd', () => nn.train.sgd(0.5)],
  ['adam (dense semantics)', () => nn.train.adam(0.05)],
  ['momentum', () => nn.train.momentum(0.3, 0.9)],
  ['nesterov momentum', () => nn.train.momentum(0.3, 0.9, true)],
  ['rmsprop', () => nn.train.rmsprop(0.01)],
  ['centered rmsprop with momentum', () => nn.train.rmsprop(0.01, 0.9, 0.5, 1e-7, true)],
  ['adagrad', () => nn.train.adagrad(0.1)],
  ['adamw', () => nn.train.adamw(0.05, 0.1)],
];

async function compareWithEager(
  outputDim: number,
  make: MakeOptimizer,
  regularizer?: () => ReturnType<typeof nn.regularizers.l2>,
  dtype: 'int32' | 'float32' = 'int32',
) {
  const fitted = model(outputDim, regularizer?.());
  fitted.compile({ optimizer: make(), loss: 'meanSquaredError' });
  const ids = dtype === 'int32' ? x : Float32Array.from(x);
  const history = await fitted.fit(ids, y, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
  expect(fitted.step('train', 8, dtype).replays).toBe(true);
  const eager = model(outputDim, regularizer?.());
  const optimizer = make();
  const losses = eagerFit(eager, optimizer, Float32Array.from(x), [STEPS], y, [2], {
    epochs: 3,
    batchSize: 8,
    loss: mse,
  });
  const a = weightValues(fitted);
  const b = weightValues(eager);
  a.forEach((w, i) => {
    expect(bits(w), `weight ${i}`).toEqual(bits(b[i]));
  });
  expect(history.history.loss.map((l) => Math.fround(l as number))).toEqual(losses.map((l) => Math.fround(l)));
  // the optimizer state too
  const table = fitted.layers[0].weights[0];
  const eagerTable = eager.layers[0].weights[0];
  const slots = fitted.optimizer!.getSlots(table) ?? [];
  const eagerSlots = optimizer.getSlots(eagerTable) ?? [];
  expect(slots.length).toBe(eagerSlots.length);
  slots.forEach((s, i) => {
    expect(bits(s.dataSync() as Float32Array), `slot ${i}`).toEqual(bits(eagerSlots[i].dataSync() as Float32Array));
  });
  fitted.dispose();
  eager.dispose();
  optimizer.dispose();
}

describe.each([true, false])('sparse updates equal the dense ones bit for bit (relaxed SIMD: %s)', (relaxed) => {
  beforeAll(async () => {
    await nn.ready({ relaxedSimd: relaxed });
  });
  for (const [name, make] of OPTIMIZERS) {
    for (const outputDim of [8, 3]) {
      it(`${name}, rows of ${outputDim}`, async () => {
        await compareWithEager(outputDim, make);
      });
    }
  }
  it('float32 ids (cast in the pass: the indices of the rows)', async () => {
    await compareWithEager(8, () => nn.train.adam(0.05), undefined, 'float32');
  });
  it('with an embeddingsRegularizer (dense gradient)', async () => {
    await compareWithEager(
      3,
      () => nn.train.adam(0.05),
      () => nn.regularizers.l2({ l2: 0.01 }),
    );
  });
});

describe('the train pass hands the optimizer a row-sparse gradient', () => {
  it("the table's gradient is the batch's rows, the dense layer's is dense", async () => {
    const m = model(4);
    m.compile({ optimizer: nn.train.sgd(0.1), loss: 'meanSquaredError' });
    await m.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 });
    const out = m.step('train', 8, 'int32').run();
    const g = out.grads[0] as unknown as { kind: string; indices: nn.Tensor; values: nn.Tensor };
    expect(g.kind).toBe('rowSparse');
    expect(g.indices.size).toBe(8 * STEPS);
    expect(g.values.size).toBe(8 * STEPS * 4);
    expect((out.grads[1] as nn.Tensor).shape).toEqual([STEPS * 4, 2]);
    m.dispose();
  });
});
