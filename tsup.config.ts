import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

/** The package entries: one engine shared by both, in ESM and in CJS. */
export const packageBuild: Options = {
  entry: { index: 'src/index.ts', datasets: 'src/datasets/index.ts', plot: 'src/plot/index.ts' },
  splitting: true,
  format: ['esm', 'cjs'],
  // `@internal` members (engine plumbing) stay out of the published typings
  dts: { compilerOptions: { stripInternal: true } },
  // no source maps: the Node entries are not minified, and the maps (two thirds of dist/) would
  // point at src/, which the package does not ship
  sourcemap: false,
  // the browser bundle and its chunks are written into dist/ by the other build, at the same time: spare them
  clean: ['!neurasm.browser*'],
  target: 'es2022',
  platform: 'neutral',
  // import.meta.url in the CJS entry (index.ts registers its URL for fit's worker threads)
  shims: true,
};

/** The browser build's files in dist/: the entry and its chunks (see browserBuild). */
const BROWSER_FILES = /^neurasm\.browser(-.+)?\.js(\.map)?$/;

/**
 * Removes the browser build's files of an earlier build from dist/ before it writes its own: their
 * names carry content hashes, and the package build leaves them alone (its `clean`).
 */
const cleanBrowserFiles: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'neurasm-clean-browser-files',
  setup(build) {
    build.onStart(() => {
      const { outdir } = build.initialOptions;
      if (!outdir || !existsSync(outdir)) return;
      for (const f of readdirSync(outdir)) if (BROWSER_FILES.test(f)) rmSync(join(outdir, f));
    });
  },
};

/**
 * Minified ES modules for browsers: `import * as nn from './neurasm.browser.js'` from any static
 * server (which serves the chunks beside it too), or in a module worker. esbuild's code splitting
 * makes chunks of what is imported with `import()`: each Wasm module (src/backend/loader.ts: a
 * page fetches only the one `ready()` picks) and what nn.io does when a model is saved or loaded,
 * with the bodies of crossValidate and fitInWorker (src/io/lazy-import.ts), fetched on first use.
 * Code that both the start and a chunk need goes into a shared chunk, which neurasm.browser.js
 * imports. The embedded data sets are not in it (they live in the `datasets` entry).
 */
export const browserBuild: Options = {
  entry: { 'neurasm.browser': 'src/browser/index.ts' },
  format: ['esm'],
  outExtension: () => ({ js: '.js' }),
  platform: 'browser',
  // WebAssembly SIMD needs Chrome 91, Firefox 89, Safari 16.4 anyway (and DecompressionStream, which unpacks
  // the Wasm, Firefox 113)
  target: ['chrome91', 'firefox89', 'safari16.4'],
  splitting: true,
  esbuildOptions(options) {
    options.chunkNames = 'neurasm.browser-[name]-[hash]';
  },
  minify: true,
  sourcemap: true,
  dts: false,
  clean: false,
  esbuildPlugins: [cleanBrowserFiles],
};

export default defineConfig([packageBuild, browserBuild]);
