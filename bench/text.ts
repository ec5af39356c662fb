// Training throughput of the text classifiers (samples/s, single thread): sequences of 200 token ids
// from a vocabulary of 20,000, an embedding of 64, batch 32, Adam, binary cross-entropy. neurasm
// (plain and relaxed SIMD) against TensorFlow.js (wasm and cpu backends) in the same run, and native
// Keras on TensorFlow when a Python with TensorFlow is at hand (bench/keras-text.py).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backendInfo, relaxedSimdAvailable } from '../src/backend/loader.js';
import * as nn from '../src/index.js';
import { clockName, median, now, printTable } from './harness.js';
import { type Tfjs, useTfjsBackend } from './tfjs.js';

/** The benchmark's data: token ids [EXAMPLES, STEPS] in [1, VOCABULARY), labels 0/1. */
const STEPS = 200;
const VOCABULARY = 20_000;
const EMBEDDING = 64;
const BATCH = 32;
const EXAMPLES = 512;

/** The text classifiers, as their layers after the embedding. */
export const TEXT_MODELS = ['avgpool', 'conv1d', 'lstm', 'gru'] as const;
type TextModel = (typeof TEXT_MODELS)[number];

const DESCRIPTIONS: Record<TextModel, string> = {
  avgpool: 'embedding + globalAveragePooling1d',
  conv1d: 'embedding + conv1d(128, 5) + globalMaxPooling1d',
  lstm: 'embedding + lstm(64)',
  gru: 'embedding + gru(64)',
};

/** Native Keras 3.15 on TensorFlow 2.21 (CPU, one thread) on this machine, when it cannot run here. */
const KERAS_MEASURED: Record<TextModel, number> = { avgpool: 4272, conv1d: 1683, lstm: 802, gru: 702 };

/** The targets: at least these multiples of native Keras, and of tfjs-wasm. */
const TARGET_VS_KERAS = 2;
const TARGET_VS_TFJS_WASM = 10;

/** Timed runs: each trains on RUN_MS worth of batches (at least MIN_BATCHES), median of RUNS. */
const RUN_MS = 1000;
const MIN_BATCHES = 2;
const RUNS = 5;
/** Slow engines (a batch over SLOW_BATCH_MS) get SLOW_RUNS runs of MIN_BATCHES. */
const SLOW_BATCH_MS = 400;
const SLOW_RUNS = 2;

/** The suite's data, the same in every process (fixed seed). */
export function makeData(): { ids: Int32Array; labels: Float32Array } {
  let s = 20_261_204;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const ids = Int32Array.from({ length: EXAMPLES * STEPS }, () => 1 + Math.floor(next() * (VOCABULARY - 1)));
  const labels = Float32Array.from({ length: EXAMPLES }, () => (next() < 0.5 ? 0 : 1));
  return { ids, labels };
}

/** One engine with one model: `train(batches)` runs that many batches of fit (no shuffle). */
export interface Session {
  train(batches: number): Promise<void>;
  dispose(): void;
}

/** fit's options in every session: one pass over the given batches, in order. */
const FIT_OPTIONS = { batchSize: BATCH, epochs: 1, shuffle: false, verbose: 0 } as const;

/**
 * A session that fits on consecutive slices of the data xs [EXAMPLES, STEPS], ys [EXAMPLES, 1],
 * starting over at the top when the next slice would run past the end. `dispose` frees the model.
 */
function slicedSession<T extends { dispose(): void }>(
  xs: T,
  ys: T,
  slice: (t: T, begin: number[], size: number[]) => T,
  fitSlice: (x: T, y: T) => Promise<unknown>,
  dispose: () => void,
): Session {
  let offset = 0;
  return {
    async train(batches) {
      const rows = batches * BATCH;
      if (offset + rows > EXAMPLES) offset = 0;
      const x = slice(xs, [offset, 0], [rows, STEPS]);
      const y = slice(ys, [offset, 0], [rows, 1]);
      offset += rows;
      try {
        await fitSlice(x, y);
      } finally {
        x.dispose();
        y.dispose();
      }
    },
    dispose() {
      dispose();
      xs.dispose();
      ys.dispose();
    },
  };
}

