// fit({ workers }) in Chromium: Web Workers sharing memory in a cross-origin isolated page, and one
// thread (said once) in a page that is not. The bundle is built into a temporary folder and served
// by a small server here, with and without the isolation headers.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserBuild } from '../../tsup.config.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FOUND = existsSync(CHROMIUM);
if (!FOUND)
  console.warn(`[browser test] SKIPPED: no Chromium at ${CHROMIUM}; fit({ workers }) in a page was not tested`);

/** What the page computes: the weights after a fit with `workers`, and what the console said. */
interface PageFit {
  weights: number[][];
  loss: number[];
  isolated: boolean;
  warnings: string[];
  error: string | null;
}

/**
 * Runs in the page (as source text: vitest would rewrite the import() of a function): trains the
 * same small model with dropout for 2 epochs and reports its weights.
 */
const FIT_IN_PAGE = `async (workers) => {
  const warnings = [];
  const warn = console.warn;
  console.warn = (...args) => warnings.push(args.join(' '));
  const nn = await import(new URL('neurasm.browser.js', location.href).href);
  await nn.ready({ relaxedSimd: false });
  const n = 256;
  const x = new Float32Array(n * 12);
  let s = 7;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    x[i] = (s / 2147483648) * 2 - 1;
  }
  const y = new Int32Array(n).map((_, r) => (x[r * 12] + x[r * 12 + 1] > 0 ? 1 : 0));
  nn.setSeed(5);
  const model = nn.sequential({
    layers: [
      nn.layers.dense({ units: 32, activation: 'relu', inputShape: [12] }),
      nn.layers.dropout({ rate: 0.2 }),
      nn.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  let error = null;
  let loss = [];
  try {
    const h = await model.fit(nn.tensor(x, [n, 12]), nn.tensor(y, [n], 'int32'), { epochs: 2, batchSize: 64, seed: 3, verbose: 0, workers });
    loss = h.history.loss;
  } catch (e) {
    error = e.name + ': ' + e.message;
  }
  console.warn = warn;
  const weights = model.getWeights().map((w) => [...w.dataSync()]);
  return { weights, loss, isolated: crossOriginIsolated, warnings, error };
}`;

describe.skipIf(!FOUND)('fit({ workers }) in Chromium', () => {
  let dir: string;
  let server: Server;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'neurasm-workers-'));
    // config: false, or tsup would also run every build of tsup.config.ts with these options
    await build({ ...browserBuild, outDir: dir, silent: true, config: false, esbuildPlugins: [] });
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const isolated = url.pathname.startsWith('/isolated/');
      const file = url.pathname.replace(/^\/(isolated|plain)\//, '');
      const path = normalize(join(dir, file === '' ? 'index.html' : file));
      const headers: Record<string, string> = isolated
        ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
        : {};
      if (file === '' || file === 'index.html') {
        res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end('<!doctype html><title>workers</title>');
      } else if (path.startsWith(dir) && existsSync(path)) {
        res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' }).end(readFileSync(path));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    base = `http://127.0.0.1:${address.port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu'],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function run(path: string, workers: number | 'auto'): Promise<PageFit> {
    const page: Page = await browser.newPage();
    try {
      await page.goto(`${base}${path}`);
      return (await page.evaluate(`(${FIT_IN_PAGE})(${JSON.stringify(workers)})`)) as PageFit;
    } finally {
      await page.close();
    }
  }

  it('trains in Web Workers in an isolated page, with the weights of one thread (within 1e-6)', async () => {
    const one = await run('/isolated/', 1);
    const two = await run('/isolated/', 2);
    expect(two.isolated).toBe(true);
    expect(two.error).toBeNull();
    let diff = 0;
    let scale = 0;
    one.weights.forEach((w, i) => {
      w.forEach((v, j) => {
        diff = Math.max(diff, Math.abs(two.weights[i][j] - v));
        scale = Math.max(scale, Math.abs(v));
      });
    });
    expect(diff / scale).toBeLessThan(1e-6);
    expect(two.loss[1]).toBeCloseTo(one.loss[1], 5);
  }, 120_000);

  it("says once that a page without isolation trains on one thread ('auto'), and rejects workers: 2", async () => {
    const auto = await run('/plain/', 'auto');
    expect(auto.isolated).toBe(false);
    expect(auto.error).toBeNull();
    expect(auto.warnings.filter((w) => w.includes('not cross-origin isolated'))).toHaveLength(1);
    const two = await run('/plain/', 2);
    expect(two.error).toMatch(
      /BackendError: fit: workers other than 1 cannot start: this page is not cross-origin isolated/,
    );
  }, 120_000);
});
