import { Act } from '../backend/codes.js';
import { ValueError } from '../errors.js';
import { activationOp, sigmoid, softmax } from '../ops/activations.js';
import type { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';

/** Canonical (tfjs camelCase) activation names. */
export type ActivationName = keyof typeof Act | 'softmax';

/** What a layer's `activation` option accepts: a name in tfjs camelCase or Keras snake_case. */
export type ActivationIdentifier = ActivationName | 'leaky_relu';

/** Every activation name, for error messages and docs. */
export const activationNames: readonly ActivationName[] = [...(Object.keys(Act) as ActivationName[]), 'softmax'];

/** Resolves an activation name (null/undefined means linear); throws listing the valid ones. */
export function resolveActivation(what: unknown, where: string): ActivationName {
  if (what === undefined || what === null) return 'linear';
  if (typeof what === 'string') {
    const camel = what.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    if ((activationNames as readonly string[]).includes(camel)) return camel as ActivationName;
  }
  throw new ValueError(`${where}: unknown activation ${describe(what)}; expected one of ${activationNames.join(', ')}`);
}

/** Default alpha of the parameterised activations (Keras: leaky_relu 0.2 in Keras 3, elu 1). */
export function defaultAlpha(name: ActivationName): number {
  return name === 'leakyRelu' ? 0.2 : name === 'elu' ? 1 : 0;
}

/** Applies an activation with tensor ops (the path with gradients on the tape). */
export function applyActivation(name: ActivationName, x: Tensor): Tensor {
  if (name === 'softmax') return softmax(x);
  // sigmoid through its op, which notes the logits for a fused binary cross-entropy
  if (name === 'sigmoid') return sigmoid(x);
  return activationOp(name, x, defaultAlpha(name));
}

/** The kernel code of an elementwise activation (softmax has kernels of its own). */
export function activationCode(name: Exclude<ActivationName, 'softmax'>): number {
  return Act[name];
}

/** Keras's name for an activation in model files. */
export function kerasActivationName(name: ActivationName): string {
  return name === 'leakyRelu' ? 'leaky_relu' : name;
}
