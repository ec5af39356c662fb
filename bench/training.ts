// Training and predict throughput of a small MLP, in samples per second, for neurasm (plain SIMD and
// relaxed SIMD modules), the plain-JS reference engine and TensorFlow.js (cpu and wasm backends).
import os from 'node:os';
import { backendInfo, relaxedSimdAvailable } from '../src/backend/loader.js';
import * as nn from '../src/index.js';
import { ReferenceMlp } from '../src/reference/mlp.js';
import { clockName, measure, median, now, printTable, randomFloats } from './harness.js';
import { loadTfjs, type Tfjs, type TfTensor, useTfjsBackend } from './tfjs.js';

/** A benchmarked model: layer widths (input first), batch size, number of synthetic examples. */
export interface Shape {
  sizes: number[];
  batch: number;
  examples: number;
}

export const SHAPES: Shape[] = [
  { sizes: [10, 64, 64, 10], batch: 32, examples: 4096 },
  { sizes: [784, 128, 10], batch: 128, examples: 2048 },
  { sizes: [784, 512, 512, 10], batch: 128, examples: 2048 },
];

/** The training speed targets: neurasm samples/s over tfjs-wasm samples/s, per shape. */
const TARGETS = [10, 3, 3];

/** Examples per predict call (batches of PREDICT_BATCH) are the whole synthetic set. */
const PREDICT_BATCH = 128;

/** Timed epochs: at least MIN_RUNS, more (up to MAX_RUNS) while they fit in RUN_BUDGET_MS. */
const MIN_RUNS = 5;
const MAX_RUNS = 25;
const RUN_BUDGET_MS = 1500;
/**
 * Warm-up: full epochs until WARMUP_MS have passed (at least one). V8 first runs Wasm and JS with
 * baseline code and optimizes hot functions in the background; a single small epoch is not enough.
 */
const WARMUP_MS = 1000;
/**
 * Slow baselines (reference JS and tfjs-cpu, when an epoch or a predict over the set is estimated above
 * SLOW_MS from two short warm-ups on the first WARM_BATCHES batches) are timed with fewer runs: as many
 * as fit in SLOW_BUDGET_MS, 1 to 3. neurasm and tfjs-wasm, the compared engines, always get full runs.
 */
const SLOW_MS = 4000;
const SLOW_BUDGET_MS = 10_000;
const WARM_BATCHES = 4;

/** Synthetic data of a shape: uniform inputs in [-1, 1), uniform random labels. */
interface DataSet {
  shape: Shape;
  x: Float32Array;
  y: Int32Array;
}

/** One engine trained on one shape: everything it needs is allocated when the session opens. */
interface Session {
  /** One epoch of minibatch training, shuffled, over the whole set or (`short`) its first WARM_BATCHES batches. */
  trainEpoch(short?: boolean): Promise<void>;
  /** Predictions for the whole set or (`short`) the same first rows, read back into JS memory. */
  predict(short?: boolean): void;
  dispose(): void;
}

/** A contender: `enter` selects it (module, backend), `open` builds a model for a data set. */
interface Engine {
  name: string;
  /** Whether its repetitions may be reduced when it is slow (the baselines only). */
  reducible: boolean;
  enter(): Promise<void>;
  open(data: DataSet): Session;
  /** Called after every session; throws if something leaked. */
  check(): void;
}

/** What one engine measured on one shape. */
interface Result {
  /** Samples/s. */
  train: number;
  predict: number;
  /** Timed epochs and predict calls, and whether they were reduced for a slow engine. */
  trainRuns: number;
  predictRuns: number;
  reduced: boolean;
  /** (max − min) / median of the timed epochs. */
  spread: number;
}

/** Rows of the short warm-up subset. */
function shortRows(shape: Shape): number {
  return Math.min(shape.examples, WARM_BATCHES * shape.batch);
}

function makeData(shape: Shape, seed: number): DataSet {
  const inputs = shape.sizes[0];
  const classes = shape.sizes[shape.sizes.length - 1];
  const x = randomFloats(shape.examples * inputs, seed);
  const u = randomFloats(shape.examples, seed + 1);
  const y = Int32Array.from(u, (v) => Math.min(classes - 1, Math.floor(((v + 1) / 2) * classes)));
  return { shape, x, y };
}

/** relu on hidden layers, softmax on the last, as in the classic Keras example model. */
function activationOf(layer: number, layers: number): 'relu' | 'softmax' {
  return layer === layers - 1 ? 'softmax' : 'relu';
}

/**
 * The benchmarked MLP of layer widths `sizes` (input first) in a neurasm module `lib` (this
 * checkout's, or another's for the compare suite): relu layers, a softmax output, seed 1.
 */
