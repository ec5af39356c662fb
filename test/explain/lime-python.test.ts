// src/explain's LIME parts against python lime's own code (scripts/fixtures/lime_base.py runs
// lime/lime_base.py and lime/discretize.py): the local linear model of fixed neighbourhoods for
// forward selection and highest weights, and the quartile and decile statistics of iris's columns.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binCondition, featureBins } from '../../src/explain/discretizer.js';
import { exponentialKernel, localLinearModel } from '../../src/explain/lime-base.js';

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
