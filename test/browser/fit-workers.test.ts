// fit({ workers }) in Chromium: Web Workers sharing memory in a cross-origin isolated page, and Web
// Workers that get each step's buffers transferred (said once) in a page that is not, with the same
// bits; predictAsync and kernelShap on Web Workers in both pages. The bundle is built into a temporary folder and served by a small server here, with and
// without the isolation headers.
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

/** What the page computes: the weights after its last fit, and what the console said. */
interface PageFit {
  weights: number[][];
  loss: number[];
  isolated: boolean;
  warnings: string[];
  error: string | null;
  /** Web Workers the page started, and those it did not end. */
  startedWorkers: number;
  liveWorkers: number;
  /** The page's navigator.hardwareConcurrency. */
  cores: number;
}

/** How the page fits: `fits` times (a fresh model each), with `workers`. */
interface PageOptions {
  workers: number | 'auto';
  fits?: number;
  /** The step (from 1) whose message to the first Web Worker is replaced by one it cannot read, so that it throws. */
  faultAtStep?: number;
  /** Stop the fit (model.stopTraining) after this many steps. */
  stopAfter?: number;
  /** The hidden layer's units (default 32) and the batch size (default 64; as many examples, at least 256). */
  units?: number;
  batchSize?: number;
  /** The hidden layer without bias, then BatchNormalization and relu; RMSprop rather than Adam. */
  batchNorm?: boolean;
}

/**
 * Runs in the page (as source text: vitest would rewrite the import() of a function): trains the
 * same small model with dropout for 2 epochs and reports its weights.
 */
const FIT_IN_PAGE = `async ({ workers, fits = 1, faultAtStep, stopAfter, units = 32, batchSize = 64, batchNorm = false }) => {
  const warnings = [];
  const warn = console.warn;
  console.warn = (...args) => warnings.push(args.join(' '));
  // counts the Web Workers; with faultAtStep, makes the first throw at that step (its parcel replaced by null)
  let startedWorkers = 0;
  let liveWorkers = 0;
  const Base = Worker;
  let steps = 0;
  let first = null;
  globalThis.Worker = class extends Base {
    constructor(...args) {
      super(...args);
      first ??= this;
      startedWorkers++;
      liveWorkers++;
    }
    postMessage(message, transfer) {
      if (this === first && message && message.neurasm === 'replicaStep' && ++steps === faultAtStep) {
        return super.postMessage({ neurasm: 'replicaStep', parcel: null });
      }
      return super.postMessage(message, transfer);
    }
    terminate() {
      liveWorkers--;
      return super.terminate();
    }
  };
  const nn = await import(new URL('neurasm.browser.js', location.href).href);
  await nn.ready({ relaxedSimd: false });
  const n = Math.max(256, batchSize);
  const x = new Float32Array(n * 12);
  let s = 7;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    x[i] = (s / 2147483648) * 2 - 1;
  }
  const y = new Int32Array(n).map((_, r) => (x[r * 12] + x[r * 12 + 1] > 0 ? 1 : 0));
  let error = null;
  let loss = [];
  let model;
  for (let f = 0; f < fits; f++) {
    nn.setSeed(5);
    const hidden = batchNorm
      ? [nn.layers.dense({ units, useBias: false, inputShape: [12] }), nn.layers.batchNormalization(), nn.layers.activation({ activation: 'relu' })]
      : [nn.layers.dense({ units, activation: 'relu', inputShape: [12] })];
    model = nn.sequential({
      layers: [...hidden, nn.layers.dropout({ rate: 0.2 }), nn.layers.dense({ units: 2, activation: 'softmax' })],
    });
    model.compile({ optimizer: batchNorm ? 'rmsprop' : 'adam', loss: 'sparseCategoricalCrossentropy' });
    let steps = 0;
    const stop = { onBatchEnd: () => { if (++steps === stopAfter) model.stopTraining = true; } };
    try {
      const h = await model.fit(nn.tensor(x, [n, 12]), nn.tensor(y, [n], 'int32'), { epochs: 2, batchSize, seed: 3, verbose: 0, workers, callbacks: stopAfter ? [stop] : [] });
      loss = h.history.loss;
    } catch (e) {
      error = e.name + ': ' + e.message;
    }
  }
  console.warn = warn;
  const weights = model.getWeights().map((w) => [...w.dataSync()]);
  return { weights, loss, isolated: crossOriginIsolated, warnings, error, startedWorkers, liveWorkers, cores: navigator.hardwareConcurrency };
}`;

