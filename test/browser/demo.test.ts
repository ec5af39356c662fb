// The browser demo in a real Chromium (Debian's, driven by playwright-core), against the same
// experiment run here in Node: the bundle is built, served by scripts/demo-server.mjs on 127.0.0.1,
// and the page trains in a worker, predicts what the mouse draws, saves and reloads its model.
// Skipped, with a message, where no Chromium is installed; `npm run test:browser` requires one.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { build } from 'tsup';
import { build as viteBuild } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accuracy,
  buildModel,
  fitArgs,
  type Int8Report,
  int8Report,
  modelFingerprints,
  prepareData,
  SETTINGS,
} from '../../examples/browser/experiment.js';
import { loadDataset } from '../../src/datasets/index.js';
import * as nn from '../../src/index.js';
import { browserBuild, packageBuild } from '../../tsup.config.js';
import { DIGIT_STROKES, type Stroke } from './digit-strokes.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const REQUIRED = process.env.NEURASM_BROWSER_TEST === 'require';
const FOUND = existsSync(CHROMIUM);
const ROOT = join(import.meta.dirname, '..', '..');
const SCREENSHOTS = join(ROOT, 'screenshots');
// no network on the test machines: nothing in the background may try to reach it
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

if (!FOUND && !REQUIRED) {
  console.warn(
    `[browser test] SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH). ` +
      'The demo page, the bundle and the Node-vs-browser bit comparison were not tested.',
  );
}

