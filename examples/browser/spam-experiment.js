// The spam filter of `npm start -- --data spam` (src/cli/spam.ts, SPAM_MODEL), for the page's spam
// worker (spam-worker.js) and the Node side of the browser test: the SpamAssassin corpus parsed from
// its JSON lines, a seeded stratified 80/20 split, and textVectorization (adapted on the training
// emails) → embedding → globalAveragePooling1d → dense sigmoid. `nn` is passed in.

/** The settings: those of `npm start -- --data spam` (its defaults: Adam 0.001, batch 32, seed 42). */
export const SPAM_SETTINGS = Object.freeze({
  seed: 42,
  maxTokens: 20_000,
  sequenceLength: 300,
  embeddingDim: 64,
  epochs: 10,
  batchSize: 32,
  learningRate: 0.001,
  testSize: 0.2,
});

/** What the corpus file's first line says (src/datasets/spam.ts checks the same). */
const EXPECTED = { name: 'spam-assassin', emails: 6046, spam: 1896 };

/**
 * The emails of datasets/spam-assassin.jsonl.br once unpacked (JSON lines: a line describing the
 * file, then {id, label, subject, body} per email) as texts (the Subject, a newline, the body; the
 * body alone when the Subject is empty, as loadSpam makes them) and labels (1 spam, 0 ham).
 */
export function parseSpamCorpus(text) {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const head = JSON.parse(lines[0]);
  if (head?.name !== EXPECTED.name || head.emails !== EXPECTED.emails || lines.length - 1 !== EXPECTED.emails) {
    throw new Error(`the spam corpus is not the expected file: its first line says ${lines[0].slice(0, 200)}`);
  }
  const texts = [];
  const labels = new Int32Array(EXPECTED.emails);
  for (let i = 0; i < EXPECTED.emails; i++) {
    const { label, subject, body } = JSON.parse(lines[i + 1]);
    if ((label !== 0 && label !== 1) || typeof subject !== 'string' || typeof body !== 'string') {
      throw new Error(`the spam corpus is damaged: line ${i + 2} is not {id, label: 0 | 1, subject, body}`);
    }
    labels[i] = label;
    texts.push(subject === '' ? body : `${subject}\n${body}`);
  }
  const spam = labels.reduce((n, l) => n + l, 0);
  if (spam !== EXPECTED.spam) throw new Error(`the spam corpus promises ${EXPECTED.spam} spam, its lines hold ${spam}`);
  return { texts, labels };
}

/** The training and test emails: a stratified split seeded as `npm start -- --data spam`. */
export function splitSpam(nn, corpus) {
  const split = nn.data.trainTestIndices(corpus.labels, {
    testSize: SPAM_SETTINGS.testSize,
    stratify: true,
    seed: SPAM_SETTINGS.seed,
  });
  const texts = (rows) => Array.from(rows, (i) => corpus.texts[i]);
  const labels = (rows) => Float32Array.from(rows, (i) => corpus.labels[i]);
  return {
    trainTexts: texts(split.train),
    trainLabels: labels(split.train),
    testTexts: texts(split.test),
    testLabels: labels(split.test),
  };
}

/** The model, its text layer adapted on the training emails, compiled (binary cross-entropy, accuracy). */
export function buildSpamModel(nn, trainTexts) {
  nn.setSeed(SPAM_SETTINGS.seed);
  const vectorizer = nn.layers.textVectorization({
    maxTokens: SPAM_SETTINGS.maxTokens,
    outputSequenceLength: SPAM_SETTINGS.sequenceLength,
  });
  vectorizer.adapt(trainTexts);
  const model = nn.sequential({
    layers: [
      vectorizer,
      nn.layers.embedding({
        inputDim: vectorizer.vocabularySize(),
        outputDim: SPAM_SETTINGS.embeddingDim,
        maskZero: true,
      }),
      nn.layers.globalAveragePooling1d(),
      nn.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  model.compile({
    optimizer: nn.train.adam(SPAM_SETTINGS.learningRate),
    loss: 'binaryCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}

/** The fit arguments (callbacks aside). */
export function spamFitArgs() {
  return {
    epochs: SPAM_SETTINGS.epochs,
    batchSize: SPAM_SETTINGS.batchSize,
    seed: SPAM_SETTINGS.seed,
    verbose: 0,
  };
}

/** Test accuracy of the model on the test emails. */
export function spamAccuracy(model, texts, labels) {
  const p = model.predict(texts, { batchSize: 256 });
  const values = p.dataSync();
  p.dispose();
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (values[i] > 0.5 === (labels[i] === 1)) right++;
  return right / labels.length;
}

/** A spammy and a hammy example for the text box. */
export const SPAM_EXAMPLES = Object.freeze({
  spam:
    'Congratulations! You have been selected to receive a FREE prize. Click here now to claim your cash bonus: ' +
    'limited time offer, order today and save 50%. To unsubscribe from this mailing list, reply with REMOVE.',
  ham:
    'Re: kernel patch for the build\nThanks Tom, I tried the patch on my Debian box and the build works now. ' +
    'I will send the log to the list tomorrow; can you check whether the config file needs the new option?',
});
