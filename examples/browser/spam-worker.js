// The spam worker: fetches the SpamAssassin corpus, trains the spam filter of spam-experiment.js off
// the main thread, and posts back progress, the test accuracy and the trained model as model
// artifacts (its vocabulary included), which the page turns into a model with nn.io.modelFromArtifacts.
import * as nn from '../../dist/neurasm.browser.js';
import {
  buildSpamModel,
  parseSpamCorpus,
  SPAM_SETTINGS,
  spamAccuracy,
  spamFitArgs,
  splitSpam,
} from './spam-experiment.js';

/**
 * The corpus as text. The file is brotli; browsers unpack it when the server sends it with
 * Content-Encoding: br (scripts/demo-server.mjs does), since DecompressionStream has no brotli.
 */
async function loadCorpusText() {
  const res = await fetch(new URL('../../datasets/spam-assassin.jsonl.br', import.meta.url));
  if (!res.ok) throw new Error(`cannot load the spam corpus: ${res.status} ${res.statusText} (${res.url})`);
  const text = await res.text();
  if (!text.startsWith('{')) {
    throw new Error(
      'the server sent datasets/spam-assassin.jsonl.br still packed: serve it with Content-Encoding: br (npm run demo does)',
    );
  }
  return text;
}

async function train({ readyOptions }) {
  await nn.ready(readyOptions);
  const started = performance.now();
  const corpus = parseSpamCorpus(await loadCorpusText());
  const data = splitSpam(nn, corpus);
  postMessage({
    type: 'corpus',
    emails: corpus.texts.length,
    spam: corpus.labels.reduce((n, l) => n + l, 0),
    train: data.trainTexts.length,
    test: data.testTexts.length,
  });
  const model = buildSpamModel(nn, data.trainTexts);
  try {
    const steps = Math.ceil(data.trainTexts.length / SPAM_SETTINGS.batchSize);
    let epoch = 0;
    await model.fit(data.trainTexts, data.trainLabels, {
      ...spamFitArgs(),
      callbacks: {
        onBatchEnd: (batch) => {
          if (batch % 10 === 0)
            postMessage({
              type: 'progress',
              done: (epoch * steps + batch + 1) / (steps * SPAM_SETTINGS.epochs),
              epoch,
            });
        },
        onEpochEnd: (e, logs) => {
          epoch = e + 1;
          postMessage({ type: 'epoch', epoch, logs });
        },
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const testAccuracy = spamAccuracy(model, data.testTexts, data.testLabels);
    const artifacts = await nn.io.modelArtifacts(model);
    postMessage({ type: 'done', artifacts, testAccuracy, seconds }, [artifacts.weightData].flat());
  } finally {
    model.dispose();
  }
}

addEventListener('message', (event) => {
  if (event.data?.type !== 'train') return;
  train(event.data).catch((e) =>
    postMessage({ type: 'error', name: e?.name ?? 'Error', message: e?.message ?? String(e) }),
  );
});
