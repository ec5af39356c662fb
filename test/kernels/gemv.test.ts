// gemm with m = 1..3, no transposition and no accumulation runs the small-m kernel (no packing);
// these tests pin it against the float64 reference and bit for bit against the blocked GEMM path
// (the same rows inside a batch of 4 or more). gemmPacked (B packed once by gemmPackB, for inference)
// must give the very bits of gemm at every m.
import { beforeAll, describe, expect, it } from 'vitest';
import { Act, type ActName } from '../../src/backend/codes.js';
import { gemm, gemmPackB, gemmPacked, gemmPackedBBytes } from '../../src/backend/kernels/gemm.js';
import { backend, ready } from '../../src/backend/loader.js';
import { activationScalar } from '../../src/reference/activations.js';
import { matMulReference } from '../../src/reference/matmul.js';
import { expectClose, MODULES } from '../helpers/close.js';
import { randomArray } from '../helpers/random.js';
import { allocF32, free, putF32, readF32 } from '../helpers/wasm.js';

const ACT_NAMES = Object.fromEntries(Object.entries(Act).map(([name, code]) => [code, name])) as Record<
  number,
  ActName
>;
const SENTINEL = 12345.5;
const GUARD = 5;
let seed = 101;

interface Options {
  bias?: boolean;
  activation?: number;
  alpha?: number;
}

/**
 * Runs gemm (or, with `packed`, gemmPackB then gemmPacked) on m rows of A, with guards around C and
 * around the packed B, and returns C; the guards must survive.
 */
function run(
  a: Float32Array,
  b: Float32Array,
  bias: Float32Array | null,
  m: number,
  k: number,
  n: number,
  o: Options,
  packed = false,
) {
  const pa = putF32(a);
  const pb = putF32(b);
  const pBias = bias ? putF32(bias) : 0;
  const pc = allocF32(m * n + 2 * GUARD, SENTINEL);
  const cPtr = pc + GUARD * 4;
  const activation = o.activation ?? Act.linear;
  const alpha = o.alpha ?? 0.3;
  if (packed) {
    // a 16-byte header and the panels, 16-byte aligned, between guards; read packed, then (header
    // cleared) in place
    const floats = gemmPackedBBytes(k, n) / 4;
    expect(floats).toBe(4 + k * Math.ceil(n / 8) * 8);
    const pp = allocF32(floats + 8, SENTINEL);
    const packedPtr = pp + 16;
    gemmPackB(pb, packedPtr, k, n);
    gemmPacked(pa, pb, packedPtr, cPtr, m, k, n, pBias, activation, alpha);
    const fromPanels = readF32(cPtr, m * n);
    backend().views.i32[packedPtr >>> 2] = 0;
    gemmPacked(pa, pb, packedPtr, cPtr, m, k, n, pBias, activation, alpha);
    expect(Array.from(readF32(cPtr, m * n)), `${m}x${k}x${n} read in place`).toEqual(Array.from(fromPanels));
    const packedGuards = [...readF32(pp, 4), ...readF32(packedPtr + floats * 4, 4)];
    expect(
      packedGuards.every((v) => v === SENTINEL),
      `${k}x${n} packed guards`,
    ).toBe(true);
    free(pp);
  } else {
    gemm(pa, pb, cPtr, m, k, n, { bias: pBias, activation, alpha });
  }
  const out = readF32(cPtr, m * n);
  const guards = [...readF32(pc, GUARD), ...readF32(cPtr + m * n * 4, GUARD)];
  expect(
    guards.every((v) => v === SENTINEL),
    `${m}x${k}x${n} guards`,
  ).toBe(true);
  free(pa, pb, pc, ...(pBias ? [pBias] : []));
  return out;
}

/** The small-m path (or gemmPacked) against the float64 reference. */
function check(m: number, k: number, n: number, o: Options = {}, packed = false): void {
  const { activation = Act.linear, alpha = 0.3 } = o;
  const a = randomArray(m * k, seed++);
  const b = randomArray(k * n, seed++);
  const bias = o.bias ? randomArray(n, seed++) : null;
  const got = run(a, b, bias, m, k, n, o, packed);
  const expected = matMulReference(a, b, m, k, n, false, false).map((v, i) =>
    activationScalar(ACT_NAMES[activation], v + (bias ? bias[i % n] : 0), alpha),
  );
  expectClose(got, expected, 1e-5, 1e-5 * Math.sqrt(k + 2), `${m}x${k}x${n} ${JSON.stringify(o)}`);
}