it.runIf(REQUIRED && !FOUND)('finds a Chromium (npm run test:browser requires one)', () => {
  expect.fail(`no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
});

/** What the page publishes as window.neurasmDemo (examples/browser/main.js). */
interface DemoState {
  phase: string;
  module: string | null;
  epochs: number;
  history: Array<Record<string, number>>;
  testAccuracy: number | null;
  fingerprint: { weights: string; predictions: string } | null;
  prediction: { digit: number; probabilities: number[]; features: number[] } | null;
  quantized: Int8Report | null;
  loadedFromStorage: boolean;
  error: string | null;
}

describe.skipIf(!FOUND)('the demo page in Chromium', () => {
  let server: ChildProcess;
  let base: string;
  let context: BrowserContext;
  let userDataDir: string;
  const node = {} as {
    fingerprint: { weights: string; predictions: string };
    testAccuracy: number;
    int8: Int8Report;
    model: nn.Sequential;
    scaler: nn.data.StandardScaler;
  };

  beforeAll(async () => {
    // the bundle the page imports, built from the current sources (test/browser/bundle-size.test.ts prints its sizes)
    // config: false, or tsup would also run every build of tsup.config.ts with these options
    await build({ ...browserBuild, silent: true, config: false });

    server = spawn(process.execPath, [join(ROOT, 'scripts', 'demo-server.mjs'), '--port', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    base = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (chunk: Buffer) => {
        out += chunk;
        const url = /http:\/\/127\.0\.0\.1:\d+\/examples\/browser\//.exec(out);
        if (url) resolve(url[0]);
      });
      server.on('exit', (code) => reject(new Error(`demo-server exited with ${code}: ${out}`)));
    });

    userDataDir = mkdtempSync(join(tmpdir(), 'neurasm-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
    });

    // the Node side of the comparison: the same experiment on the embedded digits, plain SIMD
    await nn.ready({ relaxedSimd: false });
    const digits = await loadDataset('digits');
    const data = prepareData(nn, digits.x, digits.y, SETTINGS.seed);
    node.model = buildModel(nn, SETTINGS.seed);
    await node.model.fit(data.xTrain, data.yTrain, fitArgs(SETTINGS.seed));
    const fp = await modelFingerprints(nn, node.model, data.xTest);
    node.fingerprint = { weights: fp.weights, predictions: fp.predictions };
    node.testAccuracy = accuracy(fp.probabilities, data.yTest.dataSync<'int32'>());
    node.scaler = data.scaler;
    node.int8 = await int8Report(nn, node.model, data.xTest, data.yTest);
    nn.dispose([digits.x, digits.y, data.xTrain, data.yTrain, data.xTest, data.yTest]);
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    server?.kill();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    node.model?.dispose();
  });

  async function open(query = '', init?: string): Promise<{ page: Page; errors: string[] }> {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // a console error (a favicon 404 logs one) or any failed request counts too
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
    });
    if (init) await page.addInitScript(init);
    await page.goto(base + query);
    await page.waitForFunction(() => {
      const phase = (globalThis as { neurasmDemo?: DemoState }).neurasmDemo?.phase;
      return phase !== undefined && phase !== 'loading';
    });
    return { page, errors };
  }

  const state = (page: Page) => page.evaluate(() => (globalThis as unknown as { neurasmDemo: DemoState }).neurasmDemo);

  async function train(page: Page): Promise<DemoState> {
    await page.click('#train');
    await page.waitForFunction(
      () => ['trained', 'error'].includes((globalThis as unknown as { neurasmDemo: DemoState }).neurasmDemo.phase),
      null,
      { timeout: 120_000 },
    );
    return state(page);
  }

  /** Draws strokes (points in [0, 1] of the pad) with mouse events; returns the page's prediction. */
  async function draw(page: Page, strokes: Stroke[]): Promise<DemoState['prediction']> {
    await page.click('#clear');
    const box = (await page.locator('#pad').boundingBox())!;
    const at = ([x, y]: [number, number]) => [box.x + x * box.width, box.y + y * box.height] as const;
    for (const stroke of strokes) {
      await page.mouse.move(...at(stroke[0]));
      await page.mouse.down();
      for (const p of stroke.slice(1)) await page.mouse.move(...at(p), { steps: 4 });
      await page.mouse.up();
    }
    // the pad predicts on the next animation frame
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    return (await state(page)).prediction;
  }

  /** The Node model's probabilities for the same 64 features. */
  function nodePredict(features: number[]): number[] {
    return nn.tidy(() =>
      Array.from(node.model.predict(node.scaler.transform(nn.tensor2d(features, [1, 64]))).dataSync()),
    );
  }

  it('says that training starts with the Train button, and logs no error (no favicon request)', async () => {
    const { page, errors } = await open('?module=simd');
    expect((await state(page)).phase).toBe('ready');
    expect(await page.isVisible('#train-hint')).toBe(true);
    expect(await page.textContent('#train-hint')).toMatch(/Training starts when you press Train/);
    expect(await page.textContent('#draw-hint')).toMatch(/Train a model first/);
    expect(await page.isEnabled('#train')).toBe(true);
    // the browser asks for the icon after the load; give it the time to
    await page.waitForTimeout(500);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('trains in a Web Worker to >= 95% test accuracy, the same bits as Node (plain SIMD)', async () => {
    const { page, errors } = await open('?module=simd');
    const workers: string[] = [];
    page.on('worker', (w) => workers.push(w.url()));
    const s = await train(page);
    expect(s.error).toBeNull();
    expect(s.module).toBe('simd');
    expect(workers.some((u) => u.endsWith('/examples/browser/train-worker.js'))).toBe(true);
    expect(s.epochs).toBe(SETTINGS.epochs);
    expect(s.history.length).toBe(SETTINGS.epochs);
    expect(s.history[SETTINGS.epochs - 1].loss).toBeLessThan(s.history[0].loss / 10);
    expect(Object.keys(s.history[0]).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    expect(s.testAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(s.testAccuracy).toBe(node.testAccuracy);
    expect(s.fingerprint).toEqual(node.fingerprint);
    expect(await page.locator('#progress').evaluate((p: HTMLProgressElement) => p.value)).toBe(1);
    expect(await page.textContent('#result')).toMatch(/test accuracy \d+\.\d\d% on 450 held-out digits/);

    // the pad: digits drawn with the mouse, predicted live, with the same probabilities as in Node
    const read: number[] = [];
    for (const strokes of DIGIT_STROKES) {
      const p = await draw(page, strokes);
      expect(p?.probabilities).toEqual(nodePredict(p!.features));
      read.push(p!.digit);
    }
    expect(read.filter((digit, k) => digit === k).length, `read ${read.join(', ')} for 0-9`).toBeGreaterThanOrEqual(8);
    const zero = await draw(page, DIGIT_STROKES[0]);
    expect(zero?.digit).toBe(0);
    expect(await page.textContent('#predicted')).toBe('0');
    expect(await page.locator('#bars li.best span').first().textContent()).toBe('0');
    expect(await page.textContent('#draw-hint')).toMatch(/Draw a digit/);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'demo.png'), fullPage: true });
    await page.click('#clear');
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expect((await state(page)).prediction).toBeNull();
    expect(await page.textContent('#predicted')).toBe('?');

    // int8: both accuracies and sizes shown; the int8 kernels give Node's bits
    await page.click('#quantize');
    await page.waitForFunction(() => (globalThis as unknown as { neurasmDemo: DemoState }).neurasmDemo.quantized);
    const q = (await state(page)).quantized!;
    expect(q).toEqual(node.int8);
    expect(q.floatAccuracy - q.int8Accuracy).toBeLessThanOrEqual(0.005);
    expect(q.agreement).toBeGreaterThanOrEqual(0.99);
    expect(q.floatBytes / q.int8Bytes).toBeGreaterThan(3.5);
    expect(await page.textContent('#quantize-result')).toMatch(
      /float32 +test accuracy \d+\.\d\d% +weights [\d.]+ KB\nint8 +test accuracy \d+\.\d\d% +weights [\d.]+ KB\nsame digit/,
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it('saves the model in IndexedDB and loads it again on reload', async () => {
    const { page, errors } = await open('?module=simd');
    expect(await page.isVisible('#save-section')).toBe(true);
    await train(page);
    await page.click('#save');
    await page.waitForFunction(() => document.querySelector('#save-status')?.textContent?.startsWith('Saved'));
    await page.reload();
    await page.waitForFunction(() =>
      ['loaded', 'ready', 'error'].includes((globalThis as unknown as { neurasmDemo: DemoState }).neurasmDemo?.phase),
    );
    const s = await state(page);
    expect(s.error).toBeNull();
    expect(s.phase).toBe('loaded');
    expect(s.loadedFromStorage).toBe(true);
    expect(s.fingerprint).toEqual(node.fingerprint);
    expect((await draw(page, DIGIT_STROKES[0]))?.digit).toBe(0);
    await page.click('#forget');
    await page.reload();
    await page.waitForFunction(
      () => (globalThis as unknown as { neurasmDemo: DemoState }).neurasmDemo?.phase === 'ready',
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it('picks relaxed SIMD where Chromium validates it, and trains as well with it', async () => {
    const { page, errors } = await open();
    const s = await train(page);
    expect(s.error).toBeNull();
    expect(s.module).toBe('relaxed-simd');
    expect(s.testAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('rejects fit with the worker error when the worker dies mid-training', async () => {
    const { page } = await open('?module=simd');
    const outcome = await page.evaluate(async () => {
      // the page's library (main.js puts it on window.nn)
      const nn = (globalThis as unknown as { nn: typeof import('../../src/index.js') }).nn;
      const x = new Float32Array(4000 * 8).map((_, i) => Math.sin(i));
      const y = new Int32Array(4000).map((_, i) => (x[i * 8] > 0 ? 1 : 0));
      const run = async (worker: Worker) => {
        const epochs: number[] = [];
        try {
          await nn.fitInWorker(worker, x, y, {
            epochs: 10_000,
            callbacks: { onEpochEnd: (e) => void epochs.push(e) },
          });
          return { resolved: true, epochs: epochs.length };
        } catch (e) {
          return { name: (e as Error).name, message: (e as Error).message, epochs: epochs.length };
        } finally {
          worker.terminate();
        }
      };
      const crashed = await run(new Worker('/test/browser/crash-worker.js', { type: 'module' }));
      const missing = await run(new Worker('/test/browser/no-such-worker.js', { type: 'module' }));
      return { crashed, missing };
    });
    expect(outcome.crashed).toEqual({
      name: 'WorkerError',
      message: 'fitInWorker: the worker failed: Uncaught Error: simulated crash in the training worker',
      epochs: expect.any(Number),
    });
    expect(outcome.crashed.epochs).toBeGreaterThanOrEqual(2);
    expect(outcome.missing.name).toBe('WorkerError');
    expect(outcome.missing.message).toMatch(/^fitInWorker: the worker failed: /);
    await page.close();
  });

  it('works in an app that imports the package by name, bundled by Vite', async () => {
    // a scratch app with the package (its ESM build) in node_modules, as an installed dependency
    const app = mkdtempSync(join(tmpdir(), 'neurasm-vite-'));
    try {
      const pkg = join(app, 'node_modules', 'neurasm');
      mkdirSync(pkg, { recursive: true });
      copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
      await build({
        ...packageBuild,
        format: ['esm'],
        dts: false,
        sourcemap: false,
        outDir: join(pkg, 'dist'),
        silent: true,
        config: false,
      });
      for (const f of ['index.html', 'main.js']) copyFileSync(join(import.meta.dirname, 'vite-app', f), join(app, f));
      await viteBuild({ root: app, logLevel: 'silent', configFile: false, build: { outDir: join(app, 'dist') } });
      const page = await context.newPage();
      const origin = 'http://vite-app.test';
      await page.route(`${origin}/**`, (route) => {
        const path = new URL(route.request().url()).pathname;
        return route.fulfill({ path: join(app, 'dist', path === '/' ? 'index.html' : path) });
      });
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => document.getElementById('out')?.textContent !== 'loading');
      const result = JSON.parse((await page.textContent('#out'))!);
      expect(result.error).toBeUndefined();
      expect(result.module).toBe('relaxed-simd');
      expect(result.accuracy).toBeGreaterThan(0.9);
      await page.close();
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });

  it('says which feature is missing where WebAssembly or its SIMD is', async () => {
    const noWasm = await open('', 'delete globalThis.WebAssembly;');
    expect((await state(noWasm.page)).error).toBe(
      'BackendError: neurasm needs WebAssembly, which this runtime does not provide',
    );
    expect(await noWasm.page.isVisible('#error')).toBe(true);
    await noWasm.page.close();

    // a runtime whose WebAssembly rejects the SIMD instructions
    const noSimd = await open('', 'WebAssembly.validate = () => false;');
    const s = await state(noSimd.page);
    expect(s.phase).toBe('error');
    expect(s.error).toMatch(/^BackendError: neurasm needs WebAssembly SIMD \(fixed-width 128-bit\)/);
    await noSimd.page.close();
  });
});
