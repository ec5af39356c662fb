// Inference speed of the benchmarked MLPs, neurasm f32 (plain and relaxed SIMD modules) against ONNX
// Runtime Web (wasm backend, one thread) in f32 and in int8 (onnxruntime's dynamic and static QDQ quantization of
// the same weights, committed in bench/models/), in the same run: batch-1 latency of a call that returns the output
// to JS, and batch-128 throughput. Every engine's outputs on the batch are checked against ORT-web f32's.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { relaxedSimdAvailable } from '../src/backend/loader.js';
import * as nn from '../src/index.js';
import { clockName, median, now, printTable, randomFloats } from './harness.js';
import {
  benchLayers,
  CALIBRATION,
  type Int8Variant,
  loadInt8Models,
  MODELS_DIR,
  readManifest,
  writeF32Models,
} from './int8-models.js';
import { encodeMlp } from './onnx-mlp.js';
import { buildMlp, SHAPES } from './training.js';

/** Rows of the throughput measurement. */
const BATCH = 128;
/**
 * Warm-up: rounds of about BATCH_MS until one is not STABLE faster than the one before (at least
 * MIN_WARMUP_MS, at most MAX_WARMUP_MS). V8 compiles Wasm with its baseline compiler first and tiers hot
 * functions up later; ONNX Runtime's large module took up to 1.5 s of batch-1 calls to get there (784-512-512-10).
 */
const MIN_WARMUP_MS = 2000;
/** The warm-up of the later rounds, on code V8 has already tiered up. */
const LATER_MIN_WARMUP_MS = 300;
/**
 * Rounds over all engines (BENCH_ROUNDS, default 3; in reverse order every other round): each figure
 * printed is the median over the rounds, as the machine's load comes and goes.
 */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
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
async function measureCall(fn: () => Promise<void> | void, minWarmupMs: number): Promise<number> {
  const warmStart = now();
  let perCall = await timeCalls(fn, 2);
  let reps = Math.max(1, Math.round(BATCH_MS / perCall));
  for (;;) {
    const next = await timeCalls(fn, reps);
    const settled = next > perCall * (1 - STABLE) && now() - warmStart >= minWarmupMs;
    perCall = next;
    reps = Math.max(1, Math.round(BATCH_MS / perCall));
    if (settled || now() - warmStart >= MAX_WARMUP_MS) break;
  }
  const times: number[] = [];
  for (let b = 0; b < TIMED_BATCHES; b++) times.push(await timeCalls(fn, reps));
  return median(times);
}

async function figuresOf(infer: Infer, minWarmupMs: number): Promise<Figures> {
  const latencyMs = await measureCall(() => infer(1), minWarmupMs);
  const batchMs = await measureCall(() => infer(BATCH), minWarmupMs);
  return { latencyUs: latencyMs * 1000, throughput: BATCH / (batchMs / 1000) };
}

/** One model of the suite, as every engine gets it: the same weights in each format, the same inputs. */
interface BenchModel {
  sizes: readonly number[];
  /** BATCH rows of inputs; batch 1 uses the first. */
  inputs: Float32Array;
  /** The neurasm weights written as an ONNX f32 MLP (bench/onnx-mlp.ts). */
  f32Onnx: Uint8Array;
  /** onnxruntime's int8 quantizations of the same weights (bench/models/, checked by loadInt8Models). */
  int8: Record<Int8Variant, Uint8Array>;
}

/** An engine opened on a model. */
interface Runner {
  infer: Infer;
  /** Its outputs for the BATCH inputs, copied into JS. */
  outputs(): Promise<Float32Array>;
  close(): Promise<void> | void;
}

/** A row of the table: an engine and how to open it on a model. */
interface Engine {
  name: string;
  open(model: BenchModel): Promise<Runner>;
}

/** How neurasm runs the model: float32, or quantized by nn.quantize in one of its modes. */
type Precision = 'f32' | 'int8 dynamic' | 'int8 static';

