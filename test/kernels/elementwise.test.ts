import { beforeAll, describe, expect, it } from 'vitest';
import { Binary, type BinaryName, Unary, type UnaryName } from '../../src/backend/codes.js';
import {
  axpby,
  axpy,
  binary,
  broadcastStrides,
  clip,
  clipBackward,
  collapseDims,
  fill,
  scale,
  stridedCopy,
  unary,
} from '../../src/backend/kernels/elementwise.js';
import { ready } from '../../src/backend/loader.js';
import {
  axpyRef,
  binaryRef,
  broadcastShapeRef,
  clipBackwardRef,
  clipRef,
  scaleRef,
  sizeOf,
  stridedCopyRef,
  transposeRef,
  unaryRef,
} from '../../src/reference/elementwise.js';
import { expectClose, MODULES } from '../helpers/close.js';
import { randomArray, TAIL_SIZES } from '../helpers/random.js';
import { allocF32, free, putF32, readF32 } from '../helpers/wasm.js';

const UNARY = Object.keys(Unary) as UnaryName[];
const BINARY = Object.keys(Binary) as BinaryName[];

/** Random data rounded to quarters in [-2, 2], so that comparisons meet many ties. */
function tiedArray(n: number, seed: number): Float32Array {
  return randomArray(n, seed, -2, 2).map((v) => Math.round(v * 4) / 4);
}

/** Runs the binary kernel on contiguous inputs of the given shapes, broadcasting. */
function runBinary(op: BinaryName, a: Float32Array, aShape: number[], b: Float32Array, bShape: number[]): Float32Array {
  const shape = broadcastShapeRef(aShape, bShape);
  const n = sizeOf(shape);
  const pa = putF32(a);
  const pb = putF32(b);
  const out = allocF32(n);
  binary(Binary[op], pa, pb, out, shape, broadcastStrides(aShape, shape), broadcastStrides(bShape, shape));
  const y = readF32(out, n);
  free(pa, pb, out);
  return y;
}

function checkBinary(op: BinaryName, aShape: number[], bShape: number[], seed: number): void {
  const a = tiedArray(sizeOf(aShape), seed);
  const b = tiedArray(sizeOf(bShape), seed + 1);
  // Avoid 0 divisors in random data (division by 0 is checked separately).
  if (op === 'div') for (let i = 0; i < b.length; i++) if (b[i] === 0) b[i] = 0.5;
  const expected = binaryRef(op, a, aShape, b, bShape).values;
  expectClose(runBinary(op, a, aShape, b, bShape), expected, 1e-6, 0, `${op} [${aShape}] [${bShape}]`);
}

/** Broadcast patterns: [a shape, b shape]. */
function patterns(n: number): Array<[number[], number[]]> {
  return [
    [
      [3, n],
      [3, n],
    ],
    [[3, n], [n]],
    [[n], [3, n]],
    [
      [3, 1],
      [1, n],
    ],
    [
      [n, 1],
      [1, 3],
    ],
    [[n], []],
    [[], [n]],
    [[], []],
    [[1], [n]],
    [
      [2, 3, n],
      [3, 1],
    ],
    [
      [2, 1, n],
      [3, n],
    ],
    [
      [2, 1, 4, n],
      [3, 1, n],
    ],
    [
      [2, 3, 1, n],
      [1, 3, 4, 1],
    ],
    [
      [1, 2, 1, 3, n],
      [2, 2, 1, 1],
    ],
  ];
}

/** Copies x (and yInit, else NaN) into memory, runs `call(px, py)` and returns the n floats at py. */
function putRun(
  x: ArrayLike<number>,
  n: number,
  call: (px: number, py: number) => void,
  yInit?: ArrayLike<number>,
): Float32Array {
  const px = putF32(x);
  const py = yInit ? putF32(yInit) : allocF32(n);
  call(px, py);
  const y = readF32(py, n);
  free(px, py);
  return y;
}

/** Copies x into memory, runs `call(px)` (an in-place kernel) and returns x as it is afterwards. */
function inPlace(x: ArrayLike<number>, call: (px: number) => void): Float32Array {
  const px = putF32(x);
  call(px);
  const y = readF32(px, x.length);
  free(px);
  return y;
}

describe('broadcastStrides', () => {
  it('gives element strides with 0 on broadcast dims, right-aligned', () => {
    expect(broadcastStrides([2, 3], [2, 3])).toEqual([3, 1]);
    expect(broadcastStrides([4], [3, 4])).toEqual([0, 1]);
    expect(broadcastStrides([3, 1], [2, 3, 4])).toEqual([0, 1, 0]);
    expect(broadcastStrides([], [2, 3])).toEqual([0, 0]);
    expect(broadcastStrides([], [])).toEqual([]);
    expect(broadcastStrides([1], [5])).toEqual([0]);
    expect(broadcastStrides([2, 1, 4], [3, 2, 5, 4])).toEqual([0, 4, 0, 1]);
  });
});

