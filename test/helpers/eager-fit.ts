// What fit does, with the ops run eagerly one at a time (no trace): the reference the tests of the
// one training path compare fit with.
import * as nn from '../../src/index.js';

/** Options of `eagerFit`. */
export interface EagerFitArgs {
  /** Passes over the data (default 1). */
  epochs?: number;
  /** Examples per step. */
  batchSize: number;
  /** The loss of a batch, as compile takes it (per-example values are averaged, as fit does). */
  loss: (yTrue: nn.Tensor, yPred: nn.Tensor) => nn.Tensor;
  /** dtype of the labels (int32 for sparse losses; default float32). */
  labelDType?: 'float32' | 'int32';
}

/**
 * Trains `model` as `fit(x, y, {shuffle: false})` does, eagerly: for each batch in order, the
 * output in training mode, the loss (averaged) plus the layers' penalties, its gradients by
 * `nn.variableGrads`, then `optimizer.applyGradients`. `x` and `y` are flat row-major values of
 * `[examples, ...xShape]` and `[examples, ...yShape]`. Returns each epoch's mean loss.
 */
export function eagerFit(
  model: nn.Sequential,
  optimizer: nn.Optimizer,
  x: ArrayLike<number>,
  xShape: readonly number[],
  y: ArrayLike<number>,
  yShape: readonly number[],
  args: EagerFitArgs,
): number[] {
  const xWidth = xShape.reduce((a, b) => a * b, 1);
  const yWidth = yShape.reduce((a, b) => a * b, 1);
  const count = x.length / xWidth;
  const losses: number[] = [];
  for (let epoch = 0; epoch < (args.epochs ?? 1); epoch++) {
    let sum = 0;
    for (let start = 0; start < count; start += args.batchSize) {
      const rows = Math.min(args.batchSize, count - start);
      const xb = nn.tensor(Array.from(x).slice(start * xWidth, (start + rows) * xWidth), [rows, ...xShape]);
      const yb = nn.tensor(
        Array.from(y).slice(start * yWidth, (start + rows) * yWidth),
        [rows, ...yShape],
        args.labelDType ?? 'float32',
      );
      const { value, grads } = nn.variableGrads(() => {
        const { output, penalty } = model.callWithPenalty(xb, true);
        const perExample = args.loss(yb, output);
        const loss = perExample.rank === 0 ? perExample : nn.mean(perExample);
        return penalty ? nn.add(loss, penalty) : loss;
      }, model.trainableWeights);
      optimizer.applyGradients(grads);
      sum += value.dataSync()[0] * rows;
      nn.dispose([xb, yb, value, ...Object.values(grads)]);
    }
    losses.push(sum / count);
  }
  return losses;
}

/** Copies of a model's weights (trainable or not), as arrays. */
export function weightValues(model: nn.Sequential): Float32Array[] {
  return model.weights.map((w) => w.dataSync().slice() as Float32Array);
}

/** The bits of float32 values, to compare runs bit for bit (NaN payloads and -0 included). */
export function bits(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
}
