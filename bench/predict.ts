// predict on every core: 784-512-512-10 (relu, relu, softmax) on 60,000 rows at batch 256
// with predict on one thread and predictAsync({ workers: BENCH_WORKERS }) (default 2), in
// interleaved rounds (1 then n, n then 1, ...), medians by wall time. "With start" is the call's
// wall time (threads started, the model sent and rebuilt, the rows copied to shared memory);
// "without start" is the marginal speed, (60,000 − 30,000) rows / (time of 60,000 − time of
// 30,000 rows), in which the threads' start cancels out. The outputs must have the same bits.
import os from 'node:os';
import type * as NN from '../src/index.js';
import { median, printTable, randomFloats } from './harness.js';
import { nn, packageName } from './package-under-test.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 60_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 256);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** Runs the suite and prints its table. */
export async function runPredict(): Promise<void> {
  await nn.ready();
  const workers = Number(process.env.BENCH_WORKERS ?? 2);
  console.log(
    `## predict: 784-512-512-10 on ${ROWS} rows, batch ${BATCH}, 1 thread vs predictAsync workers: ${workers}`,
  );
  console.log(
    `(${nn.backendInfo().module}, ${packageName}; ${os.cpus().length} logical cores, load average (1 min) at start ${os.loadavg()[0].toFixed(2)})\n`,
  );
  nn.setSeed(0);
  const model = nn.sequential({
    layers: [
      nn.layers.dense({ units: 512, activation: 'relu', inputShape: [784] }),
      nn.layers.dense({ units: 512, activation: 'relu' }),
      nn.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  const half = ROWS >> 1;
  const x = nn.tensor(randomFloats(ROWS * 784, 1), [ROWS, 784]);
  const xHalf = x.slice([0, 0], [half, 784]);
  const run = async (input: NN.Tensor, threads: number) => {
    const start = performance.now();
    const out =
      threads === 1
        ? model.predict(input, { batchSize: BATCH })
        : await model.predictAsync(input, { batchSize: BATCH, workers: threads });
    const ms = performance.now() - start;
    return { out, ms };
  };
  // a first call of each kind: the steps recorded, the chunk loaded
  (await run(xHalf, 1)).out.dispose();
  (await run(xHalf, workers)).out.dispose();
  const times: Record<string, number[]> = { '1 full': [], '1 half': [], 'n full': [], 'n half': [] };
  let reference: Float32Array | null = null;
  let sameBits = true;
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? [1, workers] : [workers, 1];
    for (const threads of order) {
      const key = threads === 1 ? '1' : 'n';
      for (const [input, size] of [
        [x, 'full'],
        [xHalf, 'half'],
      ] as const) {
        const { out, ms } = await run(input, threads);
        times[`${key} ${size}`].push(ms);
        if (size === 'full') {
          const values = out.dataSync() as Float32Array;
          if (reference === null) reference = Float32Array.from(values);
          else sameBits &&= reference.every((v, i) => Object.is(v, values[i]));
        }
        out.dispose();
      }
    }
  }
  const m = (key: string) => median(times[key]);
  const perSecond = (rows: number, ms: number) => ((rows / ms) * 1000).toFixed(0);
  const row = (name: string, key: string) => [
    name,
    (m(`${key} full`) / 1000).toFixed(2),
    perSecond(ROWS, m(`${key} full`)),
    perSecond(ROWS - half, m(`${key} full`) - m(`${key} half`)),
  ];
  printTable(
    ['', `wall s for ${ROWS} rows`, 'samples/s with start', 'samples/s without start (marginal)'],
    [row('predict, 1 thread', '1'), row(`predictAsync, workers: ${workers}`, 'n')],
  );
  console.log(
    `median of ${ROUNDS} interleaved rounds; workers: ${workers} gives ${sameBits ? 'the same bits as' : 'VALUES THAT DIFFER FROM'} one thread; ${(m('1 full') / m('n full')).toFixed(2)}x with the threads' start, ${((m('1 full') - m('1 half')) / (m('n full') - m('n half'))).toFixed(2)}x without; fastest calls ${Math.min(...times['1 full']).toFixed(0)} ms and ${Math.min(...times['n full']).toFixed(0)} ms; load average (1 min) at end ${os.loadavg()[0].toFixed(2)}.`,
  );
  nn.dispose([x, xHalf]);
  model.dispose();
}
