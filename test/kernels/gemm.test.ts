import { beforeAll, describe, expect, it } from 'vitest';
import { Act, type ActName } from '../../src/backend/codes.js';
import { gemm } from '../../src/backend/kernels/gemm.js';
import { backend, ready } from '../../src/backend/loader.js';
import { activationScalar } from '../../src/reference/activations.js';
import { matMulReference } from '../../src/reference/matmul.js';
import { expectClose, MODULES } from '../helpers/close.js';
import { randomArray, TAIL_SIZES } from '../helpers/random.js';
import { allocF32, free, putF32, readF32 } from '../helpers/wasm.js';

const ACT_NAMES = Object.fromEntries(Object.entries(Act).map(([name, code]) => [code, name])) as Record<
  number,
  ActName
>;

/** The activation of the kernel in float64 (the oracle of the standalone activation kernels). */
function activate(x: number, act: number, alpha: number): number {
  return activationScalar(ACT_NAMES[act], x, alpha);
}

interface Case {
  transA?: boolean;
  transB?: boolean;
  bias?: boolean;
  activation?: number;
  alpha?: number;
  accumulate?: boolean;
  /** Floats of guard before and after C (filled with a sentinel that must survive). */
  guard?: number;
}

const SENTINEL = 12345.5;
let seed = 1;

/** Runs the kernel on random data and compares it with the float64 reference. */
function check(m: number, k: number, n: number, cs: Case = {}): void {
  const { transA = false, transB = false, activation = Act.linear, alpha = 0.3, accumulate = false } = cs;
  const guard = cs.guard ?? 0;
  const a = randomArray(m * k, seed++);
  const b = randomArray(k * n, seed++);
  const bias = cs.bias ? randomArray(n, seed++) : null;
  const c0 = accumulate ? randomArray(m * n, seed++) : null;
  const pa = putF32(a);
  const pb = putF32(b);
  const pBias = bias ? putF32(bias) : 0;
  const pc = allocF32(m * n + 2 * guard, SENTINEL);
  const cPtr = pc + guard * 4;
  if (c0) backend().views.f32.set(c0, cPtr >>> 2);

  gemm(pa, pb, cPtr, m, k, n, { transA, transB, bias: pBias, activation, alpha, accumulate });

  const product = matMulReference(a, b, m, k, n, transA, transB);
  const expected = product.map((v, idx) =>
    activate(v + (c0 ? c0[idx] : 0) + (bias ? bias[idx % n] : 0), activation, alpha),
  );
  const label = `${m}x${k}x${n} ${JSON.stringify(cs)}`;
  expectClose(readF32(cPtr, m * n), expected, 1e-5, 1e-5 * Math.sqrt(k + 2), label);
  if (guard > 0) {
    const before = readF32(pc, guard);
    const after = readF32(cPtr + m * n * 4, guard);
    expect(
      [...before, ...after].every((v) => v === SENTINEL),
      `${label} guards`,
    ).toBe(true);
  }
  free(pa, pb, pc, ...(pBias ? [pBias] : []));
}

const VARIANTS = [
  { transA: false, transB: false },
  { transA: true, transB: false },
  { transA: false, transB: true },
  { transA: true, transB: true },
];
const ACTIVATIONS = Object.entries(Act);

for (const relaxed of MODULES) {
  describe(`gemm (${relaxed ? 'relaxed SIMD' : 'SIMD'})`, () => {
    beforeAll(() => ready({ relaxedSimd: relaxed }));

    it('matches the reference on 1x1x1 and prime shapes, every variant', () => {
      for (const v of VARIANTS) {
        for (const [m, k, n] of [
          [1, 1, 1],
          [2, 3, 5],
          [7, 11, 13],
          [17, 19, 23],
          [31, 1, 29],
          [37, 41, 1],
        ]) {
          check(m, k, n, v);
        }
      }
    });

    it('matches the reference on all tail combinations of m and n, every variant', () => {
      TAIL_SIZES.forEach((m, i) => {
        TAIL_SIZES.forEach((n, j) => {
          const k = TAIL_SIZES[(i + 2 * j) % TAIL_SIZES.length];
          VARIANTS.forEach((v, t) => {
            check(m, k, n, { ...v, bias: (i + j + t) % 2 === 0, accumulate: (i + t) % 3 === 0 });
          });
        });
      });
    });

    it('fuses bias, every activation and accumulate, every variant', () => {
      for (const v of VARIANTS) {
        for (const [name, activation] of ACTIVATIONS) {
          for (const bias of [false, true]) {
            for (const accumulate of [false, true]) {
              const alpha = name === 'elu' ? 1.3 : 0.2;
              check(5, 7, 33, { ...v, bias, activation, alpha, accumulate });
              check(9, 65, 12, { ...v, bias, activation, alpha, accumulate });
            }
          }
        }
      }
    });

    it('handles blocking edges: 129x257x131, deep k, wide n', () => {
      for (const v of VARIANTS) {
        check(129, 257, 131, { ...v, bias: true, activation: Act.relu });
        check(129, 257, 131, { ...v, accumulate: true, activation: Act.tanh });
      }
      check(3, 600, 9, { accumulate: true, bias: true, activation: Act.sigmoid });
      check(5, 3, 1030, { transB: true, bias: true, activation: Act.gelu });
      check(6, 2, 2061, { transA: true, accumulate: true });
    });

    it('writes nothing outside C', () => {
      for (const v of VARIANTS) {
        for (const [m, k, n] of [
          [1, 1, 1],
          [3, 5, 7],
          [5, 9, 13],
          [4, 8, 8],
          [33, 65, 127],
        ]) {
          check(m, k, n, { ...v, guard: 5, bias: true, accumulate: true, activation: Act.elu, alpha: 1 });
          check(m, k, n, { ...v, guard: 8, activation: Act.softplus });
        }
      }
    });
  });
}
