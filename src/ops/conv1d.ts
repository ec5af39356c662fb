import { Act, Reduce } from '../backend/codes.js';
import { activationBackward } from '../backend/kernels/activations.js';
import { col2im1d, gemmLda, im2col1d, padSteps1d } from '../backend/kernels/conv.js';
import { gemm } from '../backend/kernels/gemm.js';
import { reduceAxis } from '../backend/kernels/reduce.js';
import type { OutputDifferentiable } from './dense.js';
import { activeTape, record } from './tape.js';
import { Tensor } from './tensor.js';

/** Padding of a 1-D convolution or pooling, as Keras names it. */
export type Padding1D = 'valid' | 'same' | 'causal';

/** Where the windows of a 1-D convolution or pooling fall on a sequence. */
export interface Geometry1D {
  /** Window length (kernelSize, poolSize). */
  size: number;
  stride: number;
  dilation: number;
  /** Zero steps before the sequence. */
  padLeft: number;
  /** Zero steps after the sequence (those the last window reaches). */
  padRight: number;
  /** Number of windows: the output's steps. */
  outSteps: number;
}

/**
 * The windows of a sequence of `steps` steps, as TensorFlow places them: 'valid' only whole
 * windows; 'same' ceil(steps / stride) windows with the padding split, the extra step after;
 * 'causal' (dilation·(size − 1)) zero steps before, so that output t sees no input after t·stride.
 * outSteps may come out 0 or less for a sequence shorter than a window: the caller checks.
 */
export function geometry1d(steps: number, size: number, stride: number, dilation: number, padding: Padding1D) {
  const span = dilation * (size - 1) + 1;
  let outSteps: number;
  let padLeft = 0;
  if (padding === 'valid') outSteps = Math.ceil((steps - span + 1) / stride);
  else {
    outSteps = Math.ceil(steps / stride);
    const total = Math.max((outSteps - 1) * stride + span - steps, 0);
    padLeft = padding === 'causal' ? span - 1 : Math.floor(total / 2);
  }
  const padRight = Math.max((outSteps - 1) * stride + span - padLeft - steps, 0);
  return { size, stride, dilation, padLeft, padRight, outSteps } satisfies Geometry1D;
}

const TRANSPOSE_A = Object.freeze({ transA: true });
const TRANSPOSE_B = Object.freeze({ transB: true });

/**
 * @internal The Conv1D layer's op: y [batch, outSteps, filters] = act(patches(x)·kernel + bias)
 * for x [batch, steps, channels], kernel [size, channels, filters] (Keras's layout, which is the
 * [size·channels, filters] matrix the patches multiply), bias [filters] or null; bias and
 * activation in GEMM's epilogue. With dilation 1 the patch matrix of a sequence is the sequence
 * itself read with rows stride·channels floats apart, so GEMM reads x directly (zero-padded first
 * when the padding needs steps); otherwise the patches are gathered (im2col). Backward:
 * dkernel = patchesᵀ·dz (the same two ways), dbias = Σ dz, dx = col2im(dz·kernelᵀ). `gather` forces
 * the im2col way (for the benchmark's comparison). The caller has checked shapes, dtypes and that
 * outSteps >= 1.
 */
