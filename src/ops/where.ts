import { broadcastStrides } from '../backend/kernels/elementwise.js';
import { selectWhere } from '../backend/kernels/select.js';
import { DTypeError, NeurasmError, ValueError } from '../errors.js';
import { type TensorLike, tensor } from './create.js';
import { floatOperands, type Operand } from './operand.js';
import { sumToShape } from './sum.js';
import { activeTape, record } from './tape.js';
import { isTensor, Tensor } from './tensor.js';
import { broadcastShapes, checkTensor, describe } from './validate.js';

/** The condition as a live bool tensor (booleans are converted; temps collects what was made). */
function conditionTensor(op: string, condition: unknown, temps: Tensor[]): Tensor {
  let c: Tensor;
  if (isTensor(condition)) c = checkTensor(op, 'condition', condition);
  else if (typeof condition === 'boolean' || Array.isArray(condition)) {
    try {
      c = tensor(condition as TensorLike);
    } catch (e) {
      if (!(e instanceof NeurasmError)) throw e;
      const ErrorClass = e.constructor as new (message: string) => NeurasmError;
      throw new ErrorClass(`${op}: condition: ${e.message.replace(/^tensor: /, '')}`);
    }
    temps.push(c);
  } else {
    throw new ValueError(`${op}: expected condition to be a bool Tensor or booleans, got ${describe(condition)}`);
  }
  if (c.dtype !== 'bool') {
    for (const t of temps) t.dispose();
    throw new DTypeError(
      `${op}: expected condition to be a bool tensor, got ${c.dtype} (compare, e.g. nn.greater(x, 0), or cast(x, 'bool'), first)`,
    );
  }
  return c;
}

/** Runs the select kernel over the broadcast shape of all three. */
function whereForward(op: string, c: Tensor, a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes(op, broadcastShapes(op, c.shape, a.shape), b.shape);
  const out = new Tensor(shape, a.dtype);
  selectWhere(
    c.ptr(),
    a.ptr(),
    b.ptr(),
    out.ptr(),
    shape,
    broadcastStrides(c.shape, shape),
    broadcastStrides(a.shape, shape),
    broadcastStrides(b.shape, shape),
  );
  return out;
}

/**
 * Elementwise a where `condition` is true, else b, as TensorFlow.js's `where`: condition must be bool
 * (a float32 condition is rejected, as in tfjs), and condition, a and b broadcast together. a and b
 * are float32 (numbers and arrays are converted), or two tensors of the same other dtype. The
 * gradient flows to a where the condition holds and to b elsewhere.
 */
export function where(condition: Tensor | TensorLike, a: Operand, b: Operand): Tensor {
  const op = 'where';
  const temps: Tensor[] = [];
  const c = conditionTensor(op, condition, temps);
  let done = false;
  try {
    if (isTensor(a) && isTensor(b) && (a.dtype !== 'float32' || b.dtype !== 'float32')) {
      checkTensor(op, 'a', a);
      checkTensor(op, 'b', b);
      if (a.dtype !== b.dtype)
        throw new DTypeError(`${op}: expected a and b of one dtype, got ${a.dtype} and ${b.dtype}`);
      return whereForward(op, c, a, b);
    }
    const { tensors, release } = floatOperands(op, ['a', 'b'], [a, b]);
    const [ta, tb] = tensors;
    let out: Tensor;
    try {
      out = whereForward(op, c, ta, tb);
    } catch (e) {
      release(true);
      throw e;
    }
    record([c, ta, tb], out, (dy) => [
      null,
      sumToShape(where(c, dy, 0), ta.shape),
      sumToShape(where(c, 0, dy), tb.shape),
    ]);
    release();
    done = true;
    return out;
  } finally {
    // a condition made from booleans stays for a tape's backward (the enclosing tidy frees it)
    if (!done || !activeTape()) for (const t of temps) t.dispose();
  }
}
