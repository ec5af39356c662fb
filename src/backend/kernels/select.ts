import { putCollapsed } from './elementwise.js';
import { kernels } from './exports.js';

/**
 * out = a op b as int32 0/1 (bool) with broadcasting, `op` a `BoolOp` code. Comparisons read
 * float32 inputs, or int32/bool ones when `intInputs`; the logical ops read int32/bool inputs.
 * `out` is contiguous of `outShape`; a and b are read through element strides (`broadcastStrides`).
 */
export function boolBinary(
  op: number,
  intInputs: boolean,
  a: number,
  b: number,
  out: number,
  outShape: readonly number[],
  aStrides: readonly number[],
  bStrides: readonly number[],
): void {
  if (outShape.includes(0)) return;
  const { rank, ptrs } = putCollapsed(outShape, [aStrides, bStrides]);
  kernels().boolBinary(op, intInputs ? 1 : 0, a, b, out, rank, ptrs[0], ptrs[1], ptrs[2]);
}

/** out = base ^ exp (float32, JavaScript's Math.pow rules) with broadcasting; layout as for boolBinary. */
export function powBinary(
  base: number,
  exp: number,
  out: number,
  outShape: readonly number[],
  baseStrides: readonly number[],
  expStrides: readonly number[],
): void {
  if (outShape.includes(0)) return;
  const { rank, ptrs } = putCollapsed(outShape, [baseStrides, expStrides]);
  kernels().powBinary(base, exp, out, rank, ptrs[0], ptrs[1], ptrs[2]);
}

/**
 * out = cond ? a : b with broadcasting of all three; cond int32/bool, a, b and out any 4-byte dtype
 * (copied bit for bit). Layout as for boolBinary, with strides for cond, a and b.
 */
export function selectWhere(
  cond: number,
  a: number,
  b: number,
  out: number,
  outShape: readonly number[],
  condStrides: readonly number[],
  aStrides: readonly number[],
  bStrides: readonly number[],
): void {
  if (outShape.includes(0)) return;
  const { rank, ptrs } = putCollapsed(outShape, [condStrides, aStrides, bStrides]);
  kernels().selectWhere(cond, a, b, out, rank, ptrs[0], ptrs[1], ptrs[2], ptrs[3]);
}
