import { beforeAll, describe, expect, it } from 'vitest';
import { copyStrided, fillI32, gatherRows, scatterAddRows, sumRowRuns } from '../../src/backend/kernels/indexing.js';
import { ready } from '../../src/backend/loader.js';
import { sizeOf } from '../../src/reference/elementwise.js';
import { copyStridedRef, gatherRef, scatterAddRef } from '../../src/reference/indexing.js';
import { expectClose, MODULES } from '../helpers/close.js';
import { randomArray, rng } from '../helpers/random.js';
import { allocF32, free, putF32, putI32, readF32, readI32 } from '../helpers/wasm.js';

/** Row-major strides of a shape. */
function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let k = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = k;
    k *= shape[d];
  }
  return s;
}

interface CopyCase {
  name: string;
  xSize: number;
  xOffset: number;
  ySize: number;
  yOffset: number;
  shape: number[];
  xStrides: number[];
  yStrides: number[];
}

/** Layouts: slices with negative strides read, windows of a bigger block written, ranks 0 to 6. */
function copyCases(): CopyCase[] {
  const cases: CopyCase[] = [
    { name: 'rank 0', xSize: 3, xOffset: 2, ySize: 2, yOffset: 1, shape: [], xStrides: [], yStrides: [] },
    { name: 'contiguous', xSize: 37, xOffset: 0, ySize: 37, yOffset: 0, shape: [37], xStrides: [1], yStrides: [1] },
    {
      // x reversed along both dims, written into the middle of a padded [6, 9]
      name: 'reverse into a padded block',
      xSize: 4 * 7,
      xOffset: 4 * 7 - 1,
      ySize: 6 * 9,
      yOffset: 9 + 1,
      shape: [4, 7],
      xStrides: [-7, -1],
      yStrides: [9, 1],
    },
    {
      name: 'transposed read, strided write',
      xSize: 5 * 3,
      xOffset: 0,
      ySize: 3 * 10,
      yOffset: 1,
      shape: [3, 5],
      xStrides: [1, 3],
      yStrides: [10, 2],
    },
    {
      name: 'concat piece at an offset',
      xSize: 2 * 3 * 4,
      xOffset: 0,
      ySize: 2 * 7 * 4,
      yOffset: 3 * 4,
      shape: [2, 3, 4],
      xStrides: [12, 4, 1],
      yStrides: [28, 4, 1],
    },
  ];
  // every rank up to 6 with a window of stride 2 in a bigger tensor, and odd inner sizes
  for (let rank = 1; rank <= 6; rank++) {
    const shape = Array.from({ length: rank }, (_, d) => [3, 2, 5, 1, 2, 3][d]);
    const big = shape.map((d) => 2 * d + 1);
    const bigStrides = stridesOf(big);
    cases.push({
      name: `rank ${rank} window`,
      xSize: sizeOf(big),
      xOffset: bigStrides.reduce((a, b) => a + b, 0),
      ySize: sizeOf(shape),
      yOffset: 0,
      shape,
      xStrides: bigStrides.map((s) => 2 * s),
      yStrides: stridesOf(shape),
    });
    cases.push({
      name: `rank ${rank} embed`,
      xSize: sizeOf(shape),
      xOffset: 0,
      ySize: sizeOf(big),
      yOffset: bigStrides[rank - 1],
      shape,
      xStrides: stridesOf(shape),
      yStrides: bigStrides.map((s) => 2 * s),
    });
  }
  return cases;
}

