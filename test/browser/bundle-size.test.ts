// What a page downloads to start: dist/neurasm.browser.js, the chunks it imports statically, and the
// one Wasm module `ready()` imports, gzipped; what nn.io does with model files comes later, as a chunk
// imported on first use. The files are read from esbuild's metafile of the build (tsup.config.ts,
// browserBuild), and a Node run from a directory holding only those files shows that they suffice.
// Built into a scratch directory, so that it runs beside the demo test, which builds into dist/.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserBuild } from '../../tsup.config.js';

/**
 * What a page needs to start stays under 108 KB gzipped (zlib level 9): JavaScript and one Wasm
 * module. The budget was 60 KB; the start was 74.4 KB once the library gained tfjs's everyday ops
 * (slicing, gather, where, topk, the bool dtype, ...) and shipped one Wasm module gzipped instead
 * of both LZMA-packed, and 97.0 KB with the text layers (TextVectorization, embedding, conv1d,
 * pooling, the recurrent layers: about 16 KB of JavaScript, whose constructors are synchronous so
 * they cannot wait for a chunk, and 6.4 KB of kernels), and 105.8 KB with int8 inference and the
 * pre-packed f32 inference path (the Wasm module 23.8 → 31.1 KB: the int8 kernels, the packed GEMM
 * for 1–3 rows, the NaN check; JavaScript +1.5 KB; the quantized layers and nn.quantize are in the
 * chunk loaded on first use). README, "Browser bundle", says what is where. This limit catches
 * growth from here.
 */
const START_LIMIT = 108 * 1024;

const gzipped = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;

interface Output {
  imports: { path: string; kind: string }[];
  inputs: Record<string, unknown>;
}

/** The Wasm modules' generated sources (src/backend/loader.ts imports each on its own). */
const WASM_SOURCES = {
  simd: 'src/backend/wasm-simd.generated.ts',
  relaxed: 'src/backend/wasm-relaxed.generated.ts',
};

/** The sources of what is loaded on first use (src/lazy-import.ts), some of them. */
const LAZY_SOURCES = [
  'src/lazy.ts',
  'src/format/topology.ts',
  'src/io/weights.ts',
  'src/format/training.ts',
  'src/format/layers.ts',
  'src/selection/cross-validate.ts',
  'src/worker/host.ts',
  'src/worker/serve-fit-run.ts',
];

