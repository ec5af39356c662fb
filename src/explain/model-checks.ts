import type { Sequential } from '../models/sequential.js';

export { checkModel } from './targets.js';

/** A model the explanation methods take: a neurasm Sequential model. */
export type ExplainedModel = Sequential;

/** The output explained: the one asked for, else the largest of the example's outputs (its class). */
export function explainedOutput(outputs: ArrayLike<number>, requested: number | undefined): number {
  if (requested !== undefined) return requested;
  let best = 0;
  for (let i = 1; i < outputs.length; i++) if (outputs[i] > outputs[best]) best = i;
  return best;
}
