// The GEMM epilogue (fused bias + activation) and the standalone activation kernel share one
// implementation of every activation (activation4 in assembly/mathf4.ts), so gemm(act) must equal
// gemm(linear) followed by activationForward(act) bit for bit, on every value, in both modules.
import { beforeAll, describe, expect, it } from 'vitest';
import { Act, type ActName } from '../../src/backend/codes.js';
import { activationForward } from '../../src/backend/kernels/activations.js';
import { gemm } from '../../src/backend/kernels/gemm.js';
import { ready } from '../../src/backend/loader.js';
import { activationReference } from '../../src/reference/activations.js';
import { expectClose, MODULES } from '../helpers/close.js';
import { randomArray } from '../helpers/random.js';
import { allocF32, free, putF32, readF32 } from '../helpers/wasm.js';

const NAMES = Object.keys(Act) as ActName[];

/** Pre-activation values that once split the two paths, and the usual edge cases. */
const SPECIAL = [
  -90,
  -1e-6,
  1e-6,
  0,
  -0,
  1e-40,
  -1e-40,
  1.4e-45,
  -1.4e-45,
  1e-30,
  -1e-30,
  0.25,
  -0.25,
  0.2499,
  -0.2501,
  1,
  -1,
  17,
  -17,
  88,
  -88,
  89,
  -89,
  100,
  -100,
  1000,
  -1000,
  1e30,
  -1e30,
  3.4e38,
  -3.4e38,
  Infinity,
  -Infinity,
  Number.NaN,
];

/** Parameter per activation (0 where unused); elu takes a non-default scale to catch a dropped alpha. */
const ALPHAS: Partial<Record<ActName, number[]>> = { leakyRelu: [0.3, 0], elu: [1, 1.7] };

/** Float64 tolerances of test/kernels/activations.test.ts: gelu's 1 + erf cancels for negative x. */
const ATOL: Partial<Record<ActName, number>> = { gelu: 1e-6 };

interface Run {
  /** C = act(C0 + A·B + bias), fused in the GEMM. */
  fused: Float32Array;
  /** C = C0 + A·B + bias with no activation. */
  linear: Float32Array;
  /** activationForward(act) applied to `linear`. */
  split: Float32Array;
}

/** Runs gemm accumulating into C0 (m×n) with and without the fused activation. */
function run(
  a: Float32Array,
  b: Float32Array,
  c0: Float32Array,
  bias: Float32Array | null,
  m: number,
  k: number,
  n: number,
  act: number,
  alpha: number,
): Run {
  const [pa, pb, pBias] = [putF32(a), putF32(b), bias ? putF32(bias) : 0];
  const [pFused, pLinear] = [putF32(c0), putF32(c0)];
  const options = { bias: pBias, alpha, accumulate: true };
  gemm(pa, pb, pFused, m, k, n, { ...options, activation: act });
  gemm(pa, pb, pLinear, m, k, n, { ...options, activation: Act.linear });
  const linear = readF32(pLinear, m * n);
  const pSplit = allocF32(m * n);
  activationForward(act, pLinear, pSplit, m * n, alpha);
  const out = { fused: readF32(pFused, m * n), linear, split: readF32(pSplit, m * n) };
  free(pa, pb, pFused, pLinear, pSplit, ...(pBias ? [pBias] : []));
  return out;
}

/** Index of the first element whose float32 bits differ, or -1. */
function firstBitDifference(x: Float32Array, y: Float32Array): number {
  const [bx, by] = [
    new Uint32Array(x.buffer, x.byteOffset, x.length),
    new Uint32Array(y.buffer, y.byteOffset, y.length),
  ];
  return bx.findIndex((v, i) => v !== by[i]);
}

function expectSameBits(r: Run, label: string): void {
  const i = firstBitDifference(r.fused, r.split);
  expect(i, `${label}: element ${i} of ${r.linear[i]} fused ${r.fused[i]}, standalone ${r.split[i]}`).toBe(-1);
}

/** m×n values cycling through SPECIAL (shifted by `shift`). */
function specialMatrix(m: number, n: number, shift: number): Float32Array {
  return Float32Array.from({ length: m * n }, (_, i) => SPECIAL[(i + shift) % SPECIAL.length]);
}

