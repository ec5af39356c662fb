import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as gemmKernels from '../../src/backend/kernels/gemm.js';
import * as nn from '../../src/index.js';
import { randomArray } from '../helpers/random.js';

// gemm wrapped in a spy (same behaviour) to see when Dense's pass calls it
vi.mock('../../src/backend/kernels/gemm.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/backend/kernels/gemm.js')>();
  return { ...original, gemm: vi.fn(original.gemm) };
});

beforeAll(() => nn.ready({ relaxedSimd: false }));

describe('Dense in a train step', () => {
  it('the op code runs once, at the recording: replays call the kernels only, and compute what an eager pass does', () => {
    nn.setSeed(4);
    const model = nn.sequential({ layers: [nn.layers.dense({ units: 2, activation: 'tanh', inputShape: [3] })] });
    model.compile({ optimizer: nn.train.sgd(0.1), loss: 'meanSquaredError' });
    const step = model.step('train', 4);
    const gemm = vi.mocked(gemmKernels.gemm);
    gemm.mockClear();
    const run = (seed: number) => {
      step.x.view().set(randomArray(4 * 3, seed));
      step.y!.view().set(randomArray(4 * 2, seed + 1));
      const out = step.run();
      return { loss: out.loss!.dataSync()[0], grads: out.grads.map((g) => (g as nn.Tensor).dataSync().slice()) };
    };
    run(7);
    // forward, then the kernel gradient (Aᵀ·B); the first layer passes no input gradient
    expect(gemm.mock.calls.length).toBeGreaterThanOrEqual(2);
    const recorded = gemm.mock.calls.length;
    const replayed = [run(9), run(11)];
    expect(step.replays).toBe(true);
    expect(gemm).toHaveBeenCalledTimes(recorded);
    // each replay computed its own batch: the loss and gradients of an eager pass over it
    replayed.forEach((r, i) => {
      const seed = 9 + 2 * i;
      const xb = nn.tensor(Array.from(randomArray(4 * 3, seed)), [4, 3]);
      const yb = nn.tensor(Array.from(randomArray(4 * 2, seed + 1)), [4, 2]);
      const { value, grads } = nn.variableGrads(
        () => nn.mean(nn.losses.meanSquaredError(yb, model.call(xb, true))),
        model.trainableWeights,
      );
      expect(r.loss).toBe(value.dataSync()[0]);
      model.trainableWeights.forEach((v, k) => {
        expect(r.grads[k]).toEqual(grads[v.name].dataSync());
      });
      nn.dispose([xb, yb, value, ...Object.values(grads)]);
    });
    expect(replayed[1].loss).not.toBe(replayed[0].loss);
    model.dispose();
  });
});
