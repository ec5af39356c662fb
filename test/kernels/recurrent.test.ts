import { beforeAll, describe, expect, it } from 'vitest';
import { Act } from '../../src/backend/codes.js';
import { ACT_HARD_SIGMOID, RnnFlags } from '../../src/backend/kernels/recurrent.js';
import { backend } from '../../src/backend/loader.js';
import { recordTrace } from '../../src/backend/trace.js';
import * as nn from '../../src/index.js';
import { CELL_GATES, type RecurrentCell, recurrentOp } from '../../src/ops/recurrent.js';
import {
  type RecurrentReferenceActivation,
  type RecurrentReferenceOptions,
  recurrentReference,
} from '../../src/reference/recurrent.js';
import { expectClose, MODULES } from '../helpers/close.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { randomArray } from '../helpers/random.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const CODES: Record<RecurrentReferenceActivation, number> = {
  tanh: Act.tanh,
  sigmoid: Act.sigmoid,
  hardSigmoid: ACT_HARD_SIGMOID,
  relu: Act.relu,
  linear: Act.linear,
};

interface Case extends Partial<RecurrentReferenceOptions> {
  cell: RecurrentCell;
  units: number;
  batch: number;
  steps: number;
  features: number;
  useBias?: boolean;
}

function fullOptions(c: Case): RecurrentReferenceOptions {
  return {
    activation: 'tanh',
    recurrentActivation: 'sigmoid',
    returnSequences: false,
    returnState: false,
    goBackwards: false,
    resetAfter: false,
    mask: null,
    recurrentMask: null,
    alignReversed: false,
    zeroMaskedOutput: false,
    ...c,
  };
}

function shapesOf(c: Case): number[][] {
  const g = CELL_GATES[c.cell] * c.units;
  const shapes = [
    [c.batch, c.steps, c.features],
    [c.features, g],
    [c.units, g],
  ];
  if (c.useBias !== false) shapes.push(c.cell === 'gru' && c.resetAfter ? [2, g] : [g]);
  return shapes;
}

/** The fused op on tensors, with the case's options. */
function runOp(c: Case, ...ts: nn.Tensor[]): nn.Tensor {
  const o = fullOptions(c);
  const mask = o.mask ? nn.tensor(Float32Array.from(o.mask), [c.batch, c.steps]) : null;
  const recMask = o.recurrentMask ? nn.tensor(Float32Array.from(o.recurrentMask), [c.batch, c.units]) : null;
  return recurrentOp(ts[0], ts[1], ts[2], ts[3] ?? null, {
    ...o,
    activation: CODES[o.activation],
    recurrentActivation: CODES[o.recurrentActivation],
    mask,
    recurrentMask: recMask,
  });
}

function reference(c: Case, xs: ArrayLike<number>[]): Float64Array {
  return recurrentReference(xs[0], [c.batch, c.steps, c.features], xs[1], xs[2], xs[3] ?? null, fullOptions(c));
}

const MASK = (batch: number, steps: number) =>
  Float32Array.from({ length: batch * steps }, (_, i) => ((i * 7) % 5 === 2 || i % steps === 1 ? 0 : 1));
const REC_MASK = (batch: number, units: number) =>
  Float32Array.from({ length: batch * units }, (_, i) => ((i * 3) % 4 === 0 ? 0 : 1.25));

