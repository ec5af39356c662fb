import { Act, type ActName } from '../backend/codes.js';
import {
  activationBackward,
  activationForward,
  logSoftmaxRows,
  logSoftmaxRowsBackward,
  softmaxRows,
  softmaxRowsBackward,
} from '../backend/kernels/activations.js';
import { formatShape, ShapeError } from '../errors.js';
import { noteLogits } from './logits.js';
import { record } from './tape.js';
import { Tensor } from './tensor.js';
import { checkFloat, checkNumber, checkTensor, normalizeAxis } from './validate.js';

/** @internal Applies an elementwise activation kernel with its derivative on the tape. */
export function activationOp(name: ActName, x: Tensor, alpha = 0): Tensor {
  checkTensor(name, 'x', x);
  checkFloat(name, 'x', x);
  const code = Act[name];
  const y = new Tensor(x.shape, 'float32');
  activationForward(code, x.ptr(), y.ptr(), x.size, alpha);
  return record([x], y, (dy) => {
    const dx = new Tensor(x.shape, 'float32');
    activationBackward(code, x.ptr(), y.ptr(), dy.ptr(), dx.ptr(), x.size, alpha);
    return [dx];
  });
}

/** max(x, 0). */
export function relu(x: Tensor): Tensor {
  return activationOp('relu', x);
}
/** x for x > 0, alpha·x otherwise (TensorFlow.js default alpha 0.2). */
export function leakyRelu(x: Tensor, alpha = 0.2): Tensor {
  return activationOp('leakyRelu', x, checkNumber('leakyRelu', 'alpha', alpha));
}
/** x for x > 0, alpha·(eˣ − 1) otherwise. */
export function elu(x: Tensor, alpha = 1): Tensor {
  return activationOp('elu', x, checkNumber('elu', 'alpha', alpha));
}
/** 1 / (1 + e⁻ˣ). */
export function sigmoid(x: Tensor): Tensor {
  const y = activationOp('sigmoid', x);
  noteLogits(y, 'sigmoid', x);
  return y;
}
/** Hyperbolic tangent. */
export function tanh(x: Tensor): Tensor {
  return activationOp('tanh', x);
}
/** log(1 + eˣ), computed stably. */
export function softplus(x: Tensor): Tensor {
  return activationOp('softplus', x);
}
/** Gaussian error linear unit, exact: x·Φ(x) (Keras's default, approximate=false). */
export function gelu(x: Tensor): Tensor {
  return activationOp('gelu', x);
}
/** The identity, as an op (a copy). */
export function linear(x: Tensor): Tensor {
  return activationOp('linear', x);
}

function rowwise(op: string, x: Tensor, dim: number): { rows: number; cols: number } {
  checkTensor(op, 'logits', x);
  checkFloat(op, 'logits', x);
  if (x.rank === 0) throw new ShapeError(`${op}: expected logits of rank >= 1, got a scalar`);
  const axis = normalizeAxis(op, dim, x.rank);
  if (axis !== x.rank - 1) {
    throw new ShapeError(`${op}: only the last axis is supported (dim -1), got dim ${dim} for ${formatShape(x.shape)}`);
  }
  const cols = x.shape[x.rank - 1];
  return { rows: cols === 0 ? 0 : x.size / cols, cols };
}

/** Softmax along the last axis (row max subtracted, so large logits are fine). */
export function softmax(logits: Tensor, dim = -1): Tensor {
  const { rows, cols } = rowwise('softmax', logits, dim);
  const y = new Tensor(logits.shape, 'float32');
  softmaxRows(logits.ptr(), y.ptr(), rows, cols);
  noteLogits(y, 'softmax', logits);
  return record([logits], y, (dy) => {
    const dx = new Tensor(logits.shape, 'float32');
    softmaxRowsBackward(y.ptr(), dy.ptr(), dx.ptr(), rows, cols);
    return [dx];
  });
}

/** Log of the softmax along the last axis, computed without taking the log of a probability. */
export function logSoftmax(logits: Tensor, dim = -1): Tensor {
  const { rows, cols } = rowwise('logSoftmax', logits, dim);
  const y = new Tensor(logits.shape, 'float32');
  logSoftmaxRows(logits.ptr(), y.ptr(), rows, cols);
  return record([logits], y, (dy) => {
    const dx = new Tensor(logits.shape, 'float32');
    logSoftmaxRowsBackward(y.ptr(), dy.ptr(), dx.ptr(), rows, cols);
    return [dx];
  });
}