export function conv1d(
  x: Tensor,
  kernel: Tensor,
  bias: Tensor | null,
  g: Geometry1D,
  activation: OutputDifferentiable,
  alpha: number,
  gather = false,
): Tensor {
  const [batch, steps, channels] = x.shape;
  const filters = kernel.shape[2];
  const depth = g.size * channels;
  const rows = batch * g.outSteps;
  const code = Act[activation];
  const y = new Tensor([batch, g.outSteps, filters], 'float32');
  const epilogue = { bias: bias ? bias.ptr() : 0, activation: code, alpha };
  const direct = g.dilation === 1 && !gather;
  // the operand the patches are read from: x, x between zero steps, or the gathered patches
  let source = x;
  if (direct && (g.padLeft > 0 || g.padRight > 0) && batch > 0) {
    source = new Tensor([batch, g.padLeft + steps + g.padRight, channels], 'float32');
    padSteps1d(x.ptr(), source.ptr(), batch, steps, channels, g.padLeft, g.padRight);
  } else if (!direct && batch > 0) {
    source = new Tensor([rows, depth], 'float32');
    im2col1d(x.ptr(), source.ptr(), batch, steps, channels, g.outSteps, g.size, g.stride, g.dilation, g.padLeft);
  }
  const sourceBytes = batch > 0 ? (source.size / batch) * 4 : 0;
  const lda = g.stride * channels;
  if (direct) {
    for (let b = 0; b < batch; b++) {
      const a = source.ptr() + b * sourceBytes;
      gemmLda(a, kernel.ptr(), y.ptr() + b * g.outSteps * filters * 4, g.outSteps, depth, filters, lda, epilogue);
    }
  } else if (rows > 0) gemm(source.ptr(), kernel.ptr(), y.ptr(), rows, depth, filters, epilogue);

  const inputs = bias ? [x, kernel, bias] : [x, kernel];
  const saved = source === x ? [] : [source];
  // without a tape that records this op, nothing reads the patches again
  const tape = activeTape();
  if (saved.length > 0 && !inputs.some((t) => tape?.isTracked(t))) source.dispose();
  return record(
    inputs,
    y,
    (dy, needed) => {
      let dz = dy;
      if (activation !== 'linear') {
        dz = new Tensor(y.shape, 'float32');
        activationBackward(code, y.ptr(), y.ptr(), dy.ptr(), dz.ptr(), y.size, alpha);
      }
      const grads: Array<Tensor | null> = [null, null, null];
      if (needed[1]) {
        const dKernel = new Tensor(kernel.shape, 'float32');
        if (rows === 0) dKernel.view().fill(0);
        else if (direct) {
          for (let b = 0; b < batch; b++) {
            const a = source.ptr() + b * sourceBytes;
            const dzb = dz.ptr() + b * g.outSteps * filters * 4;
            gemmLda(a, dzb, dKernel.ptr(), depth, g.outSteps, filters, lda, { transA: true, accumulate: b > 0 });
          }
        } else gemm(source.ptr(), dz.ptr(), dKernel.ptr(), depth, rows, filters, TRANSPOSE_A);
        grads[1] = dKernel;
      }
      if (bias && needed[2]) {
        const dBias = new Tensor(bias.shape, 'float32');
        if (rows > 0) reduceAxis(Reduce.sum, dz.ptr(), dBias.ptr(), 1, rows, filters);
        else dBias.view().fill(0);
        grads[2] = dBias;
      }
      if (needed[0]) {
        const dx = new Tensor(x.shape, 'float32');
        if (rows > 0) {
          const dPatches = new Tensor([rows, depth], 'float32');
          gemm(dz.ptr(), kernel.ptr(), dPatches.ptr(), rows, filters, depth, TRANSPOSE_B);
          col2im1d(
            dPatches.ptr(),
            dx.ptr(),
            batch,
            steps,
            channels,
            g.outSteps,
            g.size,
            g.stride,
            g.dilation,
            g.padLeft,
          );
          dPatches.dispose();
        } else dx.view().fill(0);
        grads[0] = dx;
      }
      if (dz !== dy) dz.dispose();
      return bias ? grads : grads.slice(0, 2);
    },
    saved,
  );
}

/**
 * @internal The patches of x [batch, steps, channels] as Conv1D multiplies them: [batch, outSteps,
 * size·channels], row (b, t) the window of output step t (im2col; zeros outside the sequence), so
 * that conv1d(x, kernel) is patches · kernel as a [size·channels, filters] matrix. The int8 Conv1D
 * runs its product on them. Backward: dx = col2im(dpatches). The caller has checked shapes and
 * that outSteps >= 1.
 */
export function conv1dPatches(x: Tensor, g: Geometry1D): Tensor {
  const [batch, steps, channels] = x.shape;
  const depth = g.size * channels;
  const patches = new Tensor([batch, g.outSteps, depth], 'float32');
  if (batch > 0) {
    im2col1d(x.ptr(), patches.ptr(), batch, steps, channels, g.outSteps, g.size, g.stride, g.dilation, g.padLeft);
  }
  return record([x], patches, (dPatches) => {
    const dx = new Tensor(x.shape, 'float32');
    if (batch > 0) {
      col2im1d(dPatches.ptr(), dx.ptr(), batch, steps, channels, g.outSteps, g.size, g.stride, g.dilation, g.padLeft);
    }
    return [dx];
  });
}