/** The engine name of neurasm in a precision and module. */
function neurasmName(precision: Precision, relaxedSimd: boolean): string {
  return `neurasm ${precision} (${relaxedSimd ? 'relaxed-simd' : 'simd'})`;
}

/**
 * neurasm in a kernel module: predict on a prepared tensor, dataSync, dispose. The int8 models are
 * nn.quantize of the same float model; static mode calibrates on the rows ORT's QDQ model was calibrated on.
 */
function neurasmEngine(relaxedSimd: boolean, precision: Precision = 'f32'): Engine {
  return {
    name: neurasmName(precision, relaxedSimd),
    async open({ sizes, inputs }) {
      await nn.ready({ relaxedSimd });
      const float = buildMlp(nn, sizes);
      let model = float;
      if (precision !== 'f32') {
        const calibration = nn.tensor(randomFloats(CALIBRATION.rows * sizes[0], CALIBRATION.seed), [
          CALIBRATION.rows,
          sizes[0],
        ]);
        model = await nn.quantize(
          float,
          precision === 'int8 static' ? { mode: 'static', calibrationData: calibration } : {},
        );
        calibration.dispose();
        float.dispose();
      }
      const one = nn.tensor(inputs.subarray(0, sizes[0]), [1, sizes[0]], 'float32');
      const many = nn.tensor(inputs, [BATCH, sizes[0]], 'float32');
      const predict = (x: nn.Tensor) => {
        const p = model.predict(x, { batchSize: BATCH });
        const values = p.dataSync() as Float32Array;
        p.dispose();
        return values;
      };
      return {
        infer: (rows) => {
          predict(rows === 1 ? one : many);
        },
        outputs: async () => Float32Array.from(predict(many)),
        close() {
          for (const t of [one, many]) t.dispose();
          model.dispose();
        },
      };
    },
  };
}

/** ONNX Runtime Web on one ONNX form of the model's weights: session.run on a prepared tensor. */
function ortEngine(name: string, onnxOf: (model: BenchModel) => Uint8Array): Engine {
  return {
    name,
    async open(model) {
      const features = model.sizes[0];
      const session = await ort.InferenceSession.create(onnxOf(model), { executionProviders: ['wasm'] });
      const feeds = {
        1: { x: new ort.Tensor('float32', model.inputs.subarray(0, features), [1, features]) },
        [BATCH]: { x: new ort.Tensor('float32', model.inputs, [BATCH, features]) },
      };
      return {
        infer: async (rows) => {
          const { y } = await session.run(feeds[rows]);
          y.dispose();
        },
        outputs: async () => {
          const { y } = await session.run(feeds[BATCH]);
          const values = Float32Array.from(y.data as Float32Array);
          y.dispose();
          return values;
        },
        close: () => session.release(),
      };
    },
  };
}

/** The engine every other one's outputs are checked against, and the baseline of the ratios. */
const ORT_F32 = 'ORT-web f32';

/** The engines of the table, in the order they run on each model. */
function enginesOf(relaxed: boolean): Engine[] {
  const modules = relaxed ? [false, true] : [false];
  return [
    ...(['f32', 'int8 dynamic', 'int8 static'] as const).flatMap((p) => modules.map((r) => neurasmEngine(r, p))),
    ortEngine(ORT_F32, (m) => m.f32Onnx),
    ortEngine('ORT-web int8 dynamic', (m) => m.int8['int8-dynamic']),
    ortEngine('ORT-web int8 QDQ', (m) => m.int8['int8-qdq']),
  ];
}

