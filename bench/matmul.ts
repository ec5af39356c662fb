// Matrix-product throughput: our GEMM on both Wasm modules against the plain-JS baseline.
import { gemm } from '../src/backend/kernels/gemm.js';
import { backend, ready, relaxedSimdAvailable } from '../src/backend/loader.js';
import { matMulPlainJs } from '../src/reference/matmul.js';
import { measure, median, printTable, randomFloats } from './harness.js';

/** [m, k, n]: square sizes, then the products of MLP layers (batch × in · in × out). */
const SHAPES: Shape[] = [
  [64, 64, 64],
  [128, 128, 128],
  [256, 256, 256],
  [512, 512, 512],
  [1024, 1024, 1024],
  [32, 784, 128],
  [128, 512, 512],
];

/** Above this many multiply-adds plain JS is timed with one single call per round (it is slow). */
const SLOW_JS = 200e6;
/** The sweep runs this many times, alternating modules, so a burst of load elsewhere hits every column. */
const ROUNDS = 3;
/** Timed batches per shape per round (each ~70 ms); the table shows the median over all rounds. */
const BATCHES = 3;

type Shape = [number, number, number];

function label([m, k, n]: Shape): string {
  return m === k && k === n ? `${m}³` : `${m}x${k}·${k}x${n}`;
}

function gflops([m, k, n]: Shape, ms: number): number {
  return (2 * m * k * n) / (ms * 1e6);
}

/** Per-call batch times of the Wasm GEMM for every shape, on the module currently loaded. */
function timeWasm(): number[][] {
  return SHAPES.map((shape, s) => {
    const [m, k, n] = shape;
    const { allocator, views } = backend();
    const a = allocator.alloc(m * k * 4);
    const b = allocator.alloc(k * n * 4);
    const c = allocator.alloc(m * n * 4);
    views.f32.set(randomFloats(m * k, 2 * s + 1), a >> 2);
    views.f32.set(randomFloats(k * n, 2 * s + 2), b >> 2);
    const t = measure(() => gemm(a, b, c, m, k, n), { batches: BATCHES, batchMs: 70 });
    allocator.free(a);
    allocator.free(b);
    allocator.free(c);
    return t.times;
  });
}

/** Per-call batch times of the plain-JS baseline for every shape. */
function timePlainJs(): number[][] {
  return SHAPES.map((shape, s) => {
    const [m, k, n] = shape;
    const a = randomFloats(m * k, 2 * s + 1);
    const b = randomFloats(k * n, 2 * s + 2);
    const c = new Float32Array(m * n);
    // The function is already optimised by the smaller shapes, so the slow one needs no warm-up.
    const slow = m * k * n > SLOW_JS;
    const options = slow ? { batches: 1, batchMs: 0, warmupCalls: 0 } : { batches: BATCHES, batchMs: 70 };
    return measure(() => matMulPlainJs(a, b, c, m, k, n), options).times;
  });
}

/** Runs the suite and prints its table. */
export async function runMatmul(): Promise<void> {
  console.log(
    '## GEMM throughput (GFLOP/s = 2·m·k·n / time, single thread; default options: no transpose, bias or activation)\n',
  );
  const hasRelaxed = relaxedSimdAvailable();
  const columns = {
    simd: SHAPES.map(() => [] as number[]),
    relaxed: SHAPES.map(() => [] as number[]),
    js: SHAPES.map(() => [] as number[]),
  };
  const add = (into: number[][], times: number[][]) => {
    for (let i = 0; i < times.length; i++) into[i].push(...times[i]);
  };
  for (let round = 0; round < ROUNDS; round++) {
    await ready({ relaxedSimd: false });
    add(columns.simd, timeWasm());
    if (hasRelaxed) {
      await ready({ relaxedSimd: true });
      add(columns.relaxed, timeWasm());
    }
    add(columns.js, timePlainJs());
  }
  const rate = (times: number[][]) => SHAPES.map((shape, i) => gflops(shape, median(times[i])));
  const simd = rate(columns.simd);
  const relaxed = hasRelaxed ? rate(columns.relaxed) : null;
  const js = rate(columns.js);
  const f = (x: number) => x.toFixed(1);
  const rows = SHAPES.map((shape, i) => [
    label(shape),
    f(simd[i]),
    relaxed ? f(relaxed[i]) : 'n/a',
    f(js[i]),
    `${f(simd[i] / js[i])}x`,
    relaxed ? `${f(relaxed[i] / js[i])}x` : 'n/a',
  ]);
  printTable(['shape', 'Wasm SIMD', 'Wasm relaxed', 'plain JS', 'SIMD/JS', 'relaxed/JS'], rows);
  console.log(
    `\nMedian of ${ROUNDS} rounds x ${BATCHES} batches of ~70 ms per cell; plain JS (i-k-j loops on Float32Array) ` +
      `above ${SLOW_JS / 1e6}M multiply-adds: median of ${ROUNDS} single calls.`,
  );
}
