// Data-parallel training (`fit(x, y, { workers })`): samples per second of one thread and of
// `workers` threads on the same model and data, measured in the same run, interleaved (a fit of
// each in turn, ROUNDS times), as wall time per epoch (the first epoch of each fit, which records
// the step's trace, is not timed; the threads' start is not in any epoch). Prints the medians, and
// the machine's load average, since other processes take cores from the threads.
import os from 'node:os';
import type * as NN from '../src/index.js';
import { median, printTable, randomFloats } from './harness.js';
import { nn, packageName } from './package-under-test.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const EPOCHS = 4;

interface Case {
  name: string;
  units: number[];
  batchSize: number;
  samples: number;
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
];
const CASES = ONLY ? ALL_CASES.filter((c) => ONLY.includes(`${c.name}/${c.batchSize}`)) : ALL_CASES;

function makeModel(units: number[]): NN.Sequential {
  nn.setSeed(1);
  const layers = units.slice(1).map((u, i) =>
    nn.layers.dense({
      units: u,
      activation: i === units.length - 2 ? 'softmax' : 'relu',
      ...(i === 0 ? { inputShape: [units[0]] } : {}),
    }),
  );
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
  const model = makeModel(c.units);
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

/** Runs the suite: `workers` threads (BENCH_WORKERS, default 2) against one. */
export async function runWorkers(): Promise<void> {
  await nn.ready();
  const workers = Number(process.env.BENCH_WORKERS ?? 2);
  console.log(`## Data-parallel fit: ${workers} threads vs 1 (${nn.backendInfo().module}, ${packageName})\n`);
  console.log(
    `wall time per epoch, median of ${ROUNDS} interleaved fits x ${EPOCHS - 1} epochs; ${os.cpus().length} logical cores; load average at start ${os.loadavg()[0].toFixed(2)}\n`,
  );
  const rows: string[][] = [];
  for (const c of CASES) {
    const x = nn.tensor(randomFloats(c.samples * c.units[0], 3), [c.samples, c.units[0]]);
    const labels = new Int32Array(c.samples);
    for (let i = 0; i < c.samples; i++) labels[i] = i % c.units[c.units.length - 1];
    const y = nn.tensor(labels, [c.samples], 'int32');
    const single = { wall: [] as number[], cpu: [] as number[] };
    const multi = { wall: [] as number[], cpu: [] as number[] };
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
    const s1 = c.samples / (median(single.wall) / 1000);
    const sn = c.samples / (median(multi.wall) / 1000);
    const cpuRatio = median(multi.cpu) / median(single.cpu);
    // the fastest epochs: what each gets when other processes leave it the cores
    const best1 = c.samples / (Math.min(...single.wall) / 1000);
    const bestN = c.samples / (Math.min(...multi.wall) / 1000);
    rows.push([
      c.name,
      String(c.batchSize),
      `${(s1 / 1000).toFixed(1)}k`,
      `${(sn / 1000).toFixed(1)}k`,
      `${(sn / s1).toFixed(2)}x`,
      `${cpuRatio.toFixed(2)}x`,
      `${(best1 / 1000).toFixed(1)}k / ${(bestN / 1000).toFixed(1)}k (${(bestN / best1).toFixed(2)}x)`,
    ]);
    nn.dispose([x, y]);
  }
  printTable(
    [
      'model',
      'batch',
      '1 thread samples/s',
      `${workers} threads samples/s`,
      'speed-up',
      'CPU time (all threads) vs 1',
      'fastest epochs, 1 / n',
    ],
    rows,
  );
  console.log(`\nload average (1 min) at end: ${os.loadavg()[0].toFixed(2)}`);
}
