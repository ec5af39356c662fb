import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { batchMatMulReference } from '../../src/reference/matmul.js';
import { expectClose, MODULES } from '../helpers/close.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { randomArray } from '../helpers/random.js';

const size = (shape: number[]) => shape.reduce((x, y) => x * y, 1);

/** Stored shapes of a and b for op(a) [m×k] and op(b) [k×n] with the given batch dims. */
function operandShapes(
  batchA: number[],
  batchB: number[],
  m: number,
  k: number,
  n: number,
  ta: boolean,
  tb: boolean,
): [number[], number[]] {
  return [
    [...batchA, ...(ta ? [k, m] : [m, k])],
    [...batchB, ...(tb ? [n, k] : [k, n])],
  ];
}

// [batch of a, batch of b, m, k, n]: equal batches, broadcast either way, missing dims, rank 2 against rank 5
const CASES: Array<[number[], number[], number, number, number]> = [
  [[], [], 3, 4, 5],
  [[2], [2], 3, 4, 5],
  [[3], [], 5, 7, 9],
  [[], [3], 5, 7, 9],
  [[2, 1], [1, 3], 4, 6, 5],
  [[2, 1, 3], [4, 1], 3, 5, 2],
  [[1], [2, 2, 1, 2], 2, 3, 4],
  [[4], [4], 17, 33, 9],
  [[2, 3], [3], 1, 1, 1],
  // past the GEMM blocking (kc 256, mc 128): per-matrix calls, and one tall call of 150 rows
  [[2], [2], 130, 260, 9],
  [[3], [], 50, 300, 20],
];

const FLAGS: Array<[boolean, boolean]> = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

for (const relaxed of MODULES) {
  describe(`batched matMul forward (${relaxed ? 'relaxed SIMD' : 'SIMD'})`, () => {
    beforeAll(() => nn.ready({ relaxedSimd: relaxed }));

    for (const [batchA, batchB, m, k, n] of CASES) {
      for (const [ta, tb] of FLAGS) {
        it(`a batch ${JSON.stringify(batchA)}, b batch ${JSON.stringify(batchB)}, m=${m} k=${k} n=${n}, transposeA ${ta}, transposeB ${tb}`, () => {
          const [sa, sb] = operandShapes(batchA, batchB, m, k, n, ta, tb);
          const av = randomArray(size(sa), 11 + m, -1, 1);
          const bv = randomArray(size(sb), 23 + n, -1, 1);
          const ref = batchMatMulReference(av, sa, bv, sb, ta, tb);
          const before = nn.memory().numTensors;
          const a = nn.tensor(av, sa);
          const b = nn.tensor(bv, sb);
          const c = nn.matMul(a, b, ta, tb);
          expect(c.shape).toEqual(ref.shape);
          expectClose(c.dataSync(), ref.values, 1e-5, 1e-5, 'matMul');
          const f = nn.fused.matMul({ a, b, transposeA: ta, transposeB: tb });
          expectClose(f.dataSync(), ref.values, 1e-5, 1e-5, 'fused.matMul');
          nn.dispose([a, b, c, f]);
          expect(nn.memory().numTensors).toBe(before);
        });
      }
    }

    it('fused.matMul adds a row bias and applies the activation on every matrix of a batch', () => {
      for (const [batchA, batchB] of [
        [[2, 3], [3]],
        [[3], []],
        [[], [2]],
      ]) {
        const [m, k, n] = [5, 6, 7];
        const [sa, sb] = operandShapes(batchA, batchB, m, k, n, false, false);
        const av = randomArray(size(sa), 3, -1, 1);
        const bv = randomArray(size(sb), 4, -1, 1);
        const biasV = randomArray(n, 5, -1, 1);
        const ref = batchMatMulReference(av, sa, bv, sb);
        const expected = ref.values.map((v, i) => Math.max(0, v + biasV[i % n]));
        const a = nn.tensor(av, sa);
        const b = nn.tensor(bv, sb);
        for (const biasShape of [[n], [1, n]]) {
          const bias = nn.tensor(biasV, biasShape);
          const y = nn.fused.matMul({ a, b, bias, activation: 'relu' });
          expect(y.shape).toEqual(ref.shape);
          expectClose(y.dataSync(), expected, 1e-5, 1e-5, `bias ${JSON.stringify(biasShape)}`);
          nn.dispose([bias, y]);
        }
        nn.dispose([a, b]);
      }
    });

    it('fused.matMul takes any bias that broadcasts to the product (added as a separate op)', () => {
      const [m, k, n] = [3, 4, 2];
      const av = randomArray(2 * m * k, 6, -1, 1);
      const bv = randomArray(k * n, 7, -1, 1);
      const biasV = randomArray(2 * m, 8, -1, 1);
      const ref = batchMatMulReference(av, [2, m, k], bv, [k, n]);
      // bias [2, m, 1]: one value per row of each matrix
      const expected = ref.values.map((v, i) => Math.tanh(v + biasV[Math.floor(i / n)]));
      const before = nn.memory();
      nn.tidy(() => {
        const y = nn.fused.matMul({
          a: nn.tensor(av, [2, m, k]),
          b: nn.tensor(bv, [k, n]),
          bias: nn.tensor(biasV, [2, m, 1]),
          activation: 'tanh',
        });
        expect(y.shape).toEqual([2, m, n]);
        expectClose(y.dataSync(), expected, 1e-5, 1e-5, 'broadcast bias');
      });
      expect(nn.memory().numTensors).toBe(before.numTensors);
    });

    it('gives zeros for k = 0 and empty products for empty batch, m or n', () => {
      const before = nn.memory().numTensors;
      nn.tidy(() => {
        const z = nn.matMul(nn.zeros([2, 3, 0]), nn.zeros([2, 0, 4]));
        expect(z.shape).toEqual([2, 3, 4]);
        expect([...z.dataSync()]).toEqual(new Array(24).fill(0));
        const e = nn.matMul(nn.zeros([0, 3, 2]), nn.zeros([2, 4]));
        expect(e.shape).toEqual([0, 3, 4]);
        const f = nn.fused.matMul({ a: nn.ones([2, 2, 0]), b: nn.ones([0, 3]), bias: nn.ones([3]), activation: 'elu' });
        expect(f.shape).toEqual([2, 2, 3]);
        expect([...f.dataSync()]).toEqual(new Array(12).fill(1));
      });
      expect(nn.memory().numTensors).toBe(before);
    });
  });
}

