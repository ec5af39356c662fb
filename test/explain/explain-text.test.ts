// Token attributions of models that take strings: LIME for text (lime's LimeTextExplainer) and
// integrated gradients on the embedding, on a tiny spam model where 'win' and 'money' mean spam.
import { beforeAll, describe, expect, it } from 'vitest';
import { embeddingIntegratedGradients, explainText } from '../../src/explain/explain-text.js';
import { indexText, limeText, removeWords } from '../../src/explain/lime-text.js';
import { quadrature } from '../../src/explain/quadrature.js';
import * as nn from '../../src/index.js';
import type { Sequential } from '../../src/models/sequential.js';

beforeAll(async () => {
  await nn.ready();
});

const HAM = [
  'see you at the meeting tomorrow',
  'lunch with the team today',
  'the report is ready for review',
  'call me when you are home',
  'notes from the project meeting',
  'dinner at seven with family',
  'the train is late again today',
  'please review the draft tomorrow',
];
const SPAM = [
  'win money now',
  'win big money today',
  'you win free money',
  'claim your money and win',
  'money money win now',
  'win a prize and money',
  'free money win today',
  'win cash money tomorrow',
];
const TEXTS = [...HAM, ...SPAM];
const LABELS = [...HAM.map(() => 0), ...SPAM.map(() => 1)];

let spamModel: Sequential;

