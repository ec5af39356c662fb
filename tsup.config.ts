import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, deflateRawSync } from 'node:zlib';
import { defineConfig, type Options } from 'tsup';
import { packModules } from './src/browser/wasm-modules.js';

const root = dirname(fileURLToPath(import.meta.url));

/** The package entries: one engine shared by both, in ESM and in CJS. */
export const packageBuild: Options = {
  entry: { index: 'src/index.ts', datasets: 'src/datasets/index.ts' },
  splitting: true,
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  // the browser bundle is written into dist/ by the other build, at the same time: spare it
  clean: ['!neurasm.browser.js', '!neurasm.browser.js.map'],
  target: 'es2022',
  platform: 'neutral',
};

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * Replaces the generated module of Wasm bytes by one that carries the plain-SIMD module deflated and
 * the relaxed-SIMD module as a delta against it (src/browser/wasm-modules.ts), unpacked when the
 * bundle loads: the same two exports, ~28 KB less gzipped. The build fails if they do not round-trip.
 */
const packedWasmPlugin: EsbuildPlugin = {
  name: 'neurasm-packed-wasm',
  setup(build) {
    build.onResolve({ filter: /[/\\]wasm-modules\.generated\.js$/ }, (args) => ({
      path: join(args.resolveDir, args.path),
      namespace: 'neurasm-packed-wasm',
    }));
    build.onLoad({ filter: /.*/, namespace: 'neurasm-packed-wasm' }, () => {
      const generated = readFileSync(join(root, 'src/backend/wasm-modules.generated.ts'), 'utf8');
      const read = (name: string) => {
        const m = new RegExp(`export const ${name} = '([A-Za-z0-9+/=]+)'`).exec(generated);
        if (!m) throw new Error(`wasm-modules.generated.ts has no ${name}; run npm run build:wasm`);
        return m[1];
      };
      const packed = packModules(read('SIMD_WASM_BASE64'), read('RELAXED_WASM_BASE64'), (bytes) =>
        deflateRawSync(bytes, { level: constants.Z_BEST_COMPRESSION }),
      );
      return {
        loader: 'ts',
        resolveDir: join(root, 'src/browser'),
        contents: [
          "import { unpackModules } from './wasm-modules.js';",
          `const modules = unpackModules(${JSON.stringify(packed)});`,
          'export const SIMD_WASM_BASE64 = modules.simd;',
          'export const RELAXED_WASM_BASE64 = modules.relaxed;',
        ].join('\n'),
      };
    });
  },
};

/**
 * One self-contained, minified ES module for browsers, with the Wasm bytes inlined:
 * `import * as nn from './neurasm.browser.js'` from any static server, or in a module worker.
 * The embedded data sets are not in it (they live in the `datasets` entry).
 */
export const browserBuild: Options = {
  entry: { 'neurasm.browser': 'src/browser/index.ts' },
  format: ['esm'],
  outExtension: () => ({ js: '.js' }),
  platform: 'browser',
  // WebAssembly SIMD needs Chrome 91, Firefox 89, Safari 16.4 anyway
  target: ['chrome91', 'firefox89', 'safari16.4'],
  splitting: false,
  minify: true,
  sourcemap: true,
  dts: false,
  clean: false,
  esbuildPlugins: [packedWasmPlugin],
};

export default defineConfig([packageBuild, browserBuild]);