/** What the page's predictAsync, kernelShap and integratedGradients computed on one thread and on Web Workers. */
interface PageInference {
  isolated: boolean;
  predictSame: boolean;
  shapSame: boolean;
  /** integratedGradients with workers: 2 gave the attributions and deltas of workers: 1. */
  igSame: boolean;
  /** Web Workers the page started, and those it did not end. */
  startedWorkers: number;
  liveWorkers: number;
  /** What the console said. */
  warnings: string[];
  error: string | null;
}

/**
 * Runs in the page: predictAsync with workers: 2 against predict, and kernelShap and
 * integratedGradients with workers: 2 against workers: 1, on a small model, comparing bits. kernelShap
 * and integratedGradients give the Web Worker a fixed block of rows; in an isolated page predictAsync's main thread may take every batch of this small input
 * before the worker has started (test/worker/predict-async.test.ts leaves every batch to the workers
 * in Node), so for it the page checks that the worker starts, shares the call and is ended; in a page
 * without isolation the worker gets a fixed block of batches.
 */
const INFER_IN_PAGE = `async ({ breakWorker = false } = {}) => {
  const warnings = [];
  const warn = console.warn;
  console.warn = (...args) => warnings.push(args.join(' '));
  let startedWorkers = 0;
  let liveWorkers = 0;
  const Base = Worker;
  globalThis.Worker = class extends Base {
    constructor(...args) { super(...args); startedWorkers++; liveWorkers++; }
    // with breakWorker, the first message (entry and init) carries no model, so the worker throws
    postMessage(message, transfer) {
      if (breakWorker && message && message.init) message = { ...message, init: { ...message.init, artifacts: null } };
      return super.postMessage(message, transfer);
    }
    terminate() { liveWorkers--; return super.terminate(); }
  };
  const nn = await import(new URL('neurasm.browser.js', location.href).href);
  await nn.ready({ relaxedSimd: false });
  nn.setSeed(4);
  const model = nn.sequential({
    layers: [
      nn.layers.dense({ units: 16, activation: 'relu', inputShape: [6] }),
      nn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  const n = 300;
  const x = new Float32Array(n * 6).map((_, i) => Math.sin(i * 0.37));
  const same = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  let error = null;
  let predictSame = false;
  let shapSame = false;
  let igSame = false;
  try {
    const input = nn.tensor(x, [n, 6]);
    const first = model.predict(input, { batchSize: 16 });
    const one = first.dataSync();
    first.dispose();
    if (breakWorker) {
      // every tensor held (none left to the garbage collector between the two counts)
      const before = nn.memory().numTensors;
      try {
        await model.predictAsync(input, { batchSize: 16, workers: 2 });
      } catch (e) {
        error = e.name + ': ' + e.message;
      }
      // the failed call left no tensor, and the model still predicts as before
      const leftNone = nn.memory().numTensors === before;
      const again = model.predict(input, { batchSize: 16 });
      predictSame = leftNone && same(one, again.dataSync());
      again.dispose();
      input.dispose();
      console.warn = warn;
      return { isolated: crossOriginIsolated, predictSame, shapSame, igSame, startedWorkers, liveWorkers, warnings, error };
    }
    const many = (await model.predictAsync(input, { batchSize: 16, workers: 2 })).dataSync();
    predictSame = same(one, many);
    const background = nn.tensor(x.slice(0, 20 * 6), [20, 6]);
    const explained = nn.tensor(x.slice(6 * 100, 6 * 104), [4, 6]);
    const shap = (workers) => nn.explain.kernelShap(model, explained, { background, seed: 1, workers });
    const a = (await shap(1)).values.dataSync();
    const b = (await shap(2)).values.dataSync();
    shapSame = same(a, b);
    const ig = (workers) => nn.explain.integratedGradients(model, explained, { steps: 20, workers });
    const [ig1, ig2] = [await ig(1), await ig(2)];
    igSame = same(ig1.attributions.dataSync(), ig2.attributions.dataSync()) && same(ig1.delta, ig2.delta);
  } catch (e) {
    error = e.name + ': ' + e.message;
  }
  console.warn = warn;
  return { isolated: crossOriginIsolated, predictSame, shapSame, igSame, startedWorkers, liveWorkers, warnings, error };
}`;

