import { beforeAll, describe, expect, it } from 'vitest';
import { l1l2Backward, l1l2Penalty } from '../../src/backend/kernels/regularizers.js';
import { ready } from '../../src/backend/loader.js';
import * as nn from '../../src/index.js';
import { expectClose, MODULES } from '../helpers/close.js';
import { weightValues } from '../helpers/eager-fit.js';
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
        const pw = putF32(w);
        const pg = putF32(new Float32Array(n).fill(Number.NaN)); // overwritten, not added to
        const out = putF32([Number.NaN]);
        const dy = putF32([0.75]); // the gradient of the penalty scales the result
        const [l1, l2] = [0.03, 0.007];
        let expectedPenalty = 0;
        for (const v of w) expectedPenalty += l1 * Math.abs(v) + l2 * v * v;
        l1l2Penalty(pw, n, l1, l2, out);
        expectClose(readF32(out, 1), [expectedPenalty], 1e-6, 0);
        l1l2Backward(pw, dy, pg, n, l1, l2);
        const expectedGrad = Array.from(w, (v) => 0.75 * (l1 * Math.sign(v) + 2 * l2 * v));
        expectClose(readF32(pg, n), expectedGrad, 1e-6, 1e-7);
        free(pw, pg, out, dy);
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

  const kernelReg = () => nn.regularizers.l1l2({ l1: 0.01, l2: 0.02 });
  const activityReg = () => nn.regularizers.l1({ l1: 0.005 });
  const outReg = () => nn.regularizers.l2({ l2: 0.05 });
  function build() {
    nn.setSeed(3);
    return nn.sequential({
      layers: [
        nn.layers.dense({
          units: 6,
          activation: 'tanh',
          inputShape: [4],
          kernelRegularizer: kernelReg(),
          biasRegularizer: 'l2',
          activityRegularizer: activityReg(),
        }),
        nn.layers.dense({ units: 3, kernelRegularizer: outReg() }),
      ],
    });
  }

  it('fit adds the penalties to the loss and the update as an eager run with the penalties written out', async () => {
    const xv = randomArray(40, 1);
    const yv = randomArray(30, 2);
    const x = nn.tensor(Array.from(xv), [10, 4]);
    const y = nn.tensor(Array.from(yv), [10, 3]);
    const fitted = build();
    fitted.compile({ optimizer: nn.train.sgd(0.1), loss: 'meanSquaredError' });
    const history = await fitted.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
    // the reference: each penalty spelled out (Keras's l2 default for the bias is 0.01)
    const eager = build();
    const optimizer = nn.train.sgd(0.1);
    const [k1, b1, k2] = eager.trainableWeights;
    const eagerLoss: number[] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      let sum = 0;
      for (let start = 0; start < 10; start += 4) {
        const rows = Math.min(4, 10 - start);
        const xb = nn.tensor(Array.from(xv.slice(start * 4, (start + rows) * 4)), [rows, 4]);
        const yb = nn.tensor(Array.from(yv.slice(start * 3, (start + rows) * 3)), [rows, 3]);
        const { value, grads } = nn.variableGrads(() => {
          const h = eager.layers[0].apply(xb, { training: true }) as nn.Tensor;
          const out = eager.layers[1].apply(h, { training: true }) as nn.Tensor;
          const penalties = [
            kernelReg().penalty(k1, 1),
            nn.regularizers.l2().penalty(b1, 1),
            activityReg().penalty(h, 1 / rows),
            outReg().penalty(k2, 1),
          ];
          return penalties.reduce((s, p) => nn.add(s, p), nn.mean(nn.losses.meanSquaredError(yb, out)));
        });
        optimizer.applyGradients(grads);
        sum += value.dataSync()[0] * rows;
        nn.dispose([xb, yb, value, ...Object.values(grads)]);
      }
      eagerLoss.push(sum / 10);
    }
    expectClose(history.history.loss, eagerLoss, 1e-5, 1e-7, 'loss');
    const a = weightValues(fitted);
    weightValues(eager).forEach((w, i) => {
      expectClose(a[i], w, 1e-5, 1e-7, `weight ${i}`);
    });
    nn.dispose([x, y]);
    fitted.dispose();
    eager.dispose();
    optimizer.dispose();
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
