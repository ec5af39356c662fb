import { beforeAll, describe, expect, it } from 'vitest';
import { BoolOp, type BoolOpName, Cast } from '../../src/backend/codes.js';
import { castValues } from '../../src/backend/kernels/cast.js';
import { broadcastStrides } from '../../src/backend/kernels/elementwise.js';
import { cumsum } from '../../src/backend/kernels/scan.js';
import { boolBinary, powBinary, selectWhere } from '../../src/backend/kernels/select.js';
import { gatherLastAxis, scatterLastAxis, topkRows } from '../../src/backend/kernels/topk.js';
import { backend, ready } from '../../src/backend/loader.js';
import { broadcastShapeRef, sizeOf } from '../../src/reference/elementwise.js';
import {
  boolFns,
  broadcastRef,
  castToInt32Ref,
  cumsumRef,
  powFn,
  topkRef,
  whereRef,
} from '../../src/reference/select.js';
import { expectClose, MODULES } from '../helpers/close.js';
import { randomArray } from '../helpers/random.js';
import { allocF32, free, putF32, putI32, readF32, readI32 } from '../helpers/wasm.js';

const BOOL_OPS = Object.keys(BoolOp) as BoolOpName[];
const COMPARISONS = BOOL_OPS.filter((op) => !op.startsWith('logical'));

/** Broadcast patterns [a shape, b shape]: equal, trailing, both ways, scalars, rank 5. */
const PATTERNS: Array<[number[], number[]]> = [
  [
    [3, 7],
    [3, 7],
  ],
  [[3, 7], [7]],
  [[7], [3, 7]],
  [
    [3, 1],
    [1, 5],
  ],
  [[5], []],
  [[], [5]],
  [[], []],
  [
    [2, 1, 4, 5],
    [3, 1, 5],
  ],
  [
    [1, 2, 1, 3, 2],
    [2, 2, 1, 1],
  ],
  [[4, 37], [37]],
  [[], [101]],
  [
    [2, 1, 33],
    [5, 1],
  ],
];

/** Random quarters in [-2, 2] (many ties for the comparisons). */
function tied(n: number, seed: number): Float32Array {
  return randomArray(n, seed, -2, 2).map((v) => Math.round(v * 4) / 4);
}

function runBool(
  op: BoolOpName,
  ints: boolean,
  a: ArrayLike<number>,
  aShape: number[],
  b: ArrayLike<number>,
  bShape: number[],
) {
  const shape = broadcastShapeRef(aShape, bShape);
  const n = sizeOf(shape);
  const pa = ints ? putI32(a) : putF32(a);
  const pb = ints ? putI32(b) : putF32(b);
  const out = putI32(new Int32Array(n).fill(-7));
  boolBinary(BoolOp[op], ints, pa, pb, out, shape, broadcastStrides(aShape, shape), broadcastStrides(bShape, shape));
  const y = readI32(out, n);
  free(pa, pb, out);
  return y;
}