export interface Engine {
  name: string;
  enter(): Promise<void>;
  open(model: TextModel, data: ReturnType<typeof makeData>): Session;
}

export function neurasmEngine(relaxedSimd: boolean): Engine {
  return {
    name: relaxedSimd ? 'neurasm relaxed' : 'neurasm SIMD',
    async enter() {
      await nn.ready({ relaxedSimd });
    },
    open(kind, { ids, labels }) {
      nn.setSeed(1);
      const l = nn.layers;
      const middle: nn.layers.Layer[] = {
        avgpool: () => [l.globalAveragePooling1d()],
        conv1d: () => [l.conv1d({ filters: 128, kernelSize: 5, activation: 'relu' }), l.globalMaxPooling1d()],
        lstm: () => [l.lstm({ units: 64, recurrentActivation: 'sigmoid' })],
        gru: () => [l.gru({ units: 64, recurrentActivation: 'sigmoid' })],
      }[kind]();
      const model = nn.sequential({
        layers: [
          l.embedding({ inputDim: VOCABULARY, outputDim: EMBEDDING, inputLength: STEPS }),
          ...middle,
          l.dense({ units: 1, activation: 'sigmoid' }),
        ],
      });
      model.compile({ optimizer: nn.train.adam(), loss: 'binaryCrossentropy' });
      return slicedSession(
        nn.tensor(ids, [EXAMPLES, STEPS], 'int32'),
        nn.tensor(labels, [EXAMPLES, 1], 'float32'),
        (t, begin, size) => nn.slice(t, begin, size),
        (x, y) => model.fit(x, y, FIT_OPTIONS),
        () => model.dispose(),
      );
    },
  };
}

export function tfjsEngine(tfjs: Tfjs, backend: 'cpu' | 'wasm'): Engine {
  const { tf, tfl } = tfjs;
  return {
    name: `tfjs-${backend}`,
    async enter() {
      await useTfjsBackend(tfjs, backend);
    },
    open(kind, { ids, labels }) {
      const l = tfl.layers;
      const middle = {
        avgpool: () => [l.globalAveragePooling1d({})],
        conv1d: () => [l.conv1d({ filters: 128, kernelSize: 5, activation: 'relu' }), l.globalMaxPooling1d({})],
        lstm: () => [l.lstm({ units: 64, recurrentActivation: 'sigmoid' })],
        gru: () => [l.gru({ units: 64, recurrentActivation: 'sigmoid' })],
      }[kind]();
      const model = tfl.sequential({
        layers: [
          l.embedding({ inputDim: VOCABULARY, outputDim: EMBEDDING, inputLength: STEPS }),
          ...middle,
          l.dense({ units: 1, activation: 'sigmoid' }),
        ],
      });
      model.compile({ optimizer: tf.train.adam(), loss: 'binaryCrossentropy' });
      return slicedSession(
        tf.tensor2d(ids, [EXAMPLES, STEPS], 'int32'),
        tf.tensor2d(labels, [EXAMPLES, 1], 'float32'),
        (t, begin, size) => tf.slice(t, begin, size),
        (x, y) => model.fit(x, y, FIT_OPTIONS),
        () => {
          model.dispose();
          model.optimizer.dispose();
        },
      );
    },
  };
}

async function timeAsync(fn: () => Promise<void>): Promise<number> {
  const start = now();
  await fn();
  return now() - start;
}

/** What one engine measured on one model. */
export interface Measured {
  rate: number;
  batches: number;
  runs: number;
}

/**
 * Samples/s of one engine on one model: warm-up, then the median of timed runs. `onEstimate`
 * hears the rate of the first timed batches, before the runs.
 */
export async function samplesPerSecond(session: Session, onEstimate?: (rate: number) => void): Promise<Measured> {
  await session.train(1); // records the traces / compiles
  const perBatch = (await timeAsync(() => session.train(MIN_BATCHES))) / MIN_BATCHES;
  onEstimate?.((BATCH * 1000) / perBatch);
  const slow = perBatch > SLOW_BATCH_MS;
  const batches = slow ? MIN_BATCHES : Math.max(MIN_BATCHES, Math.min(EXAMPLES / BATCH, Math.round(RUN_MS / perBatch)));
  const runs = slow ? SLOW_RUNS : RUNS;
  const times: number[] = [];
  for (let r = 0; r < runs; r++) times.push(await timeAsync(() => session.train(batches)));
  return { rate: (batches * BATCH * 1000) / median(times), batches, runs };
}

