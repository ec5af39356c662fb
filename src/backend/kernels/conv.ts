// Typed calls of the 1-D convolution kernels (assembly/conv.ts) and of GEMM with a leading
// dimension for A (assembly/gemm.ts gemmLda). Internal: pointers are byte offsets of float32 blocks
// in Wasm memory, and the ops layer has validated every argument.
import { Act } from '../codes.js';
import { workspace } from '../scratch.js';
import { kernels, passThrough } from './exports.js';
import { type GemmOptions, gemmScratchBytes } from './gemm.js';

/**
 * cols [batch·outSteps, kernelSize·channels] = the patches of x [batch, steps, channels]: row
 * (b, t), block k is x[b, t·stride + k·dilation − padLeft, :], zeros outside the sequence.
 * Arguments: (x, cols, batch, steps, channels, outSteps, kernelSize, stride, dilation, padLeft).
 */
export const im2col1d = passThrough('im2col1d');

/**
 * dx [batch, steps, channels] = the sum of every block of cols (im2col1d's layout) at the step it
 * was read from; padding blocks are dropped. Same arguments as im2col1d, with cols first.
 */
export const col2im1d = passThrough('col2im1d');

/**
 * y [batch, padLeft + steps + padRight, channels] = x [batch, steps, channels] between zero steps.
 * Arguments: (x, y, batch, steps, channels, padLeft, padRight).
 */
export const padSteps1d = passThrough('padSteps1d');

/**
 * `gemm` (src/backend/kernels/gemm.ts) with A's stored rows `lda` floats apart (k, or m with transA,
 * for a dense A): rows may overlap, as the patches of a sequence do. Same options and preconditions.
 */
export function gemmLda(
  a: number,
  b: number,
  c: number,
  m: number,
  k: number,
  n: number,
  lda: number,
  options: GemmOptions = {},
): void {
  const work = workspace(gemmScratchBytes(m, k, n));
  kernels().gemmLda(
    a,
    b,
    c,
    m,
    k,
    n,
    lda,
    options.transA ? 1 : 0,
    options.transB ? 1 : 0,
    options.bias ?? 0,
    options.activation ?? Act.linear,
    options.alpha ?? 0,
    options.accumulate ? 1 : 0,
    work,
  );
}
