// Data-parallel training (`fit(x, y, { workers })`): samples per second of one thread and of
// `workers` threads on the same model and data, measured in the same run, interleaved (a fit of
// each in turn, ROUNDS times), as wall time per epoch (the first epoch of each fit, which records
// the step's trace, is not timed; the threads' start is not in any epoch). Then, after all of
// neurasm's fits (never while its threads run), native Keras on TensorFlow trains the same models
// on the same shapes, with 1 thread and with `workers` threads, one Python process each
// (bench/keras-dense.py, the same ROUNDS fits x EPOCHS epochs, timed the same way), when a Python
// with TensorFlow is at hand (NEURASM_BENCH_PYTHON, else .venv/bin/python); without it the Keras
// columns say n/a. Prints the medians, and the machine's load average, since other processes take
// cores from the threads.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as NN from '../src/index.js';
import { median, printTable, randomFloats } from './harness.js';
import { nn, packageName } from './package-under-test.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const EPOCHS = 4;

interface Case {
  /** The units, joined by '-'; '+bn' where each hidden layer is dense (no bias) → BatchNormalization → relu. */
  name: string;
  units: number[];
  batchSize: number;
  samples: number;
  batchNorm?: boolean;
}

// BENCH_CASES=784-512-512-10/256,784-512-512-10/128: only those model/batch cases
const ONLY = process.env.BENCH_CASES?.split(',');

const ALL_CASES: Case[] = [
  ...[32, 128, 256].map((batchSize) => ({
    name: '784-512-512-10',
    units: [784, 512, 512, 10],
    batchSize,
    samples: 8192,
  })),
  ...[32, 128, 256].map((batchSize) => ({ name: '10-64-64-10', units: [10, 64, 64, 10], batchSize, samples: 16384 })),
  // the threads add up BatchNormalization's statistics three times per layer and step
  { name: '784-512-512-10+bn', units: [784, 512, 512, 10], batchSize: 256, samples: 8192, batchNorm: true },
];
const CASES = ONLY ? ALL_CASES.filter((c) => ONLY.includes(`${c.name}/${c.batchSize}`)) : ALL_CASES;

function makeModel(c: Case): NN.Sequential {
  const { units } = c;
  nn.setSeed(1);
  const layers = units.slice(1).flatMap((u, i) => {
    const last = i === units.length - 2;
    const input = i === 0 ? { inputShape: [units[0]] } : {};
    if (!c.batchNorm || last) {
      return [nn.layers.dense({ units: u, activation: last ? 'softmax' : 'relu', ...input })];
    }
    return [
      nn.layers.dense({ units: u, useBias: false, ...input }),
      nn.layers.batchNormalization(),
      nn.layers.activation({ activation: 'relu' }),
    ];
  });
  const model = nn.sequential({ layers });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  return model;
}

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Wall and CPU (all threads) milliseconds of each epoch after the first of a fit with `workers` threads. */
async function epochMs(
  c: Case,
  x: NN.Tensor,
  y: NN.Tensor,
  workers: number | 'auto',
): Promise<{ wall: number[]; cpu: number[] }> {
  const model = makeModel(c);
  const times: number[] = [];
  const cpu: number[] = [];
  let start = 0;
  let startCpu = 0;
  await model.fit(x, y, {
    epochs: EPOCHS,
    batchSize: c.batchSize,
    seed: 1,
    verbose: 0,
    workers,
    yieldEvery: 1000,
    callbacks: {
      onEpochBegin: () => {
        start = performance.now();
        startCpu = cpuMs();
      },
      onEpochEnd: (epoch) => {
        if (epoch === 0) return;
        times.push(performance.now() - start);
        cpu.push(cpuMs() - startCpu);
      },
    },
  });
  model.dispose();
  return { wall: times, cpu };
}

/** What neurasm measured on one case: samples/s per thread count, and the figures only it has. */
interface NeurasmFigures {
  single: number;
  multi: number;
  cpuRatio: number;
  fastestSingle: number;
  fastestMulti: number;
}

/** neurasm on one case: ROUNDS fits with one thread interleaved with ROUNDS fits with `workers`. */
async function measureNeurasm(c: Case, workers: number): Promise<NeurasmFigures> {
  const x = nn.tensor(randomFloats(c.samples * c.units[0], 3), [c.samples, c.units[0]]);
  const labels = new Int32Array(c.samples);
  for (let i = 0; i < c.samples; i++) labels[i] = i % c.units[c.units.length - 1];
  const y = nn.tensor(labels, [c.samples], 'int32');
  const single = { wall: [] as number[], cpu: [] as number[] };
  const multi = { wall: [] as number[], cpu: [] as number[] };
  try {
    for (let r = 0; r < ROUNDS; r++) {
      for (const [into, w] of [
        [single, 1],
        [multi, workers],
      ] as const) {
        const t = await epochMs(c, x, y, w);
        into.wall.push(...t.wall);
        into.cpu.push(...t.cpu);
      }
    }
  } finally {
    nn.dispose([x, y]);
  }
  return {
    single: c.samples / (median(single.wall) / 1000),
    multi: c.samples / (median(multi.wall) / 1000),
    cpuRatio: median(multi.cpu) / median(single.cpu),
    // the fastest epochs: what each gets when other processes leave it the cores
    fastestSingle: c.samples / (Math.min(...single.wall) / 1000),
    fastestMulti: c.samples / (Math.min(...multi.wall) / 1000),
  };
}

