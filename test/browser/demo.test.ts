// The browser demo in a real Chromium (Debian's, driven by playwright-core), against the same
// experiment run here in Node: the bundle is built, served by scripts/demo-server.mjs on 127.0.0.1,
// and the page trains in a worker, predicts what the mouse draws with an attribution heat map,
// distils a tree, saves and reloads its model, and trains a spam filter whose text box explains.
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
import { digitAttributions, distilledTree, IG_STEPS } from '../../examples/browser/explain.js';
import {
  buildSpamModel,
  SPAM_EXAMPLES,
  SPAM_SETTINGS,
  spamAccuracy,
  spamFitArgs,
  splitSpam,
} from '../../examples/browser/spam-experiment.js';
import { loadDataset, loadSpam } from '../../src/datasets/index.js';
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
  explanation: { digit: number; features: number[]; attributions: number[]; delta: number } | null;
  tree: { fidelity: number; depth: number; leaves: number } | null;
  spam: {
    phase: string;
    emails?: number;
    spam?: number;
    train?: number;
    test?: number;
    epochs?: number;
    testAccuracy?: number;
    seconds?: number;
    explained: {
      text: string;
      probability: number | null;
      tokens: { token: string; attribution: number }[];
      error?: string;
    } | null;
  };
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
    tree: { fidelity: number; depth: number; leaves: number };
    model: nn.Sequential;
    scaler: nn.data.StandardScaler;
  };

  beforeAll(async () => {
    // the bundle the page imports, built from the current sources (test/browser/bundle-size.test.ts prints its sizes)
    // config: false, or tsup would also run every build of tsup.config.ts with these options
    await build({ ...browserBuild, silent: true, config: false });
    // and dist/plot.js (neurasm/plot, dependency-free), which draws the page's SVG pictures
    await build({
      ...packageBuild,
      entry: { plot: 'src/plot/index.ts' },
      format: ['esm'],
      dts: false,
      clean: false,
      silent: true,
      config: false,
    });

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
    const { fidelity, depth, leaves } = await distilledTree(nn, node.model, data.xTrain, data.xTest);
    node.tree = { fidelity, depth, leaves };
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

  /** The page's heat-map explanation once it is for these features (it is computed after a pause). */
  async function explanationOf(page: Page, features: number[]): Promise<NonNullable<DemoState['explanation']>> {
    await page.waitForFunction(
      (f) =>
        JSON.stringify((globalThis as unknown as { neurasmDemo: DemoState }).neurasmDemo.explanation?.features) === f,
      JSON.stringify(features),
    );
    return (await state(page)).explanation!;
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
    // the demo server sends the isolation headers fit({ workers }) needs for shared memory
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
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

    // the distilled tree: the same as Node's surrogate of the same weights, drawn with a box per node
    expect(s.tree).toEqual(node.tree);
    expect(s.tree!.depth).toBe(4);
    expect(s.tree!.fidelity).toBeGreaterThan(0.5);
    expect(await page.locator('#tree svg g.node.leaf').count()).toBe(s.tree!.leaves);
    expect(await page.textContent('#tree-summary')).toMatch(
      new RegExp(
        `^fidelity ${(100 * node.tree.fidelity).toFixed(1)}% on the 450 held-out digits · depth 4 · ${node.tree.leaves} leaves$`,
      ),
    );

    // the pad: digits drawn with the mouse, predicted live, with the same probabilities as in Node, and
    // the heat map of each: 64 cells, Node's integrated gradients of the same weights, complete up to a small delta
    const read: number[] = [];
    let largestDelta = 0;
    for (const strokes of DIGIT_STROKES) {
      const p = await draw(page, strokes);
      expect(p?.probabilities).toEqual(nodePredict(p!.features));
      read.push(p!.digit);
      const e = await explanationOf(page, p!.features);
      expect(e.digit).toBe(p!.digit);
      const inNode = await digitAttributions(nn, node.model, node.scaler, p!.features);
      expect(e.attributions.length).toBe(64);
      for (let i = 0; i < 64; i++) expect(Math.abs(e.attributions[i] - inNode.attributions[i])).toBeLessThan(1e-4);
      expect(Math.abs(e.delta - inNode.delta)).toBeLessThan(1e-4);
      largestDelta = Math.max(largestDelta, Math.abs(e.delta));
      expect(await page.locator('#heatmap svg g.cell').count()).toBe(64);
    }
    // completeness: the attributions add up to f(x) − f(mean digit) within 2% of the probability range
    expect(largestDelta).toBeLessThan(0.02);
    expect(await page.textContent('#attribution-caption')).toMatch(
      new RegExp(`^integrated gradients, ${IG_STEPS} points; completeness error -?\\d\\.\\de[-+]\\d+$`),
    );
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
    expect((await state(page)).explanation).toBeNull();
    expect(await page.locator('#heatmap svg').count()).toBe(0);

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
    expect(s.tree).toEqual(node.tree);
    expect((await draw(page, DIGIT_STROKES[0]))?.digit).toBe(0);
    await page.click('#forget');
    await page.reload();
    await page.waitForFunction(
      () => (globalThis as unknown as { neurasmDemo: DemoState }).neurasmDemo?.phase === 'ready',
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it('trains the spam filter in a worker and colours each word of a typed email by its attribution', async () => {
    const { page, errors } = await open('?module=simd');
    const workers: string[] = [];
    page.on('worker', (w) => workers.push(w.url()));
    const encodings: (string | undefined)[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('/datasets/spam-assassin.jsonl.br')) encodings.push(r.headers()['content-encoding']);
    });
    // the digits first, for the picture: a drawn 3 with its heat map, and the tree
    await train(page);
    const three = await draw(page, DIGIT_STROKES[3]);
    await explanationOf(page, three!.features);

    expect((await state(page)).spam.phase).toBe('ready');
    expect(await page.isDisabled('#spam-text')).toBe(true);
    await page.click('#spam-train');
    await page.waitForFunction(
      () => ['trained', 'error'].includes((globalThis as unknown as { neurasmDemo: DemoState }).neurasmDemo.spam.phase),
      null,
      { timeout: 120_000 },
    );
    const s = (await state(page)).spam;
    expect((await state(page)).error).toBeNull();
    expect(workers.some((u) => u.endsWith('/examples/browser/spam-worker.js'))).toBe(true);
    // the server sent the brotli file as is, and the browser unpacked it
    expect(encodings).toEqual(['br']);
    console.log(`[browser test] spam filter: ${SPAM_SETTINGS.epochs} epochs in ${s.seconds!.toFixed(1)} s in Chromium`);

    // Node: the same corpus (loadSpam), split, model and fit; plain SIMD gives the same bits
    const corpus = await loadSpam();
    const data = splitSpam(nn, corpus);
    const model = buildSpamModel(nn, data.trainTexts);
    try {
      await model.fit(data.trainTexts, data.trainLabels, spamFitArgs());
      expect({ emails: s.emails, spam: s.spam, train: s.train, test: s.test, epochs: s.epochs }).toEqual({
        emails: 6046,
        spam: 1896,
        train: data.trainTexts.length,
        test: data.testTexts.length,
        epochs: SPAM_SETTINGS.epochs,
      });
      expect(s.testAccuracy).toBe(spamAccuracy(model, data.testTexts, data.testLabels));
      expect(s.testAccuracy).toBeGreaterThan(0.95);
      expect(await page.textContent('#spam-result')).toMatch(/^test accuracy \d+\.\d\d% on 1210 held-out emails$/);

      /** Types `text` into the box (clearing it first); returns the page's answer once it is for that text. */
      const ask = async (text: string, how: 'type' | 'example') => {
        if (how === 'type') {
          await page.fill('#spam-text', '');
          await page.locator('#spam-text').pressSequentially(text);
        } else await page.click(text === SPAM_EXAMPLES.spam ? '#spam-example-spam' : '#spam-example-ham');
        await page.waitForFunction(
          (t) => (globalThis as unknown as { neurasmDemo: DemoState }).neurasmDemo.spam.explained?.text === t,
          text,
        );
        const answer = (await state(page)).spam.explained!;
        // Node's probability and token attributions for the same text, on the same weights
        const p = model.predict([text]);
        expect(answer.probability).toBe(p.dataSync()[0]);
        p.dispose();
        const tokens = await nn.explain.explainText(model, text, { method: 'integratedGradients' });
        expect(answer.tokens.map((t) => t.token)).toEqual(tokens.map((t) => t.token));
        for (const [i, t] of answer.tokens.entries()) {
          expect(Math.abs(t.attribution - tokens[i].attribution)).toBeLessThan(1e-4);
        }
        // one coloured box per token in the picture
        expect(await page.locator('#spam-plot svg g.token').count()).toBe(tokens.length);
        return answer;
      };
      const spammy = await ask('WIN a FREE prize now!!! Click here to claim your cash, limited offer', 'type');
      expect(spammy.probability).toBeGreaterThan(0.5);
      expect(await page.textContent('#spam-probability')).toMatch(/^spam probability \d+\.\d%$/);
      // the words that push towards spam are tinted: not all boxes have the colour of a zero attribution
      const fills = await page
        .locator('#spam-plot svg g.token rect')
        .evaluateAll((rects) => rects.map((r) => r.getAttribute('fill')));
      expect(new Set(fills).size).toBeGreaterThan(3);
      const hammy = await ask(
        'Thanks for the patch, the build works on my Debian box now; see you at the meeting',
        'type',
      );
      expect(hammy.probability).toBeLessThan(0.5);
      expect((await ask(SPAM_EXAMPLES.spam, 'example')).probability).toBeGreaterThan(0.5);
      expect((await ask(SPAM_EXAMPLES.ham, 'example')).probability).toBeLessThan(0.5);
      await ask(SPAM_EXAMPLES.spam, 'example');
    } finally {
      model.dispose();
    }
    // the picture of the explanations: the heat map, the tree and the spam box (the other sections hidden)
    await page.addStyleTag({ content: '#train-section, #quantize-section, #save-section { display: none; }' });
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'demo-explain.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

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
