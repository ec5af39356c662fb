import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../src/errors.js';
import { integratedGradients } from '../../src/explain/integrated-gradients.js';
import { gaussLegendre, INTEGRATION_METHODS, quadrature } from '../../src/explain/quadrature.js';
import * as nn from '../../src/index.js';
import { expectClose } from '../helpers/close.js';
import { type Dense64, forward64, integratedGradients64 } from './mlp64.js';
import { smallNetwork } from './small-network.js';
import { trainedReluNetwork } from './trained-relu.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/explain/gradients.json', import.meta.url), 'utf8'));

beforeAll(() => nn.ready());

describe('integration points and weights (captum)', () => {
  it('Gauss–Legendre nodes and weights match numpy.polynomial.legendre.leggauss', () => {
    for (const [n, [nodes, weights]] of Object.entries(fixture.leggauss) as [string, number[][]][]) {
      const rule = gaussLegendre(Number(n));
      expectClose(rule.nodes, nodes, 0, 1e-14, `nodes ${n}`);
      expectClose(rule.weights, weights, 0, 1e-14, `weights ${n}`);
    }
  });

  it('Gauss–Legendre at n points integrates polynomials of degree 2n − 1 exactly on [0, 1]', () => {
    const { alphas, weights } = quadrature('gausslegendre', 5);
    for (let degree = 0; degree <= 9; degree++) {
      const sum = alphas.reduce((s, a, k) => s + weights[k] * a ** degree, 0);
      expect(sum).toBeCloseTo(1 / (degree + 1), 14);
    }
  });

  it('the Riemann rules have captum’s alphas and step sizes', () => {
    const rule = (method: (typeof INTEGRATION_METHODS)[number]) => {
      const { alphas, weights } = quadrature(method, 4);
      return { alphas: Array.from(alphas), weights: Array.from(weights) };
    };
    expect(rule('riemann_left')).toEqual({ alphas: [0, 0.25, 0.5, 0.75], weights: [0.25, 0.25, 0.25, 0.25] });
    expect(rule('riemann_right')).toEqual({ alphas: [0.25, 0.5, 0.75, 1], weights: [0.25, 0.25, 0.25, 0.25] });
    expect(rule('riemann_middle')).toEqual({
      alphas: [0.125, 0.375, 0.625, 0.875],
      weights: [0.25, 0.25, 0.25, 0.25],
    });
    // captum's trapezoid: linspace(0, 1, n) with steps 1/n halved at the ends
    expect(rule('riemann_trapezoid')).toEqual({ alphas: [0, 1 / 3, 2 / 3, 1], weights: [0.125, 0.25, 0.25, 0.125] });
  });
});

