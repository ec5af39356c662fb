// Inference reads a Dense kernel from a packed copy (Variable.packedMatrix), packed once and again
// only after the weights changed. These tests pin that predict always sees the current weights, bit
// for bit what a fresh model holding them predicts (whose copy is packed on its first call), after
// every kind of write: fit, trainOnBatch, optimizer calls outside fit, setWeights, assign and load;
// and that the copies take no memory beyond their first predict and go with the model.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { backend } from '../../src/backend/loader.js';
import * as nn from '../../src/index.js';
import { MODULES } from '../helpers/close.js';
import { randomArray } from '../helpers/random.js';

const SIZES = [20, 40, 300, 5]; // 300 columns: several packed panels and a partial one; k 300 > one depth block
const ROWS = 12;
const x = randomArray(ROWS * SIZES[0], 5);
const labels = Int32Array.from({ length: ROWS }, (_, i) => i % SIZES[3]);

function mlp(seed: number): nn.Sequential {
  nn.setSeed(seed);
  const model = nn.sequential();
  for (let l = 1; l < SIZES.length; l++) {
    const first = l === 1 ? { inputShape: [SIZES[0]] } : {};
    const activation = l === SIZES.length - 1 ? 'softmax' : 'relu';
    model.add(nn.layers.dense({ units: SIZES[l], activation, ...first }));
  }
  return model;
}

/** The predictions of `model` on the first `rows` rows of x, in batches of `batchSize`. */
function predict(model: nn.Sequential, rows: number, batchSize: number): Float32Array {
  const input = nn.tensor(x.subarray(0, rows * SIZES[0]), [rows, SIZES[0]]);
  const p = model.predict(input, { batchSize });
  const out = p.dataSync() as Float32Array;
  nn.dispose([p, input]);
  return Float32Array.from(out);
}

/** What a model never used before, given `model`'s weights, predicts (one row, 3 rows, batches of 4). */
function freshPredictions(model: nn.Sequential): Float32Array[] {
  const fresh = mlp(99);
  const weights = model.getWeights();
  fresh.setWeights(weights);
  nn.dispose(weights);
  const out = [predict(fresh, 1, 1), predict(fresh, 3, 3), predict(fresh, ROWS, 4)];
  fresh.dispose();
  return out;
}

/** Predicts with `model` at the batch sizes of freshPredictions (warming each step's trace). */
function predictions(model: nn.Sequential): Float32Array[] {
  return [predict(model, 1, 1), predict(model, 3, 3), predict(model, ROWS, 4)];
}

/** Predicts (so every step's trace holds a packed copy), runs `write`, and checks predict sees its weights. */
async function checkAfter(write: (model: nn.Sequential) => void | Promise<void>): Promise<void> {
  const model = mlp(7);
  model.compile({ optimizer: nn.train.adam(0.05), loss: 'sparseCategoricalCrossentropy' });
  const before = predictions(model);
  predictions(model); // replays
  await write(model);
  // the first use after a write reads the kernel in place, the next ones its new packed copy
  const after = predictions(model);
  const fresh = freshPredictions(model);
  expect(after).toEqual(fresh);
  expect(predictions(model)).toEqual(fresh);
  // the write changed the outputs: the equality above is not the old weights on both sides
  expect(after[0]).not.toEqual(before[0]);
  model.dispose();
}

