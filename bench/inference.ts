// Inference speed of the benchmarked MLPs, neurasm f32 (plain and relaxed SIMD modules) against ONNX
// Runtime Web f32 (wasm backend, one thread) on the same weights, in the same run: batch-1 latency of a
// call that returns the output to JS, and batch-128 throughput.
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { backendInfo, relaxedSimdAvailable } from '../src/backend/loader.js';
import * as nn from '../src/index.js';
import { clockName, median, now, printTable, randomFloats } from './harness.js';
import { denseLayersOf, encodeMlp } from './onnx-mlp.js';
import { buildMlp, SHAPES } from './training.js';

/** Rows of the throughput measurement. */
const BATCH = 128;
/**
 * Warm-up: rounds of about BATCH_MS until one is not STABLE faster than the one before (at least
 * MIN_WARMUP_MS, at most MAX_WARMUP_MS). V8 compiles Wasm with its baseline compiler first and tiers hot
 * functions up later; ONNX Runtime's large module took up to 1.5 s of batch-1 calls to get there (784-512-512-10).
 */
const MIN_WARMUP_MS = 2000;
const MAX_WARMUP_MS = 5000;
const STABLE = 0.03;
/** Timed: TIMED_BATCHES batches of about BATCH_MS, the median time per call is reported. */
const BATCH_MS = 100;
const TIMED_BATCHES = 7;

/** One engine on one model: a forward pass of [rows, features] inputs, output read back into JS. */
type Infer = (rows: 1 | typeof BATCH) => Promise<void> | void;

/** What was measured: batch-1 latency in µs and batch-128 throughput in samples/s. */
interface Figures {
  latencyUs: number;
  throughput: number;
}

/** Time per call in ms of `reps` calls in a row (a synchronous call is not awaited). */
async function timeCalls(fn: () => Promise<void> | void, reps: number): Promise<number> {
  const start = now();
  for (let r = 0; r < reps; r++) {
    const pending = fn();
    if (pending) await pending;
  }
  return (now() - start) / reps;
}

/**
 * Median time of one call in ms, as the harness's `measure` but for calls that may be async
 * (ORT's session.run) and with a warm-up that waits for the timings to settle (see MIN_WARMUP_MS).
 */
async function measureCall(fn: () => Promise<void> | void): Promise<number> {
  const warmStart = now();
  let perCall = await timeCalls(fn, 2);
  let reps = Math.max(1, Math.round(BATCH_MS / perCall));
  for (;;) {
    const next = await timeCalls(fn, reps);
    const settled = next > perCall * (1 - STABLE) && now() - warmStart >= MIN_WARMUP_MS;
    perCall = next;
    reps = Math.max(1, Math.round(BATCH_MS / perCall));
    if (settled || now() - warmStart >= MAX_WARMUP_MS) break;
  }
  const times: number[] = [];
  for (let b = 0; b < TIMED_BATCHES; b++) times.push(await timeCalls(fn, reps));
  return median(times);
}

async function figuresOf(infer: Infer): Promise<Figures> {
  const latencyMs = await measureCall(() => infer(1));
  const batchMs = await measureCall(() => infer(BATCH));
  return { latencyUs: latencyMs * 1000, throughput: BATCH / (batchMs / 1000) };
}

/** neurasm in the module selected by the last nn.ready: predict on a prepared tensor, dataSync, dispose. */
async function neurasmFigures(sizes: readonly number[], inputs: Float32Array): Promise<Figures> {
  const model = buildMlp(nn, sizes);
  const one = nn.tensor(inputs.subarray(0, sizes[0]), [1, sizes[0]], 'float32');
  const many = nn.tensor(inputs, [BATCH, sizes[0]], 'float32');
  const figures = await figuresOf((rows) => {
    const p = model.predict(rows === 1 ? one : many, { batchSize: BATCH });
    p.dataSync();
    p.dispose();
  });
  for (const t of [one, many]) t.dispose();
  model.dispose();
  return figures;
}

/** ONNX Runtime Web on the ONNX export of the same weights: session.run on a prepared tensor. */
async function ortFigures(onnx: Uint8Array, features: number, inputs: Float32Array): Promise<Figures> {
  const session = await ort.InferenceSession.create(onnx, { executionProviders: ['wasm'] });
  const feeds = {
    1: { x: new ort.Tensor('float32', inputs.subarray(0, features), [1, features]) },
    [BATCH]: { x: new ort.Tensor('float32', inputs, [BATCH, features]) },
  };
  const figures = await figuresOf(async (rows) => {
    const { y } = await session.run(feeds[rows]);
    y.dispose();
  });
  await session.release();
  return figures;
}

function formatRate(samplesPerSecond: number): string {
  if (samplesPerSecond >= 1e6) return `${(samplesPerSecond / 1e6).toFixed(2)}M`;
  if (samplesPerSecond >= 1e3) return `${(samplesPerSecond / 1e3).toFixed(1)}k`;
  return samplesPerSecond.toFixed(0);
}

/** Runs the suite and prints its table. */
export async function runInference(): Promise<void> {
  console.log('## MLP inference: neurasm f32 vs ONNX Runtime Web f32 (single thread)\n');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = `${path.resolve('node_modules/onnxruntime-web/dist')}/`;
  console.log(`onnxruntime-web ${ort.env.versions.web} (wasm backend, numThreads ${ort.env.wasm.numThreads})`);
  console.log(
    `batch-1: latency of one call returning the output to JS (µs); batch-${BATCH}: samples/s; clock: ${clockName}`,
  );
  console.log(`load average (1 min) at suite start: ${os.loadavg()[0].toFixed(2)}\n`);
  const modules = relaxedSimdAvailable() ? [false, true] : [false];
  const rows: string[][] = [];
  for (const { sizes } of SHAPES) {
    const inputs = randomFloats(BATCH * sizes[0], 3);
    await nn.ready({ relaxedSimd: false });
    const exported = buildMlp(nn, sizes);
    const onnx = encodeMlp(denseLayersOf(exported));
    exported.dispose();
    const results: [string, Figures][] = [];
    for (const relaxedSimd of modules) {
      await nn.ready({ relaxedSimd });
      results.push([`neurasm f32 (${backendInfo().module})`, await neurasmFigures(sizes, inputs)]);
    }
    results.push(['ORT-web f32 (wasm)', await ortFigures(onnx, sizes[0], inputs)]);
    for (const [engine, { latencyUs, throughput }] of results) {
      rows.push([sizes.join('-'), engine, latencyUs.toFixed(1), formatRate(throughput)]);
    }
  }
  printTable(['model', 'engine', 'batch-1 µs', `batch-${BATCH} samples/s`], rows);
  console.log(`\nload average (1 min) at suite end: ${os.loadavg()[0].toFixed(2)}`);
}