describe('the browser bundle', () => {
  const root = resolve(import.meta.dirname, '../..');
  let dir: string;
  /** Each output .js file (its name) with its imports (file names) and its sources (paths in the repository). */
  let outputs: Map<string, { staticImports: string[]; dynamicImports: string[]; sources: string[] }>;
  /** The entry and every file it imports statically, transitively. */
  let start: string[];
  /** The chunk of each Wasm module. */
  let wasm: { simd: string; relaxed: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'neurasm-bundle-'));
    // config: false, or tsup would also run every build of tsup.config.ts with these options
    await build({ ...browserBuild, outDir: dir, silent: true, config: false, metafile: true });
    const meta = JSON.parse(readFileSync(join(dir, 'metafile-esm.json'), 'utf8')) as {
      outputs: Record<string, Output>;
    };
    outputs = new Map(
      Object.entries(meta.outputs)
        .filter(([path]) => path.endsWith('.js'))
        .map(([path, o]) => [
          basename(path),
          {
            staticImports: o.imports.filter((i) => i.kind === 'import-statement').map((i) => basename(i.path)),
            dynamicImports: o.imports.filter((i) => i.kind === 'dynamic-import').map((i) => basename(i.path)),
            sources: Object.keys(o.inputs).map((p) => relative(root, resolve(root, p)).replace(/\\/g, '/')),
          },
        ]),
    );
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const f of outputs.get(file)?.staticImports ?? []) visit(f);
    };
    visit('neurasm.browser.js');
    start = [...seen];
    const chunkOf = (source: string) =>
      [...outputs].filter(([, o]) => o.sources.includes(source)).map(([file]) => file);
    const [simd] = chunkOf(WASM_SOURCES.simd);
    const [relaxed] = chunkOf(WASM_SOURCES.relaxed);
    wasm = { simd, relaxed };
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const startSources = () => start.flatMap((f) => outputs.get(f)?.sources ?? []);

  it('imports each Wasm module, and what nn.io does with model files, only with import()', () => {
    expect(start).toContain('neurasm.browser.js');
    // each Wasm module is a chunk of its own, with nothing else of neurasm in it
    for (const [kind, source] of Object.entries(WASM_SOURCES)) {
      const file = wasm[kind as keyof typeof wasm];
      expect(file, kind).toMatch(/^neurasm\.browser-.+\.js$/);
      expect(outputs.get(file)?.sources.filter((s) => s.startsWith('src/'))).toEqual([source]);
      expect(start).not.toContain(file);
    }
    const dynamic = start.flatMap((f) => outputs.get(f)?.dynamicImports ?? []);
    expect(dynamic).toEqual(expect.arrayContaining([wasm.simd, wasm.relaxed]));
    // the model-file code and the bodies of crossValidate, fitInWorker and serveFit's fits
    const sources = startSources();
    for (const s of LAZY_SOURCES) expect(sources, s).not.toContain(s);
    const lazy = [...outputs].filter(([, o]) => o.sources.includes('src/lazy.ts')).map(([f]) => f);
    expect(lazy).toHaveLength(1);
    expect(dynamic).toContain(lazy[0]);
    expect(outputs.get(lazy[0])?.sources).toEqual(expect.arrayContaining(LAZY_SOURCES));
    // what the start has is not in the chunk again: the same classes either way
    for (const s of outputs.get(lazy[0])?.sources ?? []) expect(sources, s).not.toContain(s);
    expect(sources).toContain('src/models/sequential.ts');
  });

  it('starts from the start files and one Wasm chunk alone, in Node: plain SIMD, then relaxed', () => {
    // without the model-file chunk, nn.io says what it could not load
    const script = `
      const nn = await import(${JSON.stringify(pathToFileURL(join(dir, 'start', 'neurasm.browser.js')).href)});
      const info = await nn.ready({ relaxedSimd: process.argv.includes('relaxed') });
      const y = nn.add(nn.tensor([1, 2, 3]), nn.tensor([10, 20, 30]));
      const model = nn.sequential({ layers: [nn.layers.dense({ units: 1, inputShape: [2] })] });
      const io = await nn.io.modelArtifacts(model).then(
        () => 'loaded',
        (e) => e instanceof nn.BackendError && e.message.split(':').slice(0, 2).join(':'),
      );
      // every error class exported (at the top or in a namespace such as nn.io) has its exported name
      const errors = [];
      const namespaces = [['', nn], ...Object.entries(nn).filter(([, v]) => v !== null && typeof v === 'object')];
      for (const [prefix, namespace] of namespaces) {
        for (const [key, value] of Object.entries(namespace)) {
          if (typeof value !== 'function') continue;
          if (value !== nn.NeurasmError && !(value.prototype instanceof nn.NeurasmError)) continue;
          errors.push(value.name === key ? key : prefix + '.' + key + ' is named ' + value.name);
        }
      }
      console.log(JSON.stringify({ module: info.module, y: Array.from(y.dataSync()), io, errors: errors.sort() }));
    `;
    const run = (kind: 'simd' | 'relaxed', flags: string[]) => {
      rmSync(join(dir, 'start'), { recursive: true, force: true });
      mkdirSync(join(dir, 'start'));
      for (const f of [...start, wasm[kind]]) copyFileSync(join(dir, f), join(dir, 'start', f));
      return JSON.parse(
        execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script, kind], { encoding: 'utf8' }),
      );
    };
    // Node 20 validates relaxed SIMD only behind a flag
    const io = 'modelArtifacts: cannot load the part of neurasm it needs (in the browser, a chunk beside the bundle)';
    // the error classes src/browser/index.ts names again (nn.io's two among them)
    const errors = [
      'BackendError',
      'DTypeError',
      'DisposedError',
      'DivergenceError',
      'ModelFormatError',
      'ModelIOError',
      'NeurasmError',
      'ShapeError',
      'ValueError',
      'WorkerError',
    ];
    expect(run('simd', [])).toEqual({ module: 'simd', y: [11, 22, 33], io, errors });
    expect(run('relaxed', ['--experimental-wasm-relaxed-simd'])).toEqual({
      module: 'relaxed-simd',
      y: [11, 22, 33],
      io,
      errors,
    });
  });

  it('runs the model-file chunk on the start files: a save and load round trip, same classes (in Node)', () => {
    const script = `
      const nn = await import(${JSON.stringify(pathToFileURL(join(dir, 'neurasm.browser.js')).href)});
      await nn.ready();
      nn.setSeed(3);
      const model = nn.sequential({ layers: [
        nn.layers.dense({ units: 4, activation: 'relu', inputShape: [3] }),
        nn.layers.batchNormalization(),
        nn.layers.dense({ units: 2, activation: 'softmax' }),
      ] });
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      let saved;
      await model.save(nn.io.withSaveHandler(async (a) => {
        saved = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }), { includeOptimizer: true });
      const loaded = await nn.loadLayersModel(nn.io.fromMemory(saved));
      const again = await nn.io.modelFromArtifacts(await nn.io.modelArtifacts(loaded), 'again');
      const x = nn.ones([2, 3]);
      const out = (m) => Array.from(m.predict(x).dataSync());
      let error;
      try {
        await nn.io.modelFromArtifacts({ ...saved, format: 'graph-model' }, 'bad');
      } catch (e) {
        error = { name: e.name, format: e instanceof nn.io.ModelFormatError, message: e.message };
      }
      console.log(JSON.stringify({
        outputs: [out(model), out(loaded), out(again)],
        sequential: loaded instanceof nn.Sequential && again instanceof nn.Sequential,
        optimizer: loaded.optimizer.constructor === model.optimizer.constructor,
        error,
      }));
    `;
    const result = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
    );
    expect(result.outputs[1]).toEqual(result.outputs[0]);
    expect(result.outputs[2]).toEqual(result.outputs[0]);
    expect(result.sequential).toBe(true);
    expect(result.optimizer).toBe(true);
    expect(result.error).toEqual({
      name: 'ModelFormatError',
      format: true,
      message: expect.stringContaining("neurasm loads 'layers-model' files"),
    });
  });

  it(`starts under ${START_LIMIT} bytes gzipped: the start files and the larger Wasm chunk`, () => {
    const size = (f: string) => {
      const bytes = readFileSync(join(dir, f));
      return { file: f, minified: bytes.length, gzipped: gzipped(bytes) };
    };
    const js = start.map(size);
    const [larger] = [size(wasm.simd), size(wasm.relaxed)].sort((a, b) => b.gzipped - a.gzipped);
    const total = [...js, larger].reduce((n, s) => n + s.gzipped, 0);
    const later = [...outputs.keys()].filter((f) => !start.includes(f)).map(size);
    const line = (s: { file: string; minified: number; gzipped: number }) =>
      `${s.file}: ${s.minified} B minified, ${s.gzipped} B gzipped`;
    console.log(
      `[bundle size] start ${total} B gzipped = ${[...js, larger].map(line).join(' + ')}; ` +
        `later: ${later.map(line).join('; ')}`,
    );
    expect(js.length).toBeGreaterThan(0);
    expect(larger.gzipped).toBeGreaterThan(10_000);
    const jsBytes = js.reduce((n, s) => n + s.gzipped, 0);
    expect(
      total,
      `start: ${jsBytes} B of JavaScript + ${larger.gzipped} B of Wasm (${larger.file}), gzipped`,
    ).toBeLessThanOrEqual(START_LIMIT);
  });
});
