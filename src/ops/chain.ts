// Chainable methods on Tensor (`x.add(y).relu()`), as TensorFlow.js has them. Each one calls the op
// of the same name; importing this module installs them.
import * as act from './activations.js';
import * as ar from './arithmetic.js';
import { clone, type TensorLike } from './create.js';
import { cumsum } from './cumsum.js';
import { gather } from './gather.js';
import * as joining from './joining.js';
import type { BoolOperand } from './logical.js';
import * as logical from './logical.js';
import { matMul } from './matmul.js';
import { type NormOrder, norm } from './norm.js';
import type { Operand } from './operand.js';
import { pow } from './pow.js';
import * as red from './reduction.js';
import * as sh from './shape.js';
import * as slicing from './slicing.js';
import { type DType, type NestedArray, Tensor, type TensorMethods } from './tensor.js';
import { topk } from './topk.js';
import { checkTensor } from './validate.js';
import { where } from './where.js';

const methods: {
  [K in keyof TensorMethods]: (this: Tensor, ...args: Parameters<TensorMethods[K]>) => ReturnType<TensorMethods[K]>;
} = {
  add(b: Operand) {
    return ar.add(this, b);
  },
  sub(b: Operand) {
    return ar.sub(this, b);
  },
  mul(b: Operand) {
    return ar.mul(this, b);
  },
  div(b: Operand) {
    return ar.div(this, b);
  },
  maximum(b: Operand) {
    return ar.maximum(this, b);
  },
  minimum(b: Operand) {
    return ar.minimum(this, b);
  },
  matMul(b: Tensor, transposeA?: boolean, transposeB?: boolean) {
    return matMul(this, b, transposeA, transposeB);
  },
  neg() {
    return ar.neg(this);
  },
  exp() {
    return ar.exp(this);
  },
  log() {
    return ar.log(this);
  },
  sqrt() {
    return ar.sqrt(this);
  },
  square() {
    return ar.square(this);
  },
  abs() {
    return ar.abs(this);
  },
  clipByValue(min: number, max: number) {
    return ar.clipByValue(this, min, max);
  },
  relu() {
    return act.relu(this);
  },
  sigmoid() {
    return act.sigmoid(this);
  },
  tanh() {
    return act.tanh(this);
  },
  softmax(dim?: number) {
    return act.softmax(this, dim);
  },
  sum(axis?: number | number[], keepDims?: boolean) {
    return red.sum(this, axis, keepDims);
  },
  mean(axis?: number | number[], keepDims?: boolean) {
    return red.mean(this, axis, keepDims);
  },
  max(axis?: number | number[], keepDims?: boolean) {
    return red.max(this, axis, keepDims);
  },
  min(axis?: number | number[], keepDims?: boolean) {
    return red.min(this, axis, keepDims);
  },
  argMax(axis?: number) {
    return red.argMax(this, axis);
  },
  argMin(axis?: number) {
    return red.argMin(this, axis);
  },
  reshape(shape: number[]) {
    return sh.reshape(this, shape);
  },
  transpose(perm?: number[]) {
    return sh.transpose(this, perm);
  },
  expandDims(axis?: number) {
    return sh.expandDims(this, axis);
  },
  squeeze(axis?: number | number[]) {
    return sh.squeeze(this, axis);
  },
  cast(dtype: DType) {
    return sh.cast(this, dtype);
  },
  flatten() {
    checkTensor('flatten', 'x', this);
    return sh.reshape(this, [-1]);
  },
  clone() {
    return clone(this);
  },
  slice(begin: number | number[], size?: number | number[]) {
    return slicing.slice(this, begin, size);
  },
  stridedSlice(
    begin: number[],
    end: number[],
    strides?: number[],
    beginMask?: number,
    endMask?: number,
    ellipsisMask?: number,
    newAxisMask?: number,
    shrinkAxisMask?: number,
  ) {
    return slicing.stridedSlice(
      this,
      begin,
      end,
      strides,
      beginMask,
      endMask,
      ellipsisMask,
      newAxisMask,
      shrinkAxisMask,
    );
  },
  gather(indices: Tensor | NestedArray, axis?: number, batchDims?: number) {
    return gather(this, indices, axis, batchDims);
  },
  tile(reps: number[]) {
    return joining.tile(this, reps);
  },
  pad(paddings: Array<[number, number]>, constantValue?: number) {
    return joining.pad(this, paddings, constantValue);
  },
  concat(x: Tensor | Tensor[], axis?: number) {
    return joining.concat([this, ...(Array.isArray(x) ? x : [x])], axis);
  },
  split(numOrSizeSplits: number | number[], axis?: number) {
    return slicing.split(this, numOrSizeSplits, axis);
  },
  unstack(axis?: number) {
    return slicing.unstack(this, axis);
  },
  pow(exp: Operand) {
    return pow(this, exp);
  },
  equal(b: Operand) {
    return logical.equal(this, b);
  },
  notEqual(b: Operand) {
    return logical.notEqual(this, b);
  },
  greater(b: Operand) {
    return logical.greater(this, b);
  },
  greaterEqual(b: Operand) {
    return logical.greaterEqual(this, b);
  },
  less(b: Operand) {
    return logical.less(this, b);
  },
  lessEqual(b: Operand) {
    return logical.lessEqual(this, b);
  },
  logicalAnd(b: BoolOperand) {
    return logical.logicalAnd(this, b);
  },
  logicalOr(b: BoolOperand) {
    return logical.logicalOr(this, b);
  },
  logicalXor(b: BoolOperand) {
    return logical.logicalXor(this, b);
  },
  logicalNot() {
    return logical.logicalNot(this);
  },
  where(condition: Tensor | TensorLike, x: Operand) {
    return where(condition, this, x);
  },
  cumsum(axis?: number, exclusive?: boolean, reverse?: boolean) {
    return cumsum(this, axis, exclusive, reverse);
  },
  topk(k?: number, sorted?: boolean) {
    return topk(this, k, sorted);
  },
  norm(ord?: NormOrder, axis?: number | number[] | null, keepDims?: boolean) {
    return norm(this, ord, axis, keepDims);
  },
};

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}
