import { broadcastStrides } from '../backend/kernels/elementwise.js';
import { powBinary } from '../backend/kernels/select.js';
import { log, mul, sub } from './arithmetic.js';
import { zerosLike } from './create.js';
import { greater } from './logical.js';
import { floatOperands, type Operand } from './operand.js';
import { sumToShape } from './sum.js';
import { record } from './tape.js';
import { Tensor } from './tensor.js';
import { broadcastShapes } from './validate.js';
import { where } from './where.js';

/**
 * base ^ exp elementwise with broadcasting, as TensorFlow.js (JavaScript's Math.pow): a negative
 * base with a non-integer exponent gives NaN, 0 to a negative power Infinity. Gradients: exp ·
 * base^(exp−1) to base; y · log(base) to exp where base > 0, and 0 where base <= 0 (tfjs's rule).
 */
export function pow(base: Operand, exp: Operand): Tensor {
  const op = 'pow';
  const { tensors, release } = floatOperands(op, ['base', 'exp'], [base, exp]);
  const [tb, te] = tensors;
  let y: Tensor;
  try {
    const shape = broadcastShapes(op, tb.shape, te.shape);
    y = new Tensor(shape, 'float32');
    powBinary(tb.ptr(), te.ptr(), y.ptr(), shape, broadcastStrides(tb.shape, shape), broadcastStrides(te.shape, shape));
  } catch (e) {
    release(true);
    throw e;
  }
  const out = y;
  record([tb, te], out, (dy) => {
    const dBase = mul(dy, mul(te, pow(tb, sub(te, 1))));
    const logBase = where(greater(tb, 0), log(tb), zerosLike(tb));
    const dExp = mul(dy, mul(out, logBase));
    return [sumToShape(dBase, tb.shape), sumToShape(dExp, te.shape)];
  });
  release();
  return out;
}