for (const relaxed of MODULES) {
  describe(`select, cast, scan and topk kernels (${relaxed ? 'relaxed SIMD' : 'SIMD'})`, () => {
    beforeAll(() => ready({ relaxedSimd: relaxed }));

    it('boolBinary comparisons on float32 and int32 match the reference under broadcasting', () => {
      PATTERNS.forEach(([aShape, bShape], k) => {
        const a = tied(sizeOf(aShape), 10 + k);
        const b = tied(sizeOf(bShape), 20 + k);
        if (a.length > 0) a[0] = Number.NaN;
        for (const op of COMPARISONS) {
          const expected = broadcastRef(boolFns[op], a, aShape, b, bShape).values;
          expect([...runBool(op, false, a, aShape, b, bShape)], `${op} f32 [${aShape}] [${bShape}]`).toEqual([
            ...expected,
          ]);
          const ai = a.map((v) => (Number.isNaN(v) ? 3 : v * 4));
          const bi = b.map((v) => v * 4);
          const expectedInt = broadcastRef(boolFns[op], ai, aShape, bi, bShape).values;
          expect([...runBool(op, true, ai, aShape, bi, bShape)], `${op} i32 [${aShape}] [${bShape}]`).toEqual([
            ...expectedInt,
          ]);
        }
      });
    });

    it('boolBinary logical ops read int32 and take any nonzero as true', () => {
      PATTERNS.forEach(([aShape, bShape], k) => {
        const a = Int32Array.from(randomArray(sizeOf(aShape), 30 + k), (v) => (v > 0 ? (v > 0.5 ? 1 : 5) : 0));
        const b = Int32Array.from(randomArray(sizeOf(bShape), 40 + k), (v) => (v > 0 ? 1 : 0));
        for (const op of ['logicalAnd', 'logicalOr', 'logicalXor'] as const) {
          const expected = broadcastRef(boolFns[op], a, aShape, b, bShape).values;
          // intInputs 0: the logical ops still read int32
          expect([...runBool(op, false, a, aShape, b, bShape)], `${op} [${aShape}] [${bShape}]`).toEqual([...expected]);
        }
      });
    });

    it('powBinary follows Math.pow, special cases included', () => {
      const base = [-2, -2, -0.5, 0, 0, 1, 1, -1, Number.NaN, 2, 3, 1.5, -8, 4];
      const exp = [3, 0.5, -2, -1, 0, Number.NaN, Infinity, -Infinity, 0, 10, -3, 2.5, 1 / 3, 0.5];
      const pb = putF32(base);
      const pe = putF32(exp);
      const out = allocF32(base.length);
      powBinary(pb, pe, out, [base.length], [1], [1]);
      const y = readF32(out, base.length);
      free(pb, pe, out);
      expectClose(
        y,
        base.map((b, i) => powFn(Math.fround(b), Math.fround(exp[i]))),
        1e-6,
        0,
        'pow',
      );
      PATTERNS.forEach(([aShape, bShape], k) => {
        const a = randomArray(sizeOf(aShape), 50 + k, 0.1, 3);
        const b = randomArray(sizeOf(bShape), 60 + k, -3, 3);
        const shape = broadcastShapeRef(aShape, bShape);
        const pa = putF32(a);
        const pbb = putF32(b);
        const o = allocF32(sizeOf(shape));
        powBinary(pa, pbb, o, shape, broadcastStrides(aShape, shape), broadcastStrides(bShape, shape));
        const got = readF32(o, sizeOf(shape));
        free(pa, pbb, o);
        expectClose(got, broadcastRef(powFn, a, aShape, b, bShape).values, 1e-6, 0, `pow [${aShape}] [${bShape}]`);
      });
    });

    it('powBinary computes in float32: within one ulp of the float64 Math.pow rounded to float32', () => {
      // bases over many binades, either sign; exponents integer (negative bases) or not
      const n = 4096;
      const base = randomArray(n, 71, -30, 30).map((v, i) => (i % 3 === 0 ? v * 1e-3 : v));
      const exp = randomArray(n, 72, -12, 12).map((v, i) => (base[i] < 0 ? Math.round(v) : v));
      const pb = putF32(base);
      const pe = putF32(exp);
      const out = allocF32(n);
      powBinary(pb, pe, out, [n], [1], [1]);
      const y = readF32(out, n);
      free(pb, pe, out);
      /** The float32 ulp at |v|: the distance to the next float32 away from 0. */
      const bits = new Float32Array(1);
      const ulp = (v: number) => {
        bits[0] = Math.abs(v);
        const f = bits[0];
        new Int32Array(bits.buffer)[0]++;
        return bits[0] - f;
      };
      let worst = 0;
      let checked = 0;
      for (let i = 0; i < n; i++) {
        const e = Math.fround(powFn(Math.fround(base[i]), Math.fround(exp[i])));
        if (!Number.isFinite(e) || e === 0) {
          expect(y[i], `pow(${base[i]}, ${exp[i]})`).toBe(e);
          continue;
        }
        worst = Math.max(worst, Math.abs(y[i] - e) / ulp(e));
        checked++;
      }
      expect(checked).toBeGreaterThan(n / 2);
      expect(worst).toBeLessThanOrEqual(1);
    });

    it('selectWhere picks bit for bit under broadcasting of all three', () => {
      const cases: Array<[number[], number[], number[]]> = [
        [
          [3, 4],
          [3, 4],
          [3, 4],
        ],
        [[4], [3, 4], []],
        [[3, 1], [1, 4], [4]],
        [[], [2, 3], [3]],
        [
          [2, 1, 3],
          [4, 1],
          [1, 4, 3],
        ],
        [[3, 37], [37], [3, 37]],
        [[], [2, 41], [41]],
        [[2, 1, 35], [5, 1], []],
      ];
      cases.forEach(([cShape, aShape, bShape], k) => {
        const c = Int32Array.from(randomArray(sizeOf(cShape), 70 + k), (v) => (v > 0 ? 1 : 0));
        const a = randomArray(sizeOf(aShape), 80 + k);
        const b = randomArray(sizeOf(bShape), 90 + k);
        const shape = broadcastShapeRef(broadcastShapeRef(cShape, aShape), bShape);
        const [pc, pa, pb] = [putI32(c), putF32(a), putF32(b)];
        const out = allocF32(sizeOf(shape));
        selectWhere(
          pc,
          pa,
          pb,
          out,
          shape,
          broadcastStrides(cShape, shape),
          broadcastStrides(aShape, shape),
          broadcastStrides(bShape, shape),
        );
        const y = readF32(out, sizeOf(shape));
        free(pc, pa, pb, out);
        expect([...y], `where [${cShape}] [${aShape}] [${bShape}]`).toEqual([
          ...Float32Array.from(whereRef(c, cShape, a, aShape, b, bShape).values),
        ]);
      });
    });

    it('castValues converts as TensorFlow.js (and an Int32Array) does', () => {
      const f = [1.7, -1.7, 0, -0, 2.5e9, -3e9, 1e20, Number.NaN, Infinity, -Infinity, 2147483647, 0.3];
      const px = putF32(f);
      const py = allocF32(f.length);
      castValues(Cast.f32ToI32, px, py, f.length);
      expect([...readI32(py, f.length)]).toEqual([...castToInt32Ref(Float32Array.from(f))]);
      castValues(Cast.f32ToBool, px, py, f.length);
      expect([...readI32(py, f.length)]).toEqual(f.map((v) => (v !== 0 ? 1 : 0)));
      free(px, py);
      const ints = [2147483647, -2147483648, 16777217, 5, 0, 1, -1, 16777219, 0];
      const pi = putI32(ints);
      const po = allocF32(ints.length);
      castValues(Cast.i32ToBool, pi, po, ints.length);
      expect([...readI32(po, ints.length)]).toEqual(ints.map((v) => (v !== 0 ? 1 : 0)));
      castValues(Cast.i32ToF32, pi, po, ints.length);
      expect([...readF32(po, ints.length)]).toEqual(ints.map((v) => Math.fround(v)));
      free(pi, po);
    });

    it('cumsum matches the float64 reference in every direction, and int32 sums exactly', () => {
      const layouts: Array<[number, number, number]> = [
        [1, 9, 1],
        [3, 5, 1],
        [1, 6, 4],
        [2, 7, 3],
        [1, 1, 1],
        [2, 1, 5],
      ];
      for (const [outer, n, inner] of layouts) {
        const size = outer * n * inner;
        const x = randomArray(size, outer * 100 + n * 10 + inner);
        const xi = Int32Array.from(x, (v) => Math.round(v * 100));
        for (const exclusive of [false, true]) {
          for (const reverse of [false, true]) {
            const label = `[${outer}, ${n}, ${inner}] exclusive ${exclusive} reverse ${reverse}`;
            const px = putF32(x);
            const py = allocF32(size);
            cumsum(px, py, outer, n, inner, exclusive, reverse, false);
            expectClose(readF32(py, size), cumsumRef(x, outer, n, inner, exclusive, reverse), 1e-5, 1e-6, label);
            free(px, py);
            const pi = putI32(xi);
            const po = allocF32(size);
            cumsum(pi, po, outer, n, inner, exclusive, reverse, true);
            expect([...readI32(po, size)], label).toEqual([...cumsumRef(xi, outer, n, inner, exclusive, reverse)]);
            free(pi, po);
          }
        }
      }
    });

    it('topkRows gives the k largest, descending, ties by index, NaN first; int32 too', () => {
      for (const [rows, n] of [
        [1, 1],
        [3, 8],
        [4, 33],
        [2, 100],
      ]) {
        const x = tied(rows * n, rows + n);
        if (n > 4) x[3] = Number.NaN;
        for (const k of [0, 1, Math.min(3, n), n]) {
          const ref = topkRef(x, rows, n, k);
          const px = putF32(x);
          const pv = allocF32(Math.max(1, rows * k));
          const pi = putI32(new Int32Array(Math.max(1, rows * k)).fill(-1));
          topkRows(px, pv, pi, rows, n, k, false);
          expectClose(readF32(pv, rows * k), ref.values, 0, 0, `values rows ${rows} n ${n} k ${k}`);
          expect([...readI32(pi, rows * k)], `indices rows ${rows} n ${n} k ${k}`).toEqual([...ref.indices]);
          free(px, pv, pi);
          const xi = Int32Array.from(x, (v) => (Number.isNaN(v) ? 9 : v * 4));
          const refI = topkRef(xi, rows, n, k);
          const qx = putI32(xi);
          const qv = allocF32(Math.max(1, rows * k));
          const qi = allocF32(Math.max(1, rows * k));
          topkRows(qx, qv, qi, rows, n, k, true);
          expect([...readI32(qv, rows * k)]).toEqual([...refI.values]);
          expect([...readI32(qi, rows * k)]).toEqual([...refI.indices]);
          free(qx, qv, qi);
        }
      }
    });

    it('gatherLastAxis and scatterLastAxis move values by index (repeats add up)', () => {
      const rows = 3;
      const n = 5;
      const k = 4;
      const x = randomArray(rows * n, 5);
      const idx = [0, 4, 4, 2, 1, 1, 3, 0, 2, 2, 2, 2];
      const px = putF32(x);
      const pi = putI32(idx);
      const py = allocF32(rows * k);
      gatherLastAxis(px, pi, py, rows, n, k);
      expect([...readF32(py, rows * k)]).toEqual(idx.map((j, t) => x[Math.floor(t / k) * n + j]));
      const dx = allocF32(rows * n);
      scatterLastAxis(py, pi, dx, rows, n, k);
      const expected = new Float64Array(rows * n);
      idx.forEach((j, t) => {
        expected[Math.floor(t / k) * n + j] += x[Math.floor(t / k) * n + j];
      });
      expectClose(readF32(dx, rows * n), expected, 1e-6, 0, 'scatter');
      free(px, pi, py, dx);
      expect(backend().exports.BOOL_LOGICAL_XOR).toBeDefined();
    });
  });
}

describe('select and cast codes', () => {
  beforeAll(() => ready({ relaxedSimd: false }));
  it('src/backend/codes.ts mirrors assembly/codes.ts for BoolOp and Cast', () => {
    const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
    const tables: Array<[string, Record<string, number>, (name: string) => string]> = [
      ['BOOL', BoolOp, snake],
      [
        'CAST',
        Cast,
        (name) =>
          name.replace('f32', 'F32_').replace('i32', 'I32_').replace('To', 'TO_').toUpperCase().replace('__', '_'),
      ],
    ];
    for (const [prefix, table, exportName] of tables) {
      const exported = Object.keys(backend().exports).filter((k) => k.startsWith(`${prefix}_`));
      expect(exported.length, prefix).toBe(Object.keys(table).length);
      for (const [name, code] of Object.entries(table)) {
        const g = backend().exports[`${prefix}_${exportName(name)}`] as WebAssembly.Global;
        expect(g?.value, `${prefix}_${exportName(name)}`).toBe(code);
      }
    }
  });
});
