// What a page downloads to start: dist/neurasm.browser.js alone (one file, no static imports, Wasm
// included), gzipped; model-file code comes later as a chunk beside it. Built into a scratch
// directory, so that it runs beside the demo test, which builds into dist/.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserBuild } from '../../tsup.config.js';

/**
 * The start bundle's gzipped size must stay below this. Issue 4 asks for 60 KB; the bundle is not
 * there yet (see examples/browser/README.md), and this keeps it from growing meanwhile.
 */
const START_LIMIT_KB = 68;

const gzipped = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;

describe('the browser bundle', () => {
  let dir: string;
  let files: string[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'neurasm-bundle-'));
    await build({ ...browserBuild, outDir: dir, silent: true });
    files = readdirSync(dir).filter((f) => f.endsWith('.js'));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is one file to start with, whose dynamic imports are chunks beside it', () => {
    const start = readFileSync(join(dir, 'neurasm.browser.js'), 'utf8');
    // minified static imports: import"./x.js" or import{a as b}from"./x.js"
    expect(start).not.toMatch(/(?:^|[;\n])import\s*(?:["']|[\w*{][^;]*?\bfrom\s*["'])/);
    const dynamic = [...start.matchAll(/\bimport\("\.\/([^"]+)"\)/g)].map((m) => m[1]);
    expect(dynamic).toEqual([expect.stringMatching(/^neurasm\.browser-io-\w+\.js$/)]);
    expect(files.sort()).toEqual(['neurasm.browser.js', dynamic[0]].sort());
    // the chunk imports nothing: it takes what it shares with the bundle from it (src/io/linked.ts)
    const chunk = readFileSync(join(dir, dynamic[0]), 'utf8');
    expect(chunk).not.toMatch(/(?:^|[;\n])import\s*(?:["']|[\w*{][^;]*?\bfrom\s*["'])/);
  });

  it(`starts under ${START_LIMIT_KB} KB gzipped, Wasm included`, () => {
    const sizes = Object.fromEntries(files.map((f) => [f, gzipped(readFileSync(join(dir, f)))]));
    console.log(
      `[bundle size] gzipped: ${Object.entries(sizes)
        .map(([f, n]) => `${f} ${(n / 1024).toFixed(1)} KB`)
        .join(', ')}`,
    );
    expect(sizes['neurasm.browser.js'] / 1024).toBeLessThan(START_LIMIT_KB);
  });
});
