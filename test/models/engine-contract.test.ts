// What the one engine promises beyond training: int32 inputs, any-rank inputs through flatten and
// reshape, layers of the user's own on the fast path, and gradients a caller can change before the
// optimizer applies them.
import { beforeAll, describe, expect, it } from 'vitest';
import { SwishDense } from '../../examples/custom-layer.js';
import * as nn from '../../src/index.js';

/** The model's train step for batches of `rows` (an internal, reached as the tests of the engine do). */
function trainStep(model: nn.Sequential, rows: number, dtype: 'float32' | 'int32' = 'float32') {
  return (
    model as unknown as {
      step(
        kind: 'train',
        rows: number,
        dtype: string,
      ): {
        replays: boolean;
        x: nn.Tensor;
        y: nn.Tensor;
        variables: nn.Variable[];
        run(): { loss: nn.Tensor; grads: nn.Tensor[] };
      };
    }
  ).step('train', rows, dtype);
}

describe('the one engine', () => {
  beforeAll(() => nn.ready());

  it('fit takes int32 inputs: the same weights as with the same values as float32, on a replayed trace', async () => {
    const values = [
      [1, 2, 3],
      [4, 5, 6],
      [0, 1, 0],
      [7, 1, 2],
      [3, 3, 3],
      [2, 0, 5],
    ];
    const y = nn.tensor([0, 1, 0, 1, 1, 0], [6], 'int32');
    const weightsAfter = async (x: nn.Tensor) => {
      nn.setSeed(4);
      const m = nn.sequential({
        layers: [
          nn.layers.dense({ units: 8, activation: 'relu', inputShape: [3] }),
          nn.layers.dense({ units: 2, activation: 'softmax' }),
        ],
      });
      m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      await m.fit(x, y, { epochs: 4, batchSize: 3, shuffle: false, verbose: 0 });
      const replays = trainStep(m, 3, x.dtype as 'float32' | 'int32').replays;
      const preds = m.predict(x).dataSync();
      return { weights: m.getWeights().map((w) => Array.from(w.dataSync())), replays, preds };
    };
    const asInt = await weightsAfter(nn.tensor(values, [6, 3], 'int32'));
    const asFloat = await weightsAfter(nn.tensor(values, [6, 3], 'float32'));
    expect(asInt.replays).toBe(true);
    expect(asInt.weights).toEqual(asFloat.weights);
    expect(Array.from(asInt.preds)).toEqual(Array.from(asFloat.preds));
    // an Int32Array of flat rows stays integers too
    const m = nn.sequential({ layers: [nn.layers.dense({ units: 2, inputShape: [3] })] });
    expect(m.predict(Int32Array.from(values.flat())).shape).toEqual([6, 2]);
    expect(() => m.predict(nn.tensor([[true, false, true]]))).toThrow(/bool/);
  });

  it('flatten takes inputs of any rank and reshape gives them a shape; both train on the fast path', async () => {
    nn.setSeed(2);
    const m = nn.sequential({
      layers: [
        nn.layers.flatten({ inputShape: [2, 3, 2, 2] }),
        nn.layers.reshape({ targetShape: [4, -1] }),
        nn.layers.flatten({}),
        nn.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    expect(m.outputShape).toEqual([null, 3]);
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const x = nn.randomNormal([8, 2, 3, 2, 2]);
    const y = nn.tensor([0, 1, 2, 0, 1, 2, 0, 1], [8], 'int32');
    const h = await m.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0 });
    expect(h.history.loss.every(Number.isFinite)).toBe(true);
    expect(trainStep(m, 4).replays).toBe(true);
    expect(() => nn.layers.reshape({ targetShape: [-1, -1] })).toThrow(/at most one -1/);
  });

  it('a layer of the user own trains on the fast path (a replayed trace), as the built-in ones do', async () => {
    nn.setSeed(6);
    const m = nn.sequential({
      layers: [new SwishDense({ units: 5, inputShape: [4] }), nn.layers.dense({ units: 2, activation: 'softmax' })],
    });
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await m.fit(
      nn.randomNormal([16, 4]),
      nn.tensor(
        new Array(16).fill(0).map((_, i) => i % 2),
        [16],
        'int32',
      ),
      {
        epochs: 2,
        batchSize: 8,
        verbose: 0,
      },
    );
    expect(trainStep(m, 8).replays).toBe(true);
    expect(m.layers[0].className).toBe('SwishDense');
    expect(m.layers[0].name).toMatch(/^swish_dense_\d+$/);
  });

  it("a user's layer may add weights in TensorFlow.js's argument order", () => {
    class Scaled extends nn.layers.Layer {
      static readonly className = 'Scaled';
      w: nn.Variable | null = null;
      computeOutputShape(shape: Array<number | null>): Array<number | null> {
        return shape;
      }
      protected override createWeights(shape: Array<number | null>): void {
        this.w = this.addWeight('w', [shape[1] as number], 'float32', nn.initializers.ones(), null, false);
      }
      call(x: nn.Tensor): nn.Tensor {
        return nn.mul(x, this.w!);
      }
    }
    const layer = new Scaled({ inputShape: [3] });
    const m = nn.sequential({ layers: [layer] });
    expect(Array.from(m.predict(nn.tensor([[1, 2, 3]])).dataSync())).toEqual([1, 2, 3]);
    expect(layer.trainableWeights).toEqual([]);
    expect(layer.weights.map((w) => w.name)).toEqual([`${layer.name}/w`]);
  });

  it('backward and update are separate: gradients can be read and written back before the optimizer applies them', () => {
    nn.setSeed(8);
    const m = nn.sequential({ layers: [nn.layers.dense({ units: 2, inputShape: [3] })] });
    m.compile({ optimizer: nn.train.sgd(0.5), loss: 'meanSquaredError' });
    const step = trainStep(m, 4);
    const before = m.getWeights().map((w) => w.dataSync());
    const out = step.run();
    const grads = out.grads.map((g) => g.dataSync());
    // a worker summing gradients writes them back: here, doubled
    nn.tidy(() => {
      for (const g of out.grads) {
        const doubled = nn.mul(g, 2);
        (g as unknown as { view(): Float32Array }).view().set(doubled.dataSync());
      }
    });
    m.optimizer!.applyGradients(step.variables.map((v, i) => ({ name: v.name, tensor: out.grads[i] })));
    const after = m.getWeights().map((w) => w.dataSync());
    after.forEach((w, i) => {
      for (let j = 0; j < w.length; j++) expect(w[j]).toBeCloseTo(before[i][j] - 0.5 * 2 * grads[i][j], 6);
    });
  });
});