async function trainedSpamModel(): Promise<Sequential> {
  nn.setSeed(3);
  const vectorizer = nn.layers.textVectorization({ maxTokens: 60, outputSequenceLength: 8 });
  vectorizer.adapt(TEXTS);
  const model = nn.sequential({
    layers: [
      vectorizer,
      nn.layers.embedding({ inputDim: 60, outputDim: 8, maskZero: true }),
      nn.layers.globalAveragePooling1d(),
      nn.layers.dense({ units: 8, activation: 'relu' }),
      nn.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  model.compile({ optimizer: nn.train.adam(0.03), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  await model.fit(TEXTS, LABELS, { epochs: 60, batchSize: 4, seed: 3, verbose: 0 });
  return model;
}

beforeAll(async () => {
  spamModel = await trainedSpamModel();
});

/** The two tokens with the largest attributions. */
function topTwo(attributions: { token: string; attribution: number }[]): string[] {
  return [...attributions]
    .sort((a, b) => b.attribution - a.attribution)
    .slice(0, 2)
    .map((a) => a.token)
    .sort();
}

describe('LIME for text', () => {
  it("splits words as lime's IndexedString (\\W+, bow) and removes them keeping the separators", () => {
    const indexed = indexText('Win money, win MONEY now!');
    expect(indexed.words).toEqual(['Win', 'money', 'win', 'MONEY', 'now']);
    expect(removeWords(indexed, [1])).toEqual('Win , win MONEY now!');
    expect(removeWords(indexed, [0, 2, 3, 4])).toEqual(' money,   !');
    expect(indexText('façade über_x 42').words).toEqual(['façade', 'über_x', '42']);
    expect(indexText('  ...  ').words).toEqual([]);
  });

  it("'win' and 'money' push the text to spam; a fixed seed reproduces the explanation exactly", async () => {
    const text = 'win money at the meeting tomorrow';
    const e = await limeText(spamModel, text, { seed: 1, numSamples: 2000 });
    expect(e.output).toBe(0);
    expect(e.words).toEqual(['win', 'money', 'at', 'the', 'meeting', 'tomorrow']);
    // the two largest (signed) weights are the spam words'; ham words pull the other way
    const bySize = e.weights.map((w, i) => ({ w, i })).sort((a, b) => b.w - a.w);
    expect(
      bySize
        .slice(0, 2)
        .map(({ i }) => i)
        .sort(),
    ).toEqual([0, 1]);
    expect(e.weights[0]).toBeGreaterThan(0);
    expect(e.weights[1]).toBeGreaterThan(0);
    expect(e.score).toBeGreaterThan(0.5);
    expect(await limeText(spamModel, text, { seed: 1, numSamples: 2000 })).toEqual(e);
    const other = await limeText(spamModel, text, { seed: 2, numSamples: 2000 });
    expect(other.weights).not.toEqual(e.weights);

    const tokens = await explainText(spamModel, text, { method: 'lime', seed: 1, numSamples: 2000 });
    expect(tokens.map((t) => t.token)).toEqual(['win', 'money', 'at', 'the', 'meeting', 'tomorrow']);
    expect(topTwo(tokens)).toEqual(['money', 'win']);
    expect(await explainText(spamModel, text, { method: 'lime', seed: 1, numSamples: 2000 })).toEqual(tokens);
  });
});

describe('integrated gradients on the embedding', () => {
  it('Gauss–Legendre on [0, 1]: weights sum to 1, polynomials up to degree 2n − 1 exactly', () => {
    for (const n of [1, 2, 5, 50]) {
      const { alphas: nodes, weights } = quadrature('gausslegendre', n);
      expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      const degree = 2 * n - 1;
      const integral = nodes.reduce((s, x, i) => s + weights[i] * x ** degree, 0);
      expect(integral).toBeCloseTo(1 / (degree + 1), 12);
      expect(Math.min(...nodes)).toBeGreaterThan(0);
      expect(Math.max(...nodes)).toBeLessThan(1);
    }
  });

  it("'win' and 'money' get the largest positive attributions; completeness within 1% at 50 steps", async () => {
    const text = 'win money at the meeting tomorrow';
    const tokens = await explainText(spamModel, text, { method: 'integratedGradients' });
    expect(tokens.map((t) => t.token)).toEqual(['win', 'money', 'at', 'the', 'meeting', 'tomorrow']);
    expect(topTwo(tokens)).toEqual(['money', 'win']);
    expect(tokens[0].attribution).toBeGreaterThan(0);
    expect(tokens[1].attribution).toBeGreaterThan(0);

    const r = embeddingIntegratedGradients(spamModel, text, 50, undefined);
    const predicted = spamModel.predict([text]).dataSync()[0];
    expect(r.value).toBeCloseTo(predicted, 5);
    expect(Math.abs(r.value - r.baselineValue)).toBeGreaterThan(0.1);
    expect(Math.abs(r.delta)).toBeLessThan(0.01 * Math.abs(r.value - r.baselineValue));
    // masked padding gets nothing
    r.ids.forEach((id, p) => {
      if (id === 0) expect(r.attributions[p]).toBe(0);
    });
    // an unknown word is the vocabulary's [UNK]
    const unknown = await explainText(spamModel, 'win zebra', { method: 'integratedGradients' });
    expect(unknown.map((t) => t.token)).toEqual(['win', '[UNK]']);
  });

  it('matches a float64 reference of the spam model (analytic gradient, 4000-point midpoint rule)', () => {
    const text = 'claim your free money now';
    const r = embeddingIntegratedGradients(spamModel, text, 50, 0);
    const [table, k1, b1, k2, b2] = spamModel.getWeights().map((t) => Array.from(t.dataSync()));
    const dim = 8;
    const hidden = 8;
    const ids = Array.from(r.ids);
    const kept = ids.filter((id) => id !== 0).length;
    // the masked average of the embedding is all the later layers see: f(α) depends on α·avg
    const avg = new Array<number>(dim).fill(0);
    for (const id of ids) if (id !== 0) for (let d = 0; d < dim; d++) avg[d] += table[id * dim + d] / kept;
    const gradientAt = (alpha: number): number[] => {
      const h = Array.from({ length: hidden }, (_, j) => {
        let s = b1[j];
        for (let d = 0; d < dim; d++) s += alpha * avg[d] * k1[d * hidden + j];
        return s;
      });
      let o = b2[0];
      for (let j = 0; j < hidden; j++) o += Math.max(h[j], 0) * k2[j];
      const p = 1 / (1 + Math.exp(-o));
      // ∂f/∂avg; each kept position's embedding gets 1/kept of it
      return Array.from({ length: dim }, (_, d) => {
        let s = 0;
        for (let j = 0; j < hidden; j++) if (h[j] > 0) s += k1[d * hidden + j] * k2[j];
        return (s * p * (1 - p)) / kept;
      });
    };
    const points = 4000;
    const mean = new Array<number>(dim).fill(0);
    for (let i = 0; i < points; i++) {
      const g = gradientAt((i + 0.5) / points);
      for (let d = 0; d < dim; d++) mean[d] += g[d] / points;
    }
    const expected = ids.map((id) =>
      id === 0 ? 0 : table.slice(id * dim, (id + 1) * dim).reduce((s, e, d) => s + e * mean[d], 0),
    );
    const largest = Math.max(...expected.map(Math.abs));
    const worst = (a: Float64Array) => Math.max(...expected.map((e, p) => Math.abs(a[p] - e))) / largest;
    // the ReLU's kinks cost Gauss–Legendre its exactness: 0.4% at 50 points, far less at 1000
    expect(worst(r.attributions)).toBeLessThan(0.01);
    expect(worst(embeddingIntegratedGradients(spamModel, text, 1000, 0).attributions)).toBeLessThan(5e-4);
  });

  it('on a model linear in the embedding, the attributions are embedding · gradient exactly', async () => {
    const vectorizer = nn.layers.textVectorization({ vocabulary: ['a', 'b', 'c'], outputSequenceLength: 4 });
    const model = nn.sequential({
      layers: [
        vectorizer,
        nn.layers.embedding({ inputDim: 5, outputDim: 2 }),
        nn.layers.flatten(),
        nn.layers.dense({ units: 2 }),
      ],
    });
    const table = [0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, 0.8, -0.9, 1.0];
    const kernel = Array.from({ length: 16 }, (_, i) => ((i * 7) % 5) / 5 - 0.4);
    model.setWeights([nn.tensor(table, [5, 2]), nn.tensor(kernel, [8, 2]), nn.tensor([0.2, -0.1])]);
    const r = embeddingIntegratedGradients(model, 'c a zz', 5, 1);
    // ids: c = 4, a = 2, zz = [UNK] = 1, then padding 0
    expect(Array.from(r.ids)).toEqual([4, 2, 1, 0]);
    expect(r.tokens).toEqual(['c', 'a', '[UNK]', '']);
    r.ids.forEach((id, p) => {
      const expected = table[id * 2] * kernel[p * 2 * 2 + 1] + table[id * 2 + 1] * kernel[(p * 2 + 1) * 2 + 1];
      expect(r.attributions[p]).toBeCloseTo(expected, 6);
    });
    expect(Math.abs(r.delta)).toBeLessThan(1e-6);
    expect(r.baselineValue).toBeCloseTo(-0.1, 6);
    model.dispose();
  });

  it('explaining does not leak tensors', async () => {
    await explainText(spamModel, 'win money', { method: 'integratedGradients' });
    await explainText(spamModel, 'win money', { method: 'lime', numSamples: 300, seed: 1 });
    const before = nn.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await explainText(spamModel, 'win money', { method: 'integratedGradients' });
      await explainText(spamModel, 'win money', { method: 'lime', numSamples: 300, seed: i });
    }
    expect(nn.memory().numTensors).toBe(before);
  });
});

describe('bad input', () => {
  it('a model that does not take strings, a text that is not one, empty text, bad options: clear errors', async () => {
    const numeric = nn.sequential({ layers: [nn.layers.dense({ units: 1, inputShape: [3] })] });
    await expect(explainText(numeric, 'win money')).rejects.toThrow(/takes strings.*takes numbers/);
    await expect(limeText(numeric, 'win money')).rejects.toThrow(/takes strings/);
    await expect(explainText(spamModel, ['win'] as never)).rejects.toThrow(/text to be a string.*one text at a time/);
    await expect(explainText(spamModel, '')).rejects.toThrow(/at least one word/);
    await expect(explainText(spamModel, ' ?! ', { method: 'integratedGradients' })).rejects.toThrow(
      /at least one token/,
    );
    await expect(explainText(spamModel, 'win', { method: 'shap' as never })).rejects.toThrow(/method/);
    await expect(explainText(spamModel, 'win', { method: 'integratedGradients', steps: 0 })).rejects.toThrow(/steps/);
    await expect(explainText(spamModel, 'win', { method: 'integratedGradients', output: 1 })).rejects.toThrow(/output/);
    await expect(explainText(spamModel, 'win', { method: 'lime', steps: 5 })).rejects.toThrow(/steps/);
    await expect(limeText(spamModel, 'win', { numSamples: 0 })).rejects.toThrow(/numSamples/);
    await expect(limeText(spamModel, 'win', { kernelWidth: 0 })).rejects.toThrow(/kernelWidth/);
    await expect(limeText(spamModel, 'win', { output: 1 })).rejects.toThrow(/output/);
    await expect(limeText(spamModel, 'win', { sead: 1 } as never)).rejects.toThrow(/did you mean seed/);
    // a bag-of-words model has no embedding to integrate over, LIME explains it
    const bag = nn.layers.textVectorization({ outputMode: 'multi_hot' });
    bag.adapt(TEXTS);
    const bagModel = nn.sequential({ layers: [bag, nn.layers.dense({ units: 1, activation: 'sigmoid' })] });
    await expect(explainText(bagModel, 'win', { method: 'integratedGradients' })).rejects.toThrow(/use method 'lime'/);
    expect(await explainText(bagModel, 'win money', { numSamples: 50, seed: 1 })).toHaveLength(2);
    numeric.dispose();
    bagModel.dispose();
  });
});