/** collapseDims for the two operands of a binary op. */
function collapseBroadcastDims(shape: number[], aStrides: number[], bStrides: number[]) {
  const c = collapseDims(shape, [aStrides, bStrides]);
  return { shape: c.shape, aStrides: c.strides[0], bStrides: c.strides[1] };
}

describe('collapseDims of a binary op', () => {
  it('merges dims contiguous in both inputs and drops size-1 dims', () => {
    expect(collapseBroadcastDims([4, 5], [5, 1], [5, 1])).toEqual({ shape: [20], aStrides: [1], bStrides: [1] });
    expect(collapseBroadcastDims([4, 5], [5, 1], [0, 1])).toEqual({
      shape: [4, 5],
      aStrides: [5, 1],
      bStrides: [0, 1],
    });
    expect(collapseBroadcastDims([4, 5], [1, 0], [0, 1])).toEqual({
      shape: [4, 5],
      aStrides: [1, 0],
      bStrides: [0, 1],
    });
    expect(collapseBroadcastDims([2, 3, 4], [12, 4, 1], [12, 4, 1])).toEqual({
      shape: [24],
      aStrides: [1],
      bStrides: [1],
    });
    expect(collapseBroadcastDims([4, 5, 6], [30, 6, 1], [0, 6, 1])).toEqual({
      shape: [4, 30],
      aStrides: [30, 1],
      bStrides: [0, 1],
    });
    expect(collapseBroadcastDims([2, 1, 3], [3, 3, 1], [0, 0, 1])).toEqual({
      shape: [2, 3],
      aStrides: [3, 1],
      bStrides: [0, 1],
    });
    // Scalars: everything broadcast, or all dims of size 1.
    expect(collapseBroadcastDims([], [], [])).toEqual({ shape: [], aStrides: [], bStrides: [] });
    expect(collapseBroadcastDims([1, 1], [1, 1], [0, 0])).toEqual({ shape: [], aStrides: [], bStrides: [] });
    // A splatted scalar over a whole tensor is one flat loop.
    expect(collapseBroadcastDims([3, 4], [4, 1], [0, 0])).toEqual({ shape: [12], aStrides: [1], bStrides: [0] });
    // Transposed strides do not merge.
    expect(collapseBroadcastDims([3, 4], [1, 3], [4, 1])).toEqual({
      shape: [3, 4],
      aStrides: [1, 3],
      bStrides: [4, 1],
    });
  });

  it('collapseDims leaves shapes without elements alone', () => {
    expect(collapseDims([3, 0], [[0, 1]])).toEqual({ shape: [3, 0], strides: [[0, 1]] });
    expect(collapseDims([2, 3], [[-3, -1]])).toEqual({ shape: [6], strides: [[-1]] });
  });
});

