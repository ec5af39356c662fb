// Gradient explanations on the data-set models: integrated gradients per explained row (50
// Gauss–Legendre steps, all steps of all rows as large batches through model.inputGradients) and
// saliency rows per second, on the 30-64-64-2 breast-cancer network and the CLI's 64-64-64-10
// digits network (relu, softmax), each trained briefly on its standardized data set; and per row, the
// completeness |delta| / |f(x) − f(0)| at 50 steps over the whole data set, and what `tolerance: 0.01`
// (rows over 1% integrated again with doubled steps) costs. Then integrated gradients on one thread
// and with `workers: BENCH_WORKERS` (default 2), wall time, on the digits case and a large one.
import type { IntegratedGradientsResult } from '../src/explain/integrated-gradients.js';
import type * as NN from '../src/index.js';
import { median, now, printTable } from './harness.js';
import { datasets, nn, packageName } from './package-under-test.js';

const { loadDataset } = datasets;
const { integratedGradients, saliency } = nn.explain;

/** Median milliseconds of `rounds` calls of `fn` after one warm-up call (async, so not `measure`). */
async function timeAsync(fn: () => Promise<void>, rounds = 5): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = now();
    await fn();
    times.push(now() - start);
  }
  return median(times);
}

/** A relu/softmax network of `hidden` layers trained for a few epochs on the standardized data set, and its inputs. */
async function trainedModel(name: 'breast-cancer' | 'digits', hidden: number[]) {
  const data = await loadDataset(name);
  const x = nn.data.standardScaler().fit(data.x).transform(data.x);
  nn.setSeed(1);
  const features = x.shape[1];
  const model = nn.sequential({
    layers: [
      ...hidden.map((units, i) =>
        nn.layers.dense({ units, activation: 'relu', ...(i === 0 ? { inputShape: [features] } : {}) }),
      ),
      nn.layers.dense({ units: data.numClasses, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: nn.train.adam(0.001), loss: 'sparse_categorical_crossentropy' });
  await model.fit(x, data.y, { epochs: 10, batchSize: 32, seed: 1, verbose: 0 });
  nn.dispose([data.x, data.y]);
  return { model, x, sizes: [features, ...hidden, data.numClasses] };
}

/** Multiply-adds of one forward pass through dense layers of these widths. */
const macs = (sizes: number[]) => sizes.slice(1).reduce((sum, n, i) => sum + sizes[i] * n, 0);

/** f(x) − f(0) of each row's predicted class. */
function outputChanges(model: NN.Sequential, x: NN.Tensor): number[] {
  const zero = nn.zeros([1, x.shape[1]]);
  const [pt, p0t] = [model.predict(x), model.predict(zero)];
  const [p, p0] = [pt.dataSync(), p0t.dataSync()];
  nn.dispose([zero, pt, p0t]);
  const k = p0.length;
  return Array.from({ length: x.shape[0] }, (_, r) => {
    let c = 0;
    for (let j = 1; j < k; j++) if (p[r * k + j] > p[r * k + c]) c = j;
    return p[r * k + c] - p0[c];
  });
}

/** The table row of per-row completeness on the whole data set: at 50 steps, then with tolerance 0.01. */
async function completenessRow(model: NN.Sequential, x: NN.Tensor, sizes: number[], name: string): Promise<string[]> {
  const change = outputChanges(model, x);
  let delta: number[] = [];
  const plainMs = await timeAsync(async () => {
    const at50 = await integratedGradients(model, x, { steps: 50 });
    at50.attributions.dispose();
    delta = at50.delta;
  }, 3);
  const ratios = delta.map((d, r) => Math.abs(d) / Math.abs(change[r])).sort((a, b) => a - b);
  const over = ratios.filter((v) => v > 0.01).length;
  const results: IntegratedGradientsResult[] = [];
  const ms = await timeAsync(async () => {
    results.push(await integratedGradients(model, x, { steps: 50, tolerance: 0.01 }));
  }, 3);
  for (const r of results) r.attributions.dispose();
  const { steps, converged } = results[results.length - 1];
  const n = x.shape[0];
  return [
    `${sizes.join('-')} ${name}`,
    String(n),
    `${(100 * ratios[n >> 1]).toFixed(2)}%`,
    `${(100 * ratios[Math.floor(0.9 * n)]).toFixed(2)}%`,
    `${over} (${((100 * over) / n).toFixed(1)}%)`,
    String(steps.filter((s) => s > 50).length),
    String(Math.max(...steps)),
    String(converged?.filter((c) => !c).length ?? 0),
    (steps.reduce((a, b) => a + b, 0) / n).toFixed(1),
    (plainMs / n).toFixed(3),
    (ms / n).toFixed(3),
  ];
}

const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const WORKER_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/**
 * The table row of an explanation on one thread and on WORKERS threads (`explain(workers)` gives its
 * tensor): medians of WORKER_ROUNDS interleaved calls by wall time (the threads' start included),
 * and whether both gave the same bits. `work` is weights × evaluated points.
 */
async function workersRow(
  label: string,
  rows: number,
  work: number,
  explain: (workers: number) => Promise<NN.Tensor>,
): Promise<string[]> {
  const times: Record<number, number[]> = { 1: [], [WORKERS]: [] };
  const values: Record<number, Float32Array> = {};
  for (let r = 0; r < WORKER_ROUNDS; r++) {
    for (const workers of r % 2 === 0 ? [1, WORKERS] : [WORKERS, 1]) {
      const start = performance.now();
      const result = await explain(workers);
      times[workers].push(performance.now() - start);
      values[workers] = result.dataSync() as Float32Array;
      result.dispose();
    }
  }
  const [one, many] = [median(times[1]), median(times[WORKERS])];
  const same =
    values[1].length === values[WORKERS].length && values[1].every((v, i) => Object.is(v, values[WORKERS][i]));
  return [
    label,
    String(rows),
    work.toExponential(1),
    one.toFixed(0),
    many.toFixed(0),
    (one / many).toFixed(2),
    same ? 'yes' : 'NO',
  ];
}

/** Integrated gradients' attributions at 50 steps with `workers`. */
const igWith = (model: NN.Sequential, x: NN.Tensor) => async (workers: number) =>
  (await integratedGradients(model, x, { steps: 50, workers })).attributions;

/** Runs the suite and prints its table. */
export async function runGradientExplain(): Promise<void> {
  await nn.ready();
  console.log('## Gradient explanations (integrated gradients, 50 Gauss–Legendre steps; saliency)\n');
  const rows: string[][] = [];
  const completeness: string[][] = [];
  const workers: string[][] = [];
  for (const [name, hidden] of [
    ['breast-cancer', [64, 64]],
    ['digits', [64, 64]],
  ] as const) {
    const { model, x, sizes } = await trainedModel(name, [...hidden]);
    const explained = x.slice(0, 100);
    const igMs = await timeAsync(async () => {
      const { attributions } = await integratedGradients(model, explained, { steps: 50 });
      attributions.dispose();
    });
    const salMs = await timeAsync(async () => {
      (await saliency(model, x)).dispose();
    });
    // a gradient pass is a forward and a backward (about twice the forward's products): 3 × 2 × macs flops
    const flopsPerPoint = 6 * macs(sizes);
    const igGflops = (100 * 50 * flopsPerPoint) / (igMs * 1e6);
    rows.push([
      sizes.join('-'),
      name,
      (igMs / 100).toFixed(3),
      igGflops.toFixed(2),
      Math.round((x.shape[0] / salMs) * 1000).toLocaleString('en-US'),
    ]);
    completeness.push(await completenessRow(model, x, sizes, name));
    if (name === 'digits') {
      const work = model.countParams() * 50 * explained.shape[0];
      workers.push(
        await workersRow(`IG, ${sizes.join('-')} digits`, explained.shape[0], work, igWith(model, explained)),
      );
    }
    nn.dispose([explained, x]);
    model.dispose();
  }
  printTable(['model', 'data', 'IG ms per row (100 rows)', 'IG GFLOP/s', `saliency rows/s (whole data set)`], rows);
  console.log(
    '\nPer-row completeness |delta| / |f(x) − f(0)| over the whole data set (Gauss–Legendre), and tolerance: 0.01 (rows over 1% integrated again at 100, 200, ... steps, up to maxSteps 1600):\n',
  );
  printTable(
    [
      'model',
      'rows',
      'median at 50 steps',
      'p90 at 50',
      'rows > 1% at 50',
      'rows integrated again',
      'most steps',
      'rows not within 1%',
      'mean steps',
      'ms per row at 50 steps',
      'ms per row with tolerance',
    ],
    completeness,
  );
  // a large case where the threads pay: an untrained 784-512-512-10 relu/softmax network, 600 random rows
  nn.setSeed(1);
  const large = nn.sequential({
    layers: [
      nn.layers.dense({ units: 512, activation: 'relu', inputShape: [784] }),
      nn.layers.dense({ units: 512, activation: 'relu' }),
      nn.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  const largeX = nn.randomUniform([600, 784], 0, 1, 'float32', 2);
  workers.push(
    await workersRow('IG, 784-512-512-10 random', 600, large.countParams() * 50 * 600, igWith(large, largeX)),
  );
  // saliency on 30,000 random rows of the same network (each block predicts its rows' classes)
  const manyX = nn.randomUniform([30_000, 784], 0, 1, 'float32', 3);
  workers.push(
    await workersRow('saliency, 784-512-512-10 random', 30_000, large.countParams() * 30_000, (workers) =>
      saliency(large, manyX, { workers }),
    ),
  );
  nn.dispose([largeX, manyX]);
  large.dispose();
  console.log(
    `\nIntegrated gradients (50 steps) and saliency on one thread and with workers: ${WORKERS}, median wall ms of ${WORKER_ROUNDS} interleaved calls each (${packageName}; a worker thread starts in ≈ 0.3-0.45 s):\n`,
  );
  printTable(
    ['method, model', 'rows', 'weights × points', 'ms, 1 thread', `ms, workers: ${WORKERS}`, 'speed-up', 'same bits'],
    workers,
  );
}
