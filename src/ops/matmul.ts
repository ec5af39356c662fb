import { Act, type ActName } from '../backend/codes.js';
import { broadcastStrides, fill } from '../backend/kernels/elementwise.js';
import { type GemmOptions, gemm } from '../backend/kernels/gemm.js';
import { formatShape, ShapeError, ValueError } from '../errors.js';
import { activationOp } from './activations.js';
import { add } from './arithmetic.js';
import { sumToShape } from './sum.js';
import { activeTape, record } from './tape.js';
import { sizeOf, Tensor } from './tensor.js';
import { checkFloat, checkNumber, checkTensor, describe, sameShape } from './validate.js';

/** Sizes of a (batched) matrix product: op(a) is [m×k], op(b) is [k×n], batch dims broadcast to `batch`. */
interface MatMulShape {
  m: number;
  k: number;
  n: number;
  /** Broadcast batch dims (the leading dims of a and b, numpy rules); [] for rank-2 operands. */
  batch: number[];
  /** Shape of the product: [...batch, m, n]. */
  outShape: number[];
}

function checkMatMul(op: string, a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): MatMulShape {
  checkTensor(op, 'a', a);
  checkTensor(op, 'b', b);
  checkFloat(op, 'a', a);
  checkFloat(op, 'b', b);
  if (typeof transposeA !== 'boolean' || typeof transposeB !== 'boolean') {
    throw new ValueError(`${op}: expected transposeA and transposeB to be booleans`);
  }
  if (a.rank < 2 || b.rank < 2) {
    throw new ShapeError(
      `${op}: expected rank-2 a and b, or batches of matrices (rank 2 or more), got a ${formatShape(a.shape)} and b ${formatShape(b.shape)}`,
    );
  }
  const [ra, ca] = a.shape.slice(-2);
  const [rb, cb] = b.shape.slice(-2);
  const [m, ka] = transposeA ? [ca, ra] : [ra, ca];
  const [kb, n] = transposeB ? [cb, rb] : [rb, cb];
  const shapes = `(a ${formatShape(a.shape)}, b ${formatShape(b.shape)}, transposeA ${transposeA}, transposeB ${transposeB})`;
  if (ka !== kb) {
    const ta = transposeA ? 'ᵀ' : '';
    const tb = transposeB ? 'ᵀ' : '';
    throw new ShapeError(
      `${op}: inner dimensions differ: a${ta} is ${formatShape([m, ka])}, b${tb} is ${formatShape([kb, n])} ${shapes}`,
    );
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const batch = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = batchA[batchA.length - rank + i] ?? 1;
    const db = batchB[batchB.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${op}: batch dimensions ${formatShape(batchA)} of a and ${formatShape(batchB)} of b cannot be broadcast together ${shapes}`,
      );
    }
    batch[i] = da === 1 ? db : da;
  }
  return { m, k: ka, n, batch, outShape: [...batch, m, n] };
}

/**
 * C = op(A)·op(B) (+ bias, activation) for every matrix of the batch, one GEMM call per output
 * matrix; a batch dim of size 1 (or missing) in a or b passes the same matrix pointer each time.
 * When b is one matrix for the whole batch and a is not transposed, the batch of a is one tall
 * matrix and a single call does it all.
 */
function batchedGemm(a: Tensor, b: Tensor, c: Tensor, s: MatMulShape, options: GemmOptions): void {
  const { m, k, n, batch } = s;
  if (c.size === 0) return;
  if (k === 0) {
    // an empty sum is 0 (fusedMatMul takes its ops path when k = 0, so no bias or activation is lost)
    fill(c.ptr(), c.size, 0);
    return;
  }
  const count = sizeOf(batch);
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  if (!options.transA && sizeOf(batchB) === 1 && sameShape(batchA, batch)) {
    gemm(a.ptr(), b.ptr(), c.ptr(), count * m, k, n, options);
    return;
  }
  const stridesA = broadcastStrides(batchA, batch);
  const stridesB = broadcastStrides(batchB, batch);
  const bytesA = m * k * 4;
  const bytesB = k * n * 4;
  const bytesC = m * n * 4;
  const pa = a.ptr();
  const pb = b.ptr();
  const pc = c.ptr();
  for (let i = 0; i < count; i++) {
    let ia = 0;
    let ib = 0;
    for (let d = batch.length - 1, rest = i; d >= 0; d--) {
      const coord = rest % batch[d];
      rest = (rest - coord) / batch[d];
      ia += coord * stridesA[d];
      ib += coord * stridesB[d];
    }
    gemm(pa + ia * bytesA, pb + ib * bytesB, pc + i * bytesC, m, k, n, options);
  }
}

/**
 * Matrix product of `a` and `b`, optionally transposing the last two dims of either first. Rank-2
 * operands multiply as matrices; operands of rank 3 or more are batches of matrices whose leading
 * (batch) dims broadcast against each other as in numpy and TensorFlow.js: a [2, 1, m, k] times b
 * [3, k, n] gives [2, 3, m, n].
 */
export function matMul(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Tensor {
  const s = checkMatMul('matMul', a, b, transposeA, transposeB);
  const c = new Tensor(s.outShape, 'float32');
  batchedGemm(a, b, c, s, { transA: transposeA, transB: transposeB });
  return record([a, b], c, (dy) => {
    let da: Tensor;
    let db: Tensor;
    if (!transposeA && !transposeB) [da, db] = [matMul(dy, b, false, true), matMul(a, dy, true, false)];
    else if (!transposeA && transposeB) [da, db] = [matMul(dy, b), matMul(dy, a, true, false)];
    else if (transposeA && !transposeB) [da, db] = [matMul(b, dy, false, true), matMul(a, dy)];
    else [da, db] = [matMul(b, dy, true, true), matMul(dy, a, true, true)];
    // a batch dim that broadcast in the forward pass sums its gradient back
    return [sumToShape(da, a.shape), sumToShape(db, b.shape)];
  });
}

/** Arguments of `fused.matMul`, as in TensorFlow.js. */
export interface FusedMatMulArgs {
  a: Tensor;
  b: Tensor;
  transposeA?: boolean;
  transposeB?: boolean;
  /** Added to the product with broadcasting (usually n values, added to every row). */
  bias?: Tensor;
  activation?: ActName;
  /** Negative slope of leakyRelu (default 0.2) or alpha of elu (default 1). */
  leakyreluAlpha?: number;
}

/** Whether a bias of this shape is n values added to every row (what the kernel fuses). */
function isRowBias(shape: readonly number[], n: number): boolean {
  return shape.length >= 1 && shape[shape.length - 1] === n && sizeOf(shape) === n;
}

/**
 * act(a·b + bias) in one kernel pass per matrix; a and b may be batches of matrices as in `matMul`.
 * While gradients are being recorded (or when the bias is not one row of n values) it runs as
 * separate ops, so that the pre-activation value is there for the backward pass.
 */
export function fusedMatMul(args: FusedMatMulArgs): Tensor {
  const op = 'fused.matMul';
  if (args === null || typeof args !== 'object') throw new ValueError(`${op}: expected an arguments object`);
  const { a, b, transposeA = false, transposeB = false, bias, activation = 'linear' } = args;
  const s = checkMatMul(op, a, b, transposeA, transposeB);
  if (typeof activation !== 'string' || !Object.hasOwn(Act, activation)) {
    throw new ValueError(
      `${op}: unknown activation ${describe(activation)}; expected one of ${Object.keys(Act).join(', ')}`,
    );
  }
  if (bias !== undefined) {
    checkTensor(op, 'bias', bias);
    checkFloat(op, 'bias', bias);
    const out = s.outShape;
    const offset = out.length - bias.rank;
    if (offset < 0 || bias.shape.some((d, i) => d !== 1 && d !== out[offset + i])) {
      throw new ShapeError(
        `${op}: expected a bias that broadcasts to the product's shape ${formatShape(out)} (usually [${s.n}]), got ${formatShape(bias.shape)}`,
      );
    }
  }
  const alpha =
    args.leakyreluAlpha === undefined
      ? activation === 'elu'
        ? 1
        : 0.2
      : checkNumber(op, 'leakyreluAlpha', args.leakyreluAlpha);
  const fusable = bias === undefined || isRowBias(bias.shape, s.n);
  if (activeTape() || !fusable || s.k === 0 || sizeOf(s.outShape) === 0) {
    const z0 = matMul(a, b, transposeA, transposeB);
    const z = bias ? add(z0, bias) : z0;
    const out = activation === 'linear' ? z : activationOp(activation, z, alpha);
    if (!activeTape()) for (const t of new Set([z0, z])) if (t !== out) t.dispose();
    return out;
  }
  const c = new Tensor(s.outShape, 'float32');
  batchedGemm(a, b, c, s, {
    transA: transposeA,
    transB: transposeB,
    bias: bias ? bias.ptr() : 0,
    activation: Act[activation],
    alpha,
  });
  return c;
}
