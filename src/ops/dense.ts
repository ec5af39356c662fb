import { Act, Reduce } from '../backend/codes.js';
import { activationBackward } from '../backend/kernels/activations.js';
import { gemm, gemmPacked } from '../backend/kernels/gemm.js';
import { reduceAxis } from '../backend/kernels/reduce.js';
import { hostStep } from '../backend/trace.js';
import { activeTape, record } from './tape.js';
import { Tensor } from './tensor.js';
import { Variable } from './variable.js';

/** Activations whose derivative is a function of their output, so that GEMM's epilogue can apply them. */
export const OUTPUT_DIFFERENTIABLE = ['linear', 'relu', 'leakyRelu', 'elu', 'sigmoid', 'tanh'] as const;

/** An activation GEMM can fuse: its derivative is a function of its output. */
export type OutputDifferentiable = (typeof OUTPUT_DIFFERENTIABLE)[number];

const TRANSPOSE_A = Object.freeze({ transA: true });
const TRANSPOSE_B = Object.freeze({ transB: true });

/**
 * @internal The dense layer's op: act(x·kernel + bias) for x [rows, k], kernel [k, n], bias [n] or
 * null (x of higher rank: over its last axis), in one GEMM pass with the bias and activation in its
 * epilogue, recorded as one op. Without a tape (inference) a variable kernel is read from its packed
 * copy (Variable.packedMatrix) once that is up to date, with the same bits. Backward turns dy into
 * the pre-activation gradient from the output (relu, leakyRelu and elu have the sign of their
 * input, sigmoid and tanh derive from their value), then dkernel = xᵀ·dz, dbias = Σ_rows dz and
 * dx = dz·kernelᵀ, each only when it is needed. The caller has checked shapes and dtypes.
 */
export function dense(
  x: Tensor,
  kernel: Tensor,
  bias: Tensor | null,
  activation: OutputDifferentiable,
  alpha: number,
): Tensor {
  // x of any rank is a matrix of its last dimension's rows (Keras's Dense on sequences)
  const k = x.shape[x.rank - 1];
  const rows = x.size / k;
  const n = kernel.shape[1];
  const code = Act[activation];
  const y = new Tensor([...x.shape.slice(0, -1), n], 'float32');
  if (rows > 0) {
    const kernelPtr = kernel.ptr();
    const biasPtr = bias ? bias.ptr() : 0;
    if (kernel instanceof Variable && activeTape() === null) {
      // inference: the kernel's packed copy, kept up to date (at every replay too) by its refresh
      const packed = kernel.packedMatrix();
      hostStep(packed.refresh);
      gemmPacked(x.ptr(), kernelPtr, packed.ptr, y.ptr(), rows, k, n, biasPtr, code, alpha);
    } else gemm(x.ptr(), kernelPtr, y.ptr(), rows, k, n, { bias: biasPtr, activation: code, alpha });
  }
  const inputs = bias ? [x, kernel, bias] : [x, kernel];
  return record(inputs, y, (dy, needed) => {
    let dz = dy;
    if (activation !== 'linear') {
      dz = new Tensor(y.shape, 'float32');
      activationBackward(code, y.ptr(), y.ptr(), dy.ptr(), dz.ptr(), y.size, alpha);
    }
    let dx: Tensor | null = null;
    let dKernel: Tensor | null = null;
    let dBias: Tensor | null = null;
    if (needed[1]) {
      dKernel = new Tensor(kernel.shape, 'float32');
      if (rows > 0) gemm(x.ptr(), dz.ptr(), dKernel.ptr(), k, rows, n, TRANSPOSE_A);
      else dKernel.view().fill(0);
    }
    if (bias && needed[2]) {
      dBias = new Tensor(bias.shape, 'float32');
      reduceAxis(Reduce.sum, dz.ptr(), dBias.ptr(), 1, rows, n);
    }
    if (needed[0]) {
      dx = new Tensor(x.shape, 'float32');
      if (rows > 0) gemm(dz.ptr(), kernel.ptr(), dx.ptr(), rows, n, k, TRANSPOSE_B);
    }
    if (dz !== dy) dz.dispose();
    return bias ? [dx, dKernel, dBias] : [dx, dKernel];
  });
}