export function buildMlp(lib: typeof nn, sizes: readonly number[]): nn.Sequential {
  lib.setSeed(1);
  const model = lib.sequential();
  for (let l = 1; l < sizes.length; l++) {
    const first = l === 1 ? { inputShape: [sizes[0]] } : {};
    model.add(lib.layers.dense({ units: sizes[l], activation: activationOf(l - 1, sizes.length - 1), ...first }));
  }
  return model;
}

function neurasmEngine(relaxedSimd: boolean): Engine {
  return {
    name: relaxedSimd ? 'neurasm relaxed' : 'neurasm SIMD',
    reducible: false,
    async enter() {
      await nn.ready({ relaxedSimd });
    },
    open({ shape, x, y }) {
      const { sizes, batch, examples } = shape;
      const model = buildMlp(nn, sizes);
      model.compile({ optimizer: nn.train.adam(), loss: 'sparseCategoricalCrossentropy' });
      const xs = nn.tensor(x, [examples, sizes[0]], 'float32');
      const ys = nn.tensor(y, [examples], 'int32');
      const n = shortRows(shape);
      const xShort = nn.tensor(x.subarray(0, n * sizes[0]), [n, sizes[0]], 'float32');
      const yShort = nn.tensor(y.subarray(0, n), [n], 'int32');
      return {
        async trainEpoch(short = false) {
          const args = { batchSize: batch, epochs: 1, shuffle: true, verbose: 0 } as const;
          await (short ? model.fit(xShort, yShort, args) : model.fit(xs, ys, args));
        },
        predict(short = false) {
          const p = model.predict(short ? xShort : xs, { batchSize: PREDICT_BATCH });
          p.dataSync();
          p.dispose();
        },
        dispose() {
          model.dispose();
          for (const t of [xs, ys, xShort, yShort]) t.dispose();
        },
      };
    },
    check() {
      const { numTensors } = nn.memory();
      if (numTensors !== 0) throw new Error(`${this.name}: ${numTensors} tensor(s) still alive after dispose`);
    },
  };
}

