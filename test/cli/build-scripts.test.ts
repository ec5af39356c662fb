import { execFile } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');

/** A scratch project with the build scripts, asconfig.json and a one-function assembly/, so the real build/ is left alone. */
function scratchProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'neurasm-build-'));
  for (const sub of ['scripts', 'assembly', 'src/backend/kernels', 'src/datasets', 'datasets'])
    mkdirSync(join(dir, sub), { recursive: true });
  for (const f of [
    'scripts/build-wasm.mjs',
    'scripts/build-datasets.mjs',
    'scripts/inputs-stamp.mjs',
    'scripts/kernel-table.mjs',
    'asconfig.json',
  ]) {
    copyFileSync(join(repo, f), join(dir, f));
  }
  for (const f of ['digits.csv.gz', 'iris.csv', 'wine_data.csv', 'breast_cancer.csv']) {
    copyFileSync(join(repo, 'datasets', f), join(dir, 'datasets', f));
  }
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'assembly/index.ts'), 'export function one(): i32 {\n  return 1;\n}\n');
  return dir;
}

async function build(dir: string, script: string) {
  const { stdout } = await run(process.execPath, [join(dir, 'scripts', script)], { cwd: dir, timeout: 60_000 });
  return { stdout };
}

describe('npm run build:wasm', () => {
  const dir = scratchProject();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const generated = join(dir, 'src/backend/wasm-modules.generated.ts');

  it('compiles once, then skips while assembly/ is unchanged, and rebuilds after an edit', async () => {
    const first = await build(dir, 'build-wasm.mjs');
    expect(first.stdout).toMatch(/wasm: simd \d+ B, relaxed \d+ B/);
    const built = readFileSync(generated, 'utf8');
    expect(built).toMatch(/^\/\/ inputs: [0-9a-f]{64}\n/);

    // a touch (new time, same contents) is not a change
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, 'assembly/index.ts'), later, later);
    const second = await build(dir, 'build-wasm.mjs');
    expect(second.stdout).toContain('wasm: up to date');
    expect(readFileSync(generated, 'utf8')).toBe(built);

    appendFileSync(join(dir, 'assembly/index.ts'), 'export function two(): i32 {\n  return 2;\n}\n');
    const third = await build(dir, 'build-wasm.mjs');
    expect(third.stdout).toMatch(/wasm: simd \d+ B/);
    const rebuilt = readFileSync(generated, 'utf8');
    expect(rebuilt).not.toBe(built);
    expect(rebuilt.split('\n')[0]).not.toBe(built.split('\n')[0]);

    // a new file in assembly/ counts too
    writeFileSync(join(dir, 'assembly/extra.ts'), '// helper\n');
    expect((await build(dir, 'build-wasm.mjs')).stdout).toMatch(/wasm: simd \d+ B/);
    expect((await build(dir, 'build-wasm.mjs')).stdout).toContain('wasm: up to date');
  }, 120_000);

  it('skips the data sets while datasets/ is unchanged, and rebuilds after an edit', async () => {
    expect((await build(dir, 'build-datasets.mjs')).stdout).toMatch(/datasets: 4 embedded/);
    expect((await build(dir, 'build-datasets.mjs')).stdout).toContain('datasets: up to date');
    appendFileSync(join(dir, 'datasets/iris.csv'), '5.0,3.3,1.4,0.2,0\n');
    expect((await build(dir, 'build-datasets.mjs')).stdout).toMatch(/datasets: 4 embedded/);
  }, 60_000);
});