/** The largest difference between two weight lists, relative to the largest weight of `expected`. */
function relativeDifference(actual: number[][], expected: number[][]): number {
  let diff = 0;
  let scale = 0;
  expected.forEach((w, i) => {
    w.forEach((v, j) => {
      diff = Math.max(diff, Math.abs(actual[i][j] - v));
      scale = Math.max(scale, Math.abs(v));
    });
  });
  return diff / scale;
}

/** Whether two weight lists hold the same float32 values (bits: no NaN here). */
function sameBits(a: number[][], b: number[][]): boolean {
  return (
    a.length === b.length && a.every((w, i) => w.length === b[i].length && w.every((v, j) => Object.is(v, b[i][j])))
  );
}

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

  async function infer(path: string, options: { breakWorker?: boolean } = {}): Promise<PageInference> {
    const page: Page = await browser.newPage();
    try {
      await page.goto(`${base}${path}`);
      return (await page.evaluate(`(${INFER_IN_PAGE})(${JSON.stringify(options)})`)) as PageInference;
    } finally {
      await page.close();
    }
  }

  async function run(path: string, options: PageOptions): Promise<PageFit> {
    const page: Page = await browser.newPage();
    try {
      await page.goto(`${base}${path}`);
      return (await page.evaluate(`(${FIT_IN_PAGE})(${JSON.stringify(options)})`)) as PageFit;
    } finally {
      await page.close();
    }
  }

  let isolatedTwo: PageFit;

  it('predicts (predictAsync) and explains (kernelShap) on Web Workers in an isolated page, with the bits of one thread', async () => {
    const result = await infer('/isolated/');
    expect(result.error).toBeNull();
    expect(result.isolated).toBe(true);
    expect(result.predictSame).toBe(true);
    expect(result.shapSame).toBe(true);
    expect(result.igSame).toBe(true);
    // one worker each for predictAsync, kernelShap and integratedGradients with workers: 2; all ended
    expect([result.startedWorkers, result.liveWorkers]).toEqual([3, 0]);
    expect(result.warnings).toEqual([]);
  }, 120_000);

  it('predicts and explains on Web Workers in a page without isolation, transferring buffers (said once), with the bits of one thread', async () => {
    const result = await infer('/plain/');
    expect(result.error).toBeNull();
    expect(result.isolated).toBe(false);
    expect(result.predictSame).toBe(true);
    expect(result.shapSame).toBe(true);
    expect(result.igSame).toBe(true);
    expect([result.startedWorkers, result.liveWorkers]).toEqual([3, 0]);
    // predictAsync, kernelShap and integratedGradients all transferred: one warning
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/predictAsync and explanations/);
    expect(result.warnings[0]).toMatch(/not cross-origin isolated/);
    expect(result.warnings[0]).toMatch(/Cross-Origin-Opener-Policy: same-origin/);
    expect(result.warnings[0]).toMatch(/Cross-Origin-Embedder-Policy: require-corp/);
    expect(result.warnings[0]).toMatch(/transferred buffers instead/);
  }, 120_000);

  it('rejects a predictAsync whose Web Worker throws in a page without isolation with a BackendError naming it; the model is unchanged, no worker is left', async () => {
    const result = await infer('/plain/', { breakWorker: true });
    expect(result.error).toMatch(/^BackendError: predictAsync: worker thread 1 failed: /);
    expect(result.predictSame).toBe(true);
    expect([result.startedWorkers, result.liveWorkers]).toEqual([1, 0]);
  }, 120_000);

  it('trains in Web Workers in an isolated page, with the weights of one thread (within 1e-6)', async () => {
    const one = await run('/isolated/', { workers: 1 });
    isolatedTwo = await run('/isolated/', { workers: 2 });
    expect(isolatedTwo.isolated).toBe(true);
    expect(isolatedTwo.error).toBeNull();
    expect(relativeDifference(isolatedTwo.weights, one.weights)).toBeLessThan(1e-6);
    expect(isolatedTwo.loss[1]).toBeCloseTo(one.loss[1], 5);
    expect(isolatedTwo.warnings).toEqual([]);
    expect([isolatedTwo.startedWorkers, isolatedTwo.liveWorkers]).toEqual([1, 0]);
  }, 120_000);

  it('trains in Web Workers in a page without isolation, transferring buffers (said once), with the bits of the isolated page', async () => {
    const plain = await run('/plain/', { workers: 2, fits: 2 });
    expect(plain.isolated).toBe(false);
    expect(plain.error).toBeNull();
    expect(sameBits(plain.weights, isolatedTwo.weights)).toBe(true);
    expect(plain.loss).toEqual(isolatedTwo.loss);
    expect([plain.startedWorkers, plain.liveWorkers]).toEqual([2, 0]);
    expect(plain.warnings).toHaveLength(1);
    expect(plain.warnings[0]).toMatch(/not cross-origin isolated/);
    expect(plain.warnings[0]).toMatch(/Cross-Origin-Opener-Policy: same-origin/);
    expect(plain.warnings[0]).toMatch(/Cross-Origin-Embedder-Policy: require-corp/);
    expect(plain.warnings[0]).toMatch(/transferred buffers instead \(slower where steps are short\)/);
    // 'auto' keeps this small model on one thread: no worker, nothing said
    const auto = await run('/plain/', { workers: 'auto' });
    expect(auto.error).toBeNull();
    expect(auto.warnings).toEqual([]);
    expect(auto.startedWorkers).toBe(0);
  }, 120_000);

  it("'auto' trains a model large enough to pay in Web Workers in a page without isolation (as many as the cores, at most 4)", async () => {
    // 12-2500-2 in batches of 1024: 37,502 weights × 1024 rows ≥ 'auto''s 20 million
    const auto = await run('/plain/', { workers: 'auto', units: 2500, batchSize: 1024 });
    expect(auto.error).toBeNull();
    const threads = Math.min(auto.cores, 4);
    expect([auto.startedWorkers, auto.liveWorkers]).toEqual([threads - 1, 0]);
    expect(auto.warnings).toHaveLength(threads > 1 ? 1 : 0);
    const one = await run('/plain/', { workers: 1, units: 2500, batchSize: 1024 });
    expect(relativeDifference(auto.weights, one.weights)).toBeLessThan(1e-6);
  }, 120_000);

  it("trains BatchNormalization in Web Workers of an isolated page by the whole batch's statistics; refuses it where memory is not shared", async () => {
    const one = await run('/isolated/', { workers: 1, batchNorm: true });
    const two = await run('/isolated/', { workers: 2, batchNorm: true });
    expect(two.error).toBeNull();
    expect(relativeDifference(two.weights, one.weights)).toBeLessThan(1e-6);
    // the moving mean (after kernel, gamma, beta) moved
    expect(two.weights[3].some((v) => Math.abs(v) > 1e-3)).toBe(true);
    expect([two.startedWorkers, two.liveWorkers]).toEqual([1, 0]);
    const plain = await run('/plain/', { workers: 2, batchNorm: true });
    expect(plain.error).toMatch(
      /^ValueError: fit: workers other than 1 trains a model with BatchNormalization only where the threads share memory/,
    );
    expect(plain.startedWorkers).toBe(0);
  }, 120_000);

  it('rejects a fit whose Web Worker throws in a page without isolation, leaving the model at the last completed step and no worker', async () => {
    const failed = await run('/plain/', { workers: 2, faultAtStep: 6 });
    expect(failed.error).toMatch(/fit \(worker thread 1\): /);
    expect([failed.startedWorkers, failed.liveWorkers]).toEqual([1, 0]);
    const stopped = await run('/plain/', { workers: 1, stopAfter: 5 });
    expect(stopped.error).toBeNull();
    expect(relativeDifference(failed.weights, stopped.weights)).toBeLessThan(1e-6);
  }, 120_000);
});
