// src/explain's LIME parts against python lime's own code (scripts/fixtures/lime_base.py runs
// lime/lime_base.py and lime/discretize.py): the local linear model of fixed neighbourhoods for
// forward selection and highest weights, and the quartile and decile statistics of iris's columns;
// and lime and limeText against LimeTabularExplainer and LimeTextExplainer on the same models
// (scripts/fixtures/lime_tabular.py, lime_text.py): the means over 20 seeds of both agree.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { binCondition, featureBins } from '../../src/explain/discretizer.js';
import { type LimeExplanation, lime } from '../../src/explain/lime.js';
import { exponentialKernel, localLinearModel } from '../../src/explain/lime-base.js';
import { type LimeTextExplanation, limeText } from '../../src/explain/lime-text.js';
import * as nn from '../../src/index.js';

interface Explanation {
  numFeatures: number;
  intercept: number;
  features: number[];
  weights: number[];
  score: number;
  localPrediction: number;
}

interface Fixture {
  iris: number[][];
  neighbourhoods: {
    name: string;
    rows: number;
    features: number;
    data: number[];
    labels: number[];
    distances: number[];
    kernelWidth: number;
    explanations: Explanation[];
  }[];
  discretizers: {
    kind: 'quartile' | 'decile';
    feature: number;
    borders: number[];
    means: number[];
    stds: number[];
    mins: number[];
    maxs: number[];
    values: number[];
    frequencies: number[];
    names: string[];
  }[];
}

const fixture: Fixture = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/lime-base.json'), 'utf8'));

/** Each value of `actual` within `tol` (relative to max(1, |expected|)) of `expected`. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  const worst = Array.from(expected).reduce(
    (m, e, i) => Math.max(m, Math.abs(actual[i] - e) / Math.max(1, Math.abs(e))),
    0,
  );
  expect(worst).toBeLessThan(tol);
}

describe("LimeBase.explain_instance_with_data (python lime's)", () => {
  for (const n of fixture.neighbourhoods) {
    for (const e of n.explanations) {
      it(`${n.name} neighbourhood, ${e.numFeatures} features (${e.numFeatures <= 6 ? 'forward selection' : 'highest weights'})`, () => {
        const weights = Float64Array.from(n.distances, (d) => exponentialKernel(d, n.kernelWidth));
        const fit = localLinearModel(
          Float64Array.from(n.data),
          n.rows,
          n.features,
          Float64Array.from(n.labels),
          weights,
          e.numFeatures,
        );
        expect(fit.features).toEqual(e.features);
        expectClose(
          fit.features.map((f) => fit.weights[f]),
          e.weights,
          1e-9,
        );
        expectClose([fit.intercept, fit.score, fit.localPrediction], [e.intercept, e.score, e.localPrediction], 1e-9);
      });
    }
  }
});

describe("lime's QuartileDiscretizer and DecileDiscretizer on iris", () => {
  for (const d of fixture.discretizers) {
    it(`${d.kind}, feature ${d.feature}`, () => {
      const percentiles = d.kind === 'quartile' ? [25, 50, 75] : [10, 20, 30, 40, 50, 60, 70, 80, 90];
      const bins = featureBins(Float64Array.from(fixture.iris[d.feature]), percentiles);
      expectClose(bins.borders, d.borders, 1e-12);
      expectClose(bins.means, d.means, 1e-12);
      expectClose(bins.stds, d.stds, 1e-12);
      expectClose(bins.mins, d.mins, 1e-12);
      expectClose(bins.maxs, d.maxs, 1e-12);
      expect(bins.values).toEqual(d.values);
      expectClose(bins.frequencies, d.frequencies, 1e-12);
      expect(d.names.map((_, b) => binCondition(bins, b, String(d.feature)))).toEqual(d.names);
    });
  }
});

interface TabularFixture {
  seeds: number;
  x: number[];
  kernels: number[][];
  biases: number[][];
  probabilities: number[];
  cases: {
    mode: 'quartile' | 'decile' | 'continuous';
    row: number;
    output: number;
    weightsMean: number[];
    weightsStd: number[];
    interceptMean: number;
    interceptStd: number;
    scoreMean: number;
    scoreStd: number;
    localPredictionMean: number;
  }[];
}

const tabular: TabularFixture = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../fixtures/lime-tabular.json'), 'utf8'),
);

/** Mean and sample standard deviation. */
function meanStd(values: number[]): [number, number] {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return [mean, Math.sqrt(variance)];
}

