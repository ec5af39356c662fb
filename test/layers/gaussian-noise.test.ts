import { beforeAll, describe, expect, it } from 'vitest';
import { recordTrace } from '../../src/backend/trace.js';
import * as nn from '../../src/index.js';
import { expectClose } from '../helpers/close.js';
import { eagerFit, weightValues } from '../helpers/eager-fit.js';
import { randomArray } from '../helpers/random.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const ROWS = 6;
const COLS = 7;
const x = randomArray(ROWS * COLS, 401, -2, 2);

/** float64 oracle: x + stddev·z with z from Box-Muller on the uniform draws of `new Random(seed)`. */
function noisyReference(values: ArrayLike<number>, stddev: number, seed: number): Float64Array {
  const rng = new nn.Random(seed);
  const out = Float64Array.from(values);
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng.uniform()));
    const t = 2 * Math.PI * rng.uniform();
    out[i] += stddev * r * Math.cos(t);
    if (i + 1 < out.length) out[i + 1] += stddev * r * Math.sin(t);
  }
  return out;
}

describe('GaussianNoise forward', () => {
  it('training: x + N(0, stddev²) noise from the seeded generator; a replayed trace draws afresh', () => {
    const ref = noisyReference(x, 0.3, 9);
    const eagerLayer = nn.layers.gaussianNoise({ stddev: 0.3, seed: 9 });
    const input = nn.tensor(x, [ROWS, COLS]);
    const eager = [0, 1].map(() => nn.tidy(() => eagerLayer.apply(input, { training: true }).dataSync()));
    expectClose(eager[0], ref, 1e-6, 1e-6, 'eager');
    // recorded, then replayed: the noise is drawn at every replay, the next draws of the same generator
    const layer = nn.layers.gaussianNoise({ stddev: 0.3, seed: 9 });
    const { trace, result } = recordTrace(() => layer.apply(input, { training: true }) as nn.Tensor);
    expect(trace.replayable).toBe(true);
    expect(trace.names).toContain('host');
    const recorded = result.dataSync().slice();
    trace.replay();
    const replayed = result.dataSync().slice();
    trace.dispose();
    // same draws, same float32 arithmetic: the same bits
    expect(recorded).toEqual(eager[0]);
    expect(replayed).toEqual(eager[1]);
    expect(replayed).not.toEqual(recorded);
    input.dispose();
  });

  it('inference (and stddev 0): the input unchanged, no draws', () => {
    for (const [stddev, training] of [
      [0.5, false],
      [0, true],
    ] as const) {
      const layer = nn.layers.gaussianNoise({ stddev, seed: 1 });
      const y = nn.tidy(() => layer.apply(nn.tensor(x, [ROWS, COLS]), { training }).dataSync());
      expect(y).toEqual(x);
    }
    // no draws were taken at inference: a training pass now starts the seeded sequence from the start
    const layer = nn.layers.gaussianNoise({ stddev: 0.5, seed: 2 });
    nn.tidy(() => layer.apply(nn.tensor(x, [ROWS, COLS])));
    const y = nn.tidy(() => layer.apply(nn.tensor(x, [ROWS, COLS]), { training: true }).dataSync());
    expectClose(y, noisyReference(x, 0.5, 2), 1e-6, 1e-6, 'after inference');
  });

  it('the noise has mean 0 and standard deviation stddev', () => {
    const n = 200_000;
    const layer = nn.layers.gaussianNoise({ stddev: 0.7, seed: 3 });
    const noise = nn.tidy(() => layer.apply(nn.zeros([n / 100, 100]), { training: true }).dataSync());
    const mean = noise.reduce((s, v) => s + v, 0) / n;
    const sd = Math.sqrt(noise.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    // standard errors: 0.7/√n ≈ 0.0016 for the mean, about 0.0011 for the standard deviation
    expect(Math.abs(mean)).toBeLessThan(0.007);
    expect(Math.abs(sd - 0.7)).toBeLessThan(0.005);
    // about 68.3% within one standard deviation
    const within = noise.filter((v) => Math.abs(v) < 0.7).length / n;
    expect(Math.abs(within - 0.6827)).toBeLessThan(0.005);
  });

  it('keeps any input shape (rank 3 too)', () => {
    const layer = nn.layers.gaussianNoise({ stddev: 0.1, seed: 4 });
    const y = nn.tidy(() => layer.apply(nn.ones([2, 3, 4]), { training: true }).shape);
    expect(y).toEqual([2, 3, 4]);
  });
});

describe('GaussianNoise gradients', () => {
  it('the gradient passes through unchanged on the tape (training and inference)', () => {
    const w = randomArray(ROWS * COLS, 402, -1, 1);
    for (const training of [true, false]) {
      const layer = nn.layers.gaussianNoise({ stddev: 0.5, seed: 5 });
      const g = nn.tidy(() =>
        nn
          .grad((t: nn.Tensor) => nn.sum(nn.mul(layer.apply(t, { training }), nn.tensor(w, [ROWS, COLS]))))(
            nn.tensor(x, [ROWS, COLS]),
          )
          .dataSync(),
      );
      expect(g).toEqual(w);
    }
  });
});

describe('GaussianNoise in models', () => {
  const xFit = randomArray(10 * 5, 411, -1, 1);
  const yFit = randomArray(10 * 3, 412, -1, 1);
  const build = (seed?: number, stddev = 0.2) => [
    nn.layers.dense({ units: 6, activation: 'tanh', inputShape: [5] }),
    nn.layers.gaussianNoise({ stddev, seed }),
    nn.layers.dense({ units: 3 }),
  ];

  it('a seeded layer: fit gives the weights and losses of an eager run, bit for bit', async () => {
    nn.setSeed(31);
    const fitted = nn.sequential({ layers: build(17) });
    fitted.compile({ optimizer: nn.train.sgd(0.1), loss: 'meanSquaredError' });
    nn.setSeed(31);
    const eager = nn.sequential({ layers: build(17) });
    nn.setSeed(31);
    const noiseless = nn.sequential({ layers: build(17, 0) });
    noiseless.compile({ optimizer: nn.train.sgd(0.1), loss: 'meanSquaredError' });
    const history = await fitted.fit(xFit, yFit, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
    await noiseless.fit(xFit, yFit, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
    const optimizer = nn.train.sgd(0.1);
    const losses = eagerFit(eager, optimizer, xFit, [5], yFit, [3], {
      epochs: 2,
      batchSize: 4,
      loss: (yt, yp) => nn.losses.meanSquaredError(yt, yp),
    });
    expect(history.history.loss).toEqual(losses);
    const a = weightValues(fitted);
    expect(weightValues(eager)).toEqual(a);
    // the noise did change training
    expect(weightValues(noiseless)[0]).not.toEqual(a[0]);
    [noiseless, fitted, eager].forEach((m) => {
      m.dispose();
    });
    optimizer.dispose();
  });

  it('with an activity regularizer, fit and an eager run agree', async () => {
    const layers = () => [
      nn.layers.dense({ units: 6, activation: 'tanh', inputShape: [5] }),
      nn.layers.gaussianNoise({ stddev: 0.2, seed: 18, activityRegularizer: nn.regularizers.l2({ l2: 0.05 }) }),
      nn.layers.dense({ units: 3 }),
    ];
    nn.setSeed(35);
    const fitted = nn.sequential({ layers: layers() });
    fitted.compile({ optimizer: nn.train.sgd(0.1), loss: 'meanSquaredError' });
    nn.setSeed(35);
    const eager = nn.sequential({ layers: layers() });
    const h = await fitted.fit(xFit, yFit, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
    const optimizer = nn.train.sgd(0.1);
    const losses = eagerFit(eager, optimizer, xFit, [5], yFit, [3], {
      epochs: 2,
      batchSize: 4,
      loss: (yt, yp) => nn.losses.meanSquaredError(yt, yp),
    });
    expectClose(h.history.loss, losses, 1e-6, 1e-7, 'losses');
    const b = weightValues(eager);
    weightValues(fitted).forEach((w, i) => {
      expectClose(w, b[i], 1e-6, 1e-6, fitted.weights[i].name);
    });
    fitted.dispose();
    eager.dispose();
    optimizer.dispose();
  });

  it('without a seed, the layer draws from the fit generator: the same fit seed, the same weights', async () => {
    const run = async (fitSeed: number) => {
      nn.setSeed(32);
      const m = nn.sequential({ layers: build() });
      m.compile({ optimizer: nn.train.sgd(0.1), loss: 'meanSquaredError' });
      await m.fit(xFit, yFit, { epochs: 2, batchSize: 4, seed: fitSeed, verbose: 0 });
      const w = m.weights.map((v) => v.dataSync());
      m.dispose();
      return w;
    };
    const [a, b, c] = [await run(1), await run(1), await run(2)];
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('predict adds no noise', () => {
    nn.setSeed(33);
    const m = nn.sequential({ layers: build(3) });
    const p1 = m.predict(xFit);
    const p2 = m.predict(xFit);
    const direct = nn.tidy(() => m.layers[2].apply(m.layers[0].apply(nn.tensor(xFit, [10, 5]))).dataSync());
    expect(p1.dataSync()).toEqual(p2.dataSync());
    expectClose(p1.dataSync(), direct, 1e-6, 1e-6, 'predict');
    nn.dispose([p1, p2]);
    m.dispose();
  });

  it('memory does not grow over epochs, with a built-in or a custom loss', async () => {
    for (const path of ['built-in', 'custom'] as const) {
      nn.setSeed(34);
      const m = nn.sequential({ layers: build() });
      m.compile({
        optimizer: 'adam',
        loss: path === 'built-in' ? 'meanSquaredError' : (yt, yp) => nn.losses.meanSquaredError(yt, yp),
      });
      const samples: nn.MemoryInfo[] = [];
      await m.fit(xFit, yFit, {
        epochs: 20,
        batchSize: 4,
        validationSplit: 0.2,
        callbacks: { onEpochEnd: () => void samples.push(nn.memory()) },
        verbose: 0,
      });
      expect(samples[19], path).toEqual(samples[0]);
      m.dispose();
    }
  });
});

describe('GaussianNoise options', () => {
  it('writes stddev and seed in its Keras config', () => {
    const layer = nn.layers.gaussianNoise({ stddev: 0.25, seed: 7, name: 'noise_cfg' });
    expect(layer.getConfig()).toEqual({ name: 'noise_cfg', trainable: true, stddev: 0.25, seed: 7 });
    expect(nn.layers.gaussianNoise({ stddev: 0.1 }).getConfig()).toMatchObject({ seed: null });
    expect(layer.className).toBe('GaussianNoise');
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['stddev -0.1', { stddev: -0.1 }, /expected stddev >= 0, got -0.1/],
    ['stddev NaN', { stddev: Number.NaN }, /expected stddev >= 0/],
    ['stddev Infinity', { stddev: Number.POSITIVE_INFINITY }, /expected stddev >= 0/],
    ['stddev missing', {}, /expected stddev >= 0, got undefined/],
    ['stddev as a string', { stddev: '0.1' }, /expected stddev >= 0/],
    ['seed NaN', { stddev: 0.1, seed: Number.NaN }, /expected seed to be a finite number/],
  ];
  for (const [name, args, message] of bad) {
    it(`rejects ${name} with a ValueError naming the layer`, () => {
      const make = () => nn.layers.gaussianNoise({ name: 'noise_bad', ...(args as object) } as never);
      expect(make).toThrow(nn.ValueError);
      expect(make).toThrow(/GaussianNoise "noise_bad"/);
      expect(make).toThrow(message);
    });
  }
});
