import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/datasets/index.js';
import * as nn from '../../src/index.js';
import { SMALLEST_NORMAL_F32 as SMALLEST_NORMAL, WEIGHT_FLOOR } from '../../src/reference/math.js';
import { MODULES } from '../helpers/close.js';

/** How many values of t are nonzero with a magnitude below `floor`. */
function countBelow(t: nn.Tensor, floor: number): number {
  let count = 0;
  for (const v of t.dataSync()) if (v !== 0 && Math.abs(v) < floor) count++;
  return count;
}

/** One training setting: an optimizer and its number of state slots, the L2 factor of the hidden kernels (0: none). */
interface Case {
  optimizer: 'adam' | 'adamw' | 'rmsprop' | 'momentum';
  slots: number;
  l2: number;
}

// On the kernels that stored subnormals, 300 epochs of each left between a few dozen (Adam, no penalty:
// first moments of weights whose gradient stays 0) and thousands (with L2: weights of dead units pulled
// toward 0 and stuck there) of subnormal weights and slots.
const CASES: Case[] = [
  { optimizer: 'adam', slots: 2, l2: 0.01 },
  { optimizer: 'adam', slots: 2, l2: 0 },
  { optimizer: 'adamw', slots: 2, l2: 0.01 },
  { optimizer: 'rmsprop', slots: 3, l2: 0.01 },
  { optimizer: 'momentum', slots: 1, l2: 0 },
];

// standardized breast-cancer features and labels, kept as arrays: switching modules needs no live tensors
let features: number[][];
let labels: number[];

beforeAll(async () => {
  await nn.ready({ relaxedSimd: false });
  const data = await loadDataset('breast-cancer');
  const x = nn.data.standardScaler().fit(data.x).transform(data.x);
  features = x.arraySync() as number[][];
  labels = data.y.arraySync() as number[];
  nn.dispose([data.x, data.y, x]);
});

for (const relaxed of MODULES) {
  describe(`a long training run (${relaxed ? 'relaxed SIMD' : 'SIMD'})`, () => {
    beforeAll(() => nn.ready({ relaxedSimd: relaxed }));

    // the relaxed module differs only by fused multiply-adds: Adam's two cases are enough there
    for (const { optimizer, slots: slotCount, l2 } of relaxed ? CASES.filter((c) => c.optimizer === 'adam') : CASES) {
      it(`leaves no subnormal float in the optimizer state and no weight below 2^-100: ${optimizer}, ${l2 ? `l2(${l2})` : 'no penalty'}`, async () => {
        nn.setSeed(1);
        const reg = () => (l2 ? nn.regularizers.l2({ l2 }) : undefined);
        const model = nn.sequential({
          layers: [
            nn.layers.dense({ units: 64, activation: 'relu', inputShape: [30], kernelRegularizer: reg() }),
            nn.layers.dense({ units: 64, activation: 'relu', kernelRegularizer: reg() }),
            nn.layers.dense({ units: 2, activation: 'softmax' }),
          ],
        });
        model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
        const [x, y] = [nn.tensor(features), nn.tensor(labels, undefined, 'int32')];
        await model.fit(x, y, { epochs: 300, batchSize: 32, seed: 3, verbose: 0 });
        nn.dispose([x, y]);
        const found: string[] = [];
        for (const w of model.weights) {
          const slots = model.optimizer?.getSlots(w) ?? [];
          expect(slots.length, `${w.name} optimizer slots`).toBe(slotCount);
          const weightCount = countBelow(w, WEIGHT_FLOOR);
          if (weightCount > 0) found.push(`${w.name}: ${weightCount} below 2^-100`);
          slots.forEach((t, k) => {
            const count = countBelow(t, SMALLEST_NORMAL);
            if (count > 0) found.push(`${w.name} slot ${k}: ${count} subnormal`);
          });
        }
        model.dispose();
        expect(found).toEqual([]);
      });
    }
  });
}
