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
import { type DType, type NestedArray, Tensor } from './tensor.js';
import { topk } from './topk.js';
import { checkTensor } from './validate.js';
import { where } from './where.js';

/**
 * The chainable methods of every Tensor. tensor.ts merges them into the Tensor class by type (so the
 * published typings carry them in the class itself); this module defines them on its prototype.
 */
export interface TensorMethods {
  /** this + b, with broadcasting (`nn.add`). */
  add(b: Operand): Tensor;
  /** this − b, with broadcasting (`nn.sub`). */
  sub(b: Operand): Tensor;
  /** this · b elementwise, with broadcasting (`nn.mul`). */
  mul(b: Operand): Tensor;
  /** this / b elementwise, with broadcasting (`nn.div`). */
  div(b: Operand): Tensor;
  /** Elementwise maximum with b, with broadcasting (`nn.maximum`). */
  maximum(b: Operand): Tensor;
  /** Elementwise minimum with b, with broadcasting (`nn.minimum`). */
  minimum(b: Operand): Tensor;
  /** Matrix product this · b of rank-2 tensors, optionally transposed (`nn.matMul`). */
  matMul(b: Tensor, transposeA?: boolean, transposeB?: boolean): Tensor;
  /** −this (`nn.neg`). */
  neg(): Tensor;
  /** eˣ elementwise (`nn.exp`). */
  exp(): Tensor;
  /** Natural logarithm elementwise (`nn.log`). */
  log(): Tensor;
  /** Square root elementwise (`nn.sqrt`). */
  sqrt(): Tensor;
  /** x² elementwise (`nn.square`). */
  square(): Tensor;
  /** |x| elementwise (`nn.abs`). */
  abs(): Tensor;
  /** Clamps every element into [min, max] (`nn.clipByValue`). */
  clipByValue(min: number, max: number): Tensor;
  /** max(x, 0) elementwise (`nn.relu`). */
  relu(): Tensor;
  /** 1 / (1 + e⁻ˣ) elementwise (`nn.sigmoid`). */
  sigmoid(): Tensor;
  /** Hyperbolic tangent elementwise (`nn.tanh`). */
  tanh(): Tensor;
  /** Softmax along the last axis (`nn.softmax`). */
  softmax(dim?: number): Tensor;
  /** Sum over `axis`, all axes when left out (`nn.sum`). */
  sum(axis?: number | number[], keepDims?: boolean): Tensor;
  /** Mean over `axis`, all axes when left out (`nn.mean`). */
  mean(axis?: number | number[], keepDims?: boolean): Tensor;
  /** Maximum over `axis`, all axes when left out (`nn.max`). */
  max(axis?: number | number[], keepDims?: boolean): Tensor;
  /** Minimum over `axis`, all axes when left out (`nn.min`). */
  min(axis?: number | number[], keepDims?: boolean): Tensor;
  /** Index of the maximum along `axis` (default 0), as int32 (`nn.argMax`). */
  argMax(axis?: number): Tensor;
  /** Index of the minimum along `axis` (default 0), as int32 (`nn.argMin`). */
  argMin(axis?: number): Tensor;
  /** A copy with a new shape of the same size; one dimension may be -1 (`nn.reshape`). */
  reshape(shape: number[]): Tensor;
  /** Permutes the axes, reversing them when `perm` is left out (`nn.transpose`). */
  transpose(perm?: number[]): Tensor;
  /** Inserts a dimension of size 1 at `axis` (`nn.expandDims`). */
  expandDims(axis?: number): Tensor;
  /** Removes dimensions of size 1, all or those in `axis` (`nn.squeeze`). */
  squeeze(axis?: number | number[]): Tensor;
  /** Converts to another dtype (`nn.cast`). */
  cast(dtype: DType): Tensor;
  /** The tensor as a rank-1 tensor (`reshape([-1])`). */
  flatten(): Tensor;
  /** A copy in fresh memory (`nn.clone`). */
  clone(): Tensor;
  /** The part starting at `begin` with `size` elements per dim, -1 to the end (`nn.slice`). */
  slice(begin: number | number[], size?: number | number[]): Tensor;
  /** this[begin:end:strides] per dim, TensorFlow's rules and masks (`nn.stridedSlice`). */
  stridedSlice(
    begin: number[],
    end: number[],
    strides?: number[],
    beginMask?: number,
    endMask?: number,
    ellipsisMask?: number,
    newAxisMask?: number,
    shrinkAxisMask?: number,
  ): Tensor;
  /** Slices along `axis` at int32 `indices` (`nn.gather`). */
  gather(indices: Tensor | NestedArray, axis?: number, batchDims?: number): Tensor;
  /** Repeated reps[d] times along each dim d (`nn.tile`). */
  tile(reps: number[]): Tensor;
  /** Padded with [before, after] elements of constantValue per dim (`nn.pad`). */
  pad(paddings: Array<[number, number]>, constantValue?: number): Tensor;
  /** Joined with x (one tensor or several) along `axis` (`nn.concat([this, ...x])`). */
  concat(x: Tensor | Tensor[], axis?: number): Tensor;
  /** Split along `axis` into equal parts or parts of the given sizes (`nn.split`). */
  split(numOrSizeSplits: number | number[], axis?: number): Tensor[];
  /** The tensors along `axis`, each without that dim (`nn.unstack`). */
  unstack(axis?: number): Tensor[];
  /** this ^ exp elementwise, with broadcasting (`nn.pow`). */
  pow(exp: Operand): Tensor;
  /** this == b elementwise as bool, with broadcasting (`nn.equal`). */
  equal(b: Operand): Tensor;
  /** this != b elementwise as bool, with broadcasting (`nn.notEqual`). */
  notEqual(b: Operand): Tensor;
  /** this > b elementwise as bool, with broadcasting (`nn.greater`). */
  greater(b: Operand): Tensor;
  /** this >= b elementwise as bool, with broadcasting (`nn.greaterEqual`). */
  greaterEqual(b: Operand): Tensor;
  /** this < b elementwise as bool, with broadcasting (`nn.less`). */
  less(b: Operand): Tensor;
  /** this <= b elementwise as bool, with broadcasting (`nn.lessEqual`). */
  lessEqual(b: Operand): Tensor;
  /** this AND b on bool tensors (`nn.logicalAnd`). */
  logicalAnd(b: BoolOperand): Tensor;
  /** this OR b on bool tensors (`nn.logicalOr`). */
  logicalOr(b: BoolOperand): Tensor;
  /** this XOR b on bool tensors (`nn.logicalXor`). */
  logicalXor(b: BoolOperand): Tensor;
  /** NOT this, on a bool tensor (`nn.logicalNot`). */
  logicalNot(): Tensor;
  /** this where `condition` holds, else x (`nn.where(condition, this, x)`, as tfjs's `x.where`). */
  where(condition: Tensor | TensorLike, x: Operand): Tensor;
  /** Cumulative sum along `axis` (`nn.cumsum`). */
  cumsum(axis?: number, exclusive?: boolean, reverse?: boolean): Tensor;
  /** The k largest entries along the last axis and their indices (`nn.topk`). */
  topk(k?: number, sorted?: boolean): { values: Tensor; indices: Tensor };
  /** A vector or matrix norm (`nn.norm`). */
  norm(ord?: NormOrder, axis?: number | number[] | null, keepDims?: boolean): Tensor;
}

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
