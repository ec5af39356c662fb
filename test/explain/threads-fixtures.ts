// The model and data the tests of explanations on worker threads share (kernelShap, integratedGradients,
// saliency: *-workers.test.ts, kernel-shap-transfer.test.ts).
import { type KernelShapOptions, kernelShap } from '../../src/explain/kernel-shap.js';
import * as nn from '../../src/index.js';
import { randomArray } from '../helpers/random.js';

/** Features per row. */
export const F = 12;

/** A 12-16-8-3 network; with `noiseFirst` its first layer is not Dense (every masked row goes through predict). */
export function makeModel(noiseFirst = false): nn.Sequential {
  nn.setSeed(3);
  return nn.sequential({
    layers: [
      ...(noiseFirst ? [nn.layers.gaussianNoise({ stddev: 0.1, inputShape: [F] })] : []),
      nn.layers.dense({ units: 16, activation: 'relu', ...(noiseFirst ? {} : { inputShape: [F] }) }),
      nn.layers.dense({ units: 8, activation: 'tanh' }),
      nn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
}

/** 7 rows to explain (some features equal to every background row, so that rows have different players) and 20 background rows. */
export function data(): { x: nn.Tensor; background: nn.Tensor } {
  const background = randomArray(20 * F, 11);
  for (let r = 0; r < 20; r++) background[r * F + 5] = 0.5;
  const x = randomArray(7 * F, 12);
  x[5] = 0.5;
  x[3 * F + 5] = 0.5;
  return { x: nn.tensor(x, [7, F]), background: nn.tensor(background, [20, F]) };
}

/** The SHAP values of data()'s rows (300 samples, seed 4, and `options`), as a plain array. */
export async function valuesOf(model: nn.Sequential, options: Partial<KernelShapOptions>): Promise<Float32Array> {
  const { x, background } = data();
  try {
    const { values } = await kernelShap(model, x, { background, nsamples: 300, seed: 4, ...options });
    const v = values.dataSync() as Float32Array;
    values.dispose();
    return Float32Array.from(v);
  } finally {
    x.dispose();
    background.dispose();
  }
}

/** makeModel()'s network and `rows` random rows for it. */
export function smallCase(rows: number): { model: nn.Sequential; x: nn.Tensor } {
  return { model: makeModel(), x: nn.randomNormal([rows, F], 0, 1, 'float32', 12) };
}