/** A case's key in bench/keras-dense.py's output: "784-512-512-10/256". */
const caseKey = (c: Case) => `${c.name}/${c.batchSize}`;

/** Native Keras samples/s per case with `threads` threads, or why it did not run. */
type KerasRun = { rates: Record<string, number> } | { notRun: string };

/** The Python that has TensorFlow: NEURASM_BENCH_PYTHON, else .venv/bin/python (as bench/text.ts). */
const kerasPython = () => process.env.NEURASM_BENCH_PYTHON ?? path.resolve('.venv/bin/python');

/**
 * Runs bench/keras-dense.py with `threads` threads (TensorFlow's intra-op pool; its inter-op pool is
 * one thread) on the cases, ROUNDS fits x EPOCHS epochs each, in a process of its own, and waits for it.
 */
function measureKeras(cases: Case[], threads: number): KerasRun {
  const python = kerasPython();
  if (!existsSync(python)) return { notRun: `no Python at ${python} (set NEURASM_BENCH_PYTHON)` };
  const child = spawnSync(
    python,
    [
      path.resolve('bench/keras-dense.py'),
      '--threads',
      String(threads),
      '--cases',
      cases.map((c) => `${caseKey(c)}/${c.samples}`).join(','),
      '--fits',
      String(ROUNDS),
      '--epochs',
      String(EPOCHS),
    ],
    { encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' }, maxBuffer: 16 * 1024 * 1024 },
  );
  const last = (text: string | null) => (text ?? '').trim().split('\n').at(-1) ?? '';
  if (child.error) return { notRun: `${python} did not start (${child.error.message})` };
  if (child.status !== 0) return { notRun: `${python} bench/keras-dense.py failed: ${last(child.stderr)}` };
  return { rates: JSON.parse(last(child.stdout)) as Record<string, number> };
}

const thousands = (samplesPerSecond: number) => `${(samplesPerSecond / 1000).toFixed(1)}k`;

/** `a / b` as "1.23x", or "n/a" without b. */
const ratio = (a: number, b: number | undefined) => (b === undefined ? 'n/a' : `${(a / b).toFixed(2)}x`);

/** Runs the suite: `workers` threads (BENCH_WORKERS, default 2) against one, and against native Keras. */
export async function runWorkers(): Promise<void> {
  await nn.ready();
  const workers = Number(process.env.BENCH_WORKERS ?? 2);
  console.log(`## Data-parallel fit: ${workers} threads vs 1 (${nn.backendInfo().module}, ${packageName})\n`);
  console.log(
    `wall time per epoch, median of ${ROUNDS} interleaved fits x ${EPOCHS - 1} epochs; ${os.cpus().length} logical cores; load average at start ${os.loadavg()[0].toFixed(2)}\n`,
  );
  const ours = new Map<Case, NeurasmFigures>();
  for (const c of CASES) ours.set(c, await measureNeurasm(c, workers));
  console.log(`load average (1 min) after neurasm's fits: ${os.loadavg()[0].toFixed(2)}`);
  const keras1 = measureKeras(CASES, 1);
  const kerasN = 'notRun' in keras1 ? keras1 : measureKeras(CASES, workers);
  const kerasRate = (run: KerasRun, c: Case) => ('rates' in run ? run.rates[caseKey(c)] : undefined);
  const rows = CASES.map((c) => {
    const f = ours.get(c) as NeurasmFigures;
    const k1 = kerasRate(keras1, c);
    const kn = kerasRate(kerasN, c);
    const bestKeras = k1 === undefined || kn === undefined ? undefined : Math.max(k1, kn);
    return [
      c.name,
      String(c.batchSize),
      thousands(f.single),
      thousands(f.multi),
      `${(f.multi / f.single).toFixed(2)}x`,
      `${f.cpuRatio.toFixed(2)}x`,
      `${thousands(f.fastestSingle)} / ${thousands(f.fastestMulti)} (${(f.fastestMulti / f.fastestSingle).toFixed(2)}x)`,
      k1 === undefined ? 'n/a' : thousands(k1),
      kn === undefined ? 'n/a' : thousands(kn),
      ratio(f.multi, kn),
      ratio(f.multi, bestKeras),
    ];
  });
  console.log('');
  printTable(
    [
      'model',
      'batch',
      '1 thread samples/s',
      `${workers} threads samples/s`,
      'speed-up',
      'CPU time (all threads) vs 1',
      'fastest epochs, 1 / n',
      'Keras 1 thread',
      `Keras ${workers} threads`,
      `${workers} threads vs Keras ${workers} threads`,
      `${workers} threads vs best Keras`,
    ],
    rows,
  );
  const notRun = 'notRun' in keras1 ? keras1.notRun : 'notRun' in kerasN ? kerasN.notRun : null;
  console.log(
    notRun
      ? `\nKeras was not run: ${notRun}.`
      : `\nKeras: bench/keras-dense.py, Keras 3 on TensorFlow, CPU, in this run after neurasm, the same models, shapes, shuffling fit and timing;` +
          ` ${workers} threads = TensorFlow intra-op ${workers}, inter-op 1. "best Keras" is the faster of Keras 1 and ${workers} threads per case:` +
          ` the peer a user on ${workers} cores would pick, since more threads do not always make TensorFlow faster.`,
  );
  console.log(`load average (1 min) at end: ${os.loadavg()[0].toFixed(2)}`);
}
