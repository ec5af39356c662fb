// Gradient explanations on the data-set models: integrated gradients per explained row (50
// Gauss–Legendre steps, all steps of all rows as large batches through model.inputGradients) and
// saliency rows per second, on the 30-64-64-2 breast-cancer network and the CLI's 64-64-64-10
// digits network (relu, softmax), each trained briefly on its standardized data set.
import { loadDataset } from '../src/datasets/index.js';
import { saliency } from '../src/explain/gradients.js';
import { integratedGradients } from '../src/explain/integrated-gradients.js';
import * as nn from '../src/index.js';
import { median, now, printTable } from './harness.js';

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

/** Runs the suite and prints its table. */
export async function runGradientExplain(): Promise<void> {
  await nn.ready();
  console.log('## Gradient explanations (integrated gradients, 50 Gauss–Legendre steps; saliency)\n');
  const rows: string[][] = [];
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
    nn.dispose([explained, x]);
    model.dispose();
  }
  printTable(['model', 'data', 'IG ms per row (100 rows)', 'IG GFLOP/s', `saliency rows/s (whole data set)`], rows);
}
