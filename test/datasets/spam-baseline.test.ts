// Checks the spam corpus the way a classifier sees it: multinomial naive Bayes on word counts,
// trained on the stratified 80/20 split, against scikit-learn's CountVectorizer + MultinomialNB on
// the same split (test/fixtures/spam_baseline.json, made by scripts/fixtures/spam_baseline.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { trainTestIndices } from '../../src/data/index.js';
import { loadSpam } from '../../src/datasets/index.js';

interface Baseline {
  split: { testSize: number; stratify: boolean; seed: number };
  vocabulary: number;
  accuracy: number;
  test: number[];
}

const baseline = JSON.parse(
  readFileSync(new URL('../fixtures/spam_baseline.json', import.meta.url), 'utf8'),
) as Baseline;

/** CountVectorizer's default tokens: lower case, runs of 2+ word characters (Python's Unicode \w). */
const tokens = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}_]{2,}/gu) ?? [];

/** Multinomial naive Bayes (Laplace smoothing, class priors from the training counts), as MultinomialNB(). */
function naiveBayes(texts: string[], labels: Int32Array, train: Int32Array) {
  const counts = new Map<string, [number, number]>();
  const totals = [0, 0];
  const docs = [0, 0];
  for (const r of train) {
    const c = labels[r];
    docs[c]++;
    for (const t of tokens(texts[r])) {
      const pair = counts.get(t) ?? [0, 0];
      if (pair[0] + pair[1] === 0) counts.set(t, pair);
      pair[c]++;
      totals[c]++;
    }
  }
  const v = counts.size;
  const logPrior = docs.map((d) => Math.log(d / train.length));
  const logDenominator = totals.map((t) => Math.log(t + v));
  const predict = (text: string) => {
    const score = [...logPrior];
    for (const t of tokens(text)) {
      const pair = counts.get(t);
      if (!pair) continue; // words unseen in training are ignored, as CountVectorizer.transform does
      for (const c of [0, 1]) score[c] += Math.log(pair[c] + 1) - logDenominator[c];
    }
    return score[1] > score[0] ? 1 : 0;
  };
  return { vocabulary: v, predict };
}

describe('spam corpus baseline', () => {
  it('the split is the one the scikit-learn baseline used', async () => {
    const { labels } = await loadSpam();
    const { test } = trainTestIndices(labels, baseline.split);
    expect(Array.from(test)).toEqual(baseline.test);
  });

  it('naive Bayes on Subject + body reaches scikit-learn MultinomialNB accuracy (98.3%)', async () => {
    const { texts, labels } = await loadSpam();
    const { train, test } = trainTestIndices(labels, baseline.split);
    const model = naiveBayes(texts, labels, train);
    expect(model.vocabulary).toBe(baseline.vocabulary);
    let right = 0;
    for (const r of test) if (model.predict(texts[r]) === labels[r]) right++;
    expect(right / test.length).toBeCloseTo(baseline.accuracy, 10);
    expect(baseline.accuracy).toBeGreaterThan(0.97);
  });
});
