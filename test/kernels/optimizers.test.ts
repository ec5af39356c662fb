import { beforeAll, describe, expect, it } from 'vitest';
import {
  adagradUpdate,
  adamAlpha,
  adamUpdate,
  adamwUpdate,
  momentumUpdate,
  rmspropUpdate,
  sgdUpdate,
} from '../../src/backend/kernels/optimizers.js';
import { ready } from '../../src/backend/loader.js';
import { WEIGHT_FLOOR } from '../../src/reference/math.js';
import {
  adagradStepReference,
  adamStepReference,
  momentumStepReference,
  rmspropStepReference,
  sgdStepReference,
} from '../../src/reference/optimizers.js';
import { expectClose, MODULES } from '../helpers/close.js';
import { randomArray, TAIL_SIZES } from '../helpers/random.js';
import { free, putF32, readF32 } from '../helpers/wasm.js';

/** One optimizer setting: its state slots, a kernel step over pointers and a reference step over arrays. */
interface Case {
  name: string;
  /** Initial value of each state slot (all elements). */
  slots: number[];
  kernel(w: number, g: number, s: number[], n: number, step: number): void;
  reference(w: Float64Array, g: Float32Array, s: Float64Array[], step: number): void;
}

const b1 = 0.9;
const b2 = 0.999;

const CASES: Case[] = [
  {
    name: 'sgd',
    slots: [],
    kernel: (w, g, _s, n) => sgdUpdate(w, g, n, 0.1),
    reference: (w, g) => sgdStepReference(w, g, 0.1),
  },
  ...[false, true].map(
    (nesterov): Case => ({
      name: `momentum nesterov=${nesterov}`,
      slots: [0],
      kernel: (w, g, [v], n) => momentumUpdate(w, g, v, n, 0.05, 0.9, nesterov),
      reference: (w, g, [v]) => momentumStepReference(w, g, v, 0.05, 0.9, nesterov),
    }),
  ),
  {
    name: 'adam',
    slots: [0, 0],
    kernel: (w, g, [m, v], n, t) => adamUpdate(w, g, m, v, n, 0.01, b1, b2, 1e-7, t),
    reference: (w, g, [m, v], t) => adamStepReference(w, g, m, v, 0.01, b1, b2, 1e-7, t),
  },
  {
    name: 'adamw',
    slots: [0, 0],
    kernel: (w, g, [m, v], n, t) => adamwUpdate(w, g, m, v, n, 0.01, b1, b2, 1e-7, t, 0.004),
    reference: (w, g, [m, v], t) => adamStepReference(w, g, m, v, 0.01, b1, b2, 1e-7, t, 0.004),
  },
  ...[false, true].flatMap((centered) =>
    [0, 0.9].map(
      (momentum): Case => ({
        name: `rmsprop centered=${centered} momentum=${momentum}`,
        slots: [0, 0, 0],
        // Unused state pointers are passed as 0, as the optimizer layer will.
        kernel: (w, g, [ms, mom, mg], n) =>
          rmspropUpdate(w, g, ms, momentum > 0 ? mom : 0, centered ? mg : 0, n, 0.01, 0.9, momentum, 1e-7, centered),
        reference: (w, g, [ms, mom, mg]) =>
          rmspropStepReference(w, g, ms, mom, mg, 0.01, 0.9, momentum, 1e-7, centered),
      }),
    ),
  ),
  ...[0.1, 0].map(
    (init): Case => ({
      name: `adagrad initial=${init}`,
      slots: [init],
      kernel: (w, g, [acc], n) => adagradUpdate(w, g, acc, n, 0.05, 1e-7),
      reference: (w, g, [acc]) => adagradStepReference(w, g, acc, 0.05, 1e-7),
    }),
  ),
];

/** The smallest weight magnitude the kernels keep. */
/** Weights at the edge of what is kept, repeated: two subnormals, a normal weight under the floor, ±floor, NaN. */
const EDGE = [1e-40, -3e-39, -(2 ** -126), WEIGHT_FLOOR * 0.75, WEIGHT_FLOOR, -WEIGHT_FLOOR, Number.NaN];
/** EDGE after a step with a zero gradient: the weights under the floor become +0, the rest stay. */
const EDGE_AFTER = [0, 0, 0, 0, WEIGHT_FLOOR, -WEIGHT_FLOOR, Number.NaN];
/** The same for AdamW, whose weight decay also takes ±floor below it. */
const EDGE_AFTER_DECAY = [0, 0, 0, 0, 0, 0, Number.NaN];

