// Matrix-product throughput: our GEMM on both Wasm modules against the plain-JS baseline.
import { gemm } from '../src/backend/kernels/gemm.js';
import { backend, ready, relaxedSimdAvailable } from '../src/backend/loader.js';
import { matMulPlainJs } from '../src/reference/matmul.js';
import { measure, printTable, randomFloats } from './harness.js';

/** [m, k, n]: square sizes, then the products of MLP layers (batch × in · in × out). */
const SHAPES: Array<[number, number, number]> = [
  [64, 64, 64],
  [128, 128, 128],
  [256, 256, 256],
  [512, 512, 512],
  [1024, 1024, 1024],
  [32, 784, 128],
  [128, 512, 512],
];

/** Above this many multiply-adds plain JS is timed with single calls and 3 batches (it is slow). */
const SLOW_JS = 200e6;

function label([m, k, n]: [number, number, number]): string {
  return m === k && k === n ? `${m}³` : `${m}x${k}·${k}x${n}`;
}

function gflops([m, k, n]: [number, number, number], ms: number): number {
  return (2 * m * k * n) / (ms * 1e6);
}

/** GFLOP/s of the Wasm GEMM for every shape on the module currently loaded. */
function timeWasm(): number[] {
  return SHAPES.map((shape, s) => {
    const [m, k, n] = shape;
    const { allocator, views } = backend();
    const a = allocator.alloc(m * k * 4);
    const b = allocator.alloc(k * n * 4);
    const c = allocator.alloc(m * n * 4);
    views.f32.set(randomFloats(m * k, 2 * s + 1), a >> 2);
    views.f32.set(randomFloats(k * n, 2 * s + 2), b >> 2);
    const t = measure(() => gemm(a, b, c, m, k, n));
    allocator.free(a);
    allocator.free(b);
    allocator.free(c);
    return gflops(shape, t.medianMs);
  });
}

/** GFLOP/s of the plain-JS baseline for every shape. */
function timePlainJs(): number[] {
  return SHAPES.map((shape, s) => {
    const [m, k, n] = shape;
    const a = randomFloats(m * k, 2 * s + 1);
    const b = randomFloats(k * n, 2 * s + 2);
    const c = new Float32Array(m * n);
    const slow = m * k * n > SLOW_JS;
    const t = measure(() => matMulPlainJs(a, b, c, m, k, n), slow ? { batchMs: 0, batches: 3, warmupMs: 0 } : {});
    return gflops(shape, t.medianMs);
  });
}

/** Runs the suite and prints its table. */
export async function runMatmul(): Promise<void> {
  console.log(
    '## GEMM throughput (GFLOP/s = 2·m·k·n / time, single thread; default options: no transpose, bias or activation)\n',
  );
  await ready({ relaxedSimd: false });
  const simd = timeWasm();
  const hasRelaxed = relaxedSimdAvailable();
  let relaxed: number[] | null = null;
  if (hasRelaxed) {
    await ready({ relaxedSimd: true });
    relaxed = timeWasm();
  }
  const js = timePlainJs();
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
    `\nplain JS: i-k-j loops on Float32Array; shapes above ${SLOW_JS / 1e6}M multiply-adds timed as the median of 3 single calls.`,
  );
}
