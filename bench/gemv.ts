// Batch-1 inference of the bench MLPs broken down: the whole predict call, its replayed trace alone,
// and each dense layer's product alone on the same sizes, unpacked (`gemm` reading the kernel in
// place) and pre-packed (`gemmPacked`, what predict runs), with the cost of packing a kernel once.
// What predict costs beyond its trace is the per-call JavaScript.
import { Act } from '../src/backend/codes.js';
import { gemm, gemmPackB, gemmPacked, gemmPackedBBytes } from '../src/backend/kernels/gemm.js';
import { backend } from '../src/backend/loader.js';
import * as nn from '../src/index.js';
import { measure, printTable, randomFloats } from './harness.js';
import { buildMlp, SHAPES } from './training.js';

/** Median µs per call. */
const us = (fn: () => void) => measure(fn, { batchMs: 100, batches: 7, warmupMs: 1000 }).medianMs * 1000;

/** µs per call of `gemm` and of `gemmPacked` for one row through a [k, n] layer, and of packing it. */
function layerTimes(k: number, n: number): { plain: number; packed: number; pack: number } {
  const a = nn.tensor(randomFloats(k, 1), [1, k]);
  const b = nn.tensor(randomFloats(k * n, 2), [k, n]);
  const bias = nn.tensor(randomFloats(n, 3), [n]);
  const c = nn.zeros([1, n]);
  const packedPtr = backend().allocator.alloc(gemmPackedBBytes(k, n));
  gemmPackB(b.ptr(), packedPtr, k, n);
  const options = { bias: bias.ptr(), activation: Act.relu };
  const plain = us(() => gemm(a.ptr(), b.ptr(), c.ptr(), 1, k, n, options));
  const packed = us(() => gemmPacked(a.ptr(), b.ptr(), packedPtr, c.ptr(), 1, k, n, bias.ptr(), Act.relu, 0));
  const pack = us(() => gemmPackB(b.ptr(), packedPtr, k, n));
  backend().allocator.free(packedPtr);
  nn.dispose([a, b, bias, c]);
  return { plain, packed, pack };
}

/** Runs the suite and prints its tables. */
export async function runGemv(): Promise<void> {
  console.log('## Batch-1 inference broken down (µs per call)\n');
  const calls: string[][] = [];
  const layers: string[][] = [];
  for (const relaxedSimd of [false, true]) {
    await nn.ready({ relaxedSimd });
    const module = relaxedSimd ? 'relaxed' : 'simd';
    for (const { sizes } of SHAPES) {
      const model = buildMlp(nn, sizes);
      const x = nn.tensor(randomFloats(sizes[0], 3), [1, sizes[0]], 'float32');
      const whole = us(() => {
        const p = model.predict(x, { batchSize: 128 });
        p.dataSync();
        p.dispose();
      });
      const step = model.step('predict', 1);
      const replay = us(() => step.run());
      nn.dispose(x);
      model.dispose();
      calls.push([sizes.join('-'), module, whole.toFixed(1), replay.toFixed(1), (whole - replay).toFixed(1)]);
      for (let l = 0; l + 1 < sizes.length; l++) {
        const { plain, packed, pack } = layerTimes(sizes[l], sizes[l + 1]);
        layers.push([`${sizes[l]}×${sizes[l + 1]}`, module, plain.toFixed(2), packed.toFixed(2), pack.toFixed(1)]);
      }
    }
  }
  printTable(['model', 'module', 'predict + dataSync', 'trace replay', 'JS beyond the trace'], calls);
  console.log('');
  printTable(['layer k×n', 'module', 'gemm (m = 1)', 'gemmPacked (m = 1)', 'gemmPackB (once)'], layers);
}
