// The demo page: trains the classic Keras example model on the digits in a Web Worker with live charts, then
// predicts what is drawn on the 8x8 pad with an attribution heat map, distils a decision tree from the model,
// quantizes it, saves it in IndexedDB where model files exist; and trains a spam filter whose text box
// colours each word by its attribution. Pictures are SVG from neurasm/plot (dist/plot.js).
// Plain ES modules: any static server will do (npm run demo) for the digits; the spam corpus needs one that
// sends .br files with Content-Encoding: br, as scripts/demo-server.mjs does. ?module=simd forces the plain-SIMD
// module (the deterministic reference), ?module=relaxed requires relaxed SIMD.
import * as nn from '../../dist/neurasm.browser.js';
import { heatMap, treePlot } from '../../dist/plot.js';
import { lineChart } from './chart.js';
import { accuracy, buildModel, fitArgs, int8Report, modelFingerprints, prepareData, SETTINGS } from './experiment.js';
import { digitAttributions, distilledTree, IG_STEPS, treeInInkUnits } from './explain.js';
import { drawingPad } from './pad.js';
import { spamBox } from './spam.js';

const $ = (id) => document.getElementById(id);
const SAVE_URL = 'indexeddb://neurasm-digits-demo';
const META_KEY = 'neurasm-digits-demo';

const moduleParam = new URLSearchParams(location.search).get('module');
const readyOptions =
  moduleParam === 'simd' ? { relaxedSimd: false } : moduleParam === 'relaxed' ? { relaxedSimd: true } : {};

/** What the page is doing, for people and for the browser test (window.neurasmDemo). */
const demo = {
  phase: 'loading',
  module: null,
  bundle: null,
  epochs: 0,
  history: [],
  testAccuracy: null,
  fingerprint: null,
  prediction: null,
  /** The heat map's integrated gradients: { digit, features, attributions (64), delta }. */
  explanation: null,
  /** The distilled tree: { fidelity (on the test digits), depth, leaves }. */
  tree: null,
  /** The spam box: its phase, corpus counts, test accuracy, and the last text explained. */
  spam: { phase: 'loading', explained: null },
  saved: null,
  quantized: null,
  loadedFromStorage: false,
  error: null,
};
globalThis.neurasmDemo = demo;
// for the devtools console (and the browser test): the library itself
globalThis.nn = nn;

let data = null;
let model = null;
let scaler = null;
let stopController = null;
/** Wait after the pad's last change before computing the heat map (ms). */
const EXPLAIN_DEBOUNCE_MS = 150;

function fail(error) {
  console.error(error);
  demo.phase = 'error';
  demo.error = `${error?.name ?? 'Error'}: ${error?.message ?? String(error)}`;
  $('error').textContent = demo.error;
  $('error').hidden = false;
}

