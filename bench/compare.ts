// `npm run bench -- compare`: training and predict samples/s of this checkout against another one
// (NEURASM_COMPARE_WITH=/path/to/checkout, with node_modules and `npm run build:wasm` done there),
// in one process, runs alternating, on the training suite's three shapes and models, both Wasm modules.
// Used to check that a change keeps the speed: "new/old" is this checkout over the other.
import { relaxedSimdAvailable } from '../src/backend/loader.js';
import { median, now, printTable } from './harness.js';
import { buildMlp, SHAPES } from './training.js';

type Neurasm = typeof import('../src/index.js');

const RUNS = 15;
/** The shortest timed run, in ms. */
const RUN_MS = 100;

/** One engine with a model of `sizes` and its synthetic data, ready to time. */
function session(nn: Neurasm, sizes: number[], examples: number) {
  const model = buildMlp(nn, sizes);
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const x = nn.randomUniform([examples, sizes[0]], -1, 1);
  const classes = sizes[sizes.length - 1];
  const y = nn.tensor(
    Array.from({ length: examples }, (_, i) => i % classes),
    [examples],
    'int32',
  );
  return { model, x, y, train: [] as number[], predict: [] as number[] };
}

/** Runs the comparison, or says how to ask for it. */
export async function runCompare(): Promise<void> {
  const other = process.env.NEURASM_COMPARE_WITH;
  console.log('## this checkout against another (NEURASM_COMPARE_WITH), samples/s, medians of alternating runs\n');
  if (!other) {
    console.log('(skipped: set NEURASM_COMPARE_WITH=/path/to/another/checkout to compare with it)');
    return;
  }
  const engines: Array<[string, Neurasm]> = [
    ['old', (await import(`${other}/src/index.ts`)) as Neurasm],
    ['new', await import('../src/index.js')],
  ];
  const rows: string[][] = [];
  for (const relaxedSimd of relaxedSimdAvailable() ? [false, true] : [false]) {
    for (const [, nn] of engines) await nn.ready({ relaxedSimd });
    for (const shape of SHAPES) {
      const sessions = engines.map(([, nn]) => session(nn, shape.sizes, shape.examples));
      const fitArgs = { epochs: 1, batchSize: shape.batch, verbose: 0 as const, yieldEvery: 1e9 };
      let epochMs = 0;
      for (let warm = 0; warm < 3; warm++) {
        for (const s of sessions) {
          const t0 = now();
          await s.model.fit(s.x, s.y, fitArgs);
          epochMs = now() - t0;
          s.model.predict(s.x, { batchSize: 128 }).dispose();
        }
      }
      // each timed run at least RUN_MS long: short epochs are repeated
      const repeats = Math.max(1, Math.ceil(RUN_MS / Math.max(epochMs, 1e-3)));
      for (let r = 0; r < RUNS; r++) {
        for (const s of sessions) {
          let t0 = now();
          await s.model.fit(s.x, s.y, { ...fitArgs, epochs: repeats });
          s.train.push((repeats * shape.examples) / ((now() - t0) / 1000));
          t0 = now();
          for (let i = 0; i < repeats; i++) s.model.predict(s.x, { batchSize: 128 }).dispose();
          s.predict.push((repeats * shape.examples) / ((now() - t0) / 1000));
        }
      }
      const [old, fresh] = sessions.map((s) => ({ train: median(s.train), predict: median(s.predict) }));
      const k = (v: number) => `${(v / 1000).toFixed(1)}k`;
      rows.push([
        relaxedSimd ? 'relaxed' : 'plain',
        `${shape.sizes.join('-')} b${shape.batch}`,
        k(old.train),
        k(fresh.train),
        (fresh.train / old.train).toFixed(3),
        k(old.predict),
        k(fresh.predict),
        (fresh.predict / old.predict).toFixed(3),
      ]);
      for (const s of sessions) {
        s.model.dispose();
        s.x.dispose();
        s.y.dispose();
      }
    }
  }
  printTable(['module', 'model', 'old train', 'new train', 'new/old', 'old predict', 'new predict', 'new/old'], rows);
}
