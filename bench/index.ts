// `npm run bench`: prints the machine, then runs every suite in order; `npm run bench -- <suite> ...` runs only those.
// `compare` runs only when NEURASM_COMPARE_WITH names another checkout (see bench/compare.ts).
import os from 'node:os';
import { runCompare } from './compare.js';
import { runConv1d } from './conv1d.js';
import { runEmbedding } from './embedding.js';
import { runEpochTime } from './epoch-time.js';
import { runKernelShap } from './explain.js';
import { runGradientExplain } from './explain-gradients.js';
import { runGemv } from './gemv.js';
import { clockName } from './harness.js';
import { runInference } from './inference.js';
import { runMatmul } from './matmul.js';
import { runPredict } from './predict.js';
import { runQgemm } from './qgemm.js';
import { runRecurrent } from './recurrent.js';
import { runText } from './text.js';
import { runTraining } from './training.js';
import { runWorkers } from './workers.js';

/** A benchmark suite: a name and a function that prints its results. */
interface Suite {
  name: string;
  run: () => Promise<void>;
}

const SUITES: Suite[] = [
  { name: 'matmul', run: runMatmul },
  { name: 'training', run: runTraining },
  { name: 'epoch-time', run: runEpochTime },
  { name: 'text', run: runText },
  { name: 'embedding', run: runEmbedding },
  { name: 'recurrent', run: runRecurrent },
  { name: 'conv1d', run: runConv1d },
  { name: 'inference', run: runInference },
  { name: 'qgemm', run: runQgemm },
  { name: 'gemv', run: runGemv },
  { name: 'explain', run: runKernelShap },
  { name: 'explain-gradients', run: runGradientExplain },
  { name: 'compare', run: runCompare },
  { name: 'workers', run: runWorkers },
  { name: 'predict', run: runPredict },
];

console.log('# neurasm benchmarks\n');
console.log(`date: ${new Date().toISOString()}`);
console.log(`cpu: ${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} logical cores, benchmarks use one)`);
console.log(`node: ${process.version} (${process.platform}-${process.arch})`);
// Other processes on the machine slow the timings down; the load average says how busy it was.
console.log(`load average (1 min) at start: ${os.loadavg()[0].toFixed(2)}`);
console.log(`clock: ${clockName} (BENCH_CLOCK=wall for wall time), median of timed batches\n`);
const only = process.argv.slice(2);
for (const suite of SUITES) {
  if (only.length > 0 && !only.includes(suite.name)) continue;
  await suite.run();
  console.log('');
}
console.log(`load average (1 min) at end: ${os.loadavg()[0].toFixed(2)}`);
