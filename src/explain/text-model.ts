import { ValueError } from '../errors.js';
import type { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
import { checkModel, type ExplainedModel } from './model-checks.js';

/** Throws unless `model` takes strings (its first layer is a textVectorization) and `text` is a string. */
export function checkTextModel(op: string, model: unknown, text: unknown): asserts model is ExplainedModel {
  const m = checkModel(op, model);
  const first = m.layers[0];
  if (!first.takesStrings) {
    throw new ValueError(
      `${op}: expected a model that takes strings (its first layer a textVectorization), got model "${m.name}" whose first layer "${first.name}" takes numbers`,
    );
  }
  if (typeof text !== 'string') {
    const hint = Array.isArray(text) ? ' (explain one text at a time)' : '';
    throw new ValueError(`${op}: expected text to be a string, got ${describe(text)}${hint}`);
  }
}

/** The model's outputs for a list of texts (one batched predict), as one flat array of rows. */
export function predictTexts(model: ExplainedModel, texts: readonly string[], batchSize: number): Float32Array {
  let y: Tensor | null = null;
  try {
    y = model.predict(texts, { batchSize: Math.min(batchSize, texts.length) });
    return y.dataSync<'float32'>().slice();
  } finally {
    y?.dispose();
  }
}