for (const relaxed of MODULES) {
  describe(`predict after the weights change (${relaxed ? 'relaxed SIMD' : 'SIMD'})`, () => {
    beforeAll(() => nn.ready({ relaxedSimd: relaxed }));

    it('fit', () => checkAfter((m) => m.fit(x, labels, { epochs: 2, batchSize: 4, verbose: 0 }).then(() => {})));

    it('trainOnBatch', () =>
      checkAfter((m) => {
        m.trainOnBatch(x, labels);
      }));

    it('an optimizer step outside fit (minimize)', () =>
      checkAfter((m) => {
        const input = nn.tensor(x, [ROWS, SIZES[0]]);
        const vars = m.trainableWeights as nn.Variable[];
        nn.train.sgd(0.5).minimize(() => nn.sum(nn.square(m.call(input))), false, vars);
        input.dispose();
      }));

    it('setWeights', () =>
      checkAfter((m) => {
        const other = mlp(123);
        const weights = other.getWeights();
        m.setWeights(weights);
        nn.dispose(weights);
        other.dispose();
      }));

    it("a variable's assign", () =>
      checkAfter((m) => {
        const kernel = m.layers[1].weights[0];
        const values = nn.tensor(randomArray(kernel.size, 31), [...kernel.shape]);
        kernel.assign(values);
        values.dispose();
      }));

    it('a model loaded from a trained one predicts as it does', async () => {
      const model = mlp(7);
      model.compile({ optimizer: nn.train.adam(0.05), loss: 'sparseCategoricalCrossentropy' });
      predictions(model);
      await model.fit(x, labels, { epochs: 2, batchSize: 4, verbose: 0 });
      let saved: nn.io.ModelArtifacts | undefined;
      await model.save(
        nn.io.withSaveHandler(async (a) => {
          saved = a;
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      const loaded = await nn.loadLayersModel(nn.io.fromMemory(saved!));
      expect(predictions(loaded)).toEqual(predictions(model));
      loaded.dispose();
      model.dispose();
    });
  });
}

describe('when a kernel is packed', () => {
  beforeAll(() => nn.ready({ relaxedSimd: false }));

  it('at the second inference call that sees the same values, not at the first after a write', async () => {
    const model = mlp(7);
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const kernel = model.layers[2].weights[0];
    const isPacked = () => backend().views.i32[kernel.packedMatrix().ptr >>> 2] === 1;
    predict(model, 1, 1);
    expect(isPacked()).toBe(false);
    predict(model, 1, 1);
    expect(isPacked()).toBe(true);
    predict(model, 2, 2); // another step's trace shares the copy
    expect(isPacked()).toBe(true);
    await model.fit(x, labels, { epochs: 1, batchSize: 4, verbose: 0 });
    expect(isPacked()).toBe(true); // stale, but not read until the next predict's refresh
    predict(model, 1, 1);
    expect(isPacked()).toBe(false);
    predict(model, 5, 5);
    expect(isPacked()).toBe(true);
    model.dispose();
  });
});

describe('memory of the packed copies', () => {
  beforeAll(() => nn.ready({ relaxedSimd: false }));
  const live = () => backend().allocator.liveBytes;

  it('stays flat over predict / fit / predict cycles', async () => {
    const model = mlp(7);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const cycle = async () => {
      predictions(model);
      await model.fit(x, labels, { epochs: 1, batchSize: 4, verbose: 0 });
      predictions(model);
    };
    await cycle();
    const memory = nn.memory();
    const bytes = live();
    for (let i = 0; i < 5; i++) await cycle();
    expect(nn.memory()).toEqual(memory);
    expect(live()).toBe(bytes);
    model.dispose();
  });

  it('a warm predict allocates only its output', () => {
    const model = mlp(7);
    const input = nn.tensor(x.subarray(0, SIZES[0]), [1, SIZES[0]]);
    for (let i = 0; i < 3; i++) nn.dispose(model.predict(input));
    const alloc = vi.spyOn(backend().allocator, 'alloc');
    try {
      for (let i = 0; i < 5; i++) nn.dispose(model.predict(input));
      expect(alloc.mock.calls).toEqual(Array.from({ length: 5 }, () => [SIZES[3] * 4]));
    } finally {
      alloc.mockRestore();
    }
    nn.dispose(input);
    model.dispose();
  });

  it('are freed with the model', () => {
    const warm = mlp(1); // the shared scratch block grows on first use
    predictions(warm);
    warm.dispose();
    const bytes = live();
    const memory = nn.memory();
    const model = mlp(7);
    predictions(model);
    expect(live()).toBeGreaterThan(bytes);
    model.dispose();
    expect(live()).toBe(bytes);
    expect(nn.memory()).toEqual(memory);
  });
});
