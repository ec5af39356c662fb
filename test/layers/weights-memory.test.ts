import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import type { Initializer } from '../../src/layers/initializers.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

/** An initializer that makes zeros, or throws on the calls listed in `failOn` (1-based). */
function failing(failOn: number[], error = () => new nn.ValueError('initializer failed on purpose')): Initializer {
  let calls = 0;
  return {
    className: 'Failing',
    config: {},
    generate(shape) {
      calls++;
      if (failOn.includes(calls)) throw error();
      return new Float32Array(shape.reduce((a, b) => a * b, 1));
    },
  };
}

describe('weights Wasm memory cannot hold', () => {
  it('a 1e5 x 1e5 dense kernel is a BackendError naming the layer, the weight and the bytes; memory is unchanged', () => {
    const before = nn.memory();
    const d = nn.layers.dense({ units: 1e5, inputShape: [1e5], name: 'huge' });
    const run = () => nn.sequential({ layers: [d] });
    expect(run).toThrow(nn.BackendError);
    expect(run).toThrow(
      'Dense "huge": kernel [100000, 100000] needs 40,000,000,000 bytes; Wasm memory is limited to 4 GiB (wasm32)',
    );
    expect(nn.memory()).toEqual(before);
    expect(d.built).toBe(false);
    expect(d.weights).toEqual([]);
  });

  it('the same through layer.apply and for a batchNormalization weight', () => {
    const x = nn.zeros([1, 3]);
    const before = nn.memory();
    const d = nn.layers.dense({ units: 5e8, name: 'wide' });
    expect(() => d.apply(x)).toThrow(/Dense "wide": kernel \[3, 500000000\] needs 6,000,000,000 bytes/);
    const bn = nn.layers.batchNormalization({ name: 'bn_huge' });
    expect(() => bn.build([null, 2e9])).toThrow(
      /BatchNormalization "bn_huge": gamma \[2000000000\] needs 8,000,000,000 bytes/,
    );
    // 2.5 GB fits in 4 GiB, but not twice (values and weight) while it is made: no growth for nothing
    const half = nn.layers.dense({ units: 625_000_000, name: 'half', useBias: false });
    expect(() => half.build([null, 1])).toThrow(
      /Dense "half": kernel \[1, 625000000\] needs 2,500,000,000 bytes; making it takes twice that, with [\d,]+ bytes in use, and Wasm memory is limited to 4 GiB/,
    );
    expect(nn.memory()).toEqual(before);
    x.dispose();
  });
});

describe('a build that fails part-way', () => {
  it('frees the weights made before the failing one, and the layer can be built again', () => {
    const before = nn.memory();
    const d = nn.layers.dense({ units: 4, inputShape: [3], biasInitializer: failing([1]) });
    expect(() => d.build([null, 3])).toThrow(/initializer failed on purpose/);
    expect(nn.memory()).toEqual(before);
    expect(d.built).toBe(false);
    expect(d.weights).toEqual([]);
    expect(d.kernel).toBeNull();
    d.build([null, 3]);
    expect(d.weights.map((w) => w.shape)).toEqual([[3, 4], [4]]);
    expect(d.weights.map((w) => w.name)).toEqual([`${d.name}/kernel`, `${d.name}/bias`]);
    d.dispose();
    d.dispose();
    expect(d.kernel).toBeNull();
    expect(nn.memory().numTensors).toBe(before.numTensors);
  });

  it('batchNormalization frees gamma, beta and the moving mean when the moving variance fails', () => {
    const before = nn.memory();
    const bn = nn.layers.batchNormalization({ movingVarianceInitializer: failing([1]) });
    expect(() => nn.sequential({ layers: [nn.layers.inputLayer({ inputShape: [4] }), bn] })).toThrow(/on purpose/);
    expect(nn.memory()).toEqual(before);
    expect([bn.gamma, bn.beta, bn.movingMean, bn.movingVariance]).toEqual([null, null, null, null]);
  });

  it('an initializer returning the wrong length is a ValueError naming the weight', () => {
    const before = nn.memory();
    const short: Initializer = { className: 'Short', config: {}, generate: () => new Float32Array(2) };
    const d = nn.layers.dense({ units: 4, name: 'short_bias', biasInitializer: short });
    expect(() => d.build([null, 3])).toThrow(
      /Dense "short_bias": bias \[4\]: the Short initializer returned a Float32Array of length 2; expected a Float32Array of length 4/,
    );
    expect(nn.memory()).toEqual(before);
  });
});

describe('subnormal starting values', () => {
  it('are set to zero (float32 values below 1.1754944e-38 slow every kernel)', () => {
    const tiny = nn.initializers.constant({ value: 1e-40 });
    const d = nn.layers.dense({ units: 2, kernelInitializer: tiny, biasInitializer: tiny });
    d.build([null, 3]);
    expect(Array.from(d.kernel!.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(d.bias!.dataSync())).toEqual([0, 0]);
    const normal = nn.layers.dense({
      units: 2,
      kernelInitializer: nn.initializers.constant({ value: 1.2e-38 }),
    });
    normal.build([null, 1]);
    expect(normal.kernel!.dataSync()[0]).toBeCloseTo(1.2e-38, 45);
    d.dispose();
    normal.dispose();
  });
});
