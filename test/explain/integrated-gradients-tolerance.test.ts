// Integrated gradients' per-row completeness: where 50 Gauss–Legendre points leave |delta| above 1%
// of |f(x) − f(baseline)|, the float64 reference at the same points leaves the same delta (the error
// is the quadrature's on a relu network, not float32's), and `tolerance` integrates those rows again
// with doubled steps until they are within it, reporting the rows that cannot get there.
import { beforeAll, describe, expect, it } from 'vitest';
import { ValueError } from '../../src/errors.js';
import { integratedGradients } from '../../src/explain/integrated-gradients.js';
import { quadrature } from '../../src/explain/quadrature.js';
import * as nn from '../../src/index.js';
import { forward64, integratedGradients64 } from './mlp64.js';
import { trainedReluNetwork } from './trained-relu.js';

beforeAll(() => nn.ready());

/** f(x) − f(0) of each row's predicted class, from predict. */
function changes(net: nn.Sequential, xs: nn.Tensor): number[] {
  const p = net.predict(xs).dataSync();
  const p0 = net.predict(nn.zeros([1, xs.shape[1]])).dataSync();
  const k = p0.length;
  return Array.from({ length: xs.shape[0] }, (_, r) => {
    let c = 0;
    for (let j = 1; j < k; j++) if (p[r * k + j] > p[r * k + c]) c = j;
    return p[r * k + c] - p0[c];
  });
}

const MODELS = [
  ['iris', [32], 60],
  ['breast-cancer', [64, 64], 20],
] as const;