describe("lime on a model against python lime's LimeTabularExplainer on the same model (means over 20 seeds)", () => {
  beforeAll(async () => {
    await nn.ready();
  });

  for (const mode of ['quartile', 'decile', 'continuous'] as const) {
    it(`${mode}: weights, intercept and R² agree within the Monte Carlo spread`, async () => {
      const model = nn.sequential({
        layers: [
          nn.layers.dense({ units: 16, activation: 'relu', inputShape: [4] }),
          nn.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      });
      model.setWeights([
        nn.tensor(tabular.kernels[0], [4, 16]),
        nn.tensor(tabular.biases[0]),
        nn.tensor(tabular.kernels[1], [16, 3]),
        nn.tensor(tabular.biases[1]),
      ]);
      const x = nn.tensor(tabular.x, [150, 4]);
      const cases = tabular.cases.filter((c) => c.mode === mode);
      const rows = nn.tensor(
        cases.flatMap((c) => tabular.x.slice(c.row * 4, c.row * 4 + 4)),
        [cases.length, 4],
      );
      expectClose(model.predict(rows).dataSync(), tabular.probabilities, 1e-5);
      const runs: LimeExplanation[][] = [];
      for (let seed = 0; seed < tabular.seeds; seed++) {
        runs.push(
          await lime(model, rows, {
            trainingData: x,
            numFeatures: 4,
            discretize: mode === 'continuous' ? false : mode,
            seed,
          }),
        );
      }
      cases.forEach((c, i) => {
        const ours = runs.map((run) => run[i]);
        expect(ours[0].output).toBe(c.output);
        // |difference of means| within 4 standard errors of it, plus a little for float32
        const agree = (values: number[], pyMean: number, pyStd: number, slack: number) => {
          const [mean, std] = meanStd(values);
          const se = Math.sqrt((std * std + pyStd * pyStd) / tabular.seeds);
          expect(Math.abs(mean - pyMean)).toBeLessThan(4 * se + slack);
        };
        for (let j = 0; j < 4; j++) {
          agree(
            ours.map((e) => e.weights[j]),
            c.weightsMean[j],
            c.weightsStd[j],
            0.005,
          );
        }
        agree(
          ours.map((e) => e.intercept),
          c.interceptMean,
          c.interceptStd,
          0.005,
        );
        agree(
          ours.map((e) => e.score),
          c.scoreMean,
          c.scoreStd,
          0.01,
        );
      });
      rows.dispose();
      x.dispose();
      model.dispose();
    });
  }
});

interface TextFixture {
  seeds: number;
  vocabulary: string[];
  kernel: number[];
  bias: number;
  cases: {
    text: string;
    numFeatures: number;
    words: string[];
    prediction: number;
    weightsMean: number[];
    weightsStd: number[];
    interceptMean: number;
    interceptStd: number;
    scoreMean: number;
    scoreStd: number;
  }[];
}

const textFixture: TextFixture = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../fixtures/lime-text.json'), 'utf8'),
);

describe("limeText against python lime's LimeTextExplainer on the same bag-of-words model (means over 20 seeds)", () => {
  beforeAll(async () => {
    await nn.ready();
  });

  it('the same words, and weights, intercept and R² within the Monte Carlo spread', async () => {
    const model = nn.sequential({
      layers: [
        nn.layers.textVectorization({ outputMode: 'multi_hot', vocabulary: textFixture.vocabulary }),
        nn.layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    model.setWeights([nn.tensor(textFixture.kernel, [textFixture.kernel.length, 1]), nn.tensor([textFixture.bias])]);
    for (const c of textFixture.cases) {
      const runs: LimeTextExplanation[] = [];
      for (let seed = 0; seed < textFixture.seeds; seed++) {
        runs.push(await limeText(model, c.text, { numFeatures: c.numFeatures, seed }));
      }
      expect(runs[0].words).toEqual(c.words);
      expect(runs[0].prediction).toBeCloseTo(c.prediction, 6);
      const agree = (values: number[], pyMean: number, pyStd: number, slack: number) => {
        const [mean, std] = meanStd(values);
        const se = Math.sqrt((std * std + pyStd * pyStd) / textFixture.seeds);
        expect(Math.abs(mean - pyMean)).toBeLessThan(4 * se + slack);
      };
      c.words.forEach((_, j) => {
        agree(
          runs.map((e) => e.weights[j]),
          c.weightsMean[j],
          c.weightsStd[j],
          0.002,
        );
      });
      agree(
        runs.map((e) => e.intercept),
        c.interceptMean,
        c.interceptStd,
        0.002,
      );
      agree(
        runs.map((e) => e.score),
        c.scoreMean,
        c.scoreStd,
        0.01,
      );
    }
    model.dispose();
  });
});
