// The optimizers' row-sparse updates (the sparseUpdate kernel) against plain-JS float64 references:
// SGD (duplicates summed, out-of-range ids skipped, rows absent untouched) and lazy Adam (only the
// rows present move; moments of the others keep their values), over several steps.
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { type RowSparse, rowSparse } from '../../src/ops/row-sparse.js';
import { expectClose } from '../helpers/close.js';
import { randomArray } from '../helpers/random.js';

beforeAll(() => nn.ready());

const ROWS = 9;
const ROW = 5;

/** Steps of ids (with repeats, -1 and ROWS out of range) and their gradient rows. */
const STEPS: Array<{ ids: number[]; values: Float32Array }> = [
  [1, 4, 1, 8, 1],
  [0, -1, 4, 9, 4, 4],
  [7, 2, 2],
  [4],
].map((ids, s) => ({ ids, values: randomArray(ids.length * ROW, 20 + s, -1, 1) }));

function gradientOf(step: { ids: number[]; values: Float32Array }): RowSparse {
  return rowSparse([ROWS, ROW], nn.tensor(step.ids, [step.ids.length], 'int32'), nn.tensor(Array.from(step.values)));
}

/** Each in-range row's summed gradient (float64), by row. */
function summed(step: { ids: number[]; values: Float32Array }): Map<number, Float64Array> {
  const rows = new Map<number, Float64Array>();
  step.ids.forEach((id, i) => {
    if (id < 0 || id >= ROWS) return;
    const g = rows.get(id) ?? new Float64Array(ROW);
    for (let k = 0; k < ROW; k++) g[k] += step.values[i * ROW + k];
    rows.set(id, g);
  });
  return rows;
}

function run(optimizer: nn.Optimizer, start: Float32Array): { w: Float32Array; slots: Float32Array[] } {
  const w = nn.variable(nn.tensor(Array.from(start), [ROWS, ROW]), true, `sparse_kernel_${optimizer.className}`);
  for (const step of STEPS) {
    const g = gradientOf(step);
    optimizer.applyGradientList([w], [g]);
    nn.dispose([g.indices, g.values]);
  }
  const out = {
    w: w.dataSync().slice() as Float32Array,
    slots: (optimizer.getSlots(w) ?? []).map((s) => s.dataSync().slice() as Float32Array),
  };
  optimizer.dispose();
  w.dispose();
  return out;
}

describe('row-sparse updates against float64 references', () => {
  const start = randomArray(ROWS * ROW, 3, -1, 1);

  it('SGD: w -= lr·(sum of the rows of each id); other rows (3, 5, 6) unchanged', () => {
    const lr = 0.3;
    const ref = Float64Array.from(start);
    for (const step of STEPS) {
      for (const [id, g] of summed(step)) for (let k = 0; k < ROW; k++) ref[id * ROW + k] -= lr * g[k];
    }
    const { w } = run(nn.train.sgd(lr), start);
    expectClose(w, ref, 1e-6, 1e-7);
    for (const r of [3, 5, 6]) expect(w.slice(r * ROW, (r + 1) * ROW)).toEqual(start.slice(r * ROW, (r + 1) * ROW));
  });

  it('lazy Adam: only the rows present move, with the global step count', () => {
    const [lr, b1, b2, eps] = [0.05, 0.9, 0.999, 1e-7];
    const ref = Float64Array.from(start);
    const m = new Float64Array(ROWS * ROW);
    const v = new Float64Array(ROWS * ROW);
    STEPS.forEach((step, s) => {
      const t = s + 1;
      const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      for (const [id, g] of summed(step)) {
        for (let k = 0; k < ROW; k++) {
          const i = id * ROW + k;
          m[i] += (g[k] - m[i]) * (1 - b1);
          v[i] += (g[k] * g[k] - v[i]) * (1 - b2);
          ref[i] -= (alpha * m[i]) / (Math.sqrt(v[i]) + eps);
        }
      }
    });
    const { w, slots } = run(nn.train.adam({ learningRate: lr, lazy: true }), start);
    expectClose(w, ref, 1e-5, 1e-6);
    expectClose(slots[0], m, 1e-5, 1e-7);
    expectClose(slots[1], v, 1e-5, 1e-8);
    for (const r of [3, 5, 6]) expect(w.slice(r * ROW, (r + 1) * ROW)).toEqual(start.slice(r * ROW, (r + 1) * ROW));
  });

  it('Adam (dense semantics): rows absent still move once their moments are not 0, unlike lazy', () => {
    const dense = run(nn.train.adam(0.05), start);
    const lazy = run(nn.train.adam({ learningRate: 0.05, lazy: true }), start);
    // row 8 is seen at step 1 only: its moments keep moving the dense weights at steps 2-4
    expect(Array.from(dense.w.slice(8 * ROW, 9 * ROW))).not.toEqual(Array.from(lazy.w.slice(8 * ROW, 9 * ROW)));
    // row 3 never has a gradient: no moment, no move either way
    expect(dense.w.slice(3 * ROW, 4 * ROW)).toEqual(start.slice(3 * ROW, 4 * ROW));
  });

  it('the options form of train.adam checks its keys and flags', () => {
    expect(() => nn.train.adam({ lazzy: true } as never)).toThrow(/lazzy/);
    expect(() => nn.train.adam({ lazy: 'yes' } as never)).toThrow(/lazy to be true or false/);
    expect(nn.train.adam({ learningRate: 0.02 }).learningRate).toBe(0.02);
  });
});