const referenceEngine: Engine = {
  name: 'reference JS',
  reducible: true,
  async enter() {},
  open({ shape, x, y }) {
    const { sizes, batch, examples } = shape;
    const inputs = sizes[0];
    const classes = sizes[sizes.length - 1];
    const net = new ReferenceMlp(sizes, 1, { maxRows: Math.max(batch, PREDICT_BATCH) });
    // A short epoch shuffles the first rows only, so it never touches rows beyond them.
    const order = Int32Array.from({ length: examples }, (_, i) => i);
    const xb = new Float32Array(batch * inputs);
    const yb = new Int32Array(batch);
    const out = new Float32Array(examples * classes);
    let seed = 12345;
    return {
      async trainEpoch(short = false) {
        const count = short ? shortRows(shape) : examples;
        // Fisher-Yates shuffle with a small LCG, then gather each batch into fixed buffers.
        for (let i = count - 1; i > 0; i--) {
          seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
          const j = Math.floor((seed / 4294967296) * (i + 1));
          const t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
        for (let start = 0; start < count; start += batch) {
          const rows = Math.min(batch, count - start);
          for (let r = 0; r < rows; r++) {
            const from = order[start + r];
            xb.set(x.subarray(from * inputs, (from + 1) * inputs), r * inputs);
            yb[r] = y[from];
          }
          net.trainBatch(xb, yb, rows);
        }
      },
      predict(short = false) {
        const count = short ? shortRows(shape) : examples;
        for (let start = 0; start < count; start += PREDICT_BATCH) {
          const rows = Math.min(PREDICT_BATCH, count - start);
          net.predict(x.subarray(start * inputs), rows, out.subarray(start * classes));
        }
      },
      dispose() {},
    };
  },
  check() {},
};

function tfjsEngine(tfjs: Tfjs, backend: 'cpu' | 'wasm'): Engine {
  const { tf, tfl } = tfjs;
  return {
    name: `tfjs-${backend}`,
    reducible: backend === 'cpu',
    async enter() {
      await useTfjsBackend(tfjs, backend);
    },
    open({ shape, x, y }) {
      const { sizes, batch, examples } = shape;
      const model = tfl.sequential();
      for (let l = 1; l < sizes.length; l++) {
        const first = l === 1 ? { inputShape: [sizes[0]] } : {};
        model.add(tfl.layers.dense({ units: sizes[l], activation: activationOf(l - 1, sizes.length - 1), ...first }));
      }
      model.compile({ optimizer: tf.train.adam(), loss: 'sparseCategoricalCrossentropy' });
      const xs = tf.tensor2d(x, [examples, sizes[0]], 'float32');
      const ys = tf.tensor1d(Float32Array.from(y), 'float32');
      const n = shortRows(shape);
      const xShort = tf.tensor2d(x.subarray(0, n * sizes[0]), [n, sizes[0]], 'float32');
      const yShort = tf.tensor1d(Float32Array.from(y.subarray(0, n)), 'float32');
      return {
        async trainEpoch(short = false) {
          const args = { batchSize: batch, epochs: 1, shuffle: true, verbose: 0 } as const;
          await (short ? model.fit(xShort, yShort, args) : model.fit(xs, ys, args));
        },
        predict(short = false) {
          const p = model.predict(short ? xShort : xs, { batchSize: PREDICT_BATCH }) as TfTensor;
          p.dataSync();
          p.dispose();
        },
        dispose() {
          model.dispose();
          model.optimizer.dispose();
          for (const t of [xs, ys, xShort, yShort]) t.dispose();
        },
      };
    },
    check() {
      const { numTensors } = tf.memory();
      if (numTensors !== 0) throw new Error(`${this.name}: ${numTensors} tensor(s) still alive after dispose`);
    },
  };
}

/** Runs for an engine whose full run is estimated at `estimateMs`: null when it is not reduced. */
function slowRuns(engine: Engine, estimateMs: number): number | null {
  return engine.reducible && estimateMs > SLOW_MS
    ? Math.max(1, Math.min(3, Math.floor(SLOW_BUDGET_MS / estimateMs)))
    : null;
}

async function timeAsync(fn: () => Promise<void>): Promise<number> {
  const start = now();
  await fn();
  return now() - start;
}

/**
 * Epoch times: two short epochs on the first batches estimate a full one; then WARMUP_MS of full
 * warm-up epochs and MIN_RUNS..MAX_RUNS timed ones, or for a slow baseline 1 to 3 timed epochs.
 */
async function timeEpochs(
  engine: Engine,
  session: Session,
  shape: Shape,
): Promise<{ times: number[]; reduced: boolean }> {
  // The first short epoch pays for compilation; the second one gives the estimate.
  await session.trainEpoch(true);
  const estimate = ((await timeAsync(() => session.trainEpoch(true))) * shape.examples) / shortRows(shape);
  let runs = slowRuns(engine, estimate);
  const reduced = runs !== null;
  if (runs === null) {
    const warmStart = now();
    let warm: number;
    do warm = await timeAsync(() => session.trainEpoch());
    while (now() - warmStart < WARMUP_MS);
    runs = Math.min(MAX_RUNS, Math.max(MIN_RUNS, Math.floor(RUN_BUDGET_MS / Math.max(warm, 1e-3))));
  }
  const times: number[] = [];
  for (let r = 0; r < runs; r++) times.push(await timeAsync(() => session.trainEpoch()));
  return { times, reduced };
}

/** Predict time over the whole set: the harness's `measure`, or 1 to 3 single calls for a slow engine. */
function timePredict(engine: Engine, session: Session, shape: Shape): { ms: number; runs: number; reduced: boolean } {
  session.predict(true);
  const start = now();
  session.predict(true);
  const runs = slowRuns(engine, ((now() - start) * shape.examples) / shortRows(shape));
  if (runs === null) {
    const t = measure(() => session.predict(), { warmupMs: 300 });
    return { ms: t.medianMs, runs: t.reps * t.batches, reduced: false };
  }
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = now();
    session.predict();
    times.push(now() - t0);
  }
  return { ms: median(times), runs, reduced: true };
}

async function runEngine(engine: Engine, data: DataSet[]): Promise<Result[]> {
  await engine.enter();
  const results: Result[] = [];
  for (const d of data) {
    const session = engine.open(d);
    try {
      const train = await timeEpochs(engine, session, d.shape);
      const predict = timePredict(engine, session, d.shape);
      const n = d.shape.examples;
      const ms = median(train.times);
      const r: Result = {
        train: (n * 1000) / ms,
        predict: (n * 1000) / predict.ms,
        trainRuns: train.times.length,
        predictRuns: predict.runs,
        reduced: train.reduced || predict.reduced,
        spread: (Math.max(...train.times) - Math.min(...train.times)) / ms,
      };
      results.push(r);
      console.log(
        `  ${engine.name.padEnd(15)} ${d.shape.sizes.join('-').padEnd(14)} train ${fmt(r.train).padStart(6)}/s` +
          ` (${count(r.trainRuns, 'epoch')}, spread ${(100 * r.spread).toFixed(0)}%)  predict ${fmt(r.predict).padStart(6)}/s (${count(r.predictRuns, 'call')})`,
      );
    } finally {
      session.dispose();
    }
    engine.check();
  }
  return results;
}

