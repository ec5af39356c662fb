// Chainable methods on Tensor (`x.add(y).relu()`), as TensorFlow.js has them. Each one calls the op
// of the same name; importing this module installs them.
import * as act from './activations.js';
import * as ar from './arithmetic.js';
import { matMul } from './matmul.js';
import type { Operand } from './operand.js';
import * as red from './reduction.js';
import * as sh from './shape.js';
import { type DType, Tensor } from './tensor.js';
import { checkTensor } from './validate.js';

declare module './tensor.js' {
  interface Tensor {
    add(b: Operand): Tensor;
    sub(b: Operand): Tensor;
    mul(b: Operand): Tensor;
    div(b: Operand): Tensor;
    maximum(b: Operand): Tensor;
    minimum(b: Operand): Tensor;
    matMul(b: Tensor, transposeA?: boolean, transposeB?: boolean): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    square(): Tensor;
    abs(): Tensor;
    clipByValue(min: number, max: number): Tensor;
    relu(): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    softmax(dim?: number): Tensor;
    sum(axis?: number | number[], keepDims?: boolean): Tensor;
    mean(axis?: number | number[], keepDims?: boolean): Tensor;
    max(axis?: number | number[], keepDims?: boolean): Tensor;
    min(axis?: number | number[], keepDims?: boolean): Tensor;
    argMax(axis?: number): Tensor;
    argMin(axis?: number): Tensor;
    reshape(shape: number[]): Tensor;
    transpose(perm?: number[]): Tensor;
    expandDims(axis?: number): Tensor;
    squeeze(axis?: number | number[]): Tensor;
    cast(dtype: DType): Tensor;
    /** The tensor as a rank-1 tensor. */
    flatten(): Tensor;
  }
}

type Method = (this: Tensor, ...args: never[]) => Tensor;
const methods: Record<string, Method> = {
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
};

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}
