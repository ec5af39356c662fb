// TextVectorization's outputs: index sequences ('int') and bags of tokens (multi_hot, count, tf_idf).
import { fromFlat } from '../ops/create.js';
import type { Tensor } from '../ops/tensor.js';
import { checkShape } from '../ops/validate.js';

/** The output modes of TextVectorization, as Keras names them. */
export const OUTPUT_MODES = ['int', 'multi_hot', 'count', 'tf_idf'] as const;

/** What TextVectorization outputs. */
export type OutputMode = (typeof OUTPUT_MODES)[number];

/**
 * An int32 tensor [texts, length] of each text's indices, cut or padded with 0 to `length`, or to the
 * longest text's when `length` is null (as Keras pads a ragged batch).
 */
export function indexSequences(where: string, ids: readonly (readonly number[])[], length: number | null): Tensor {
  const width = length ?? ids.reduce((m, row) => Math.max(m, row.length), 0);
  const shape = checkShape(where, 'the output of shape', [ids.length, width]);
  const flat = new Int32Array(ids.length * width);
  ids.forEach((row, i) => {
    flat.set(row.length > width ? row.slice(0, width) : row, i * width);
  });
  return fromFlat(shape, 'int32', flat);
}

/**
 * A float32 tensor [texts, depth] of each text's tokens: 1 where an index occurs (multi_hot), the
 * number of times it occurs (count), or that number times its idf weight (tf_idf, in float32 as Keras).
 */
export function bagsOfTokens(
  where: string,
  ids: readonly (readonly number[])[],
  depth: number,
  mode: Exclude<OutputMode, 'int'>,
  idfWeights: Float32Array | null,
): Tensor {
  const shape = checkShape(where, 'the output of shape', [ids.length, depth]);
  const flat = new Float32Array(ids.length * depth);
  ids.forEach((row, i) => {
    const offset = i * depth;
    for (const id of row) flat[offset + id] = mode === 'multi_hot' ? 1 : flat[offset + id] + 1;
  });
  if (mode === 'tf_idf' && idfWeights) {
    for (let k = 0; k < flat.length; k++) {
      if (flat[k] !== 0) flat[k] *= idfWeights[k % depth];
    }
  }
  return fromFlat(shape, 'float32', flat);
}
