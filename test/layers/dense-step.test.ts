import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as gemmKernels from '../../src/backend/kernels/gemm.js';
import * as nn from '../../src/index.js';
import { randomArray } from '../helpers/random.js';
import { compiledStep } from './step-helpers.js';

// gemm wrapped in a spy (same behaviour) to see what Dense's compiled step passes it
vi.mock('../../src/backend/kernels/gemm.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/backend/kernels/gemm.js')>();
  return { ...original, gemm: vi.fn(original.gemm) };
});

beforeAll(() => nn.ready({ relaxedSimd: false }));

describe('Dense compiled step', () => {
  it('backward passes the same constant gemm options every step (no object built per step)', () => {
    const rows = 4;
    const width = 3;
    const run = compiledStep(
      nn.layers.dense({ units: 2, activation: 'tanh' }),
      randomArray(rows * width, 7),
      rows,
      width,
    );
    const gemm = vi.mocked(gemmKernels.gemm);
    const optionsOfBackward = () => {
      gemm.mockClear();
      run.forward(true);
      run.backward(randomArray(rows * 2, 8));
      // forward, then backward's kernel gradient (Aᵀ·B) and input gradient (A·Bᵀ)
      expect(gemm).toHaveBeenCalledTimes(3);
      return gemm.mock.calls.slice(1).map((call) => call[6]);
    };
    const first = optionsOfBackward();
    const second = optionsOfBackward();
    expect(first[0]).toMatchObject({ transA: true });
    expect(first[1]).toMatchObject({ transB: true });
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toBe(first[1]);
    run.dispose();
  });
});
