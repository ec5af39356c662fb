// Reading a model's weights for comparisons between runs (one thread against several, reruns).
import * as nn from '../../src/index.js';

/** A copy of each of the model's weights, in getWeights order. */
export function weightsOf(model: nn.Sequential): Float32Array[] {
  const ws = model.getWeights();
  const out = ws.map((w) => w.dataSync() as Float32Array);
  nn.dispose(ws);
  return out;
}

/** The largest difference between two weight lists, relative to the largest weight of `expected`. */
export function relativeDifference(actual: Float32Array[], expected: Float32Array[]): number {
  let diff = 0;
  let scale = 0;
  expected.forEach((w, i) => {
    for (let j = 0; j < w.length; j++) {
      diff = Math.max(diff, Math.abs(actual[i][j] - w[j]));
      scale = Math.max(scale, Math.abs(w[j]));
    }
  });
  return diff / scale;
}

/** Whether two weight lists hold the same bits. */
export function sameBits(a: Float32Array[], b: Float32Array[]): boolean {
  return a.length === b.length && a.every((w, i) => Buffer.from(w.buffer).equals(Buffer.from(b[i].buffer)));
}
