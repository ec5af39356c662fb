// KernelSHAP on breast-cancer: a 30-64-64-2 relu/softmax network, 100 background rows,
// 100 explained rows, nsamples auto (2,108 coalitions × 100 background rows per explained row),
// against python shap 0.51's KernelExplainer on the same network and data (bench/kernel-shap.py,
// numpy forward, one thread) when a Python with shap is at hand; neurasm on one thread and with
// `workers: BENCH_WORKERS` (default 2) threads in the same run, which must give the same values.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clockName, now, printTable } from './harness.js';
import { datasets, nn, packageName } from './package-under-test.js';

const { loadDataset } = datasets;

const BACKGROUND = 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const EXPLAINED = 100;
/** Multiply-adds per network evaluation of one row: 30·64 + 64·64 + 64·2. */
const MACS_PER_ROW = 30 * 64 + 64 * 64 + 64 * 2;

/** shap's timing from bench/kernel-shap.py on the same model and data, or null without a Python with shap. */
function shapInThisRun(data: object): { seconds: number; wallSeconds: number; maxDifference: number } | null {
  const python = process.env.NEURASM_BENCH_PYTHON ?? path.resolve('.venv/bin/python');
  if (!existsSync(python)) return null;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'neurasm-shap-'));
  try {
    const file = path.join(dir, 'case.json');
    writeFileSync(file, JSON.stringify(data));
    const out = execFileSync(python, [path.resolve('bench/kernel-shap.py'), file], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      // numpy on one thread, as neurasm runs
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
    });
    return JSON.parse(out.trim().split('\n').at(-1) ?? 'null');
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the suite and prints its table. */
export async function runKernelShap(): Promise<void> {
  await nn.ready();
  console.log(
    '## explain: KernelSHAP, breast-cancer, 30-64-64-2 relu/softmax, 100 background rows, 100 explained rows',
  );
  nn.setSeed(0);
  const { x, y } = await loadDataset('breast-cancer');
  const scaler = nn.data.standardScaler().fit(x);
  const xs = scaler.transform(x);
  const model = nn.sequential({
    layers: [
      nn.layers.dense({ units: 64, activation: 'relu', inputShape: [30] }),
      nn.layers.dense({ units: 64, activation: 'relu' }),
      nn.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  await model.fit(xs, y, { epochs: 10, batchSize: 32, seed: 0, verbose: 0 });
  const background = xs.slice([0, 0], [BACKGROUND, 30]);
  const explained = xs.slice([BACKGROUND, 0], [EXPLAINED, 30]);

  const workers = Number(process.env.BENCH_WORKERS ?? 2);
  console.log(
    `(${nn.backendInfo().module}, ${packageName}; ${os.cpus().length} logical cores, load average (1 min) at start ${os.loadavg()[0].toFixed(2)})\n`,
  );
  const run = async (threads: number) => {
    const start = now();
    const wallStart = performance.now();
    const result = await nn.explain.kernelShap(model, explained, { background, seed: 0, workers: threads });
    return { values: result.values, ms: now() - start, wallMs: performance.now() - wallStart };
  };
  // interleaved rounds (1 then n, n then 1, ...): other processes on the machine come and go
  const ones: Awaited<ReturnType<typeof run>>[] = [];
  const manys: Awaited<ReturnType<typeof run>>[] = [];
  let sameBits = true;
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? [1, workers] : [workers, 1];
    for (const threads of order) (threads === 1 ? ones : manys).push(await run(threads));
  }
  const reference = ones[0].values.dataSync();
  for (const m of [...ones, ...manys]) {
    const v = m.values.dataSync();
    sameBits &&= reference.every((x, i) => Object.is(x, v[i]));
  }
  const byWall = (list: typeof ones) => list.slice().sort((a, b) => a.wallMs - b.wallMs)[list.length >> 1];
  const one = byWall(ones);
  const many = byWall(manys);
  const values = ones[0].values;
  const shapValues = reference;
  for (const m of [...ones.slice(1), ...manys]) m.values.dispose();
  const coalitions = 2 * 30 + 2048;
  const gflop = (2 * MACS_PER_ROW * coalitions * BACKGROUND * EXPLAINED) / 1e9;

  const shap = shapInThisRun({
    weights: model.getWeights().map((w) => ({ shape: w.shape, values: Array.from(w.dataSync()) })),
    background: Array.from(background.dataSync()),
    x: Array.from(explained.dataSync()),
    values: Array.from(shapValues),
  });
  const fastest = (list: typeof ones) => Math.min(...list.map((m) => m.wallMs));
  const row = (name: string, ms: number, wallMs: number, perRowMs: number) => [
    name,
    (ms / 1000).toFixed(2),
    (wallMs / 1000).toFixed(2),
    perRowMs.toFixed(1),
    (gflop / (perRowMs / 10)).toFixed(1),
    shap ? `${((shap.wallSeconds * 1000) / wallMs).toFixed(1)}x` : '',
  ];
  const rows = [
    row('neurasm, 1 thread', one.ms, one.wallMs, one.ms / EXPLAINED),
    // several threads: the process CPU time counts every thread, so the figures per row are of wall time
    row(`neurasm, workers: ${workers}`, many.ms, many.wallMs, many.wallMs / EXPLAINED),
  ];
  if (shap) {
    rows.push(row('python shap 0.51 (numpy forward)', shap.seconds * 1000, shap.wallSeconds * 1000, shap.seconds * 10));
  }
  printTable(
    [
      `engine`,
      `total s (${clockName})`,
      'total s (wall)',
      'ms per row (1 thread: clock; threads: wall)',
      'GFLOP/s of the network evaluation',
      'speed vs shap (wall)',
    ],
    rows,
  );
  console.log(
    `${gflop.toFixed(0)} GFLOP of network evaluation (${coalitions} coalitions × ${BACKGROUND} background rows × ${EXPLAINED} rows × ${2 * MACS_PER_ROW} FLOP); neurasm's GFLOP/s is effective: it skips the first layer's products (30·64 of the ${MACS_PER_ROW} multiply-adds per row), building that layer's sums from precomputed weight rows instead.`,
  );
  console.log(
    `median of ${ROUNDS} interleaved runs each (by wall time); workers: ${workers} gives ${sameBits ? 'the same bits as' : 'VALUES THAT DIFFER FROM'} one thread, ${(one.wallMs / many.wallMs).toFixed(2)}x its speed in wall time (threads' start included); fastest runs ${(fastest(ones) / 1000).toFixed(2)} s and ${(fastest(manys) / 1000).toFixed(2)} s (${(fastest(ones) / fastest(manys)).toFixed(2)}x).`,
  );
  if (shap) {
    console.log(
      `neurasm is ${(shap.seconds / (one.ms / 1000)).toFixed(1)}x faster than shap on one thread (${clockName}), ${(shap.wallSeconds / (many.wallMs / 1000)).toFixed(1)}x with workers: ${workers} (wall time; target >= 3x); largest |neurasm − shap| value: ${shap.maxDifference.toExponential(2)} (sampled coalitions differ).`,
    );
  } else {
    console.log(
      'python shap: no Python with shap here (NEURASM_BENCH_PYTHON or .venv/bin/python); shap 0.51 with the network in numpy took 19.9 s (199 ms per row) on the bench machine in an earlier run.',
    );
  }
  console.log(`load average (1 min) at end: ${os.loadavg()[0].toFixed(2)}`);
  for (const t of [values, background, explained, x, y, xs]) t.dispose();
  model.dispose();
}
