// examples/spam.ts: every variant builds, trains from raw emails and scores on held-out ones (a
// small slice of the corpus and short sequences here; the full run is in the README).
import { beforeAll, describe, expect, it } from 'vitest';
import { SPAM_VARIANTS, type SpamVariant, trainSpamVariant } from '../../examples/spam.js';
import { loadSpam, type SpamCorpus } from '../../src/datasets/index.js';
import * as nn from '../../src/index.js';

let corpus: SpamCorpus;
beforeAll(async () => {
  await nn.ready({ relaxedSimd: false });
  corpus = await loadSpam();
});

describe('examples/spam.ts', () => {
  for (const variant of Object.keys(SPAM_VARIANTS) as SpamVariant[]) {
    it(`${variant}: trains on 400 emails and scores 200 held out, leaving no tensors behind`, async () => {
      const split = nn.data.trainTestIndices(corpus.labels, { testSize: 0.2, stratify: true, seed: 1 });
      const small = { train: split.train.slice(0, 400), test: split.test.slice(0, 200) };
      const tensors = nn.memory().numTensors;
      const r = await trainSpamVariant(variant, corpus, small, { epochs: 3, sequenceLength: 40 });
      expect(r.variant).toBe(variant);
      // better than always answering "ham" (about 69% of the emails)
      expect(r.accuracy).toBeGreaterThan(0.75);
      expect(r.precision).toBeGreaterThan(0);
      expect(r.recall).toBeGreaterThan(0);
      expect(nn.memory().numTensors).toBe(tensors);
    });
  }
});
