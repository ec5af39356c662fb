// Which tensors are probabilities computed from logits. As Keras keeps `_keras_logits` on a softmax
// or sigmoid output, a cross-entropy given such probabilities computes from the logits instead: one
// stable fused kernel, whose gradient goes straight to the logits.
import type { Tensor } from './tensor.js';

/** How probabilities were made from logits. */
export type ProbabilityKind = 'softmax' | 'sigmoid';

const sources = new WeakMap<Tensor, { kind: ProbabilityKind; logits: Tensor }>();

/** @internal Notes that `probabilities` is softmax or sigmoid of `logits`. */
export function noteLogits(probabilities: Tensor, kind: ProbabilityKind, logits: Tensor): void {
  sources.set(probabilities, { kind, logits });
}

/** @internal The logits `probabilities` were computed from by a `kind` op, if they are still alive. */
export function logitsOf(probabilities: Tensor, kind: ProbabilityKind): Tensor | null {
  const s = sources.get(probabilities);
  return s && s.kind === kind && !s.logits.isDisposed ? s.logits : null;
}