/** The ratios printed: [engine, baseline] pairs, skipped when either did not run. */
const RATIOS: [string, string][] = [
  ['neurasm f32 (simd)', ORT_F32],
  ['neurasm f32 (relaxed-simd)', ORT_F32],
  ['ORT-web int8 dynamic', ORT_F32],
  ['ORT-web int8 QDQ', ORT_F32],
  // the int8 speed targets: against neurasm f32 (relaxed) and against ORT-web's int8 of the same kind
  ['neurasm int8 dynamic (relaxed-simd)', 'neurasm f32 (relaxed-simd)'],
  ['neurasm int8 static (relaxed-simd)', 'neurasm f32 (relaxed-simd)'],
  ['neurasm int8 dynamic (simd)', 'neurasm f32 (simd)'],
  ['neurasm int8 dynamic (relaxed-simd)', 'ORT-web int8 dynamic'],
  ['neurasm int8 dynamic (simd)', 'ORT-web int8 dynamic'],
  ['neurasm int8 static (relaxed-simd)', 'ORT-web int8 QDQ'],
  ['neurasm int8 static (simd)', 'ORT-web int8 QDQ'],
];

/** Rows (of `classes` values each) whose largest value is at the same index in both, and the largest |a - b|. */
function agreement(a: Float32Array, b: Float32Array, classes: number): { top1: number; maxDiff: number } {
  const argmax = (v: Float32Array, row: number) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (v[row * classes + c] > v[row * classes + best]) best = c;
    return best;
  };
  let top1 = 0;
  let maxDiff = 0;
  for (let r = 0; r < a.length / classes; r++) if (argmax(a, r) === argmax(b, r)) top1++;
  for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
  return { top1, maxDiff };
}

function formatRate(samplesPerSecond: number): string {
  if (samplesPerSecond >= 1e6) return `${(samplesPerSecond / 1e6).toFixed(2)}M`;
  if (samplesPerSecond >= 1e3) return `${(samplesPerSecond / 1e3).toFixed(1)}k`;
  return samplesPerSecond.toFixed(0);
}

/** What scripts/onnx/native_bench.py prints: per model and variant (f32, int8-dynamic, int8-qdq), its figures. */
interface NativeFigures {
  onnxruntime: string;
  models: Record<string, Record<string, Figures>>;
}

/**
 * Native onnxruntime (Python, CPU EP, one thread) on the same f32 weights and int8 files, as a printed reference,
 * when a Python with onnxruntime is found (NEURASM_BENCH_PYTHON, else .venv/bin/python); else why not.
 */
