// Typed calls of the activation and softmax kernels (assembly/activations.ts). Internal: pointers are
// byte offsets of float32 blocks in Wasm memory, and the ops layer has validated every argument.
import { passThrough, passThroughDefaultLast } from './exports.js';

/**
 * y = f(x) elementwise over `n` floats, f chosen by an `Act` code. `alpha` is the negative slope of
 * leakyRelu and the scale of elu (the caller applies the tfjs/Keras defaults). y may alias x. Bit for
 * bit what `gemm` gives with the same activation fused (one implementation in assembly/mathf4.ts).
 */
export const activationForward = passThroughDefaultLast('activationForward', 0);

/**
 * dx = dy · f'(x) elementwise over `n` floats, given the input x and the forward output y. Reads x
 * for relu, leakyRelu, elu, softplus, gelu and y for elu, sigmoid, tanh (the other pointer may be 0).
 * relu'(0) = 0 as in tfjs. dx may alias dy.
 */
export const activationBackward = passThroughDefaultLast('activationBackward', 0);

/** Numerically stable softmax of each row of a rows×cols matrix. y may alias x. */
export const softmaxRows = passThrough('softmaxRows');

/** Softmax gradient from its output y: dx = y ⊙ (dy − Σ dy⊙y) per row. dx may alias y or dy. */
export const softmaxRowsBackward = passThrough('softmaxRowsBackward');

/** Numerically stable log-softmax of each row: y = x − max − log Σ e^(x − max). y may alias x. */
export const logSoftmaxRows = passThrough('logSoftmaxRows');

/** Log-softmax gradient from its output y: dx = dy − softmax · Σ dy per row. dx may alias y or dy. */
export const logSoftmaxRowsBackward = passThrough('logSoftmaxRowsBackward');