/** Samples/s with three significant digits, as 1.23M, 45.6k or 789. */
function fmt(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (v >= 1e3) return `${(v / 1e3).toPrecision(3)}k`;
  return v.toPrecision(3);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(a / b >= 10 ? 0 : 1)}x`;
}

function printResults(kind: 'train' | 'predict', names: string[], results: Map<string, Result[]>): void {
  const get = (name: string, s: number) => results.get(name)?.[s][kind];
  const simd = 'neurasm SIMD';
  const relaxed = 'neurasm relaxed';
  const header = [
    'model (batch)',
    ...names,
    'SIMD/tfjs-wasm',
    'relaxed/tfjs-wasm',
    'SIMD/ref',
    'relaxed/ref',
    ...(kind === 'train' ? ['target vs tfjs-wasm'] : []),
  ];
  const rows = SHAPES.map((shape, s) => [
    `${shape.sizes.join('-')} (${kind === 'train' ? shape.batch : PREDICT_BATCH})`,
    ...names.map((n) => {
      const v = get(n, s);
      return v === undefined ? 'n/a' : fmt(v);
    }),
    ratio(get(simd, s), get('tfjs-wasm', s)),
    ratio(get(relaxed, s), get('tfjs-wasm', s)),
    ratio(get(simd, s), get('reference JS', s)),
    ratio(get(relaxed, s), get('reference JS', s)),
    ...(kind === 'train' ? [`≥${TARGETS[s]}x`] : []),
  ]);
  printTable(header, rows);
}

/** Runs the suite and prints its tables. */
export async function runTraining(): Promise<void> {
  console.log('## MLP training and predict throughput (samples/s, single thread)\n');
  const tfjs = await loadTfjs();
  const engines: Engine[] = [neurasmEngine(false)];
  if (relaxedSimdAvailable()) engines.push(neurasmEngine(true));
  engines.push(referenceEngine, tfjsEngine(tfjs, 'cpu'), tfjsEngine(tfjs, 'wasm'));
  const data = SHAPES.map((shape, s) => makeData(shape, 100 + s));
  const started = performance.now();
  console.log(`load average (1 min) at suite start: ${os.loadavg()[0].toFixed(2)}`);
  const results = new Map<string, Result[]>();
  for (const engine of engines) {
    results.set(engine.name, await runEngine(engine, data));
    if (engine.name.startsWith('neurasm')) console.log(`    (module: ${backendInfo().module})`);
  }
  const wasmSimd = await tfjs.tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const wasmThreads = await tfjs.tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const names = engines.map((e) => e.name);
  console.log('\n### Training (one epoch of model.fit, shuffled, Adam, sparse categorical crossentropy)\n');
  printResults('train', names, results);
  console.log(`\n### Predict (model.predict over the whole set in batches of ${PREDICT_BATCH}, read back)\n`);
  printResults('predict', names, results);
  const reduced = engines.flatMap((e) =>
    (results.get(e.name) ?? []).flatMap((r, s) =>
      r.reduced
        ? [
            `${e.name} on ${SHAPES[s].sizes.join('-')} (${count(r.trainRuns, 'epoch')}, ${count(r.predictRuns, 'predict call')})`,
          ]
        : [],
    ),
  );
  console.log(
    `\nData: uniform random inputs in [-1, 1) and random labels (fixed seeds), ${SHAPES.map((s) => `${s.examples}`).join('/')} examples.` +
      ` Training: median of ${MIN_RUNS}-${MAX_RUNS} timed epochs (as many as fit in ${RUN_BUDGET_MS / 1000} s) after two short (first batches) and ${WARMUP_MS / 1000} s (at least one) of full warm-up epochs;` +
      ` predict: the harness's median of timed batches; all on ${clockName}.` +
      `\nEngines: neurasm Sequential (fit/predict); reference JS = src/reference/mlp.ts (float32 arrays, i-k-j loops, no per-step allocation);` +
      ` tfjs ${tfjs.version} (tfjs-layers fit/predict; wasm backend SIMD ${wasmSimd ? 'on' : 'off'}, threads ${wasmThreads ? 'on' : 'off'}).`,
  );
  if (reduced.length > 0) {
    console.log(
      `Reduced repetitions for slow baselines, to keep the suite short (full epoch or predict estimated over ${SLOW_MS / 1000} s; warm-up on the first ${WARM_BATCHES} batches only, then as many single runs as fit in ${SLOW_BUDGET_MS / 1000} s, 1 to 3, median): ${reduced.join('; ')}.`,
    );
  }
  console.log(
    `Suite time ${((performance.now() - started) / 1000).toFixed(0)} s wall; load average (1 min) at suite end: ${os.loadavg()[0].toFixed(2)}.`,
  );
}
