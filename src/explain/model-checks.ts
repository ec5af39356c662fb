import { ValueError } from '../errors.js';
import { Sequential } from '../models/sequential.js';
import { describe } from '../ops/validate.js';

/** A model the explanation methods take: a neurasm Sequential model. */
export type ExplainedModel = Sequential;

/** Throws unless `model` is a Sequential model that is built and not disposed. */
export function checkModel(op: string, model: unknown): asserts model is ExplainedModel {
  if (!(model instanceof Sequential)) {
    throw new ValueError(`${op}: expected model to be a Sequential model, got ${describe(model)}`);
  }
  if (model.isDisposed) throw new ValueError(`${op}: the model has been disposed`);
  if (model.layers.length === 0) throw new ValueError(`${op}: the model has no layers`);
}

/** The output explained: the one asked for, else the largest of the example's outputs (its class). */
export function explainedOutput(outputs: ArrayLike<number>, requested: number | undefined): number {
  if (requested !== undefined) return requested;
  let best = 0;
  for (let i = 1; i < outputs.length; i++) if (outputs[i] > outputs[best]) best = i;
  return best;
}