for (const relaxed of MODULES) {
  describe(`elementwise kernels (${relaxed ? 'relaxed SIMD' : 'SIMD'})`, () => {
    beforeAll(() => ready({ relaxedSimd: relaxed }));

    it('unary ops match the reference at every tail size, in place too', () => {
      for (const op of UNARY) {
        for (const n of [...TAIL_SIZES, 1000]) {
          const positive = op === 'log' || op === 'sqrt';
          const x = randomArray(n, n + 7, positive ? 0.01 : -3, 3);
          const expected = unaryRef(op, x);
          expectClose(
            putRun(x, n, (px, py) => unary(Unary[op], px, py, n)),
            expected,
            1e-6,
            0,
            op,
          );
          expectClose(
            inPlace(x, (px) => unary(Unary[op], px, px, n)),
            expected,
            1e-6,
            0,
            `${op} in place`,
          );
        }
      }
    });

    it('unary ops on special values', () => {
      const x = [0, -0, 1, -1, Infinity, -Infinity, Number.NaN, 1e-40, -1e-40, 3e38, -2.5];
      for (const op of UNARY) {
        const y = putRun(x, x.length, (px, py) => unary(Unary[op], px, py, x.length));
        expectClose(y, unaryRef(op, Float32Array.from(x)).map(Math.fround), 1e-6, 0, op);
      }
    });

    it('binary ops match the reference over broadcast patterns and tail sizes', () => {
      for (const op of BINARY) {
        for (const n of TAIL_SIZES) {
          patterns(n).forEach(([aShape, bShape], k) => {
            checkBinary(op, aShape, bShape, 100 * n + k);
          });
        }
      }
    });

    it('binary ops on larger shapes', () => {
      for (const op of ['add', 'mul', 'maximum', 'less'] as const) {
        checkBinary(op, [64, 127], [127], 1);
        checkBinary(op, [64, 1], [1, 129], 2);
        checkBinary(op, [1003], [1003], 3);
        checkBinary(op, [5, 6, 7, 8], [6, 1, 8], 4);
      }
    });

    it('binary ops on special values: NaN, infinities, division by zero', () => {
      const a = [Number.NaN, 1, Number.NaN, Infinity, -Infinity, 0, -0, 1, -1, 0, 2, 2, 3e38];
      const b = [1, Number.NaN, Number.NaN, Infinity, Infinity, 0, 0, 0, 0, -0, 2, -3, 3e38];
      for (const op of BINARY) {
        const n = a.length;
        const got = runBinary(op, Float32Array.from(a), [n], Float32Array.from(b), [n]);
        expectClose(got, binaryRef(op, a, [n], b, [n]).values.map(Math.fround), 1e-6, 0, op);
        // The same values through the splat paths (one side broadcast).
        for (let i = 0; i < n; i++) {
          const left = runBinary(op, Float32Array.of(a[i]), [], Float32Array.from(b), [n]);
          const right = runBinary(op, Float32Array.from(a), [n], Float32Array.of(b[i]), []);
          expectClose(left, binaryRef(op, [a[i]], [], b, [n]).values.map(Math.fround), 1e-6, 0, `${op} splat a`);
          expectClose(right, binaryRef(op, a, [n], [b[i]], []).values.map(Math.fround), 1e-6, 0, `${op} splat b`);
        }
      }
    });

    it('binary reads transposed inputs through their strides, and runs in place', () => {
      const m = 5;
      for (const n of TAIL_SIZES) {
        // a stored [n, m] and read as its transpose [m, n]; b [m, n] contiguous.
        const at = randomArray(n * m, n, -1, 1);
        const b = randomArray(m * n, n + 1, -1, 1);
        const aT = transposeRef(at, [n, m], [1, 0]);
        const pa = putF32(at);
        const pb = putF32(b);
        const out = allocF32(m * n);
        binary(Binary.sub, pa, pb, out, [m, n], [1, m], [n, 1]);
        expectClose(readF32(out, m * n), binaryRef('sub', aT, [m, n], b, [m, n]).values, 1e-6, 0, 'transposed');
        binary(Binary.mul, pb, pb, pb, [m, n], [n, 1], [n, 1]);
        expectClose(readF32(pb, m * n), binaryRef('mul', b, [m, n], b, [m, n]).values, 1e-6, 0, 'in place');
        free(pa, pb, out);
      }
    });

    it('stridedCopy transposes, broadcasts and slices', () => {
      const perms3 = [
        [0, 2, 1],
        [1, 0, 2],
        [2, 1, 0],
        [1, 2, 0],
      ];
      for (const n of TAIL_SIZES) {
        // 2-d transpose.
        const x2 = randomArray(3 * n, n, -1, 1);
        const px2 = putF32(x2);
        const y2 = allocF32(3 * n);
        stridedCopy(px2, y2, [n, 3], [1, n]);
        expectClose(readF32(y2, 3 * n), transposeRef(x2, [3, n], [1, 0]), 0, 0, `transpose [3,${n}]`);
        free(px2, y2);
        // 3-d and 4-d permutations.
        const shape3 = [2, n, 3];
        const x3 = randomArray(sizeOf(shape3), n + 1, -1, 1);
        for (const perm of perms3) {
          const inStrides = [3 * n, 3, 1];
          const y = putRun(x3, x3.length, (px, py) =>
            stridedCopy(
              px,
              py,
              perm.map((p) => shape3[p]),
              perm.map((p) => inStrides[p]),
            ),
          );
          expectClose(y, transposeRef(x3, shape3, perm), 0, 0, `transpose [${shape3}] by [${perm}]`);
        }
        const shape4 = [2, 3, 2, n];
        const x4 = randomArray(sizeOf(shape4), n + 2, -1, 1);
        const perm4 = [3, 1, 0, 2];
        const strides4 = [6 * n, 2 * n, n, 1];
        const y4 = putRun(x4, x4.length, (px, py) =>
          stridedCopy(
            px,
            py,
            perm4.map((p) => shape4[p]),
            perm4.map((p) => strides4[p]),
          ),
        );
        expectClose(y4, transposeRef(x4, shape4, perm4), 0, 0, `transpose [${shape4}]`);
        // broadcastTo [n, 1] -> [2, n, 5] and [n] -> [3, n].
        const xb = randomArray(n, n + 3, -1, 1);
        const outB = [2, n, 5];
        const yb = putRun(xb, sizeOf(outB), (px, py) => stridedCopy(px, py, outB, broadcastStrides([n, 1], outB)));
        expectClose(yb, stridedCopyRef(xb, 0, outB, [0, 1, 0]), 0, 0, 'broadcastTo [n,1]');
        const yr = putRun(xb, 3 * n, (px, py) => stridedCopy(px, py, [3, n], broadcastStrides([n], [3, n])));
        expectClose(yr, stridedCopyRef(xb, 0, [3, n], [0, 1]), 0, 0, 'broadcastTo [n]');
        // Slice [1:3, 1:n] of a [4, n + 1] matrix, and reversed rows of it (negative stride).
        const xs = randomArray(4 * (n + 1), n + 4, -1, 1);
        const ys = putRun(xs, 2 * n, (px, py) => stridedCopy(px + (n + 2) * 4, py, [2, n], [n + 1, 1]));
        expectClose(ys, stridedCopyRef(xs, n + 2, [2, n], [n + 1, 1]), 0, 0, 'slice');
        const yn = putRun(xs, 4 * (n + 1), (px, py) =>
          stridedCopy(px + 3 * (n + 1) * 4, py, [4, n + 1], [-(n + 1), 1]),
        );
        expectClose(yn, stridedCopyRef(xs, 3 * (n + 1), [4, n + 1], [-(n + 1), 1]), 0, 0, 'reversed rows');
      }
      // Rank 0 and a 5-d broadcast.
      expectClose(
        putRun([7.5], 1, (px, py) => stridedCopy(px, py, [], [])),
        [7.5],
        0,
        0,
        'rank 0',
      );
      const x5 = randomArray(6, 9, -1, 1);
      const shape5 = [2, 2, 2, 5, 3];
      const y5 = putRun(x5, sizeOf(shape5), (px, py) =>
        stridedCopy(px, py, shape5, broadcastStrides([2, 1, 3], shape5)),
      );
      expectClose(y5, stridedCopyRef(x5, 0, shape5, [0, 0, 3, 0, 1]), 0, 0, '5-d broadcastTo');
    });

    it('clip and clipBackward, boundaries and NaN included', () => {
      for (const n of [...TAIL_SIZES, 1000]) {
        const x = tiedArray(n, n);
        x[0] = Number.NaN;
        const dy = randomArray(n, n + 1, -1, 1);
        expectClose(
          putRun(x, n, (px, py) => clip(px, py, n, -0.5, 1)),
          clipRef(x, -0.5, 1),
          0,
          0,
          'clip',
        );
        expectClose(
          inPlace(x, (px) => clip(px, px, n, -0.5, 1)),
          clipRef(x, -0.5, 1),
          0,
          0,
          'clip in place',
        );
        const pdy = putF32(dy);
        const dx = putRun(x, n, (px, py) => clipBackward(px, pdy, py, n, -0.5, 1));
        free(pdy);
        expectClose(dx, clipBackwardRef(x, dy, -0.5, 1), 0, 0, 'clipBackward');
      }
    });

    it('fill, axpy and scale', () => {
      for (const n of [...TAIL_SIZES, 1000]) {
        const x = randomArray(n, n, -1, 1);
        const y = randomArray(n, n + 1, -1, 1);
        expectClose(
          putRun(x, n, (_px, py) => fill(py, n, 2.5)),
          new Array(n).fill(2.5),
          0,
          0,
          'fill',
        );
        expectClose(
          putRun(x, n, (px, py) => axpy(px, py, n, -0.75), y),
          axpyRef(x, y, -0.75),
          1e-6,
          1e-7,
          'axpy',
        );
        expectClose(
          inPlace(x, (px) => scale(px, px, n, 3)),
          scaleRef(x, 3),
          1e-6,
          0,
          'scale',
        );
        // axpby: the bits of scale then axpy, in one pass
        const twoPasses = putRun(
          x,
          n,
          (px, py) => {
            scale(py, py, n, 0.375);
            axpy(px, py, n, -0.75);
          },
          y,
        );
        const onePass = putRun(x, n, (px, py) => axpby(px, py, n, -0.75, 0.375), y);
        expect(Array.from(new Uint32Array(Float32Array.from(onePass).buffer))).toEqual(
          Array.from(new Uint32Array(Float32Array.from(twoPasses).buffer)),
        );
        expectClose(onePass, axpyRef(x, scaleRef(y, 0.375), -0.75), 1e-6, 1e-7, 'axpby');
      }
    });

    it('the checks catch a wrong kernel', () => {
      const a = randomArray(7, 1);
      const b = randomArray(7, 2);
      const wrong = runBinary('sub', a, [7], b, [7]);
      expect(() => expectClose(wrong, binaryRef('add', a, [7], b, [7]).values, 1e-6, 0)).toThrow();
      // [7, 1] + [7] is a 7x7 outer sum, not its transpose.
      const outer = runBinary('sub', a, [7, 1], b, [7]);
      expect(() => expectClose(outer, binaryRef('sub', a, [7], b, [7, 1]).values, 1e-6, 0)).toThrow();
    });
  });
}
