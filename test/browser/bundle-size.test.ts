// What a page downloads to start: dist/neurasm.browser.js alone (one file, no static imports, Wasm
// included), gzipped; what nn.io does with model files comes later, as a chunk beside it that shares
// the bundle's modules (tsup.config.ts, lazyChunkPlugin). Built into a scratch directory, so that it
// runs beside the demo test, which builds into dist/.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserBuild } from '../../tsup.config.js';

/** The start bundle stays under 60 KB gzipped (gzip -9), Wasm included. */
const START_LIMIT = 60 * 1024;

const gzipped = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;

// minified static imports: import"./x.js" or import{a as b}from"./x.js"
const STATIC_IMPORT = /(?:^|[;\n])import\s*(?:["']|[\w*{][^;]*?\bfrom\s*["'])/;

describe('the browser bundle', () => {
  let dir: string;
  let files: string[];
  let chunk: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'neurasm-bundle-'));
    // config: false, or tsup would also run every build of tsup.config.ts with these options
    await build({ ...browserBuild, outDir: dir, silent: true, config: false });
    files = readdirSync(dir).filter((f) => f.endsWith('.js'));
    chunk = files.find((f) => f !== 'neurasm.browser.js') ?? '';
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is one file to start with, whose dynamic imports are chunks beside it', () => {
    const start = readFileSync(join(dir, 'neurasm.browser.js'), 'utf8');
    expect(start).not.toMatch(STATIC_IMPORT);
    const dynamic = [...start.matchAll(/\bimport\("\.\/([^"]+)"\)/g)].map((m) => m[1]);
    expect(dynamic).toEqual([expect.stringMatching(/^neurasm\.browser-lazy-\w+\.js$/)]);
    expect(files.sort()).toEqual(['neurasm.browser.js', dynamic[0]].sort());
    // the chunk imports nothing: it is handed the bundle's modules (src/io/lazy-import.ts)
    expect(readFileSync(join(dir, chunk), 'utf8')).not.toMatch(STATIC_IMPORT);
  });

  it('keeps nn.io and the bodies of crossValidate, fitInWorker and serveFit in the chunk, which carries no copy of the modules the bundle has', () => {
    // the modules in a file, from its source map: src/... paths
    const sources = (file: string): string[] =>
      JSON.parse(readFileSync(join(dir, `${file}.map`), 'utf8')).sources as string[];
    const path = (s: string) => /(?:^|\/|:)(src\/.*)$/.exec(s)?.[1] ?? s;
    const own = sources(chunk)
      .filter((s) => !s.startsWith('neurasm-linked:'))
      .map(path);
    const linked = sources(chunk)
      .filter((s) => s.startsWith('neurasm-linked:'))
      .map(path);
    const start = sources('neurasm.browser.js').map(path);
    // the chunk's own modules are nn.io's and the bodies of crossValidate, fitInWorker and serveFit, and the bundle has none of them
    for (const s of own)
      expect(s).toMatch(/^src\/(io\/[\w-]+|data\/cross-validate|worker\/host|worker\/serve-fit-run)\.ts$/);
    for (const s of own) expect(start).not.toContain(s);
    for (const m of [
      'src/io/topology.ts',
      'src/io/weights.ts',
      'src/io/training.ts',
      'src/io/layers.ts',
      'src/data/cross-validate.ts',
      'src/worker/host.ts',
      'src/worker/serve-fit-run.ts',
    ]) {
      expect(own).toContain(m);
    }
    // what the chunk takes from the bundle is in the bundle
    expect(linked).toContain('src/models/sequential.ts');
    for (const s of linked) expect(start).toContain(s);
  });

  it('runs the chunk on the bundle: a save and load round trip, same classes (in Node)', () => {
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

  it(`starts under ${START_LIMIT} bytes gzipped, Wasm included`, () => {
    const sizes = Object.fromEntries(
      files.map((f) => {
        const bytes = readFileSync(join(dir, f));
        return [f, { minified: bytes.length, gzipped: gzipped(bytes) }];
      }),
    );
    console.log(
      `[bundle size] ${Object.entries(sizes)
        .map(([f, s]) => `${f}: ${s.minified} bytes minified, ${s.gzipped} gzipped`)
        .join('; ')}`,
    );
    expect(sizes['neurasm.browser.js'].gzipped).toBeLessThan(START_LIMIT);
  });
});