const CASES: Array<[string, Case]> = [];
for (const cell of ['lstm', 'gru', 'simpleRnn'] as const) {
  CASES.push(
    [`${cell} last state`, { cell, units: 8, batch: 3, steps: 5, features: 4 }],
    [`${cell} sequences, units 5 (tails)`, { cell, units: 5, batch: 2, steps: 4, features: 3, returnSequences: true }],
    [
      `${cell} states + sequences + goBackwards`,
      { cell, units: 4, batch: 2, steps: 3, features: 2, returnSequences: true, returnState: true, goBackwards: true },
    ],
    [
      `${cell} mask + recurrent mask, no bias`,
      {
        cell,
        units: 6,
        batch: 3,
        steps: 4,
        features: 3,
        useBias: false,
        mask: MASK(3, 4),
        recurrentMask: REC_MASK(3, 6),
        returnState: true,
      },
    ],
    [
      `${cell} aligned reversed, zero masked`,
      {
        cell,
        units: 4,
        batch: 2,
        steps: 5,
        features: 3,
        returnSequences: true,
        goBackwards: true,
        alignReversed: true,
        zeroMaskedOutput: true,
        mask: MASK(2, 5),
      },
    ],
    [
      `${cell} relu / hardSigmoid`,
      {
        cell,
        units: 7,
        batch: 2,
        steps: 3,
        features: 5,
        activation: 'relu',
        recurrentActivation: 'hardSigmoid',
        returnSequences: true,
      },
    ],
  );
}
CASES.push(
  [
    'gru resetAfter',
    { cell: 'gru', units: 5, batch: 3, steps: 4, features: 3, resetAfter: true, returnSequences: true },
  ],
  [
    'gru resetAfter + masks + state',
    {
      cell: 'gru',
      units: 4,
      batch: 3,
      steps: 4,
      features: 2,
      resetAfter: true,
      mask: MASK(3, 4),
      recurrentMask: REC_MASK(3, 4),
      returnState: true,
    },
  ],
  [
    'gru resetAfter no bias',
    { cell: 'gru', units: 4, batch: 2, steps: 3, features: 2, resetAfter: true, useBias: false },
  ],
);

for (const relaxed of MODULES)
  describe(`fused recurrent op (one kernel per time loop, ${relaxed ? 'relaxed SIMD' : 'SIMD'})`, () => {
    beforeAll(() => nn.ready({ relaxedSimd: relaxed }));

    it.each(CASES)('forward matches the float64 reference: %s', (_, c) => {
      const values = shapesOf(c).map((s, i) =>
        randomArray(
          s.reduce((a, b) => a * b, 1),
          50 + i,
          -0.8,
          0.8,
        ),
      );
      const y = nn.tidy(() => {
        const ts = values.map((v, i) => nn.tensor(v, shapesOf(c)[i]));
        return runOp(c, ...ts)
          .dataSync()
          .slice();
      });
      expectClose(y, reference(c, values), 1e-5, 1e-5, 'output');
    });

    it.each(CASES.filter(([, c]) => c.recurrentActivation !== 'hardSigmoid'))(
      'gradients match finite differences: %s',
      (_, c) => {
        gradCheck({
          shapes: shapesOf(c),
          op: (...ts) => runOp(c, ...ts),
          forward64: (xs) => reference(c, xs),
          domain: [-0.8, 0.8],
          rtol: 5e-3,
          atol: 5e-4,
        });
      },
    );

    it('a layer of 200 steps is a handful of kernel calls, forward and backward', () => {
      const c: Case = { cell: 'lstm', units: 8, batch: 4, steps: 200, features: 3 };
      const ts = shapesOf(c).map((s) => nn.randomNormal(s, 0, 0.3, 'float32', 1));
      const { trace, result } = recordTrace(() =>
        nn.tidy(() => nn.grads((x, k, r, b) => nn.sum(runOp(c, x, k, r, b)))(ts)),
      );
      expect(trace.names.filter((n) => n !== 'host').length).toBeLessThan(20);
      expect(trace.names).toContain('lstmForward');
      expect(trace.names).toContain('lstmBackward');
      trace.dispose();
      nn.dispose([result, ts]);
    });
  });

describe('recurrent kernel codes', () => {
  it('src/backend/kernels/recurrent.ts mirrors assembly/recurrent.ts', () => {
    const exports = backend().exports as Record<string, WebAssembly.Global>;
    expect(exports.RNN_HARD_SIGMOID.value).toBe(ACT_HARD_SIGMOID);
    expect(exports.RNN_SEQUENCES.value).toBe(RnnFlags.sequences);
    expect(exports.RNN_STATES.value).toBe(RnnFlags.states);
    expect(exports.RNN_REVERSED.value).toBe(RnnFlags.reversed);
    expect(exports.RNN_ALIGN.value).toBe(RnnFlags.align);
    expect(exports.RNN_ZERO_MASKED.value).toBe(RnnFlags.zeroMasked);
  });
});
