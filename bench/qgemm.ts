// int8 GEMM against the f32 GEMM on the shapes of MLP inference (batch 1 and 128), in both modules.
// "int8" times qgemm alone (weights packed once, activations quantized once); "int8+q" adds the
// dynamic per-row quantization of the activations that inference pays at every call.
import { gemm } from '../src/backend/kernels/gemm.js';
import {
  qgemm,
  qgemmPack,
  qgemmPackedBytes,
  qgemmRowBytes,
  quantizeRows,
  quantizeSymmetric,
} from '../src/backend/kernels/qgemm.js';
import { backend, ready, relaxedSimdAvailable } from '../src/backend/loader.js';
import { measure, median, printTable, randomFloats } from './harness.js';

type Shape = [number, number, number];

/** [m, k, n]: the layers of 784-512-512-10 and 784-128-10 at batch 1 and 128. */
const SHAPES: Shape[] = [
  [1, 784, 512],
  [1, 512, 512],
  [128, 784, 512],
  [128, 512, 512],
  [128, 784, 128],
];
/** The sweep runs this many times, alternating modules, so a burst of load elsewhere hits every column. */
const ROUNDS = 5;
const BATCHES = 3;

interface Times {
  f32: number[];
  int8: number[];
  int8q: number[];
}

/** Times of one shape on the module currently loaded. */
function timeShape([m, k, n]: Shape, s: number): Times {
  const { allocator, views } = backend();
  const x = allocator.alloc(m * k * 4);
  const w = allocator.alloc(k * n * 4);
  const c = allocator.alloc(m * n * 4);
  views.f32.set(randomFloats(m * k, 2 * s + 1), x >> 2);
  views.f32.set(randomFloats(k * n, 2 * s + 2), w >> 2);
  const w8 = allocator.alloc(k * n);
  const colScale = allocator.alloc(n * 4);
  quantizeSymmetric(w, k, n, 1, w8, colScale);
  const packed = allocator.alloc(qgemmPackedBytes(k, n));
  qgemmPack(w8, k, n, packed);
  const q = allocator.alloc(m * qgemmRowBytes(k));
  const rowScale = allocator.alloc(m * 4);
  const rowZero = allocator.alloc(m * 4);
  quantizeRows(x, m, k, q, rowScale, rowZero, 0, 0);
  const options = { batches: BATCHES, batchMs: 60 };
  const f32 = measure(() => gemm(x, w, c, m, k, n), options).times;
  const int8 = measure(() => qgemm(q, rowScale, rowZero, packed, colScale, 0, c, m, k, n), options).times;
  const int8q = measure(() => {
    quantizeRows(x, m, k, q, rowScale, rowZero, 0, 0);
    qgemm(q, rowScale, rowZero, packed, colScale, 0, c, m, k, n);
  }, options).times;
  for (const p of [x, w, c, w8, colScale, packed, q, rowScale, rowZero]) allocator.free(p);
  return { f32, int8, int8q };
}

/** Runs the suite and prints its table. */
export async function runQgemm(): Promise<void> {
  console.log('## int8 GEMM vs f32 GEMM (GOP/s = 2·m·k·n / time, single thread; no bias, linear)\n');
  const modules = relaxedSimdAvailable() ? [false, true] : [false];
  const all = modules.map(() => SHAPES.map(() => ({ f32: [], int8: [], int8q: [] }) as Times));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [mi, relaxed] of modules.entries()) {
      await ready({ relaxedSimd: relaxed });
      SHAPES.forEach((shape, s) => {
        const t = timeShape(shape, s);
        all[mi][s].f32.push(...t.f32);
        all[mi][s].int8.push(...t.int8);
        all[mi][s].int8q.push(...t.int8q);
      });
    }
  }
  const rows: string[][] = [];
  for (const [mi, relaxed] of modules.entries()) {
    SHAPES.forEach(([m, k, n], s) => {
      const ops = 2 * m * k * n;
      const [f32, int8, int8q] = [all[mi][s].f32, all[mi][s].int8, all[mi][s].int8q].map(median);
      const rate = (ms: number) => (ops / (ms * 1e6)).toFixed(1);
      rows.push([
        relaxed ? 'relaxed' : 'SIMD',
        `${m}x${k}·${k}x${n}`,
        rate(f32),
        rate(int8),
        rate(int8q),
        `${(f32 / int8).toFixed(2)}x`,
        `${(f32 / int8q).toFixed(2)}x`,
        `${((int8q / f32) * 100).toFixed(0)}%`,
      ]);
    });
  }
  printTable(['module', 'shape', 'f32', 'int8', 'int8+q', 'int8/f32', 'int8+q/f32', 'int8+q time'], rows);
  console.log(
    `\nMedian of ${ROUNDS} rounds x ${BATCHES} batches of ~60 ms per cell; speed-ups are time(f32) / time(int8); ` +
      "'int8+q time' is the int8 latency with quantization as a share of f32's.",
  );
}