// Shapes with full 4×8 tiles, partial tiles (the epilogue's buffer path) and standalone tails (n·m % 4).
const SHAPES: Array<[number, number, number]> = [
  [4, 3, 8],
  [6, 3, 7],
  [5, 2, 13],
  [7, 5, 9],
  [3, 1, 1],
];

for (const relaxed of MODULES) {
  describe(`gemm epilogue = standalone activation (${relaxed ? 'relaxed' : 'plain'} SIMD)`, () => {
    beforeAll(() => ready({ relaxedSimd: relaxed }));

    for (const name of NAMES) {
      it(`${name}: bit-identical on special values and on random products, and close to float64`, () => {
        for (const alpha of ALPHAS[name] ?? [0]) {
          for (const [s, [m, k, n]] of SHAPES.entries()) {
            const tag = `${name} alpha=${alpha} ${m}x${k}x${n}`;
            // A = 0 and no bias: the pre-activation values are exactly the special values (but −0,
            // as +0 + (−0) = +0).
            const c0 = specialMatrix(m, n, s);
            const exact = run(new Float32Array(m * k), randomArray(k * n, s), c0, null, m, k, n, Act[name], alpha);
            expect(Array.from(exact.linear), `${tag} inputs`).toEqual(Array.from(c0, (v) => (v === 0 ? 0 : v)));
            expectSameBits(exact, `${tag} special`);
            expectClose(
              exact.fused,
              activationReference(name, exact.linear, alpha),
              1e-5,
              ATOL[name] ?? 1e-37,
              `${tag} vs float64`,
            );
            // Random products with bias on top of the special values, and of ordinary size.
            const a = randomArray(m * k, 10 + s, -3, 3);
            const b = randomArray(k * n, 20 + s, -3, 3);
            const bias = randomArray(n, 30 + s, -2, 2);
            expectSameBits(
              run(a, b, specialMatrix(m, n, s + 7), bias, m, k, n, Act[name], alpha),
              `${tag} biased special`,
            );
            const random = run(a, b, randomArray(m * n, 40 + s, -8, 8), bias, m, k, n, Act[name], alpha);
            expectSameBits(random, `${tag} random`);
            expectClose(
              random.fused,
              activationReference(name, random.linear, alpha),
              1e-5,
              ATOL[name] ?? 1e-37,
              `${tag} random vs float64`,
            );
          }
        }
      });
    }

    it('relu follows Math.max: relu(−0) = +0, NaN stays NaN', () => {
      const x = Float32Array.from([-0, Number.NaN, -1e-45, 0, 2, -Infinity, Infinity]);
      const px = putF32(x);
      const py = allocF32(x.length);
      activationForward(Act.relu, px, py, x.length, 0);
      const y = Array.from(readF32(py, x.length));
      free(px, py);
      const expected = Array.from(x, (v) => Math.max(v, 0));
      expect(
        y.every((v, i) => Object.is(v, expected[i])),
        `${y} vs ${expected}`,
      ).toBe(true);
    });

    it('the cases that once differed: elu(−1e-6) and sigmoid(−90) in float32 precision', () => {
      const elu = run(
        new Float32Array(4),
        new Float32Array(4),
        Float32Array.from([-1e-6, -90, 0, 1]),
        null,
        1,
        4,
        4,
        Act.elu,
        1,
      );
      expectClose(elu.fused.subarray(0, 1), [Math.expm1(Math.fround(-1e-6))], 1e-6, 0, 'elu(-1e-6)');
      const sig = run(
        new Float32Array(4),
        new Float32Array(4),
        Float32Array.from([-90, -1e-6, 0, 1]),
        null,
        1,
        4,
        4,
        Act.sigmoid,
        0,
      );
      expect(sig.fused[0], 'sigmoid(-90) is the subnormal float32 value, not 0').toBeGreaterThan(0);
      expectClose(sig.fused.subarray(0, 1), [1 / (1 + Math.exp(90))], 1e-5, 0, 'sigmoid(-90)');
    });
  });
}
