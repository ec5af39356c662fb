// The package as npm would publish it: built once into a scratch copy of the repository, its typings
// checked from a user's program (ESM and CommonJS, `tsc --strict` with library checking on), and the
// list of files `npm pack` would ship.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserBuild, packageBuild } from '../../tsup.config.js';

const root = resolve(import.meta.dirname, '../..');

/**
 * Bounds of `npm pack`: about 0.6 MB packed and 2 MB unpacked early in 2026-12, about 860 KB packed with
 * the text layers (textVectorization, embedding, conv1d, pooling, recurrent; ESM, CJS and typings), and
 * 1,034 KB packed, 2.85 MB unpacked with int8 (nn.quantize and its layers, the int8 kernels), the
 * explanation methods and the surrogate trees; fit({ workers }) (the threads of data-parallel training)
 * added 25 KB packed to 1,103 KB; predictAsync and the explanations on worker threads, and the path
 * that transfers buffers where memory cannot be shared, brought it to 1,142 KB packed and 3.24 MB
 * unpacked (2026-12-05).
 */
const PACKED_LIMIT = 1200 * 1024;
const UNPACKED_LIMIT = 3.5 * 1024 * 1024;

let scratch: string;
let pkg: string;

/** The repository's files (tracked, or new and not ignored) without dist/, copied into `to`. */
function copyRepository(to: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root })
    .toString()
    .split('\0')
    // files only: a tracked file deleted in the work tree, or a symlinked node_modules, is skipped
    .filter((f) => f && !f.startsWith('dist/') && existsSync(join(root, f)) && lstatSync(join(root, f)).isFile());
  for (const f of files) {
    mkdirSync(dirname(join(to, f)), { recursive: true });
    copyFileSync(join(root, f), join(to, f));
  }
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'neurasm-package-'));
  pkg = join(scratch, 'neurasm');
  copyRepository(pkg);
  const outDir = join(pkg, 'dist');
  // config: false, or tsup would also run every build of tsup.config.ts with these options
  await build({ ...packageBuild, outDir, silent: true, config: false });
  await build({ ...browserBuild, outDir, silent: true, config: false });
}, 180_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the repository's tsc on a project; returns its output (empty when it type-checks). */
function tsc(project: string): string {
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project], { stdio: 'pipe' });
    return '';
  } catch (e) {
    const { stdout, stderr } = e as { stdout: Buffer; stderr: Buffer };
    return `${stdout}${stderr}` || String(e);
  }
}

describe('the published typings', () => {
  let consumer: string;
  beforeAll(() => {
    // a user's project: node_modules/neurasm is the built package, so its `exports` and `types` decide
    consumer = join(scratch, 'consumer');
    mkdirSync(join(consumer, 'node_modules/@types'), { recursive: true });
    symlinkSync(pkg, join(consumer, 'node_modules/neurasm'), 'dir');
    symlinkSync(join(root, 'node_modules/@types/node'), join(consumer, 'node_modules/@types/node'), 'dir');
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    const program = readFileSync(join(import.meta.dirname, 'consumer/program.ts'), 'utf8');
    writeFileSync(join(consumer, 'esm.mts'), program);
    writeFileSync(join(consumer, 'cjs.cts'), program);
    const options = {
      strict: true,
      skipLibCheck: false,
      noEmit: true,
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
    };
    // a browser project (DOM, no Node types) imports the ESM build; a Node one (no DOM) requires the CJS build
    const esm = { ...options, lib: ['ES2022', 'DOM'], types: [] };
    const cjs = { ...options, lib: ['ES2022'], types: ['node'] };
    writeFileSync(join(consumer, 'esm.json'), JSON.stringify({ compilerOptions: esm, files: ['esm.mts'] }));
    writeFileSync(join(consumer, 'cjs.json'), JSON.stringify({ compilerOptions: cjs, files: ['cjs.cts'] }));
  });

  it('type-check a program importing neurasm as an ES module (tsc --strict, skipLibCheck false)', () => {
    expect(tsc(join(consumer, 'esm.json'))).toBe('');
  });

  it('type-check the same program as CommonJS, against the .d.cts files', () => {
    expect(tsc(join(consumer, 'cjs.json'))).toBe('');
  });

  it('keep the engine out: no @internal member, no module augmentation of a file that is not there', () => {
    const typings = readdirSync(join(pkg, 'dist')).filter((f) => /\.d\.c?ts$/.test(f));
    expect(typings).toEqual(expect.arrayContaining(['index.d.ts', 'index.d.cts', 'datasets.d.ts', 'datasets.d.cts']));
    for (const f of typings) {
      const text = readFileSync(join(pkg, 'dist', f), 'utf8');
      expect(text, f).not.toContain('@internal');
      expect(text, f).not.toMatch(/declare module ['"]\./);
    }
  });
});

interface PackResult {
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

describe('npm pack', () => {
  let pack: PackResult;
  let paths: string[];
  beforeAll(() => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: pkg, stdio: 'pipe' });
    pack = (JSON.parse(out.toString()) as PackResult[])[0];
    paths = pack.files.map((f) => f.path).sort();
  }, 60_000);

  it('ships the licences, the README and the built entries', () => {
    for (const f of ['LICENSE', 'README.md', 'package.json', 'datasets/LICENSE', 'datasets/README.md']) {
      expect(paths).toContain(f);
    }
    // every file package.json points at
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
    const targets: string[] = [manifest.main, manifest.module, manifest.types];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') targets.push(v);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(manifest.exports);
    for (const t of targets) expect(paths, t).toContain(t.replace(/^\.\//, ''));
    // and the modules they import (chunks)
    expect(paths).toEqual(
      expect.arrayContaining(
        readdirSync(join(pkg, 'dist'))
          .filter((f) => !f.endsWith('.map'))
          .map((f) => `dist/${f}`),
      ),
    );
  });

  it('ships every chunk the browser entry imports, statically or with import() (its Wasm modules among them)', () => {
    const found = new Set<string>();
    const visit = (file: string) => {
      if (found.has(file)) return;
      found.add(file);
      expect(paths, `imported by the browser entry: ${file}`).toContain(`dist/${file}`);
      const text = readFileSync(join(pkg, 'dist', file), 'utf8');
      for (const m of text.matchAll(/(?:\bfrom|\bimport\(?)\s*["']\.\/([^"']+)["']/g)) visit(m[1]);
    };
    visit('neurasm.browser.js');
    // the start files, the model-file chunk and one chunk for each Wasm module
    expect(found.size).toBeGreaterThanOrEqual(4);
    const wasm = [...found].filter((f) => {
      const text = readFileSync(join(pkg, 'dist', f), 'utf8');
      return /"H4sI[A-Za-z0-9+/=]{10000,}"/.test(text);
    });
    expect(wasm).toHaveLength(2);
  });

  it('ships no source maps, raw data files, sources or tests', () => {
    for (const p of paths) {
      expect(p).not.toMatch(/\.map$|\.csv(\.gz)?$/);
      expect(p).toMatch(/^(dist\/|datasets\/(LICENSE|README\.md)$|LICENSE$|README\.md$|package\.json$)/);
    }
  });

  it(`stays under ${PACKED_LIMIT / 1024} KB packed and ${UNPACKED_LIMIT / 1024 / 1024} MB unpacked`, () => {
    console.log(`npm pack: ${pack.files.length} files, ${pack.size} bytes packed, ${pack.unpackedSize} unpacked`);
    expect(pack.size).toBeLessThan(PACKED_LIMIT);
    expect(pack.unpackedSize).toBeLessThan(UNPACKED_LIMIT);
  });
});