describe('integratedGradients', () => {
  let model: nn.Sequential;
  let layers: Dense64[];
  let x: nn.Tensor;
  let xv: Float32Array;
  beforeAll(() => {
    ({ model, layers } = smallNetwork(4));
    x = nn.randomNormal([7, 6], 0, 1.5, 'float32', 21);
    xv = x.dataSync() as Float32Array;
  });

  const row = (values: ArrayLike<number>, r: number) => Array.from(values).slice(r * 6, r * 6 + 6);

  it('matches a float64 reference for every method, with one baseline or one per row', async () => {
    const oneBaseline = [0.5, -0.25, 0, 1, -1, 0.1];
    const perRow = nn.randomNormal([7, 6], 0, 0.5, 'float32', 22);
    const perRowValues = perRow.dataSync();
    for (const method of INTEGRATION_METHODS) {
      for (const steps of [7, 50]) {
        for (const baseline of [undefined, oneBaseline, perRow]) {
          const outputs = [0, 1, 2, 3, 3, 2, 1];
          const { attributions, delta } = await integratedGradients(model, x, {
            method,
            steps,
            baseline,
            output: outputs,
          });
          expect(attributions.shape).toEqual([7, 6]);
          const { alphas, weights } = quadrature(method, steps);
          const values = attributions.dataSync();
          for (let r = 0; r < 7; r++) {
            const b =
              baseline === undefined ? [0, 0, 0, 0, 0, 0] : baseline === perRow ? row(perRowValues, r) : oneBaseline;
            const expected = integratedGradients64(layers, row(xv, r), b, outputs[r], alphas, weights);
            const label = `${method} ${steps} steps row ${r}`;
            expectClose(row(values, r), expected, 0, 1e-4, label);
            const change = forward64(layers, row(xv, r))[outputs[r]] - forward64(layers, b)[outputs[r]];
            expect(Math.abs(delta[r] - (expected.reduce((a, v) => a + v, 0) - change)), label).toBeLessThan(1e-4);
          }
          attributions.dispose();
        }
      }
    }
    perRow.dispose();
  });

  it('defaults to each row’s predicted class, and takes a baseline without its batch dimension', async () => {
    const byDefault = await integratedGradients(model, x, { baseline: nn.fill([6], 0.3) });
    const predicted = Array.from(model.predict(x).argMax(-1).dataSync());
    const explicit = await integratedGradients(model, x, { baseline: 0.3, output: predicted });
    expect(Array.from(byDefault.attributions.dataSync())).toEqual(Array.from(explicit.attributions.dataSync()));
    expect(byDefault.delta).toEqual(explicit.delta);
  });

  it('keeps an image-shaped input’s shape, with a baseline of one image', async () => {
    const image = nn.sequential({
      layers: [nn.layers.flatten({ inputShape: [3, 2] }), nn.layers.dense({ units: 2, activation: 'softmax' })],
    });
    const images = nn.randomNormal([5, 3, 2], 0, 1, 'float32', 5);
    const { attributions, delta } = await integratedGradients(image, images, { baseline: nn.fill([3, 2], 0.5) });
    expect(attributions.shape).toEqual([5, 3, 2]);
    expect(delta).toHaveLength(5);
    for (const d of delta) expect(Math.abs(d)).toBeLessThan(1e-4);
    nn.dispose([attributions, images]);
    image.dispose();
  });

  it('of a linear model is (x − baseline)·w exactly, with zero delta', async () => {
    const linear = nn.sequential({ layers: [nn.layers.dense({ units: 3, inputShape: [6] })] });
    const [kernel] = linear.getWeights().map((w) => w.dataSync());
    const baseline = [1, 2, 3, -1, -2, -3];
    for (const method of ['gausslegendre', 'riemann_left', 'riemann_middle', 'riemann_trapezoid'] as const) {
      const { attributions, delta } = await integratedGradients(linear, x, { baseline, output: 2, method, steps: 20 });
      // captum's trapezoid weights sum to (n − 1)/n
      const scale = method === 'riemann_trapezoid' ? 19 / 20 : 1;
      const expected = Array.from(xv, (v, i) => (v - baseline[i % 6]) * kernel[(i % 6) * 3 + 2] * scale);
      expectClose(attributions.dataSync(), expected, 1e-5, 1e-6, method);
      if (method !== 'riemann_trapezoid') for (const d of delta) expect(Math.abs(d)).toBeLessThan(1e-5);
      attributions.dispose();
    }
    linear.dispose();
  });

  /** |delta| / |f(x) − f(0)| of each row at `steps` Gauss–Legendre points, and |f(x) − f(0)|. */
  async function completeness(net: nn.Sequential, xs: nn.Tensor, steps: number) {
    const { attributions, delta } = await integratedGradients(net, xs, { steps });
    attributions.dispose();
    const p = net.predict(xs).dataSync();
    const p0 = net.predict(nn.zeros([1, xs.shape[1]])).dataSync();
    const k = p0.length;
    return delta.map((d, r) => {
      let c = 0;
      for (let j = 1; j < k; j++) if (p[r * k + j] > p[r * k + c]) c = j;
      const change = Math.abs(p[r * k + c] - p0[c]);
      return { ratio: Math.abs(d) / change, change, delta: d };
    });
  }

  it('on a trained 30-64-64-2 breast-cancer model: delta is the float64 reference’s (the error is the quadrature’s)', async () => {
    const { net, xs, values, reference, features } = await trainedReluNetwork('breast-cancer', [64, 64], 20);
    const { alphas, weights } = quadrature('gausslegendre', 50);
    const { attributions, delta } = await integratedGradients(net, xs, { steps: 50 });
    const a = attributions.dataSync();
    const zero = new Array<number>(features).fill(0);
    for (let r = 0; r < xs.shape[0]; r += 7) {
      const x = Array.from(values.slice(r * features, (r + 1) * features));
      const p = forward64(reference, x);
      const c = p.indexOf(Math.max(...p));
      const expected = integratedGradients64(reference, x, zero, c, alphas, weights);
      expectClose(a.slice(r * features, (r + 1) * features), expected, 0, 1e-4, `row ${r}`);
      const expectedDelta = expected.reduce((s, v) => s + v, 0) - (p[c] - forward64(reference, zero)[c]);
      expect(Math.abs(delta[r] - expectedDelta), `row ${r}`).toBeLessThan(1e-4);
    }
    nn.dispose([attributions, xs]);
    net.dispose();
  });

  // Not every row is within 1% at 50 steps: paths that cross relu kinks or the sharp part of the
  // softmax (standardized breast-cancer features reach 12 standard deviations) converge slowly under
  // Gauss–Legendre (the float64 reference above gives the same delta, e.g. 2.2% at 300 steps on one
  // iris row, where 20,000 midpoint steps give 0.03%).
  it('completeness: |delta| ≤ 1% of |f(x) − f(baseline)| on most rows at 50 steps, more at 300 (iris, breast-cancer)', async () => {
    for (const [name, hidden, epochs] of [
      ['iris', [32], 60],
      ['breast-cancer', [64, 64], 20],
    ] as const) {
      const { net, xs } = await trainedReluNetwork(name, [...hidden], epochs);
      const at50 = await completeness(net, xs, 50);
      const within = at50.filter((r) => r.ratio <= 0.01).length / at50.length;
      expect(within, `${name}: share of rows within 1% at 50 steps`).toBeGreaterThanOrEqual(0.85);
      const median = at50.map((r) => r.ratio).sort((a, b) => a - b)[at50.length >> 1];
      expect(median, `${name}: median ratio`).toBeLessThan(0.005);
      const at300 = await completeness(net, xs, 300);
      // float32 gradients bound how small a change can be checked relatively
      const big = at300.filter((r) => r.change >= 0.01);
      const within300 = big.filter((r) => r.ratio <= 0.01).length / big.length;
      expect(within300, `${name}: share of rows within 1% at 300 steps`).toBeGreaterThanOrEqual(0.97);
      xs.dispose();
      net.dispose();
    }
  });

  it('rejects a bad method, steps, baseline or output clearly', async () => {
    await expect(integratedGradients(model, x, { method: 'simpson' as never })).rejects.toThrow(
      /method.*gausslegendre/,
    );
    await expect(integratedGradients(model, x, { method: 'riemann_left', steps: 1 })).rejects.toThrow(/steps/);
    await expect(integratedGradients(model, x, { steps: 0 })).rejects.toThrow(/steps/);
    await expect(integratedGradients(model, x, { baseline: [1, 2, 3] })).rejects.toThrow(ShapeError);
    await expect(integratedGradients(model, x, { baseline: nn.zeros([3, 6]) })).rejects.toThrow(
      /1 example or one per row of x \(7\)/,
    );
    await expect(integratedGradients(model, x, { baseline: Number.NaN })).rejects.toThrow(ValueError);
    await expect(integratedGradients(model, x, { baseline: 'zeros' as never })).rejects.toThrow(/baseline/);
    await expect(integratedGradients(model, x, { output: 4 })).rejects.toThrow(/output/);
    await expect(integratedGradients(model, nn.zeros([2, 7]))).rejects.toThrow(ShapeError);
  });

  it('leaves no tensors behind', async () => {
    const baseline = nn.zeros([6]);
    const wrong = nn.zeros([3, 6]);
    (await integratedGradients(model, x, { baseline, steps: 9 })).attributions.dispose();
    const before = nn.memory().numTensors;
    for (let i = 0; i < 3; i++) (await integratedGradients(model, x, { baseline, steps: 9 })).attributions.dispose();
    await expect(integratedGradients(model, x, { baseline: wrong })).rejects.toThrow();
    expect(nn.memory().numTensors).toBe(before);
    nn.dispose([baseline, wrong]);
  });
});
