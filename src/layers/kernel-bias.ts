// What the layers with a kernel, a bias and an output activation share (Dense, Conv1D): their
// options, how they are checked, how the activation is applied, and how they are written.
import { OUTPUT_DIFFERENTIABLE, type OutputDifferentiable } from '../ops/dense.js';
import { checkBooleanOption, rejectUnsupported } from '../ops/options.js';
import type { Tensor } from '../ops/tensor.js';
import {
  type ActivationIdentifier,
  type ActivationName,
  applyActivation,
  defaultAlpha,
  kerasActivationName,
  resolveActivation,
} from './activations.js';
import { getInitializer, type Initializer } from './initializers.js';
import { regularizerConfig } from './layer.js';
import { getRegularizer, type Regularizer } from './regularizers.js';

/** The options of a layer with a kernel and a bias. */
export interface KernelBiasArgs {
  /** Activation applied to the output (default linear). */
  activation?: ActivationIdentifier;
  /** Whether to add a bias (default true). */
  useBias?: boolean;
  /** Kernel initializer (default glorotUniform, as in Keras). */
  kernelInitializer?: string | Initializer;
  /** Bias initializer (default zeros). */
  biasInitializer?: string | Initializer;
  /** Penalty on the kernel, e.g. nn.regularizers.l2({ l2: 0.01 }). */
  kernelRegularizer?: Regularizer | string | null;
  /** Penalty on the bias. */
  biasRegularizer?: Regularizer | string | null;
}

/** Those options checked, with their defaults filled in. */
export interface KernelBiasOptions {
  activation: ActivationName;
  useBias: boolean;
  kernelInitializer: Initializer;
  biasInitializer: Initializer;
  kernelRegularizer: Regularizer | null;
  biasRegularizer: Regularizer | null;
}

/** Options Keras has that neurasm rejects, with the reason. */
export const UNSUPPORTED_KERNEL_BIAS_OPTIONS = {
  kernelConstraint: 'weight constraints are not supported yet',
  biasConstraint: 'weight constraints are not supported yet',
};

/**
 * The names of the options (for a layer's list of known options; the names in
 * UNSUPPORTED_KERNEL_BIAS_OPTIONS go last).
 */
export const KERNEL_BIAS_OPTIONS = [
  'activation',
  'useBias',
  'kernelInitializer',
  'biasInitializer',
  'kernelRegularizer',
  'biasRegularizer',
];

/** Checks the options; `where` names the layer in errors (`Dense "dense_1"`). */
export function kernelBiasOptions(where: string, args: KernelBiasArgs): KernelBiasOptions {
  checkBooleanOption(where, args, 'useBias');
  rejectUnsupported(where, args, UNSUPPORTED_KERNEL_BIAS_OPTIONS);
  return {
    activation: resolveActivation(args.activation, where),
    useBias: args.useBias ?? true,
    kernelInitializer: getInitializer(args.kernelInitializer ?? 'glorotUniform', `${where} kernelInitializer`),
    biasInitializer: getInitializer(args.biasInitializer ?? 'zeros', `${where} biasInitializer`),
    kernelRegularizer: getRegularizer(args.kernelRegularizer, `${where} kernelRegularizer`),
    biasRegularizer: getRegularizer(args.biasRegularizer, `${where} biasRegularizer`),
  };
}

// Activations the GEMM epilogue applies. Sigmoid is left out: its op notes the logits, so that a
// binary cross-entropy computes from them.
const FUSED: ReadonlySet<string> = new Set(OUTPUT_DIFFERENTIABLE.filter((a) => a !== 'sigmoid'));

/**
 * The layer's output: `op` with the activation in the GEMM epilogue when the epilogue has it,
 * else `op` with 'linear' and the activation applied after.
 */
export function activated(
  activation: ActivationName,
  op: (activation: OutputDifferentiable, alpha: number) => Tensor,
): Tensor {
  if (FUSED.has(activation)) return op(activation as OutputDifferentiable, defaultAlpha(activation));
  return applyActivation(activation, op('linear', 0));
}

/** The options in a Keras config (snake_case), as tfjs writes them. */
export function kernelBiasConfig(o: KernelBiasOptions): Record<string, unknown> {
  return {
    activation: kerasActivationName(o.activation),
    use_bias: o.useBias,
    kernel_initializer: { class_name: o.kernelInitializer.className, config: o.kernelInitializer.config },
    bias_initializer: { class_name: o.biasInitializer.className, config: o.biasInitializer.config },
    kernel_regularizer: regularizerConfig(o.kernelRegularizer),
    bias_regularizer: regularizerConfig(o.biasRegularizer),
  };
}
