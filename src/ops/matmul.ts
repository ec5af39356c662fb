import { Act, type ActName } from '../backend/codes.js';
import { gemm } from '../backend/kernels/gemm.js';
import { formatShape, ShapeError, ValueError } from '../errors.js';
import { activationOp } from './activations.js';
import { add } from './arithmetic.js';
import { activeTape, record } from './tape.js';
import { Tensor } from './tensor.js';
import { checkFloat, checkNumber, checkTensor, describe } from './validate.js';

function checkMatMul(op: string, a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean) {
  checkTensor(op, 'a', a);
  checkTensor(op, 'b', b);
  checkFloat(op, 'a', a);
  checkFloat(op, 'b', b);
  if (typeof transposeA !== 'boolean' || typeof transposeB !== 'boolean') {
    throw new ValueError(`${op}: expected transposeA and transposeB to be booleans`);
  }
  if (a.rank !== 2 || b.rank !== 2) {
    throw new ShapeError(`${op}: expected rank-2 a and b, got a ${formatShape(a.shape)} and b ${formatShape(b.shape)}`);
  }
  const [m, ka] = transposeA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [kb, n] = transposeB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (ka !== kb) {
    const ta = transposeA ? 'ᵀ' : '';
    const tb = transposeB ? 'ᵀ' : '';
    throw new ShapeError(
      `${op}: inner dimensions differ: a${ta} is ${formatShape([m, ka])}, b${tb} is ${formatShape([kb, n])} (a ${formatShape(a.shape)}, b ${formatShape(b.shape)}, transposeA ${transposeA}, transposeB ${transposeB})`,
    );
  }
  return { m, k: ka, n };
}

/** Matrix product of rank-2 tensors, optionally transposing either operand first. */
export function matMul(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Tensor {
  const { m, k, n } = checkMatMul('matMul', a, b, transposeA, transposeB);
  const c = new Tensor([m, n], 'float32');
  if (m > 0 && n > 0) {
    if (k === 0) c.view().fill(0);
    else gemm(a.ptr(), b.ptr(), c.ptr(), m, k, n, { transA: transposeA, transB: transposeB });
  }
  return record([a, b], c, (dy) => {
    if (!transposeA && !transposeB) return [matMul(dy, b, false, true), matMul(a, dy, true, false)];
    if (!transposeA && transposeB) return [matMul(dy, b), matMul(dy, a, true, false)];
    if (transposeA && !transposeB) return [matMul(b, dy, false, true), matMul(a, dy)];
    return [matMul(b, dy, true, true), matMul(dy, a, true, true)];
  });
}

/** Arguments of `fused.matMul`, as in TensorFlow.js. */
export interface FusedMatMulArgs {
  a: Tensor;
  b: Tensor;
  transposeA?: boolean;
  transposeB?: boolean;
  /** A rank-1 tensor of n values added to every row. */
  bias?: Tensor;
  activation?: ActName;
  /** Negative slope of leakyRelu (default 0.2) or alpha of elu (default 1). */
  leakyreluAlpha?: number;
}

/**
 * act(a·b + bias) in one kernel pass. While gradients are being recorded it runs as separate ops,
 * so that the pre-activation value is there for the backward pass.
 */
export function fusedMatMul(args: FusedMatMulArgs): Tensor {
  const op = 'fused.matMul';
  if (args === null || typeof args !== 'object') throw new ValueError(`${op}: expected an arguments object`);
  const { a, b, transposeA = false, transposeB = false, bias, activation = 'linear' } = args;
  const { m, k, n } = checkMatMul(op, a, b, transposeA, transposeB);
  if (typeof activation !== 'string' || !Object.hasOwn(Act, activation)) {
    throw new ValueError(
      `${op}: unknown activation ${describe(activation)}; expected one of ${Object.keys(Act).join(', ')}`,
    );
  }
  if (bias !== undefined) {
    checkTensor(op, 'bias', bias);
    checkFloat(op, 'bias', bias);
    if (bias.rank !== 1 || bias.shape[0] !== n) {
      throw new ShapeError(`${op}: expected bias of shape [${n}], got ${formatShape(bias.shape)}`);
    }
  }
  const alpha =
    args.leakyreluAlpha === undefined
      ? activation === 'elu'
        ? 1
        : 0.2
      : checkNumber(op, 'leakyreluAlpha', args.leakyreluAlpha);
  if (activeTape() || k === 0 || m === 0 || n === 0) {
    const z0 = matMul(a, b, transposeA, transposeB);
    const z = bias ? add(z0, bias) : z0;
    const out = activation === 'linear' ? z : activationOp(activation, z, alpha);
    if (!activeTape()) for (const t of new Set([z0, z])) if (t !== out) t.dispose();
    return out;
  }
  const c = new Tensor([m, n], 'float32');
  gemm(a.ptr(), b.ptr(), c.ptr(), m, k, n, {
    transA: transposeA,
    transB: transposeB,
    bias: bias ? bias.ptr() : 0,
    activation: Act[activation],
    alpha,
  });
  return c;
}
