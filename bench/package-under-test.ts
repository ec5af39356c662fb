// Which neurasm a bench measures. By default the sources, through tsx (whose module hooks keep a
// thread of their own busy in every worker thread); BENCH_DIST=1: the built package (npm run
// build), whose worker threads import dist/index.js; BENCH_DIST=<folder>: that folder's build, e.g.
// another build to compare.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Datasets from '../src/datasets/index.js';
import type * as NN from '../src/index.js';

const DIST = process.env.BENCH_DIST;

/** The URL of `file` of the build BENCH_DIST names. */
function built(file: string): string {
  return DIST === '1'
    ? new URL(`../dist/${file}`, import.meta.url).href
    : pathToFileURL(path.resolve(DIST as string, file)).href;
}

/** neurasm's entry, from the sources or from the build BENCH_DIST names. */
export const nn: typeof NN = DIST ? ((await import(built('index.js'))) as typeof NN) : await import('../src/index.js');

/** neurasm/datasets, from the same place. */
export const datasets: typeof Datasets = DIST
  ? ((await import(built('datasets.js'))) as typeof Datasets)
  : await import('../src/datasets/index.js');

/** What the benches print for where neurasm came from. */
export const packageName = DIST ? (DIST === '1' ? 'dist/' : DIST) : 'src/ through tsx';
