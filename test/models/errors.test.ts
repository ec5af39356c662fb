import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { randomArray } from '../helpers/random.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

function classicModel(): nn.Sequential {
  nn.setSeed(3);
  return nn.sequential({
    layers: [
      nn.layers.dense({ units: 16, activation: 'relu', inputShape: [10] }),
      nn.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

function snapshot(model: nn.Sequential): number[][] {
  const ws = model.getWeights();
  const out = ws.map((w) => Array.from(w.dataSync()));
  nn.dispose(ws);
  return out;
}

const N = 12;
const x = randomArray(N * 10, 61);
const labels = Int32Array.from({ length: N }, (_, i) => i % 10);

/**
 * Runs `bad` (sync or async) on a compiled model and checks that it throws `pattern`, that the
 * weights are unchanged, that no tensor leaked, and that the model still trains afterwards.
 */
async function expectRejected(
  bad: (m: nn.Sequential) => unknown,
  pattern: RegExp,
  errorClass: new (...args: never[]) => Error = nn.NeurasmError,
  compile = true,
): Promise<void> {
  const m = classicModel();
  if (compile) m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const before = snapshot(m);
  const tensors = nn.memory().numTensors;
  let error: unknown = null;
  try {
    await bad(m);
  } catch (e) {
    error = e;
  }
  expect(error, `expected an error matching ${pattern}`).toBeInstanceOf(errorClass);
  expect((error as Error).message).toMatch(pattern);
  expect(snapshot(m)).toEqual(before);
  expect(nn.memory().numTensors).toBe(tensors);
  if (compile) {
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const h = await m.fit(x, labels, { epochs: 1, verbose: 0 });
    expect(Number.isFinite(h.history.loss[0])).toBe(true);
  }
  m.dispose();
}

describe('bad input: a clear error and the model unchanged', () => {
  it('fit, evaluate before compile', async () => {
    await expectRejected((m) => m.fit(x, labels, { verbose: 0 }), /compiled first/, nn.ValueError, false);
    await expectRejected((m) => m.evaluate(x, labels), /compiled first/, nn.ValueError, false);
  });

  it('x and y with different numbers of examples', async () => {
    await expectRejected((m) => m.fit(x, labels.slice(0, 11), { verbose: 0 }), /x has 12 examples but y has 11/);
    await expectRejected((m) => m.evaluate(x, labels.slice(0, 11)), /x has 12 examples but y has 11/);
    await expectRejected(
      (m) => m.fit(x, labels, { verbose: 0, validationData: [x, labels.slice(1)] }),
      /validationData x has 12 examples but y has 11/,
    );
  });

  it('sparse labels out of range, non-integer or negative', async () => {
    const bad = (v: number, at = 5) => {
      const l = Float32Array.from(labels);
      l[at] = v;
      return l;
    };
    await expectRejected(
      (m) => m.fit(x, bad(10), { verbose: 0 }),
      /the label of example 5 \(counting from 0\) is 10; expected an integer class index in \[0, 10\)/,
    );
    await expectRejected(
      (m) => m.fit(x, bad(1.5), { verbose: 0 }),
      /the label of example 5 \(counting from 0\) is 1.5; expected an integer/,
    );
    await expectRejected(
      (m) => m.fit(x, bad(-1, 0), { verbose: 0 }),
      /the label of example 0 \(counting from 0\) is -1; expected an integer/,
    );
    await expectRejected(
      (m) => m.fit(x, Array.from(bad(3.25)), { verbose: 0 }),
      /the label of example 5 \(counting from 0\) is 3.25/,
    );
    const t = nn.tensor1d(Int32Array.from(bad(11)), 'int32');
    await expectRejected((m) => m.fit(x, t, { verbose: 0 }), /the label of example 5 \(counting from 0\) is 11/);
    await expectRejected((m) => m.evaluate(x, t), /the label of example 5 \(counting from 0\) is 11/);
    t.dispose();
    // sparse labels must be one per example
    await expectRejected((m) => m.fit(x, [[1, 2]], { verbose: 0 }), /shape \[examples\] or \[examples, 1\]/);
  });

  it("input width not the model's", async () => {
    const wide = nn.tensor2d(randomArray(N * 12, 62), [N, 12]);
    await expectRejected(
      (m) => m.fit(wide, labels, { verbose: 0 }),
      /expected x of shape \[\*, 10\].*got \[12, 12\]/,
      nn.ShapeError,
    );
    await expectRejected((m) => m.predict(wide), /expected x of shape \[\*, 10\].*got \[12, 12\]/, nn.ShapeError);
    await expectRejected((m) => m.evaluate(wide, labels), /got \[12, 12\]/, nn.ShapeError);
    wide.dispose();
    await expectRejected(
      (m) => m.fit(randomArray(25, 63), labels, { verbose: 0 }),
      /25 values, not a multiple of the model's input width 10/,
    );
    await expectRejected((m) => m.fit([[1, 2, 3]], [1], { verbose: 0 }), /got \[1, 3\]/, nn.ShapeError);
    await expectRejected((m) => m.fit(new Float32Array(0), new Int32Array(0), { verbose: 0 }), /x has no examples/);
    await expectRejected((m) => m.predict(new Float32Array(0)), /x has no examples/);
    await expectRejected(
      (m) => m.fit('data' as never, labels, { verbose: 0 }),
      /expected x to be a Tensor, nested arrays or a typed array/,
    );
    await expectRejected((m) => m.fit(x, null as never, { verbose: 0 }), /expected y to be a Tensor/);
  });

  it('targets of the wrong width for non-sparse losses', async () => {
    await expectRejected((m) => {
      m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
      return m.fit(x, randomArray(N * 3, 64), { verbose: 0 });
    }, /y has 36 values, not a multiple of the model's output width 10/);
    const y9 = nn.zeros([N, 9]);
    await expectRejected((m) => {
      m.compile({ optimizer: 'sgd', loss: 'mse' });
      return m.fit(x, y9, { verbose: 0 });
    }, /expected y of shape \[examples, 10\].*got \[12, 9\]/);
    y9.dispose();
  });

  it('unknown optimizer, loss, metric and activation names list the valid ones', async () => {
    await expectRejected(
      (m) => m.compile({ optimizer: 'adamax' as never, loss: 'mse' }),
      /unknown optimizer "adamax"; expected one of sgd, momentum, adam, adamw, rmsprop, adagrad/,
    );
    await expectRejected(
      (m) => m.compile({ optimizer: 'adam', loss: 'crossentropy' as never }),
      /unknown loss "crossentropy"; expected one of sparseCategoricalCrossentropy, categoricalCrossentropy, binaryCrossentropy, meanSquaredError, meanAbsoluteError, huber/,
    );
    await expectRejected(
      (m) => m.compile({ optimizer: 'adam', loss: 'mse', metrics: ['f1' as never] }),
      /unknown metric "f1"; expected one of accuracy, .*precision, recall, mse, mae/,
    );
    expect(() => nn.layers.dense({ units: 3, activation: 'relux' as never })).toThrow(
      /unknown activation "relux"; expected one of .*relu.*sigmoid.*tanh.*softmax/,
    );
    expect(() => nn.layers.activation({ activation: 'swishy' as never })).toThrow(/unknown activation "swishy"/);
    // a failed compile keeps the previous one
    const m = classicModel();
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const previous = m.compiled;
    expect(() => m.compile({ optimizer: 'sgd', loss: 'nope' as never })).toThrow();
    expect(m.compiled).toBe(previous);
    m.dispose();
  });

  it('batchSize or epochs <= 0 or not integers', async () => {
    for (const args of [{ batchSize: 0 }, { batchSize: -4 }, { batchSize: 2.5 }]) {
      await expectRejected((m) => m.fit(x, labels, { ...args, verbose: 0 }), /batchSize/);
    }
    for (const args of [{ epochs: 0 }, { epochs: -1 }, { epochs: Number.NaN }]) {
      await expectRejected((m) => m.fit(x, labels, { ...args, verbose: 0 }), /epochs/);
    }
    await expectRejected((m) => m.fit(x, labels, { epochs: 2, initialEpoch: 2, verbose: 0 }), /initialEpoch/);
    await expectRejected((m) => m.fit(x, labels, { validationSplit: 1, verbose: 0 }), /validationSplit/);
    await expectRejected((m) => m.predict(x, { batchSize: 0 }), /batchSize/);
    await expectRejected((m) => m.evaluate(x, labels, { batchSize: -1 }), /batchSize/);
  });

  it('NaN or Infinity in x or y', async () => {
    const xNaN = x.slice();
    xNaN[23] = Number.NaN;
    await expectRejected(
      (m) => m.fit(xNaN, labels, { verbose: 0 }),
      /x holds NaN at row 2, column 3; expected finite numbers/,
    );
    await expectRejected((m) => m.predict(xNaN), /x holds NaN at row 2/);
    const xInf = x.slice();
    xInf[0] = Number.POSITIVE_INFINITY;
    await expectRejected((m) => m.fit(xInf, labels, { verbose: 0 }), /x holds Infinity at row 0, column 0/);
    const yNaN = Float32Array.from(labels);
    yNaN[4] = Number.NaN;
    await expectRejected((m) => m.fit(x, yNaN, { verbose: 0 }), /the label of example 4 \(counting from 0\) is NaN/);
    await expectRejected((m) => {
      m.compile({ optimizer: 'sgd', loss: 'mse' });
      const y = new Float32Array(N * 10);
      y[7] = Number.NaN;
      return m.fit(x, y, { verbose: 0 });
    }, /y holds NaN at index 7/);
    await expectRejected(
      (m) => m.fit(x, labels, { verbose: 0, validationData: [xNaN, labels] }),
      /validationData\[0\] holds NaN/,
    );
  });

  it('a diverging loss stops training with a DivergenceError naming the epoch and batch', async () => {
    const m = nn.sequential({ layers: [nn.layers.dense({ units: 2, inputShape: [10] })] });
    m.compile({ optimizer: nn.train.sgd(1e10), loss: 'mse' });
    const y = randomArray(N * 2, 65);
    let error: unknown = null;
    try {
      await m.fit(x, y, { epochs: 5, batchSize: 4, shuffle: false, verbose: 0 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(nn.DivergenceError);
    expect((error as Error).message).toMatch(/the loss became (Infinity|NaN) at epoch \d+, batch \d+/);
    // the batch with the bad loss was not applied: the weights are still finite numbers
    for (const w of snapshot(m)) for (const v of w) expect(Number.isFinite(v)).toBe(true);
    // with a custom loss it stops the same way
    const t = nn.sequential({ layers: [nn.layers.dense({ units: 2, inputShape: [10] })] });
    t.compile({ optimizer: nn.train.sgd(1e10), loss: (a, b) => nn.losses.meanSquaredError(a, b) });
    await expect(t.fit(x, y, { epochs: 5, batchSize: 4, shuffle: false, verbose: 0 })).rejects.toThrow(
      nn.DivergenceError,
    );
    for (const w of snapshot(t)) for (const v of w) expect(Number.isFinite(v)).toBe(true);
    m.dispose();
    t.dispose();
  });

  it('setWeights with a wrong shape or count throws and changes nothing', async () => {
    await expectRejected((m) => {
      const ws = m.getWeights();
      const wrong = nn.zeros([10, 15]);
      try {
        m.setWeights([ws[0], ws[1], ws[2], wrong]);
      } finally {
        nn.dispose([...ws, wrong]);
      }
    }, /weight 3 .* has shape \[10\], got/);
    await expectRejected((m) => {
      const ws = m.getWeights();
      const first = nn.zeros([10, 16]);
      const wrong = nn.zeros([16, 10, 1]);
      try {
        m.setWeights([first, ws[1], wrong, ws[3]]);
      } finally {
        nn.dispose([...ws, first, wrong]);
      }
    }, /weight 2 .* has shape \[16, 10\], got/);
    await expectRejected((m) => m.setWeights([]), /the model has 4 weights/);
    // a wrong dtype late in the list must not leave the earlier weights replaced
    await expectRejected((m) => {
      const ws = m.getWeights();
      const first = nn.ones([10, 16]);
      const ints = nn.zeros([10], 'int32');
      try {
        m.setWeights([first, ws[1], ws[2], ints]);
      } finally {
        nn.dispose([...ws, first, ints]);
      }
    }, /weight 3 .* is float32, got a.* int32 tensor/);
    await expectRejected((m) => {
      const ws = m.getWeights();
      const first = nn.ones([10, 16]);
      const gone = nn.zeros([10]);
      gone.dispose();
      try {
        m.setWeights([first, ws[1], ws[2], gone]);
      } finally {
        nn.dispose([...ws, first]);
      }
    }, /weights\[3\].*disposed/);
    await expectRejected((m) => {
      const ws = m.layers[1].getWeights();
      const ints = nn.zeros([10], 'int32');
      const kernel = nn.ones([16, 10]);
      try {
        m.layers[1].setWeights([kernel, ints]);
      } finally {
        nn.dispose([...ws, ints, kernel]);
      }
    }, /bias is float32, got int32/);
  });
});
