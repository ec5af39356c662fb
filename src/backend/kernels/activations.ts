// Typed calls of the activation and softmax kernels (assembly/activations.ts). Internal: pointers are
// byte offsets of float32 blocks in Wasm memory, and the ops layer has validated every argument.
import { kernels } from './exports.js';

/**
 * y = f(x) elementwise over `n` floats, f chosen by an `Act` code. `alpha` is the negative slope of
 * leakyRelu and the scale of elu (the caller applies the tfjs/Keras defaults). y may alias x. Bit for
 * bit what `gemm` gives with the same activation fused (one implementation in assembly/mathf4.ts).
 */
export function activationForward(code: number, x: number, y: number, n: number, alpha = 0): void {
  kernels().activationForward(code, x, y, n, alpha);
}

/**
 * dx = dy · f'(x) elementwise over `n` floats, given the input x and the forward output y. Reads x
 * for relu, leakyRelu, elu, softplus, gelu and y for elu, sigmoid, tanh (the other pointer may be 0).
 * relu'(0) = 0 as in tfjs. dx may alias dy.
 */
export function activationBackward(
  code: number,
  x: number,
  y: number,
  dy: number,
  dx: number,
  n: number,
  alpha = 0,
): void {
  kernels().activationBackward(code, x, y, dy, dx, n, alpha);
}

/** Numerically stable softmax of each row of a rows×cols matrix. y may alias x. */
export function softmaxRows(x: number, y: number, rows: number, cols: number): void {
  kernels().softmaxRows(x, y, rows, cols);
}

/** Softmax gradient from its output y: dx = y ⊙ (dy − Σ dy⊙y) per row. dx may alias y or dy. */
export function softmaxRowsBackward(y: number, dy: number, dx: number, rows: number, cols: number): void {
  kernels().softmaxRowsBackward(y, dy, dx, rows, cols);
}

/** Numerically stable log-softmax of each row: y = x − max − log Σ e^(x − max). y may alias x. */
export function logSoftmaxRows(x: number, y: number, rows: number, cols: number): void {
  kernels().logSoftmaxRows(x, y, rows, cols);
}

/** Log-softmax gradient from its output y: dx = dy − softmax · Σ dy per row. dx may alias y or dy. */
export function logSoftmaxRowsBackward(y: number, dy: number, dx: number, rows: number, cols: number): void {
  kernels().logSoftmaxRowsBackward(y, dy, dx, rows, cols);
}
