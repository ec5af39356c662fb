import { beforeAll, describe, expect, it } from 'vitest';
import { l1l2Gradient, l1l2Penalty } from '../../src/backend/kernels/regularizers.js';
import { ready } from '../../src/backend/loader.js';
import * as nn from '../../src/index.js';
import { expectClose, MODULES } from '../helpers/close.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { randomArray, TAIL_SIZES } from '../helpers/random.js';
import { free, putF32, readF32 } from '../helpers/wasm.js';

for (const relaxed of MODULES) {
  describe(`l1l2 kernels (${relaxed ? 'relaxed' : 'plain'} SIMD)`, () => {
    beforeAll(() => ready({ relaxedSimd: relaxed }));
    for (const n of [...TAIL_SIZES, 1000, 4099]) {
      it(`n = ${n}`, () => {
        const w = randomArray(n, n, -2, 2);
        w[0] = 0; // sign(0) = 0
        const g = randomArray(n, n + 1);
        const pw = putF32(w);
        const pg = putF32(g);
        const [l1, l2] = [0.03, 0.007];
        let expectedPenalty = 0;
        for (const v of w) expectedPenalty += l1 * Math.abs(v) + l2 * v * v;
        expectClose([l1l2Penalty(pw, n, l1, l2)], [expectedPenalty], 1e-6, 0);
        l1l2Gradient(pw, pg, n, l1, l2);
        const expectedGrad = Array.from(g, (gi, i) => gi + l1 * Math.sign(w[i]) + 2 * l2 * w[i]);
        expectClose(readF32(pg, n), expectedGrad, 1e-6, 1e-7);
        free(pw, pg);
      });
    }
  });
}

describe('regularizers', () => {
  beforeAll(() => ready({ relaxedSimd: false }));

  it('have Keras defaults and validate their arguments', () => {
    expect(nn.regularizers.l1()).toMatchObject({ className: 'L1', l1: 0.01, l2: 0 });
    expect(nn.regularizers.l2()).toMatchObject({ className: 'L2', l1: 0, l2: 0.01 });
    expect(nn.regularizers.l1l2({ l2: 0.5 })).toMatchObject({ className: 'L1L2', l1: 0, l2: 0.5 });
    expect(() => nn.regularizers.l2({ l2: -1 })).toThrow(/expected l2 >= 0, got -1/);
    expect(() => nn.layers.dense({ units: 2, kernelRegularizer: 'l3' })).toThrow(/unknown regularizer "l3"/);
  });

  it('penalty op gradient matches finite differences', () => {
    const reg = nn.regularizers.l1l2({ l1: 0.1, l2: 0.3 });
    gradCheck({
      shapes: [[4, 5]],
      op: (x) => reg.penalty(x, 0.5),
      forward64: ([x]) => [0.5 * x.reduce((s, v) => s + 0.1 * Math.abs(v) + 0.3 * v * v, 0)],
    });
  });

  function build(path: 'compiled' | 'tape') {
    nn.setSeed(3);
    const model = nn.sequential({
      layers: [
        nn.layers.dense({
          units: 6,
          activation: 'tanh',
          inputShape: [4],
          kernelRegularizer: nn.regularizers.l1l2({ l1: 0.01, l2: 0.02 }),
          biasRegularizer: 'l2',
          activityRegularizer: nn.regularizers.l1({ l1: 0.005 }),
        }),
        nn.layers.dense({ units: 3, kernelRegularizer: nn.regularizers.l2({ l2: 0.05 }) }),
      ],
    });
    model.compile({
      optimizer: nn.train.sgd(0.1),
      loss:
        path === 'compiled' ? 'meanSquaredError' : (yt: nn.Tensor, yp: nn.Tensor) => nn.losses.meanSquaredError(yt, yp),
    });
    return model;
  }

  it('the compiled step and the tape path add the same penalties to the loss and the update', async () => {
    const x = nn.tensor(Array.from(randomArray(40, 1)), [10, 4]);
    const y = nn.tensor(Array.from(randomArray(30, 2)), [10, 3]);
    const results: Array<{ loss: number[]; weights: number[][] }> = [];
    for (const path of ['compiled', 'tape'] as const) {
      const model = build(path);
      const history = await model.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
      const weights = model.getWeights();
      results.push({ loss: history.history.loss, weights: weights.map((w) => Array.from(w.dataSync())) });
      nn.dispose(weights);
      model.dispose();
    }
    expectClose(results[0].loss, results[1].loss, 1e-5, 1e-7, 'loss');
    results[0].weights.forEach((w, i) => {
      expectClose(w, results[1].weights[i], 1e-5, 1e-7, `weight ${i}`);
    });
    nn.dispose([x, y]);
  });

  it('the reported loss is the data loss plus the weight penalties', () => {
    const model = nn.sequential({
      layers: [nn.layers.dense({ units: 1, inputShape: [2], kernelRegularizer: nn.regularizers.l2({ l2: 0.5 }) })],
    });
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    nn.tidy(() => model.setWeights([nn.tensor([[1], [2]]), nn.tensor([0])]));
    const x = nn.tensor([[1, 1]]);
    const y = nn.tensor([[3]]);
    const loss = model.evaluate(x, y) as nn.Tensor;
    // data loss (3 - 3)² = 0, penalty 0.5 · (1 + 4) = 2.5
    expect(loss.dataSync()[0]).toBeCloseTo(2.5, 6);
    nn.dispose([x, y, loss]);
    model.dispose();
  });
});
