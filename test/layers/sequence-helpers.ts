// Shared by the convolution, pooling and masking layer tests: a mask-making layer, tfjs model-file round
// trips in memory, and a training check (the trace replays, memory stays flat).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';
import * as nn from '../../src/index.js';
import type { Tensor } from '../../src/ops/tensor.js';
import { randomArray } from '../helpers/random.js';

/** Makes a mask from its input: a step is real where its first feature is not zero. */
export class MarkNonZero extends nn.layers.Layer {
  static className = 'MarkNonZero';
  computeOutputShape(s: Array<number | null>) {
    return s;
  }
  call(x: Tensor) {
    return nn.clone(x);
  }
  override computeMask(x: Tensor) {
    const first = nn.slice(x, [0, 0, 0], [-1, -1, 1]);
    return nn.cast(nn.notEqual(nn.reshape(first, [x.shape[0], x.shape[1]]), 0), 'float32');
  }
}

/** tfjs's predictions for flat x. */
export function tfjsPredict(model: tfl.LayersModel, x: Float32Array, shape: number[]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync() as Float32Array);
}

/** neurasm's predictions for flat x. */
export function nnPredict(model: nn.Sequential, x: Float32Array, shape: number[]): Float32Array {
  const t = nn.tensor(x, shape);
  const p = model.predict(t);
  const out = p.dataSync();
  nn.dispose([t, p]);
  return out;
}

/** The artifacts tfjs writes for a model (in memory). */
export async function tfjsArtifacts(model: tfl.LayersModel): Promise<nn.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = saved! as tf.io.ModelArtifacts;
  return { ...a, weightData: tf.io.CompositeArrayBuffer.join(a.weightData!) } as unknown as nn.io.ModelArtifacts;
}

/**
 * Fits a model for a few epochs on random data and checks that the training pass replays its trace
 * and that memory does not grow from epoch to epoch, nor over repeated predictions. Returns the losses.
 */
export async function expectTrainsOnTrace(
  model: nn.Sequential,
  xShape: number[],
  yShape: number[],
  options: { x?: Float32Array; batchSize?: number; loss?: string } = {},
): Promise<number[]> {
  const rows = xShape[0];
  const batchSize = options.batchSize ?? 4;
  model.compile({ optimizer: 'adam', loss: (options.loss ?? 'meanSquaredError') as 'meanSquaredError' });
  const x = nn.tensor(
    options.x ??
      randomArray(
        xShape.reduce((a, b) => a * b, 1),
        501,
        -1,
        1,
      ),
    xShape,
  );
  const y = nn.tensor(
    randomArray(
      yShape.reduce((a, b) => a * b, 1),
      502,
      0,
      1,
    ),
    yShape,
  );
  const samples: nn.MemoryInfo[] = [];
  const history = await model.fit(x, y, {
    epochs: 6,
    batchSize,
    shuffle: true,
    verbose: 0,
    callbacks: { onEpochEnd: () => void samples.push(nn.memory()) },
  });
  expect(model.step('train', batchSize).replays).toBe(true);
  expect(samples[5]).toEqual(samples[1]);
  expect(rows % batchSize).toBe(0);
  // predicting again and again holds no more memory either
  const predicted: nn.MemoryInfo[] = [];
  for (let i = 0; i < 3; i++) {
    model.predict(x, { batchSize }).dispose();
    predicted.push(nn.memory());
  }
  expect(predicted[2]).toEqual(predicted[0]);
  nn.dispose([x, y]);
  return history.history.loss as number[];
}