describe('integratedGradients completeness per row', () => {
  it('rows over 1% at 50 Gauss–Legendre steps have the float64 reference’s delta at the same points', async () => {
    for (const [name, hidden, epochs] of MODELS) {
      const { net, xs, values, reference, features } = await trainedReluNetwork(name, [...hidden], epochs);
      const { attributions, delta } = await integratedGradients(net, xs, { steps: 50 });
      attributions.dispose();
      const change = changes(net, xs);
      const over = delta.map((_, r) => r).filter((r) => Math.abs(delta[r]) > 0.01 * Math.abs(change[r]));
      // there are such rows (7–13% of them), and their |f(x) − f(0)| is not tiny
      expect(over.length, name).toBeGreaterThan(0.03 * delta.length);
      const { alphas, weights } = quadrature('gausslegendre', 50);
      const zero = new Array<number>(features).fill(0);
      for (const r of over.slice(0, 15)) {
        const x = Array.from(values.slice(r * features, (r + 1) * features));
        const p = forward64(reference, x);
        const c = p.indexOf(Math.max(...p));
        const attributions64 = integratedGradients64(reference, x, zero, c, alphas, weights);
        const delta64 = attributions64.reduce((s, v) => s + v, 0) - (p[c] - forward64(reference, zero)[c]);
        expect(Math.abs(delta[r] - delta64), `${name} row ${r}`).toBeLessThan(1e-4);
        expect(Math.abs(delta64), `${name} row ${r}: float64 is over 1% as well`).toBeGreaterThan(
          0.009 * Math.abs(change[r]),
        );
      }
      xs.dispose();
      net.dispose();
    }
  });

  it('tolerance 0.01: every row within 1% (default maxSteps), only the rows over it integrated again, deterministic', async () => {
    for (const [name, hidden, epochs] of MODELS) {
      const { net, xs } = await trainedReluNetwork(name, [...hidden], epochs);
      const change = changes(net, xs);
      const plain = await integratedGradients(net, xs, { steps: 50 });
      const tolerant = await integratedGradients(net, xs, { steps: 50, tolerance: 0.01 });
      const again = await integratedGradients(net, xs, { steps: 50, tolerance: 0.01 });
      expect(plain.steps.every((s) => s === 50)).toBe(true);
      expect(plain.converged).toBeUndefined();
      const a = plain.attributions.dataSync();
      const b = tolerant.attributions.dataSync();
      const width = xs.shape[1];
      let redone = 0;
      for (let r = 0; r < change.length; r++) {
        const label = `${name} row ${r}`;
        expect(tolerant.converged?.[r], label).toBe(true);
        expect(Math.abs(tolerant.delta[r]), label).toBeLessThanOrEqual(0.01 * Math.abs(change[r]) + 1e-7);
        expect([50, 100, 200, 400, 800, 1600], label).toContain(tolerant.steps[r]);
        const within50 = Math.abs(plain.delta[r]) <= 0.01 * Math.abs(change[r]);
        if (within50) {
          // a row within it at 50 steps keeps its integral
          expect(tolerant.steps[r], label).toBe(50);
          expect(tolerant.delta[r], label).toBe(plain.delta[r]);
          expect(Array.from(b.slice(r * width, (r + 1) * width)), label).toEqual(
            Array.from(a.slice(r * width, (r + 1) * width)),
          );
        } else {
          expect(tolerant.steps[r], label).toBeGreaterThan(50);
          redone++;
        }
      }
      expect(redone, name).toBeGreaterThan(0);
      expect(again.steps).toEqual(tolerant.steps);
      expect(again.delta).toEqual(tolerant.delta);
      expect(Array.from(again.attributions.dataSync())).toEqual(Array.from(b));
      nn.dispose([plain.attributions, tolerant.attributions, again.attributions, xs]);
      net.dispose();
    }
  });

  it('a row that cannot reach the tolerance within maxSteps is reported, not thrown', async () => {
    nn.setSeed(2);
    const net = nn.sequential({
      layers: [
        nn.layers.dense({ units: 16, activation: 'relu', inputShape: [5] }),
        nn.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const x = nn.randomNormal([6, 5], 0, 2, 'float32', 3);
    // far below float32 resolution: no row gets there; each stops at the last doubling within maxSteps
    const { attributions, delta, steps, converged } = await integratedGradients(net, x, {
      tolerance: 1e-12,
      steps: 10,
      maxSteps: 50,
    });
    expect(steps).toEqual([40, 40, 40, 40, 40, 40]);
    expect(converged).toEqual([false, false, false, false, false, false]);
    // the last integral's values are returned, as without tolerance at 40 steps
    const at40 = await integratedGradients(net, x, { steps: 40 });
    expect(delta).toEqual(at40.delta);
    expect(Array.from(attributions.dataSync())).toEqual(Array.from(at40.attributions.dataSync()));
    // maxSteps equal to steps: one pass, rows over the tolerance reported
    const once = await integratedGradients(net, x, { tolerance: 1e-12, steps: 10, maxSteps: 10 });
    expect(once.steps).toEqual([10, 10, 10, 10, 10, 10]);
    expect(once.converged).toEqual([false, false, false, false, false, false]);
    nn.dispose([attributions, at40.attributions, once.attributions, x]);
    net.dispose();
  });

  it('rejects a bad tolerance or maxSteps clearly', async () => {
    const net = nn.sequential({ layers: [nn.layers.dense({ units: 2, inputShape: [3] })] });
    const x = nn.zeros([2, 3]);
    for (const tolerance of [0, -0.01, Number.NaN, Number.POSITIVE_INFINITY, '1%']) {
      await expect(integratedGradients(net, x, { tolerance: tolerance as never })).rejects.toThrow(/tolerance/);
    }
    await expect(integratedGradients(net, x, { tolerance: 0.01, steps: 50, maxSteps: 40 })).rejects.toThrow(
      /maxSteps.*>= 50/,
    );
    await expect(integratedGradients(net, x, { tolerance: 0.01, maxSteps: 100.5 })).rejects.toThrow(ValueError);
    await expect(integratedGradients(net, x, { maxSteps: 100 })).rejects.toThrow(/give tolerance too/);
    x.dispose();
    net.dispose();
  });
});
