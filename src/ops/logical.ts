// Comparisons and logical ops. They return bool tensors (int32 0/1 in Wasm memory), as in
// TensorFlow.js, and have no gradient. Internal float masks (the gradients of maximum, minimum, max
// and min) keep using the float32 comparison kernels of arithmetic.ts.
import { BoolOp, type BoolOpName } from '../backend/codes.js';
import { broadcastStrides } from '../backend/kernels/elementwise.js';
import { boolBinary } from '../backend/kernels/select.js';
import { DTypeError, NeurasmError, ValueError } from '../errors.js';
import { fromFlat, type TensorLike, tensor } from './create.js';
import { isValues, type Operand } from './operand.js';
import { cast } from './shape.js';
import { type BoolOperand, isTensor, Tensor } from './tensor.js';
import { broadcastShapes, checkTensor, describe } from './validate.js';

export type { BoolOperand } from './tensor.js';

/** Runs the boolBinary kernel on two validated tensors. */
function boolForward(code: number, intInputs: boolean, a: Tensor, b: Tensor, op: string): Tensor {
  const shape = broadcastShapes(op, a.shape, b.shape);
  const out = new Tensor(shape, 'bool');
  boolBinary(
    code,
    intInputs,
    a.ptr(),
    b.ptr(),
    out.ptr(),
    shape,
    broadcastStrides(a.shape, shape),
    broadcastStrides(b.shape, shape),
  );
  return out;
}

/** Throws unless `v` is a live tensor or values a tensor can be made of. */
function checkOperand(op: string, name: string, v: unknown): void {
  if (isValues(v)) return;
  if (!isTensor(v)) {
    throw new ValueError(
      `${op}: expected ${name} to be a Tensor, a number or nested arrays of numbers, got ${describe(v)}`,
    );
  }
  checkTensor(op, name, v);
}

/** Converts values to a tensor of the op's dtype, naming the op and argument when they are bad. */
function convert(op: string, name: string, v: TensorLike, dtype?: 'float32'): Tensor {
  try {
    return typeof v === 'number' && dtype ? fromFlat([], dtype, [v]) : tensor(v, undefined, dtype);
  } catch (e) {
    if (!(e instanceof NeurasmError)) throw e;
    const ErrorClass = e.constructor as new (message: string) => NeurasmError;
    throw new ErrorClass(`${op}: ${name}: ${e.message.replace(/^tensor: /, '')}`);
  }
}

/**
 * @internal A comparison that returns bool, as TensorFlow.js does: two int32 or bool tensors are
 * compared as integers; otherwise both sides are compared as float32 (numbers and arrays become
 * float32, int32 and bool tensors are cast).
 */
export function compare(
  name: Exclude<BoolOpName, 'logicalAnd' | 'logicalOr' | 'logicalXor'>,
  a: Operand,
  b: Operand,
): Tensor {
  checkOperand(name, 'a', a);
  checkOperand(name, 'b', b);
  if (isTensor(a) && isTensor(b) && a.dtype !== 'float32' && b.dtype !== 'float32') {
    return boolForward(BoolOp[name], true, a, b, name);
  }
  const temps: Tensor[] = [];
  try {
    const [ta, tb] = ([a, b] as const).map((v, i) => {
      const t = isTensor(v) ? v : convert(name, i === 0 ? 'a' : 'b', v as TensorLike, 'float32');
      if (t !== v) temps.push(t);
      if (t.dtype === 'float32') return t;
      const f = cast(t, 'float32');
      temps.push(f);
      return f;
    });
    return boolForward(BoolOp[name], false, ta, tb, name);
  } finally {
    for (const t of temps) t.dispose();
  }
}

/** A bool tensor from a logical op's argument: a bool tensor, or booleans (nested arrays). */
function boolOperand(op: string, name: string, v: unknown, temps: Tensor[]): Tensor {
  if (isTensor(v)) {
    checkTensor(op, name, v);
  } else if (typeof v === 'boolean' || Array.isArray(v)) {
    const t = convert(op, name, v as TensorLike);
    temps.push(t);
    v = t;
  } else {
    throw new ValueError(`${op}: expected ${name} to be a bool Tensor or booleans, got ${describe(v)}`);
  }
  const t = v as Tensor;
  if (t.dtype !== 'bool') {
    throw new DTypeError(
      `${op}: expected ${name} to be a bool tensor, got ${t.dtype} (compare, or cast(x, 'bool'), first)`,
    );
  }
  return t;
}

function logical(name: 'logicalAnd' | 'logicalOr' | 'logicalXor', a: BoolOperand, b: BoolOperand): Tensor {
  const temps: Tensor[] = [];
  try {
    const ta = boolOperand(name, 'a', a, temps);
    const tb = boolOperand(name, 'b', b, temps);
    return boolForward(BoolOp[name], true, ta, tb, name);
  } finally {
    for (const t of temps) t.dispose();
  }
}

/** a == b elementwise as bool, with broadcasting (NaN equals nothing). */
export function equal(a: Operand, b: Operand): Tensor {
  return compare('equal', a, b);
}
/** a != b elementwise as bool, with broadcasting (NaN differs from everything). */
export function notEqual(a: Operand, b: Operand): Tensor {
  return compare('notEqual', a, b);
}
/** a > b elementwise as bool, with broadcasting. */
export function greater(a: Operand, b: Operand): Tensor {
  return compare('greater', a, b);
}
/** a >= b elementwise as bool, with broadcasting. */
export function greaterEqual(a: Operand, b: Operand): Tensor {
  return compare('greaterEqual', a, b);
}
/** a < b elementwise as bool, with broadcasting. */
export function less(a: Operand, b: Operand): Tensor {
  return compare('less', a, b);
}
/** a <= b elementwise as bool, with broadcasting. */
export function lessEqual(a: Operand, b: Operand): Tensor {
  return compare('lessEqual', a, b);
}

/** a AND b elementwise on bool tensors, with broadcasting. */
export function logicalAnd(a: BoolOperand, b: BoolOperand): Tensor {
  return logical('logicalAnd', a, b);
}
/** a OR b elementwise on bool tensors, with broadcasting. */
export function logicalOr(a: BoolOperand, b: BoolOperand): Tensor {
  return logical('logicalOr', a, b);
}
/** a XOR b elementwise on bool tensors, with broadcasting. */
export function logicalXor(a: BoolOperand, b: BoolOperand): Tensor {
  return logical('logicalXor', a, b);
}
/** NOT x elementwise on a bool tensor. */
export function logicalNot(x: BoolOperand): Tensor {
  const op = 'logicalNot';
  const temps: Tensor[] = [];
  try {
    const t = boolOperand(op, 'x', x, temps);
    const one = fromFlat([], 'bool', [1]);
    temps.push(one);
    return boolForward(BoolOp.logicalXor, true, t, one, op);
  } finally {
    for (const t of temps) t.dispose();
  }
}