/** The digits (the same file `neurasm/datasets` embeds) as tensors x [1797, 64], y [1797]. */
async function loadDigits() {
  const res = await fetch(new URL('../../datasets/digits.csv.gz', import.meta.url));
  if (!res.ok) throw new Error(`cannot load the digits data: ${res.status} ${res.statusText} (${res.url})`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  // a server that sends it with Content-Encoding: gzip has already unpacked it
  const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const text = gzipped
    ? await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text()
    : new TextDecoder().decode(bytes);
  const { x, y } = nn.data.parseCsv(text, { header: false });
  return { x, y };
}

// ---- training ------------------------------------------------------------------------------

const lossChart = lineChart($('loss-chart'), {
  title: 'Loss',
  epochs: SETTINGS.epochs,
  series: [
    { key: 'loss', label: 'train', color: '#2f6fe4' },
    { key: 'val_loss', label: 'validation', color: '#e0742f' },
  ],
});
const accuracyChart = lineChart($('accuracy-chart'), {
  title: 'Accuracy',
  epochs: SETTINGS.epochs,
  range: [0, 1],
  format: (v) => `${Math.round(v * 100)}%`,
  series: [
    { key: 'accuracy', label: 'train', color: '#2f6fe4' },
    { key: 'val_accuracy', label: 'validation', color: '#e0742f' },
  ],
});

async function showTestResults(source) {
  const fp = await modelFingerprints(nn, model, data.xTest);
  demo.fingerprint = { weights: fp.weights, predictions: fp.predictions };
  demo.testAccuracy = accuracy(fp.probabilities, data.yTest.dataSync());
  $('result').textContent =
    `${source}: test accuracy ${(100 * demo.testAccuracy).toFixed(2)}% on ${data.yTest.size} held-out digits`;
  $('fingerprint').textContent =
    `module       ${demo.module}\nweights      ${fp.weights}\npredictions  ${fp.predictions}`;
  $('fingerprint-box').hidden = false;
}

async function train() {
  $('train').disabled = true;
  $('save').disabled = true;
  $('quantize').disabled = true;
  $('stop').hidden = false;
  $('result').textContent = '';
  lossChart.reset();
  accuracyChart.reset();
  demo.phase = 'training';
  demo.epochs = 0;
  demo.history = [];
  // fit holds out the last validationSplit of the examples, rounded as here
  const steps = Math.ceil(Math.floor(data.xTrain.shape[0] * (1 - SETTINGS.validationSplit)) / SETTINGS.batchSize);
  const total = SETTINGS.epochs * steps;
  const worker = new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module' });
  stopController = new AbortController();
  const started = performance.now();
  try {
    const next = buildModel(nn, SETTINGS.seed);
    try {
      await nn.fitInWorker(worker, data.xTrain, data.yTrain, {
        ...fitArgs(SETTINGS.seed),
        model: next,
        init: { seed: SETTINGS.seed, readyOptions },
        signal: stopController.signal,
        callbacks: {
          onBatchEnd: (batch) => {
            const done = demo.epochs * steps + batch + 1;
            $('progress').value = done / total;
            $('progress-text').textContent = `epoch ${demo.epochs + 1}/${SETTINGS.epochs}`;
          },
          onEpochEnd: (epoch, logs) => {
            demo.epochs = epoch + 1;
            demo.history.push(logs);
            lossChart.push(logs);
            accuracyChart.push(logs);
          },
        },
      });
    } catch (e) {
      next.dispose();
      throw e;
    }
    model?.dispose();
    model = next;
    const seconds = (performance.now() - started) / 1000;
    $('progress').value = 1;
    $('progress-text').textContent = `${demo.epochs} epochs in ${seconds.toFixed(1)} s (in a Web Worker)`;
    await showTestResults('Trained');
    await showTree();
    demo.phase = 'trained';
    $('train-hint').textContent = 'Trained. Press Train again to train a new model from scratch.';
    $('draw-hint').textContent = 'Draw a digit: the model reads it as you draw.';
    $('save').disabled = false;
    $('quantize').disabled = false;
    predictPad();
  } catch (e) {
    fail(e);
  } finally {
    worker.terminate();
    $('stop').hidden = true;
    $('train').disabled = false;
  }
}

// ---- drawing pad -----------------------------------------------------------------------------

const bars = $('bars');
for (let k = 0; k < 10; k++) {
  const li = document.createElement('li');
  li.innerHTML = `<span>${k}</span><span class="track"><span class="fill"></span></span><span class="value"></span>`;
  bars.append(li);
}

function showPrediction(probabilities, features) {
  const best = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
  $('predicted').textContent = best >= 0 ? String(best) : '?';
  [...bars.children].forEach((li, k) => {
    const p = probabilities ? probabilities[k] : 0;
    li.classList.toggle('best', k === best);
    li.querySelector('.fill').style.width = `${(100 * p).toFixed(1)}%`;
    li.querySelector('.value').textContent = probabilities ? `${(100 * p).toFixed(1)}%` : '';
  });
  demo.prediction = probabilities ? { digit: best, probabilities, features: Array.from(features) } : null;
}

function predictPad() {
  if (!model || !scaler || !pad.drawn) {
    showPrediction(null);
    return explainSoon(null);
  }
  const features = pad.features;
  const probabilities = nn.tidy(() =>
    Array.from(model.predict(scaler.transform(nn.tensor2d(features, [1, 64]))).dataSync()),
  );
  showPrediction(probabilities, features);
  explainSoon(Array.from(features));
}

// ---- why this digit (nn.explain.integratedGradients, drawn by heatMap) ------------------------

let explainTimer = 0;
/** Number of the newest drawing asked about: an answer for an older one is dropped. */
let explainAsked = 0;

/** Explains `features` (null: clears the heat map) once the pad has been still for a moment. */
function explainSoon(features) {
  clearTimeout(explainTimer);
  const id = ++explainAsked;
  if (!features) {
    demo.explanation = null;
    $('heatmap').innerHTML = '';
    $('attribution-caption').textContent = '';
    return;
  }
  explainTimer = setTimeout(() => explainDigit(id, features), EXPLAIN_DEBOUNCE_MS);
}

async function explainDigit(id, features) {
  try {
    const { attributions, delta } = await digitAttributions(nn, model, scaler, features);
    if (id !== explainAsked) return;
    const digit = demo.prediction?.digit ?? -1;
    demo.explanation = { digit, features, attributions, delta };
    $('heatmap').innerHTML = heatMap(attributions, {
      width: 8,
      height: 8,
      image: features,
      cellSize: 20,
      title: `why ${digit}`,
    });
    $('attribution-caption').textContent =
      `integrated gradients, ${IG_STEPS} points; completeness error ${delta.toExponential(1)}`;
  } catch (e) {
    fail(e);
  }
}

// ---- the distilled tree (nn.surrogate.tree, drawn by treePlot) --------------------------------

async function showTree() {
  const { tree, fidelity, depth, leaves } = await distilledTree(nn, model, data.xTrain, data.xTest);
  demo.tree = { fidelity, depth, leaves };
  $('tree-summary').textContent =
    `fidelity ${(100 * fidelity).toFixed(1)}% on the ${data.xTest.shape[0]} held-out digits · depth ${depth} · ${leaves} leaves`;
  const box = $('tree');
  box.innerHTML = treePlot(treeInInkUnits(tree, scaler), { decimals: 1 });
  // a wide tree scrolls: start with its root (at the top middle) in view
  box.scrollLeft = (box.scrollWidth - box.clientWidth) / 2;
}

const pad = drawingPad($('pad'), (_features, drawn) => {
  pad.drawn = drawn;
  predictPad();
});
pad.drawn = false;
$('clear').addEventListener('click', () => pad.clear());

// ---- the spam box (spam.js) ---------------------------------------------------------------------

const spam = spamBox(
  nn,
  {
    train: $('spam-train'),
    progress: $('spam-progress'),
    progressText: $('spam-progress-text'),
    result: $('spam-result'),
    hint: $('spam-hint'),
    text: $('spam-text'),
    examples: [$('spam-example-spam'), $('spam-example-ham')],
    probability: $('spam-probability'),
    plot: $('spam-plot'),
  },
  demo.spam,
  { readyOptions, fail },
);

// ---- quantize (nn.quantize) ------------------------------------------------------------------

async function quantize() {
  $('quantize').disabled = true;
  try {
    const r = await int8Report(nn, model, data.xTest, data.yTest);
    demo.quantized = r;
    const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
    $('quantize-result').textContent = [
      `float32  test accuracy ${(100 * r.floatAccuracy).toFixed(2)}%   weights ${kb(r.floatBytes)}`,
      `int8     test accuracy ${(100 * r.int8Accuracy).toFixed(2)}%   weights ${kb(r.int8Bytes)}`,
      `same digit as the float model on ${(100 * r.agreement).toFixed(2)}% of the ${data.yTest.size} test images`,
    ].join('\n');
    $('quantize-result').hidden = false;
  } catch (e) {
    fail(e);
  } finally {
    $('quantize').disabled = false;
  }
}

// ---- save and load (model.save / nn.loadLayersModel, in IndexedDB) ---------------------------

async function save() {
  $('save').disabled = true;
  try {
    model.preprocessing = scaler;
    await model.save(SAVE_URL);
    const meta = {
      savedAt: new Date().toISOString(),
      testAccuracy: demo.testAccuracy,
      module: demo.module,
      scaler: scaler.toJSON(),
    };
    localStorage.setItem(META_KEY, JSON.stringify(meta));
    demo.saved = meta;
    $('save-status').textContent = `Saved (${SAVE_URL}); reload the page to load it.`;
    $('forget').disabled = false;
  } catch (e) {
    $('save-status').textContent = `Saving failed: ${e.message}`;
  } finally {
    $('save').disabled = false;
  }
}

/** Loads the model saved by an earlier visit, if any; true when it did. */
async function loadSaved() {
  const meta = JSON.parse(localStorage.getItem(META_KEY) ?? 'null');
  if (!meta) return false;
  try {
    const loaded = await nn.loadLayersModel(SAVE_URL);
    const pre = loaded.preprocessing;
    scaler = pre && typeof pre.transform === 'function' ? pre : nn.data.scalerFromJSON(meta.scaler);
    model = loaded;
    demo.saved = meta;
    demo.loadedFromStorage = true;
    $('save-status').textContent = `Loaded the model saved on ${new Date(meta.savedAt).toLocaleString()}.`;
    $('forget').disabled = false;
    return true;
  } catch (e) {
    $('save-status').textContent = `The saved model could not be loaded (${e.message}); train a new one.`;
    return false;
  }
}

// ---- start -----------------------------------------------------------------------------------

async function start() {
  try {
    const info = await nn.ready(readyOptions);
    demo.module = info.module;
    spam.ready();
    $('backend').textContent =
      `Wasm module: ${info.module === 'relaxed-simd' ? 'relaxed SIMD (fused multiply-add)' : 'plain SIMD'}` +
      (info.module === 'simd' && info.relaxedSimdAvailable ? ' (relaxed SIMD available: drop ?module=simd)' : '');
    const digits = await loadDigits();
    data = prepareData(nn, digits.x, digits.y, SETTINGS.seed);
    nn.dispose([digits.x, digits.y]);
    scaler = data.scaler;
    if (await loadSaved()) {
      await showTestResults('Loaded from this browser');
      await showTree();
      demo.phase = 'loaded';
      $('save').disabled = false;
      $('quantize').disabled = false;
      $('train-hint').textContent = 'Loaded the model you saved. Press Train to train a new one from scratch.';
      $('draw-hint').textContent = 'Draw a digit: the model reads it as you draw.';
    } else demo.phase = 'ready';
    $('train').disabled = false;
  } catch (e) {
    fail(e);
  }
}

$('train').addEventListener('click', train);
$('stop').addEventListener('click', () => stopController?.abort());
$('save').addEventListener('click', save);
$('quantize').addEventListener('click', quantize);
$('forget').addEventListener('click', () => {
  localStorage.removeItem(META_KEY);
  demo.saved = null;
  $('forget').disabled = true;
  $('save-status').textContent = 'Forgotten: the next visit trains from scratch.';
});
start();
