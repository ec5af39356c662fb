import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Act, Binary, Reduce, Unary } from '../../src/backend/codes.js';
import { activationForward, softmaxRows } from '../../src/backend/kernels/activations.js';
import { axpy, binary, fill, stridedCopy, unary } from '../../src/backend/kernels/elementwise.js';
import { KERNEL_NAMES, MODULE_INFO_NAMES } from '../../src/backend/kernels/exports.generated.js';
import { kernels } from '../../src/backend/kernels/exports.js';
import { gemm, gemmScratchBytes } from '../../src/backend/kernels/gemm.js';
import { squaredError } from '../../src/backend/kernels/losses.js';
import {
  batchNormBackward,
  batchNormBackwardScratchBytes,
  batchNormForwardTrain,
  batchNormTrainScratchBytes,
} from '../../src/backend/kernels/normalization.js';
import { adamUpdate, sgdUpdate } from '../../src/backend/kernels/optimizers.js';
import { reduceAxis } from '../../src/backend/kernels/reduce.js';
import { l1l2Penalty } from '../../src/backend/kernels/regularizers.js';
import { backend, ready } from '../../src/backend/loader.js';
import { BackendError } from '../../src/errors.js';
import { allocF32, free, putF32, readF32 } from '../helpers/wasm.js';

const wasm = <T>(name: string) => backend().exports[name] as T;

describe('typed kernel exports', () => {
  beforeAll(() => ready({ relaxedSimd: false }));
  afterAll(() => ready({ relaxedSimd: false }));

  it('binds every kernel of the module, and binds again after a module switch', async () => {
    const k = kernels();
    for (const [name, f] of Object.entries(k)) {
      expect(f, name).toBeTypeOf('function');
      expect(f, name).toBe(backend().exports[name]);
    }
    expect(kernels()).toBe(k); // bound once per module
    const info = await ready({ relaxedSimd: true }).catch(() => null);
    if (info) {
      expect(kernels()).not.toBe(k);
      expect(kernels().gemm).toBe(backend().exports.gemm);
      expect(kernels().gemm).not.toBe(k.gemm);
    }
  });

  it('the generated kernel list is what each module exports, and kernels() binds exactly it', async () => {
    const exportedFunctions = () =>
      Object.entries(backend().exports)
        .filter(([, v]) => typeof v === 'function')
        .map(([k]) => k)
        .sort();
    const generated = [...KERNEL_NAMES, ...MODULE_INFO_NAMES].sort();
    expect(new Set(generated).size).toBe(generated.length);
    expect(KERNEL_NAMES).toContain('gemm');
    expect(MODULE_INFO_NAMES).toEqual(['heapBase', 'relaxedSimd']);
    expect(exportedFunctions()).toEqual(generated);
    expect(Object.keys(kernels()).sort()).toEqual([...KERNEL_NAMES].sort());
    if (await ready({ relaxedSimd: true }).catch(() => null)) {
      expect(exportedFunctions()).toEqual(generated);
      await ready({ relaxedSimd: false });
    }
  });

  it('a module that lacks a kernel of the list fails to bind with a BackendError naming it', () => {
    const b = backend() as { exports: Record<string, unknown>; generation: number };
    const { exports, generation } = b;
    const { gemm: _gemm, ...withoutGemm } = exports;
    b.exports = withoutGemm;
    b.generation = -2; // as if ready() had loaded this module
    try {
      expect(() => kernels()).toThrow(BackendError);
      expect(() => kernels()).toThrow(/lacks the kernel gemm .*npm run build:wasm/);
    } finally {
      b.exports = exports;
      b.generation = generation;
    }
    expect(kernels().gemm).toBe(exports.gemm);
  });

  it('kernel calls read nothing from the module exports once bound (no lookup by name, no size query)', () => {
    kernels();
    const b = backend() as { exports: Record<string, unknown> };
    const original = b.exports;
    const reads: string[] = [];
    b.exports = new Proxy(original, {
      get(target, key, receiver) {
        reads.push(String(key));
        return Reflect.get(target, key, receiver);
      },
    });
    const n = 8;
    const x = putF32([1, -2, 3, -4, 5, -6, 7, -8]);
    const y = allocF32(n);
    const z = allocF32(n);
    const stats = [allocF32(4), allocF32(4), allocF32(4), allocF32(4), allocF32(4)];
    try {
      unary(Unary.abs, x, y, n);
      binary(Binary.add, x, y, z, [n], [1], [1]);
      stridedCopy(x, y, [n], [1]);
      fill(y, n, 1);
      axpy(x, y, n, 2);
      activationForward(Act.relu, x, y, n);
      softmaxRows(x, y, 2, 4);
      gemm(x, x, y, 2, 4, 2, { transB: true });
      reduceAxis(Reduce.sum, x, z, 1, n, 1);
      squaredError(x, y, n, z);
      sgdUpdate(y, x, n, 0.1);
      adamUpdate(y, x, z, z, n, 0.1, 0.9, 0.999, 1e-7, 1);
      l1l2Penalty(x, n, 0.1, 0.1, z);
      const [mean, variance, invStd, gamma, beta] = stats;
      fill(gamma, 4, 1);
      fill(beta, 4, 0);
      batchNormForwardTrain(x, y, gamma, beta, mean, variance, invStd, 2, 4, 1e-3);
      batchNormBackward(x, y, z, gamma, mean, invStd, variance, beta, 2, 4);
    } finally {
      b.exports = original;
    }
    expect(reads).toEqual([]);
    expect(Array.from(readF32(x, 2))).toEqual([1, -2]); // the module really ran: the inputs are intact
    free(x, y, z, ...stats);
  });

  it("the scratch sizes are the module's own, from its kernels", () => {
    const sizes = [1, 3, 4, 5, 127, 128, 129, 1025, 4099];
    for (const m of sizes) {
      for (const k of sizes) {
        for (const n of sizes) {
          const bytes = gemmScratchBytes(m, k, n);
          expect(bytes, `${m}x${k}x${n}`).toBe(
            wasm<(m: number, k: number, n: number) => number>('gemmScratchBytes')(m, k, n),
          );
          expect(bytes).toBeGreaterThanOrEqual(gemmScratchBytes(m, Math.max(1, k >> 1), n)); // grows with the depth
          expect(bytes).toBeLessThan(1.3e6); // the documented bound (about 1.2 MB)
        }
      }
    }
    for (const cols of [1, 3, 4, 5, 64, 1000, 4097]) {
      expect(batchNormTrainScratchBytes(cols)).toBe(8 * cols); // one float64 per column
      expect(batchNormBackwardScratchBytes(cols)).toBe(24 * cols); // three
    }
  });

  it('a kernel wrapper fills a left-out last argument with its default, not NaN', () => {
    const n = 4;
    const x = putF32([-1, 2, -3, 4]);
    const y = allocF32(n);
    try {
      activationForward(Act.leakyRelu, x, y, n); // alpha left out: 0, so leakyRelu is relu
      expect(Array.from(readF32(y, n), (v) => v + 0)).toEqual([0, 2, 0, 4]); // -0 + 0 is 0
      activationForward(Act.leakyRelu, x, y, n, 0.5);
      expect(Array.from(readF32(y, n))).toEqual([-0.5, 2, -1.5, 4]);
    } finally {
      free(x, y);
    }
  });
});