function maxAbs(a: ArrayLike<number>, m = 0): number {
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/**
 * Runs `steps` steps of the kernel and of the reference from the same float32 weights and gradients
 * (scaled by gradScale) and compares weights and every state slot: rtol 1e-6, plus an absolute floor of
 * 1e-7 of the largest magnitude the array held during the run, for elements that a sum of terms of
 * both signs (momentum slots) brought near zero, where float32 rounding is relative to the terms.
 */
function check(cs: Case, n: number, gradScale: number, seed: number, firstStep = 1, steps = 5): void {
  const w0 = randomArray(n, seed);
  const wRef = Float64Array.from(w0);
  const sRef = cs.slots.map((init) => new Float64Array(n).fill(init));
  const pw = putF32(w0);
  const ps = cs.slots.map((init) => putF32(new Float32Array(n).fill(init)));
  let wPeak = maxAbs(wRef);
  const sPeak = sRef.map((s) => maxAbs(s));
  for (let t = firstStep; t < firstStep + steps; t++) {
    const g = randomArray(n, seed * 31 + t, -gradScale, gradScale);
    const pg = putF32(g);
    cs.kernel(pw, pg, ps, n, t);
    cs.reference(wRef, g, sRef, t);
    free(pg);
    wPeak = maxAbs(wRef, wPeak);
    sRef.forEach((s, k) => {
      sPeak[k] = maxAbs(s, sPeak[k]);
    });
  }
  const label = `${cs.name} n=${n} scale=${gradScale}`;
  expectClose(readF32(pw, n), wRef, 1e-6, 1e-7 * wPeak, `${label} w`);
  ps.forEach((p, k) => {
    expectClose(readF32(p, n), sRef[k], 1e-6, 1e-7 * sPeak[k], `${label} slot ${k}`);
  });
  free(pw, ...ps);
}

describe('adamAlpha', () => {
  it('is lr·√(1 − β2^t)/(1 − β1^t) at steps 1 and 1000', () => {
    // Step 1: 1e-3·√0.001/0.1. Step 1000: 0.9^1000 ≈ 1.7e-46 vanishes, 0.999^1000 = e^(1000·ln 0.999).
    expect(adamAlpha(1e-3, 0.9, 0.999, 1)).toBeCloseTo(3.16227766016838e-4, 15);
    expect(adamAlpha(1e-3, 0.9, 0.999, 1000)).toBeCloseTo(1e-3 * Math.sqrt(1 - Math.exp(1000 * Math.log(0.999))), 15);
    expect(adamAlpha(1e-3, 0.9, 0.999, 1000)).toBeCloseTo(7.951758e-4, 9);
  });
});

for (const relaxed of MODULES) {
  describe(`optimizer kernels (${relaxed ? 'relaxed SIMD' : 'SIMD'})`, () => {
    beforeAll(() => ready({ relaxedSimd: relaxed }));

    for (const cs of CASES) {
      it(`${cs.name} matches the float64 reference over 5 steps`, () => {
        let seed = 1;
        for (const n of [...TAIL_SIZES, 1000]) {
          // Small gradients make ε's placement (inside or outside the square root) visible.
          for (const scale of [1, 1e-3]) check(cs, n, scale, seed++);
        }
      });
    }

    for (const cs of CASES) {
      it(`${cs.name} stores 0 for slots that end up subnormal and weights under 2^-100, and nothing else`, () => {
        for (const n of TAIL_SIZES) {
          // zero gradients: the weights keep their values, slots at 1e-38 decay below 2^-126
          // (Adagrad's accumulator, which does not decay, starts subnormal instead)
          const w0 = Float32Array.from({ length: n }, (_, i) => EDGE[i % EDGE.length]);
          const g = new Float32Array(n);
          const init = Math.fround(cs.name.startsWith('adagrad') ? 1e-40 : 1e-38);
          const wRef = Float64Array.from(w0);
          const sRef = cs.slots.map(() => new Float64Array(n).fill(init));
          const [pw, pg] = [putF32(w0), putF32(g)];
          const ps = cs.slots.map(() => putF32(new Float32Array(n).fill(init)));
          cs.kernel(pw, pg, ps, n, 1);
          cs.reference(wRef, g, sRef, 1);
          const after = cs.name === 'adamw' ? EDGE_AFTER_DECAY : EDGE_AFTER;
          const expected = Array.from({ length: n }, (_, i) => after[i % after.length]);
          // toEqual tells +0 from -0 and matches NaN with NaN
          expect(Array.from(readF32(pw, n)), `${cs.name} n=${n} w`).toEqual(expected);
          expect(Array.from(wRef), `${cs.name} n=${n} reference w`).toEqual(expected);
          ps.forEach((p, k) => {
            // a slot the setting does not use (RMSprop's mom or mg) keeps its initial value
            const slot = sRef[k][0] === init ? new Array(n).fill(init) : new Array(n).fill(0);
            expect(Array.from(readF32(p, n)), `${cs.name} n=${n} slot ${k}`).toEqual(slot);
            expect(Array.from(sRef[k], Math.fround), `${cs.name} n=${n} reference slot ${k}`).toEqual(slot);
          });
          free(pw, pg, ...ps);
        }
      });
    }

    it('adam and adamw pass the right alpha late in training (steps 1000..1004)', () => {
      for (const cs of CASES.filter((c) => c.name.startsWith('adam'))) check(cs, 65, 1, 7, 1000);
    });

    it('adam moves every weight by about lr on its first step', () => {
      const n = 33;
      const w0 = randomArray(n, 3);
      const g = randomArray(n, 4);
      const [pw, pg, pm, pv] = [putF32(w0), putF32(g), putF32(new Float32Array(n)), putF32(new Float32Array(n))];
      adamUpdate(pw, pg, pm, pv, n, 0.01, 0.9, 0.999, 1e-7, 1);
      const w = readF32(pw, n);
      for (let i = 0; i < n; i++) expect(w[i] - w0[i]).toBeCloseTo(-0.01 * Math.sign(g[i]), 5);
      free(pw, pg, pm, pv);
    });
  });
}
