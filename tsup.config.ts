import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  // the browser bundle and its chunk are written into dist/ by the other build, at the same time: spare them
  clean: ['!neurasm.browser.js', '!neurasm.browser.js.map', '!neurasm.browser-io-*'],
  target: 'es2022',
  platform: 'neutral',
};

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * Packs the two Wasm modules for the browser bundle (src/browser/wasm-modules.ts): one LZMA stream
 * of both, unpacked when the bundle loads into the same two exports as the generated module of Wasm
 * bytes, ~30 KB less gzipped than their base64. The build fails if they do not round-trip.
 *
 * The packed bytes go at the very end of the bundle, in src/browser/wasm-data.ts (imported last),
 * which sets the generated module's exports: ~25 KB of base64 in the middle would cut the bundle's
 * JavaScript in two halves that gzip's 32 KB window cannot match against each other (~0.5 KB).
 * The loader reads the exports only in `ready()`, after the bundle has run to its end.
 */
const packedWasmPlugin: EsbuildPlugin = {
  name: 'neurasm-packed-wasm',
  setup(build) {
    build.onResolve({ filter: /[/\\]wasm-modules\.generated\.js$/ }, (args) => ({
      path: join(args.resolveDir, args.path),
      namespace: 'neurasm-packed-wasm',
    }));
    build.onLoad({ filter: /.*/, namespace: 'neurasm-packed-wasm' }, () => ({
      loader: 'ts',
      contents: [
        "export let SIMD_WASM_BASE64 = '';",
        "export let RELAXED_WASM_BASE64 = '';",
        'export function setModules(m: { simd: string; relaxed: string }): void {',
        '  SIMD_WASM_BASE64 = m.simd;',
        '  RELAXED_WASM_BASE64 = m.relaxed;',
        '}',
      ].join('\n'),
    }));
    build.onLoad({ filter: /[/\\]src[/\\]browser[/\\]wasm-data\.ts$/ }, () => {
      const generated = readFileSync(join(root, 'src/backend/wasm-modules.generated.ts'), 'utf8');
      const read = (name: string) => {
        const m = new RegExp(`export const ${name} = '([A-Za-z0-9+/=]+)'`).exec(generated);
        if (!m) throw new Error(`wasm-modules.generated.ts has no ${name}; run npm run build:wasm`);
        return m[1];
      };
      const packed = packModules(read('SIMD_WASM_BASE64'), read('RELAXED_WASM_BASE64'));
      return {
        loader: 'ts',
        resolveDir: join(root, 'src/browser'),
        contents: [
          "import { setModules } from '../backend/wasm-modules.generated.js';",
          "import { unpackModules } from './wasm-modules.js';",
          `setModules(unpackModules(${JSON.stringify(packed)}));`,
        ].join('\n'),
      };
    });
  },
};

/** What the handler-bodies chunk may contain: it must import nothing else of the library at run time. */
const HANDLER_BODIES = ['handler-bodies', 'linked', 'browser', 'http', 'file-system', 'model-json'].map(
  (name) => `src/io/${name}.ts`,
);

/**
 * The bodies of the IOHandlers' `save` and `load` (src/io/handler-bodies.ts, which src/io/handlers.ts
 * imports on first use) as a module of their own beside the bundle, neurasm.browser-io-<hash>.js: it
 * is built here, and the bundle's `import('./handler-bodies.js')` becomes an import of that file,
 * relative to the bundle's URL. A separate build rather than esbuild's code splitting, which would
 * move its runtime helpers into a third file that the bundle had to import at start. The bodies take
 * what they share with the library through src/io/linked.ts; the build fails if the chunk would
 * carry a second copy of any other module.
 */
const handlerBodiesPlugin: EsbuildPlugin = {
  name: 'neurasm-handler-bodies',
  setup(build) {
    let chunk = '';
    build.onStart(async () => {
      const outdir = build.initialOptions.outdir;
      if (!outdir) throw new Error('the browser build needs an outdir');
      mkdirSync(outdir, { recursive: true });
      // the chunks of earlier builds
      for (const f of readdirSync(outdir)) if (/^neurasm\.browser-io-.+\.js(\.map)?$/.test(f)) rmSync(join(outdir, f));
      const result = await build.esbuild.build({
        entryPoints: [join(root, 'src/io/handler-bodies.ts')],
        entryNames: 'neurasm.browser-io-[hash]',
        outdir,
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: build.initialOptions.target,
        minify: true,
        sourcemap: true,
        metafile: true,
        write: false,
        logLevel: 'silent',
      });
      const extra = Object.keys(result.metafile.inputs).filter((f) => !HANDLER_BODIES.includes(f.replace(/\\/g, '/')));
      if (extra.length) {
        throw new Error(
          `src/io/handler-bodies.ts must not import ${extra.join(', ')} at run time (see src/io/linked.ts)`,
        );
      }
      for (const file of result.outputFiles) {
        writeFileSync(file.path, file.contents);
        if (file.path.endsWith('.js')) chunk = basename(file.path);
      }
    });
    build.onResolve({ filter: /^\.\/handler-bodies\.js$/ }, () => ({ path: `./${chunk}`, external: true }));
  },
};

/**
 * One minified ES module for browsers, with the Wasm bytes inlined:
 * `import * as nn from './neurasm.browser.js'` from any static server, or in a module worker.
 * The embedded data sets are not in it (they live in the `datasets` entry), and neither is what the
 * IOHandlers' `save` and `load` do: a chunk beside it, fetched on first use (handlerBodiesPlugin).
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
  esbuildPlugins: [handlerBodiesPlugin, packedWasmPlugin],
};

export default defineConfig([packageBuild, browserBuild]);
