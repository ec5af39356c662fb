import { Binary, type BinaryName, Unary, type UnaryName } from '../backend/codes.js';
import {
  binary as binaryKernel,
  broadcastStrides,
  clipBackward,
  clip as clipKernel,
  unary as unaryKernel,
} from '../backend/kernels/elementwise.js';
import { ValueError } from '../errors.js';
import { floatOperands, type Operand } from './operand.js';
import { sumToShape } from './sum.js';
import { activeTape, record } from './tape.js';
import { Tensor } from './tensor.js';
import { broadcastShapes, checkFloat, checkNumber, checkTensor } from './validate.js';

/** @internal Runs a broadcasting binary kernel; no tape record. */
function binaryForward(name: BinaryName, a: Tensor, b: Tensor, op: string): Tensor {
  const shape = broadcastShapes(op, a.shape, b.shape);
  const out = new Tensor(shape, 'float32');
  binaryKernel(
    Binary[name],
    a.ptr(),
    b.ptr(),
    out.ptr(),
    shape,
    broadcastStrides(a.shape, shape),
    broadcastStrides(b.shape, shape),
  );
  return out;
}

type BinaryGrad = (dy: Tensor, a: Tensor, b: Tensor) => [Tensor | null, Tensor | null];

// Gradient rules: each returns gradients at the broadcast output shape; sumToShape folds them back.
const binaryGrads: Partial<Record<BinaryName, BinaryGrad>> = {
  add: (dy) => [dy, dy],
  sub: (dy) => [dy, neg(dy)],
  mul: (dy, a, b) => [mul(dy, b), mul(dy, a)],
  div: (dy, a, b) => [div(dy, b), neg(div(mul(dy, a), square(b)))],
  maximum: (dy, a, b) => [mul(dy, binaryOp('greaterEqual', a, b)), mul(dy, binaryOp('less', a, b))],
  minimum: (dy, a, b) => [mul(dy, binaryOp('lessEqual', a, b)), mul(dy, binaryOp('greater', a, b))],
};

/**
 * @internal A broadcasting binary op by kernel name, with its gradient on the tape; `op` names the
 * public op in error messages.
 */
export function binaryOp(name: BinaryName, a: Operand, b: Operand, op: string = name): Tensor {
  const { tensors, release } = floatOperands(op, ['a', 'b'], [a, b]);
  const [ta, tb] = tensors;
  let out: Tensor;
  try {
    out = binaryForward(name, ta, tb, op);
  } catch (e) {
    release(true);
    throw e;
  }
  const grad = binaryGrads[name];
  record([ta, tb], out, (dy) => {
    if (!grad) return [null, null];
    const [ga, gb] = grad(dy, ta, tb);
    return [ga && sumToShape(ga, ta.shape), gb && sumToShape(gb, tb.shape)];
  });
  release();
  return out;
}

/** a + b, with broadcasting. */
export function add(a: Operand, b: Operand): Tensor {
  return binaryOp('add', a, b);
}
/** a - b, with broadcasting. */
export function sub(a: Operand, b: Operand): Tensor {
  return binaryOp('sub', a, b);
}
/** a * b elementwise, with broadcasting. */
export function mul(a: Operand, b: Operand): Tensor {
  return binaryOp('mul', a, b);
}
/** a / b elementwise, with broadcasting. */
export function div(a: Operand, b: Operand): Tensor {
  return binaryOp('div', a, b);
}
/** Elementwise maximum, with broadcasting (NaN if either is NaN). */
export function maximum(a: Operand, b: Operand): Tensor {
  return binaryOp('maximum', a, b);
}
/** Elementwise minimum, with broadcasting (NaN if either is NaN). */
export function minimum(a: Operand, b: Operand): Tensor {
  return binaryOp('minimum', a, b);
}
/** (a - b)², with broadcasting. */
export function squaredDifference(a: Operand, b: Operand): Tensor {
  const d = binaryOp('sub', a, b, 'squaredDifference');
  const y = square(d);
  if (!activeTape()) d.dispose(); // a tape's backward of square still reads d
  return y;
}

type UnaryGrad = (dy: Tensor, x: Tensor, y: Tensor) => Tensor | null;

const unaryGrads: Record<UnaryName, UnaryGrad> = {
  neg: (dy) => neg(dy),
  exp: (dy, _x, y) => mul(dy, y),
  log: (dy, x) => div(dy, x),
  sqrt: (dy, _x, y) => div(dy, mul(y, 2)),
  square: (dy, x) => mul(dy, mul(x, 2)),
  abs: (dy, x) => mul(dy, sign(x)),
  sign: () => null,
  reciprocal: (dy, _x, y) => neg(mul(dy, square(y))),
};

function unaryOp(name: UnaryName, x: Tensor): Tensor {
  checkTensor(name, 'x', x);
  checkFloat(name, 'x', x);
  const y = new Tensor(x.shape, 'float32');
  unaryKernel(Unary[name], x.ptr(), y.ptr(), x.size);
  return record([x], y, (dy) => [unaryGrads[name](dy, x, y)]);
}

/** -x. */
export function neg(x: Tensor): Tensor {
  return unaryOp('neg', x);
}
/** e^x. */
export function exp(x: Tensor): Tensor {
  return unaryOp('exp', x);
}
/** Natural logarithm (NaN below 0, -Infinity at 0). */
export function log(x: Tensor): Tensor {
  return unaryOp('log', x);
}
/** Square root (NaN below 0). */
export function sqrt(x: Tensor): Tensor {
  return unaryOp('sqrt', x);
}
/** x². */
export function square(x: Tensor): Tensor {
  return unaryOp('square', x);
}
/** |x|. */
export function abs(x: Tensor): Tensor {
  return unaryOp('abs', x);
}
/** -1, 0 or 1 by the sign of x. */
export function sign(x: Tensor): Tensor {
  return unaryOp('sign', x);
}
/** 1 / x. */
export function reciprocal(x: Tensor): Tensor {
  return unaryOp('reciprocal', x);
}

/** Clamps every element into [clipValueMin, clipValueMax]; the gradient is zero outside. */
export function clipByValue(x: Tensor, clipValueMin: number, clipValueMax: number): Tensor {
  const op = 'clipByValue';
  checkTensor(op, 'x', x);
  checkFloat(op, 'x', x);
  const lo = checkNumber(op, 'clipValueMin', clipValueMin);
  const hi = checkNumber(op, 'clipValueMax', clipValueMax);
  if (lo > hi) throw new ValueError(`${op}: expected clipValueMin <= clipValueMax, got ${lo} > ${hi}`);
  const y = new Tensor(x.shape, 'float32');
  clipKernel(x.ptr(), y.ptr(), x.size, lo, hi);
  return record([x], y, (dy) => {
    const dx = new Tensor(x.shape, 'float32');
    clipBackward(x.ptr(), dy.ptr(), dx.ptr(), x.size, lo, hi);
    return [dx];
  });
}
