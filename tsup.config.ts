import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';
import { packModules } from './src/browser/wasm-modules.js';

const root = dirname(fileURLToPath(import.meta.url));

/** The package entries: one engine shared by both, in ESM and in CJS. */
export const packageBuild: Options = {
  entry: { index: 'src/index.ts', datasets: 'src/datasets/index.ts' },
  splitting: true,
  format: ['esm', 'cjs'],
  // `@internal` members (engine plumbing) stay out of the published typings
  dts: { compilerOptions: { stripInternal: true } },
  // no source maps: the Node entries are not minified, and the maps (two thirds of dist/) would
  // point at src/, which the package does not ship
  sourcemap: false,
  // the browser bundle and its chunk are written into dist/ by the other build, at the same time: spare them
  clean: ['!neurasm.browser.js', '!neurasm.browser.js.map', '!neurasm.browser-lazy-*'],
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

/** The module of what nn.io does on first use, and where it is imported (src/io/lazy-import.ts). */
const LAZY = join(root, 'src/io/lazy.ts');
const LAZY_IMPORTER = join(root, 'src/io/lazy-import.ts');

/** A module's path relative to the repository, with forward slashes: its key in linkedModules. */
const moduleKey = (path: string) => relative(root, path).replace(/\\/g, '/');

/**
 * What neurasm loads on first use (src/io/lazy.ts and the modules below it: the IOHandlers' bodies,
 * topology, weight coding, optimizer state, layer readers; the bodies of crossValidate, fitInWorker
 * and serveFit's fits) as a module of its own beside the bundle,
 * neurasm.browser-lazy-<hash>.js, which the bundle's `import('./lazy.js')` (src/io/lazy-import.ts)
 * fetches relative to the bundle's URL. The chunk carries only the modules the bundle lacks; those
 * the bundle has (Sequential, the layers, optimizers, error classes, ...) it takes from the bundle,
 * so they are neither downloaded twice nor different classes (`instanceof` holds):
 *
 * 1. a first pass lists the modules of the bundle without the chunk;
 * 2. the chunk is built with each import of one of those replaced by a module that reads it from
 *    `linkedModules`, the argument of the chunk's single export `instantiate(linkedModules)`: the
 *    chunk's code runs in that call, after the bundle has run (so no link comes too late);
 * 3. the bundle is built with src/io/linked-modules.ts replaced by the namespaces of the modules the
 *    chunk used, by path, which lazy-import.ts passes to `instantiate`.
 *
 * Not esbuild's code splitting, which would move the shared modules out of the bundle into a
 * third file that the bundle had to import at start.
 */
const lazyChunkPlugin: EsbuildPlugin = {
  name: 'neurasm-lazy-io',
  setup(build) {
    let chunk = '';
    let linked: string[] = [];
    build.onStart(async () => {
      const { outdir, entryPoints, target } = build.initialOptions;
      if (!outdir) throw new Error('the browser build needs an outdir');
      const cwd = build.initialOptions.absWorkingDir ?? process.cwd();
      // 1. the bundle's modules, without the chunk
      const start = await build.esbuild.build({
        entryPoints,
        outdir,
        bundle: true,
        format: 'esm',
        platform: 'browser',
        write: false,
        metafile: true,
        logLevel: 'silent',
        plugins: [
          {
            name: 'without-lazy-io',
            setup(b) {
              b.onResolve({ filter: /^\.\/lazy\.js$/ }, (args) =>
                args.importer === LAZY_IMPORTER ? { path: args.path, external: true } : undefined,
              );
            },
          },
        ],
      });
      const inBundle = new Set(Object.keys(start.metafile.inputs).map((p) => resolve(cwd, p)));
      if (inBundle.has(LAZY)) throw new Error('src/io/lazy.ts must be imported by src/io/lazy-import.ts only');
      // 2. the chunk, taking the bundle's modules from linkedModules
      const used = new Set<string>();
      const skip = Symbol('resolving');
      mkdirSync(outdir, { recursive: true });
      for (const f of readdirSync(outdir))
        if (/^neurasm\.browser-lazy-.+\.js(\.map)?$/.test(f)) rmSync(join(outdir, f));
      const result = await build.esbuild.build({
        entryPoints: [LAZY],
        entryNames: 'neurasm.browser-lazy-[hash]',
        outdir,
        bundle: true,
        // an IIFE inside `instantiate`: its code runs when the bundle calls it
        format: 'iife',
        globalName: 'lazyModules',
        banner: { js: 'export function instantiate(linkedModules){' },
        footer: { js: 'return lazyModules}' },
        platform: 'browser',
        target,
        minify: true,
        sourcemap: true,
        metafile: true,
        write: false,
        logLevel: 'silent',
        plugins: [
          {
            name: 'linked-modules',
            setup(b) {
              b.onResolve({ filter: /.*/ }, async (args) => {
                if (args.kind === 'entry-point' || args.pluginData === skip) return undefined;
                const { path, resolveDir, importer, kind } = args;
                const r = await b.resolve(path, { resolveDir, importer, kind, pluginData: skip });
                if (r.errors.length > 0 || r.external || !inBundle.has(r.path)) return undefined;
                used.add(r.path);
                return { path: moduleKey(r.path), namespace: 'neurasm-linked' };
              });
              b.onLoad({ filter: /.*/, namespace: 'neurasm-linked' }, (args) => ({
                contents: `module.exports = linkedModules[${JSON.stringify(args.path)}];`,
                loader: 'js',
              }));
            },
          },
        ],
      });
      for (const file of result.outputFiles) {
        writeFileSync(file.path, file.contents);
        if (file.path.endsWith('.js')) chunk = basename(file.path);
      }
      linked = [...used].sort();
    });
    // 3. the bundle: the chunk's URL, and the modules it takes from the bundle
    build.onResolve({ filter: /^\.\/lazy\.js$/ }, (args) =>
      args.importer === LAZY_IMPORTER ? { path: `./${chunk}`, external: true } : undefined,
    );
    build.onResolve({ filter: /^\.\/linked-modules\.js$/ }, (args) =>
      args.importer === LAZY_IMPORTER ? { path: 'linked-modules', namespace: 'neurasm-linked-modules' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'neurasm-linked-modules' }, () => ({
      loader: 'js',
      resolveDir: root,
      contents: [
        ...linked.map((path, i) => `import * as m${i} from ${JSON.stringify(path)};`),
        `export const linkedModules = {${linked.map((path, i) => `${JSON.stringify(moduleKey(path))}: m${i}`).join(', ')}};`,
      ].join('\n'),
    }));
  },
};

/**
 * One minified ES module for browsers, with the Wasm bytes inlined:
 * `import * as nn from './neurasm.browser.js'` from any static server, or in a module worker.
 * The embedded data sets are not in it (they live in the `datasets` entry), and neither is what
 * nn.io does when a model is saved or loaded: a chunk beside it, fetched on first use (lazyChunkPlugin).
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
  esbuildPlugins: [lazyChunkPlugin, packedWasmPlugin],
};

export default defineConfig([packageBuild, browserBuild]);