describe('batched matMul checks its arguments', () => {
  beforeAll(() => nn.ready({ relaxedSimd: false }));

  it('rejects rank 0 and 1 operands, mismatched inner dims and batch dims that do not broadcast', () => {
    const before = nn.memory();
    nn.tidy(() => {
      const a = nn.zeros([2, 3, 4]);
      expect(() => nn.matMul(a, nn.zeros([4]))).toThrow(nn.ShapeError);
      expect(() => nn.matMul(nn.scalar(1), a)).toThrow(/rank 2 or more\), got a \[\] and b \[2, 3, 4\]/);
      expect(() => nn.matMul(a, nn.zeros([2, 5, 6]))).toThrow(
        /matMul: inner dimensions differ: a is \[3, 4\], b is \[5, 6\]/,
      );
      expect(() => nn.matMul(a, nn.zeros([3, 4, 6]))).toThrow(
        /matMul: batch dimensions \[2\] of a and \[3\] of b cannot be broadcast together/,
      );
      expect(() => nn.fused.matMul({ a, b: nn.zeros([2, 4, 5]), bias: nn.zeros([3]) })).toThrow(
        /fused.matMul: expected a bias that broadcasts to the product's shape \[2, 3, 5\] \(usually \[5\]\), got \[3\]/,
      );
      expect(() => nn.fused.matMul({ a, b: nn.zeros([4, 5]), bias: nn.zeros([1, 2, 3, 5]) })).toThrow(nn.ShapeError);
      expect(() => nn.matMul(nn.zeros([2, 2], 'int32'), nn.zeros([2, 2, 2]))).toThrow(nn.DTypeError);
    });
    expect(nn.memory()).toEqual(before);
  });
});

for (const relaxed of MODULES)
  describe(`gradients of batched matMul (${relaxed ? 'relaxed SIMD' : 'SIMD'})`, () => {
    beforeAll(() => nn.ready({ relaxedSimd: relaxed }));

    const GRAD_CASES: Array<[number[], number[]]> = [
      [[2], [2]],
      [[3], []],
      [[], [3]],
      [
        [2, 1],
        [1, 3],
      ],
      [[1, 2, 1], [2]],
    ];
    for (const [batchA, batchB] of GRAD_CASES) {
      for (const [ta, tb] of FLAGS) {
        it(`a batch ${JSON.stringify(batchA)}, b batch ${JSON.stringify(batchB)}, transposeA ${ta}, transposeB ${tb}`, () => {
          const shapes = operandShapes(batchA, batchB, 3, 4, 2, ta, tb);
          gradCheck({
            shapes,
            op: (a, b) => nn.matMul(a, b, ta, tb),
            forward64: ([a, b], [sa, sb]) => batchMatMulReference(a, sa, b, sb, ta, tb).values,
          });
        });
      }
    }

    it('fused.matMul with a batch, a row bias and gelu', () => {
      gradCheck({
        shapes: [[2, 3, 4], [4, 5], [5]],
        op: (a, b, bias) => nn.fused.matMul({ a, b, bias, activation: 'sigmoid' }),
        forward64: ([a, b, bias], [sa, sb]) =>
          batchMatMulReference(a, sa, b, sb).values.map((v, i) => 1 / (1 + Math.exp(-(v + bias[i % 5])))),
      });
    });
  });
