// The models and inputs the predictAsync tests share (predict-async.test.ts, predict-async-transfer.test.ts).
import * as nn from '../../src/index.js';
import { randomArray } from '../helpers/random.js';

/** Features per example of denseModel's input. */
export const F = 12;

/**
 * A 12-24-16-12 network whose output is reshaped to [4, 3] per example (softmax over each row of
 * 3), with BatchNormalization and (`dropout`) a dropout layer, which predict leaves out.
 */
export function denseModel(dropout = true): nn.Sequential {
  nn.setSeed(3);
  return nn.sequential({
    layers: [
      nn.layers.dense({ units: 24, activation: 'relu', inputShape: [F] }),
      nn.layers.batchNormalization(),
      ...(dropout ? [nn.layers.dropout({ rate: 0.3 })] : []),
      nn.layers.dense({ units: 16, activation: 'tanh' }),
      nn.layers.dense({ units: 12 }),
      nn.layers.reshape({ targetShape: [4, 3] }),
      nn.layers.activation({ activation: 'softmax' }),
    ],
  });
}

/** Token ids (int32) → embedding → flatten → dense. */
export function embeddingModel(): nn.Sequential {
  nn.setSeed(5);
  return nn.sequential({
    layers: [
      nn.layers.embedding({ inputDim: 30, outputDim: 8, inputLength: 6 }),
      nn.layers.flatten(),
      nn.layers.dense({ units: 5, activation: 'softmax' }),
    ],
  });
}

/** `n` random rows for denseModel. */
export function floatRows(n: number, seed = 11): nn.Tensor {
  return nn.tensor(randomArray(n * F, seed), [n, F]);
}

/** `n` rows of 6 token ids below 30, for embeddingModel. */
export function idRows(n: number): nn.Tensor {
  return nn.tensor(
    Int32Array.from(randomArray(n * 6, 13, 0, 1), (v) => Math.floor(v * 30)),
    [n, 6],
    'int32',
  );
}

/** The values and shape of `t`, which is disposed. */
export function take(t: nn.Tensor): { shape: number[]; values: Float32Array } {
  const out = { shape: [...t.shape], values: Float32Array.from(t.dataSync() as Float32Array) };
  t.dispose();
  return out;
}