/** Rows computed in a batch of m (small path) equal, bit for bit, the same rows in a batch of 6 (GEMM). */
function checkSameBits(m: number, k: number, n: number, o: Options = {}): void {
  const big = 6;
  const a = randomArray(big * k, seed++);
  const b = randomArray(k * n, seed++);
  const bias = o.bias ? randomArray(n, seed++) : null;
  const batch = run(a, b, bias, big, k, n, o);
  for (let r0 = 0; r0 + m <= big; r0 += m) {
    const small = run(a.subarray(r0 * k, (r0 + m) * k), b, bias, m, k, n, o);
    expect(Array.from(small), `${m}x${k}x${n} rows ${r0}.. ${JSON.stringify(o)}`).toEqual(
      Array.from(batch.subarray(r0 * n, (r0 + m) * n)),
    );
  }
}

for (const relaxed of MODULES) {
  describe(`gemm with m <= 3 (${relaxed ? 'relaxed SIMD' : 'SIMD'})`, () => {
    beforeAll(() => ready({ relaxedSimd: relaxed }));

    it('matches the reference for m = 1..3, k = 1, odd and tail n, with and without bias', () => {
      for (const m of [1, 2, 3]) {
        for (const k of [1, 2, 5, 33]) {
          for (const n of [1, 3, 4, 7, 8, 9, 13, 31]) {
            check(m, k, n);
            check(m, k, n, { bias: true });
          }
        }
      }
    });

    it('fuses every activation, with and without bias', () => {
      for (const [name, activation] of Object.entries(Act)) {
        const alpha = name === 'elu' ? 1.3 : 0.2;
        for (const bias of [false, true]) {
          for (const m of [1, 2, 3]) {
            check(m, 7, 19, { bias, activation, alpha });
            check(m, 1, 8, { bias, activation, alpha });
          }
        }
      }
    });

    it('handles deep k (several depth blocks) and wide n', () => {
      check(1, 600, 13, { bias: true, activation: Act.sigmoid });
      check(3, 784, 130, { bias: true, activation: Act.relu });
      check(2, 3, 1030, { bias: true, activation: Act.gelu });
    });

    it('gives the bits of the same rows computed in a larger batch', () => {
      for (const m of [1, 2, 3]) {
        for (const [k, n] of [
          [1, 1],
          [10, 64],
          [33, 13],
          [257, 17],
          [784, 130],
        ]) {
          checkSameBits(m, k, n);
          checkSameBits(m, k, n, { bias: true, activation: Act.tanh });
        }
      }
    });
  });

  describe(`gemmPacked: B packed once (${relaxed ? 'relaxed SIMD' : 'SIMD'})`, () => {
    beforeAll(() => ready({ relaxedSimd: relaxed }));

    it('matches the reference for small and tail sizes, every m path, with and without bias', () => {
      for (const m of [1, 2, 3, 4, 5]) {
        for (const k of [1, 2, 33]) {
          for (const n of [1, 7, 8, 9, 17, 24, 25, 33, 41, 64]) {
            check(m, k, n, {}, true);
            check(m, k, n, { bias: true }, true);
          }
        }
      }
    });

    it('fuses every activation', () => {
      for (const [name, activation] of Object.entries(Act)) {
        const alpha = name === 'elu' ? 1.3 : 0.2;
        for (const m of [1, 2, 3, 6]) check(m, 7, 27, { bias: true, activation, alpha }, true);
      }
    });

    it('handles several depth blocks and several column blocks (n > 1024)', () => {
      check(1, 600, 1030, { bias: true, activation: Act.relu }, true);
      check(3, 300, 1100, { bias: true }, true);
      check(5, 520, 1037, { bias: true, activation: Act.sigmoid }, true);
    });

    it('gives the bits of gemm on the same operands, at every m', () => {
      for (const m of [1, 2, 3, 4, 7]) {
        for (const [k, n] of [
          [1, 1],
          [10, 64],
          [33, 13],
          [257, 17],
          [784, 130],
          [300, 1030],
        ]) {
          for (const o of [{}, { bias: true, activation: Act.tanh }, { bias: true, activation: Act.relu }]) {
            const a = randomArray(m * k, seed++);
            const b = randomArray(k * n, seed++);
            const bias = 'bias' in o ? randomArray(n, seed++) : null;
            const viaGemm = run(a, b, bias, m, k, n, o);
            const viaPacked = run(a, b, bias, m, k, n, o, true);
            expect(Array.from(viaPacked), `${m}x${k}x${n} ${JSON.stringify(o)}`).toEqual(Array.from(viaGemm));
          }
        }
      }
    });
  });
}
