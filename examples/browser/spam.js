// The spam box: trains the spam filter in spam-worker.js, then, as the user types, shows the text's
// spam probability and each token coloured by its integrated-gradients attribution (textPlot).
import { textPlot } from '../../dist/plot.js';
import { SPAM_EXAMPLES, SPAM_SETTINGS } from './spam-experiment.js';

/** Wait after the last keystroke before explaining the text (ms). */
const DEBOUNCE_MS = 250;

/**
 * Wires the spam section (call `ready()` on what it returns after nn.ready) of the page: `els` are its elements, `state` the object the page publishes
 * as window.neurasmDemo.spam, `readyOptions` the Wasm module choice handed to the worker,
 * `fail` reports an error.
 */
export function spamBox(nn, els, state, { readyOptions, fail }) {
  let model = null;
  let timer = 0;
  /** Number of the newest text asked about: an older answer that arrives late is dropped. */
  let asked = 0;

  function setPhase(phase) {
    state.phase = phase;
    els.text.disabled = phase !== 'trained';
    for (const b of els.examples) b.disabled = phase !== 'trained';
  }

  async function train() {
    els.train.disabled = true;
    els.progress.value = 0;
    els.progressText.textContent = 'fetching the SpamAssassin corpus (2.9 MB)…';
    setPhase('training');
    const worker = new Worker(new URL('./spam-worker.js', import.meta.url), { type: 'module' });
    try {
      const done = await new Promise((resolve, reject) => {
        worker.addEventListener('error', (e) => reject(new Error(`the spam worker failed: ${e.message}`)));
        worker.addEventListener('message', ({ data: m }) => {
          if (m.type === 'corpus') {
            Object.assign(state, { emails: m.emails, spam: m.spam, train: m.train, test: m.test });
            els.progressText.textContent = `${m.emails} emails (${m.spam} spam): training on ${m.train}…`;
          } else if (m.type === 'progress') {
            els.progress.value = m.done;
            els.progressText.textContent = `epoch ${m.epoch + 1}/${SPAM_SETTINGS.epochs}`;
          } else if (m.type === 'epoch') {
            state.epochs = m.epoch;
          } else if (m.type === 'done') {
            resolve(m);
          } else if (m.type === 'error') {
            const e = new Error(m.message);
            e.name = m.name;
            reject(e);
          }
        });
        worker.postMessage({ type: 'train', readyOptions });
      });
      model?.dispose();
      model = await nn.io.modelFromArtifacts(done.artifacts, 'the spam worker');
      Object.assign(state, { testAccuracy: done.testAccuracy, seconds: done.seconds });
      els.progress.value = 1;
      els.progressText.textContent = `${SPAM_SETTINGS.epochs} epochs in ${done.seconds.toFixed(1)} s (in a Web Worker)`;
      els.result.textContent = `test accuracy ${(100 * done.testAccuracy).toFixed(2)}% on ${state.test} held-out emails`;
      setPhase('trained');
      els.hint.textContent = 'Type an email, or pick an example: each word is coloured by how it moves the answer.';
      if (els.text.value.trim() !== '') explainSoon();
    } catch (e) {
      setPhase('error');
      fail(e);
    } finally {
      worker.terminate();
      els.train.disabled = false;
    }
  }

  function explainSoon() {
    clearTimeout(timer);
    timer = setTimeout(explain, DEBOUNCE_MS);
  }

  async function explain() {
    if (!model) return;
    const text = els.text.value;
    const id = ++asked;
    if (text.trim() === '') {
      state.explained = null;
      els.probability.textContent = '';
      els.plot.innerHTML = '';
      return;
    }
    try {
      const p = model.predict([text]);
      const probability = p.dataSync()[0];
      p.dispose();
      // integrated gradients on the embedding: one batch of 50 points, far faster than LIME's 5000 texts
      const tokens = await nn.explain.explainText(model, text, { method: 'integratedGradients' });
      if (id !== asked) return;
      state.explained = { text, probability, tokens };
      els.probability.textContent = `spam probability ${(100 * probability).toFixed(1)}%`;
      els.probability.classList.toggle('spam', probability > 0.5);
      els.plot.innerHTML = textPlot(tokens, { width: 900, title: 'red: pushes towards spam · blue: towards ham' });
    } catch (e) {
      if (id !== asked) return;
      // a text without a word the filter reads (only punctuation, say) has nothing to explain
      state.explained = { text, probability: null, tokens: [], error: e.message };
      els.probability.textContent = e.message;
      els.plot.innerHTML = '';
    }
  }

  els.train.addEventListener('click', train);
  els.text.addEventListener('input', explainSoon);
  for (const b of els.examples) {
    b.addEventListener('click', () => {
      els.text.value = SPAM_EXAMPLES[b.dataset.example];
      explainSoon();
    });
  }
  setPhase('loading');
  return {
    /** Enables training once the page's Wasm module is ready (the model comes back to this thread). */
    ready() {
      setPhase('ready');
      els.train.disabled = false;
    },
  };
}