/** Native Keras samples/s per model from bench/keras-text.py, or null without a Python with TensorFlow. */
function kerasInThisRun(): Partial<Record<TextModel, number>> | null {
  const python = process.env.NEURASM_BENCH_PYTHON ?? path.resolve('.venv/bin/python');
  if (!existsSync(python)) return null;
  try {
    const out = execFileSync(python, [path.resolve('bench/keras-text.py')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
    });
    return JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
  } catch {
    return null;
  }
}

function fmt(v: number | undefined): string {
  if (v === undefined) return 'fails';
  return v >= 1e3 ? `${(v / 1e3).toPrecision(3)}k` : v.toPrecision(3);
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(a / b >= 10 ? 0 : 1)}x`;
}

/** Runs the suite and prints its table. */
/**
 * tfjs runs each model in a process of its own (bench/text-one.ts), stopped after TFJS_TIMEOUT_MS:
 * its cpu backend takes minutes for one batch of an embedding model (the gradient of the gather
 * runs UnsortedSegmentSum over all 20,000 rows) while its memory grows, and a failed fit on the
 * wasm backend leaves tfjs keeping every tensor it makes afterwards.
 */
const TFJS_TIMEOUT_MS = 120_000;

/** What a tfjs engine did on one model, measured in a child process. */
type TfjsOutcome =
  | { kind: 'measured'; measured: Measured }
  | { kind: 'estimated'; rate: number }
  | { kind: 'timeout' }
  | { kind: 'failed'; message: string };

function tfjsInChild(engine: 'tfjs-cpu' | 'tfjs-wasm', model: TextModel): TfjsOutcome {
  const child = spawnSync(
    process.execPath,
    ['--experimental-wasm-relaxed-simd', '--import', 'tsx', path.resolve('bench/text-one.ts'), engine, model],
    { encoding: 'utf8', timeout: TFJS_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
  );
  const lines = (child.stdout ?? '')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { estimate?: number; measured?: Measured; error?: string });
  const done = lines.find((l) => l.measured || l.error);
  if (done?.measured) return { kind: 'measured', measured: done.measured };
  if (done?.error) return { kind: 'failed', message: done.error };
  const estimate = lines.find((l) => l.estimate !== undefined)?.estimate;
  return estimate === undefined ? { kind: 'timeout' } : { kind: 'estimated', rate: estimate };
}

/** Runs the suite and prints its table. */
export async function runText(): Promise<void> {
  console.log('## Text classifier training throughput (samples/s, single thread)\n');
  console.log(`load average (1 min) at suite start: ${os.loadavg()[0].toFixed(2)}`);
  const started = performance.now();
  const engines: Engine[] = [neurasmEngine(false)];
  if (relaxedSimdAvailable()) engines.push(neurasmEngine(true));
  const data = makeData();
  const rates = new Map<string, Partial<Record<TextModel, number>>>();
  const failures: string[] = [];
  const notes: string[] = [];
  for (const engine of engines) {
    await engine.enter();
    const own: Partial<Record<TextModel, number>> = {};
    for (const kind of TEXT_MODELS) {
      const session = engine.open(kind, data);
      try {
        const r = await samplesPerSecond(session);
        own[kind] = r.rate;
        console.log(
          `  ${engine.name.padEnd(15)} ${kind.padEnd(8)} ${fmt(r.rate).padStart(6)}/s (${r.runs} runs of ${r.batches} batches)`,
        );
      } finally {
        session.dispose();
      }
    }
    rates.set(engine.name, own);
    console.log(`    (module: ${backendInfo().module})`);
  }
  for (const name of ['tfjs-wasm', 'tfjs-cpu'] as const) {
    const own: Partial<Record<TextModel, number>> = {};
    for (const kind of TEXT_MODELS) {
      const outcome = tfjsInChild(name, kind);
      let line: string;
      if (outcome.kind === 'measured') {
        own[kind] = outcome.measured.rate;
        line = `${fmt(outcome.measured.rate).padStart(6)}/s (${outcome.measured.runs} runs of ${outcome.measured.batches} batches)`;
      } else if (outcome.kind === 'estimated') {
        own[kind] = outcome.rate;
        line = `${fmt(outcome.rate).padStart(6)}/s (estimated from ${MIN_BATCHES} batches: the runs did not finish in ${TFJS_TIMEOUT_MS / 1000} s)`;
        notes.push(`${name} on ${DESCRIPTIONS[kind]}: from its first ${MIN_BATCHES} timed batches only`);
      } else if (outcome.kind === 'timeout') {
        line = `did not finish ${1 + MIN_BATCHES} batches in ${TFJS_TIMEOUT_MS / 1000} s (below ${fmt((BATCH * (1 + MIN_BATCHES) * 1000) / TFJS_TIMEOUT_MS)}/s)`;
        failures.push(`${name} on ${DESCRIPTIONS[kind]}: ${line}`);
      } else {
        line = `fails: ${outcome.message}`;
        failures.push(`${name} cannot train ${DESCRIPTIONS[kind]}: ${outcome.message}`);
      }
      console.log(`  ${name.padEnd(15)} ${kind.padEnd(8)} ${line}`);
    }
    rates.set(name, own);
  }
  const keras = kerasInThisRun();
  const kerasRates = keras ?? KERAS_MEASURED;
  const best = (kind: TextModel) =>
    Math.max(rates.get('neurasm SIMD')?.[kind] ?? 0, rates.get('neurasm relaxed')?.[kind] ?? 0);
  const names = [...engines.map((e) => e.name), 'tfjs-wasm', 'tfjs-cpu'];
  console.log('');
  printTable(
    [
      'model',
      ...names,
      keras ? 'Keras (this run)' : 'Keras (measured before)',
      'best/Keras',
      `target ≥${TARGET_VS_KERAS}x`,
      'best/tfjs-wasm',
      `target ≥${TARGET_VS_TFJS_WASM}x`,
    ],
    TEXT_MODELS.map((kind) => [
      DESCRIPTIONS[kind],
      ...names.map((n) => fmt(rates.get(n)?.[kind])),
      fmt(kerasRates[kind]),
      ratio(best(kind), kerasRates[kind]),
      best(kind) >= TARGET_VS_KERAS * (kerasRates[kind] ?? Infinity) ? 'met' : 'not met',
      ratio(best(kind), rates.get('tfjs-wasm')?.[kind]),
      rates.get('tfjs-wasm')?.[kind] === undefined
        ? 'tfjs-wasm fails'
        : best(kind) >= TARGET_VS_TFJS_WASM * rates.get('tfjs-wasm')![kind]!
          ? 'met'
          : 'not met',
    ]),
  );
  console.log(
    `\nEach model ends in dense(1, sigmoid); sequences of ${STEPS} random ids in [1, ${VOCABULARY}), embedding ${EMBEDDING}, batch ${BATCH}, Adam, binary cross-entropy, model.fit without shuffling.` +
      ` Median of timed runs (about ${RUN_MS / 1000} s of batches each; ${SLOW_RUNS} runs of ${MIN_BATCHES} batches for an engine slower than ${SLOW_BATCH_MS} ms a batch) after a warm-up; ${clockName}.` +
      ` LSTM and GRU use a sigmoid recurrent activation in every engine (Keras 3's default).` +
      (keras
        ? ' Keras: bench/keras-text.py, Keras 3 on TensorFlow, CPU, one thread, in this run.'
        : ' Keras: no Python with TensorFlow here (NEURASM_BENCH_PYTHON or .venv/bin/python), so the figures measured on the bench machine with Keras 3.15 on TensorFlow 2.21 CPU, one thread, are shown.'),
  );
  if (failures.length > 0) console.log(`Not measured (shown as "fails"): ${failures.join('; ')}.`);
  if (notes.length > 0) console.log(`Estimates: ${notes.join('; ')}.`);
  console.log(
    `Suite time ${((performance.now() - started) / 1000).toFixed(0)} s wall; load average (1 min) at suite end: ${os.loadavg()[0].toFixed(2)}.`,
  );
}