for (const relaxed of MODULES) {
  describe(`indexing kernels (${relaxed ? 'relaxed SIMD' : 'SIMD'})`, () => {
    beforeAll(() => ready({ relaxedSimd: relaxed }));

    it('copyStrided matches the reference and leaves the rest of y as it was', () => {
      let seed = 1;
      for (const c of copyCases()) {
        const x = randomArray(c.xSize, seed++);
        const y0 = randomArray(c.ySize, seed++);
        const px = putF32(x);
        const py = putF32(y0);
        copyStrided(px + c.xOffset * 4, py + c.yOffset * 4, c.shape, c.xStrides, c.yStrides);
        const got = readF32(py, c.ySize);
        free(px, py);
        const want = copyStridedRef(x, c.xOffset, y0, c.yOffset, c.shape, c.xStrides, c.yStrides);
        expectClose(got, want, 0, 0, c.name);
      }
    });

    it('copyStrided moves int32 bit patterns exactly (NaN payloads of float bits included)', () => {
      const x = [-1, 0x7fc00001, 0x7f800001, -2147483648, 2147483647, 0xffc00000 | 0];
      const px = putI32(x);
      const py = putI32(new Array(12).fill(5));
      copyStrided(px, py + 4, [2, 3], [3, 1], [6, 2]);
      expect(Array.from(readI32(py, 12))).toEqual([
        5,
        -1,
        5,
        0x7fc00001,
        5,
        0x7f800001,
        5,
        -2147483648,
        5,
        2147483647,
        5,
        0xffc00000 | 0,
      ]);
      free(px, py);
    });

    it('copyStrided with a 0-size dim writes nothing', () => {
      const py = allocF32(4, 7);
      copyStrided(0, py, [3, 0], [1, 1], [1, 1]);
      expect(Array.from(readF32(py, 4))).toEqual([7, 7, 7, 7]);
      free(py);
    });

    it('fillI32 writes every element, tails included, and nothing past them', () => {
      for (const n of [0, 1, 3, 4, 5, 33]) {
        const py = putI32(new Array(n + 2).fill(9));
        fillI32(py, n, -7);
        expect(Array.from(readI32(py, n + 2))).toEqual([...new Array(n).fill(-7), 9, 9]);
        free(py);
      }
    });

    it('gatherRows matches the reference, with zeros for out-of-range and extreme indices', () => {
      const r = rng(5);
      let seed = 100;
      for (const [outer, axisLen, inner] of [
        [1, 5, 1],
        [3, 4, 7],
        [2, 1, 33],
        [1, 9, 4],
        [4, 3, 0],
        [2, 0, 3],
      ]) {
        for (const count of [0, 1, 6]) {
          const idx = Array.from({ length: count }, () => Math.floor(r() * (axisLen + 4)) - 2);
          if (count === 6) idx.splice(0, 3, 2147483647, -2147483648, axisLen);
          const x = randomArray(outer * axisLen * inner, seed++);
          const px = putF32(x);
          const pi = putI32(idx);
          const n = outer * count * inner;
          const py = allocF32(n + 1, 123);
          gatherRows(px, pi, py, outer, axisLen, inner, count);
          const got = readF32(py, n + 1);
          free(px, pi, py);
          const want = gatherRef(x, [outer, axisLen, inner], idx, [count], 1).values;
          expectClose(got.subarray(0, n), want, 0, 0, `gather [${outer}, ${axisLen}, ${inner}] × ${count}`);
          expect(got[n], 'element after the output').toBe(123);
        }
      }
    });

    it('scatterAddRows sums repeated indices, skips out-of-range ones and zeroes the rest', () => {
      let seed = 200;
      for (const [outer, axisLen, inner] of [
        [1, 5, 1],
        [3, 4, 7],
        [2, 6, 33],
      ]) {
        const idx = [1, 3, 1, -1, axisLen, 0, 1, 2147483647];
        const dy = randomArray(outer * idx.length * inner, seed++);
        const pdy = putF32(dy);
        const pi = putI32(idx);
        const n = outer * axisLen * inner;
        const pdx = allocF32(n + 1, 55);
        scatterAddRows(pdy, pi, pdx, outer, axisLen, inner, idx.length);
        const got = readF32(pdx, n + 1);
        free(pdy, pi, pdx);
        const want = scatterAddRef(dy, [outer, axisLen, inner], idx, [idx.length], 1);
        expectClose(got.subarray(0, n), want, 1e-6, 1e-7, `scatter [${outer}, ${axisLen}, ${inner}]`);
        expect(got[n], 'element after the output').toBe(55);
      }
    });
  });
}

/** sumRowRuns in plain JS: float32 sums in entry order from zero, out-of-range table rows skipped. */
function sumRowRunsRef(
  table: Float32Array,
  width: number,
  starts: number[],
  offsets: number[],
  runLength: number,
  rowStride: number,
): Float32Array {
  const tableRows = table.length / width;
  const groups = offsets.length - 1;
  const y = new Float32Array(groups * runLength * width);
  for (let g = 0; g < groups; g++) {
    for (let r = 0; r < runLength; r++) {
      for (let c = 0; c < width; c++) {
        let s = 0;
        for (let e = offsets[g]; e < offsets[g + 1]; e++) {
          const row = starts[e] + r * rowStride;
          if (row >= 0 && row < tableRows) s = Math.fround(s + table[row * width + c]);
        }
        y[(g * runLength + r) * width + c] = s;
      }
    }
  }
  return y;
}

for (const relaxed of MODULES) {
  describe(`sumRowRuns (${relaxed ? 'relaxed SIMD' : 'SIMD'})`, () => {
    beforeAll(() => ready({ relaxedSimd: relaxed }));

    it('sums runs of table rows bit for bit as float32 in entry order; empty groups give zeros, out-of-range rows add nothing', () => {
      let seed = 300;
      // widths with 16-, 4- and 1-float column tails; runs of consecutive rows, and of rows 4 apart
      for (const [width, rowStride] of [
        [64, 1],
        [37, 1],
        [7, 1],
        [1, 1],
        [64, 4],
        [7, 4],
      ]) {
        const tableRows = 11;
        const runLength = 3;
        const table = randomArray(tableRows * width, seed++, -100, 100);
        // group 0: two runs; 1: none; 2: a run reaching past the table's end (row 10 + 2·stride) and
        // one before its start (−2 + 0, ...); 3: a repeated run and an extreme start (wrapping past 2^31)
        const starts = [0, 5, 9, -2, 4, 4, 2147483647 - 1];
        const offsets = [0, 2, 2, 4, 7];
        const groups = offsets.length - 1;
        const pt = putF32(table);
        const ps = putI32(starts);
        const po = putI32(offsets);
        const n = groups * runLength * width;
        const py = allocF32(n + 1, 77);
        sumRowRuns(pt, tableRows, width, ps, po, groups, runLength, rowStride, py);
        const got = readF32(py, n + 1);
        free(pt, ps, po, py);
        expectClose(
          got.subarray(0, n),
          sumRowRunsRef(table, width, starts, offsets, runLength, rowStride),
          0,
          0,
          `width ${width}, stride ${rowStride}`,
        );
        expect(got[n], 'element after the output').toBe(77);
      }
    });

    it('reads the entries of a later group when given offsets from that group on', () => {
      const width = 16;
      const table = randomArray(6 * width, 9);
      const starts = [0, 1, 2, 3];
      const offsets = [0, 1, 2, 4];
      const pt = putF32(table);
      const ps = putI32(starts);
      const po = putI32(offsets);
      const py = allocF32(2 * 2 * width);
      sumRowRuns(pt, 6, width, ps, po + 4, 2, 2, 1, py);
      const got = readF32(py, 2 * 2 * width);
      free(pt, ps, po, py);
      expectClose(got, sumRowRunsRef(table, width, starts, offsets, 2, 1).subarray(2 * width), 0, 0, 'groups 1 and 2');
    });
  });
}