function nativeOrt(): NativeFigures | string {
  const python = process.env.NEURASM_BENCH_PYTHON ?? path.resolve('.venv/bin/python');
  if (!existsSync(python)) return `no Python at ${python} (NEURASM_BENCH_PYTHON names one)`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'neurasm-onnx-'));
  try {
    writeF32Models(nn, dir);
    const out = execFileSync(python, [path.resolve('scripts/onnx/native_bench.py'), dir, MODELS_DIR], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as NativeFigures;
  } catch (e) {
    const status = (e as { status?: number }).status;
    return status === 3 ? `${python} has no onnxruntime` : `native_bench.py failed: ${(e as Error).message}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints the native onnxruntime figures, or why there are none. */
function printNativeOrt(): void {
  const native = nativeOrt();
  if (typeof native === 'string') {
    console.log(`\nNative onnxruntime reference: skipped, ${native}.`);
    return;
  }
  console.log(
    `\nReference only, not a peer of the table above: native onnxruntime ${native.onnxruntime} (Python, CPU ` +
      'execution provider, one thread) on the same f32 weights and int8 files (scripts/onnx/native_bench.py):\n',
  );
  const rows: string[][] = [];
  for (const [model, variants] of Object.entries(native.models)) {
    for (const [variant, { latencyUs, throughput }] of Object.entries(variants)) {
      rows.push([model, `native ORT ${variant}`, latencyUs.toFixed(1), formatRate(throughput)]);
    }
  }
  printTable(['model', 'engine', 'batch-1 µs', `batch-${BATCH} samples/s`], rows);
}

/** Runs the suite and prints its tables. */
export async function runInference(): Promise<void> {
  console.log('## MLP inference: neurasm f32 vs ONNX Runtime Web f32 and int8 (single thread)\n');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = `${path.resolve('node_modules/onnxruntime-web/dist')}/`;
  console.log(`onnxruntime-web ${ort.env.versions.web} (wasm backend, numThreads ${ort.env.wasm.numThreads})`);
  const { generator } = readManifest();
  console.log(
    `int8: bench/models/ (onnxruntime ${generator.onnxruntime} quantize_dynamic per-channel QInt8 weights; ` +
      'quantize_static QDQ per-channel QInt8 weights, QUInt8 activations, MinMax calibration, softmax in f32; ' +
      'all options in bench/models/manifest.json)',
  );
  console.log(
    `batch-1: latency of one call returning the output to JS (µs); batch-${BATCH}: samples/s; clock: ${clockName}; medians of ${ROUNDS} rounds over all engines (BENCH_ROUNDS)`,
  );
  console.log(`load average (1 min) at suite start: ${os.loadavg()[0].toFixed(2)}\n`);
  const engines = enginesOf(relaxedSimdAvailable());
  const rows: string[][] = [];
  const ratioRows: string[][] = [];
  const agreementRows: string[][] = [];
  for (const { sizes } of SHAPES) {
    const name = sizes.join('-');
    await nn.ready({ relaxedSimd: false });
    const layers = benchLayers(nn, sizes);
    const model: BenchModel = {
      sizes,
      inputs: randomFloats(BATCH * sizes[0], 3),
      f32Onnx: encodeMlp(layers),
      int8: loadInt8Models(layers),
    };
    const rounds = new Map<string, Figures[]>(engines.map((e) => [e.name, []]));
    const outputs = new Map<string, Float32Array>();
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? engines : [...engines].reverse();
      for (const engine of order) {
        const runner = await engine.open(model);
        rounds.get(engine.name)!.push(await figuresOf(runner.infer, round === 0 ? MIN_WARMUP_MS : LATER_MIN_WARMUP_MS));
        if (round === 0) outputs.set(engine.name, await runner.outputs());
        await runner.close();
      }
    }
    const figures = new Map<string, Figures>(
      engines.map((e) => {
        const all = rounds.get(e.name)!;
        return [
          e.name,
          { latencyUs: median(all.map((f) => f.latencyUs)), throughput: median(all.map((f) => f.throughput)) },
        ];
      }),
    );
    for (const [engine, { latencyUs, throughput }] of figures) {
      rows.push([name, engine, latencyUs.toFixed(1), formatRate(throughput)]);
    }
    for (const [engine, baseline] of RATIOS) {
      const a = figures.get(engine);
      const b = figures.get(baseline);
      if (!a || !b) continue;
      const speedups = [b.latencyUs / a.latencyUs, a.throughput / b.throughput];
      ratioRows.push([name, `${engine} / ${baseline}`, ...speedups.map((x) => `${x.toFixed(2)}×`)]);
    }
    const reference = outputs.get(ORT_F32)!;
    for (const [engine, values] of outputs) {
      if (engine === ORT_F32) continue;
      const { top1, maxDiff } = agreement(values, reference, sizes[sizes.length - 1]);
      agreementRows.push([name, engine, `${top1}/${BATCH}`, maxDiff.toExponential(2)]);
    }
  }
  printTable(['model', 'engine', 'batch-1 µs', `batch-${BATCH} samples/s`], rows);
  console.log('\nSpeed-ups (baseline time / engine time; above 1: the engine is faster):\n');
  printTable(['model', 'engine / baseline', 'batch-1', `batch-${BATCH}`], ratioRows);
  console.log(`\nOutputs on the ${BATCH} inputs against ${ORT_F32} (softmax probabilities):\n`);
  printTable(['model', 'engine', 'same top-1 class', 'max |Δp|'], agreementRows);
  printNativeOrt();
  console.log(`\nload average (1 min) at suite end: ${os.loadavg()[0].toFixed(2)}`);
}
