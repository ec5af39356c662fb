// Numeric codes the kernels take; they mirror assembly/codes.ts (test/backend/codes.test.ts checks it).

/** Activation codes of the activation and fused-GEMM kernels. */
export const Act = {
  linear: 0,
  relu: 1,
  leakyRelu: 2,
  elu: 3,
  sigmoid: 4,
  tanh: 5,
  softplus: 6,
  gelu: 7,
} as const;
/** Name of an elementwise activation kernel. */
export type ActName = keyof typeof Act;

/** Unary elementwise op codes. */
export const Unary = {
  neg: 0,
  exp: 1,
  log: 2,
  sqrt: 3,
  square: 4,
  abs: 5,
  sign: 6,
  reciprocal: 7,
} as const;
/** Name of a unary elementwise kernel. */
export type UnaryName = keyof typeof Unary;

/** Binary elementwise op codes; comparisons write 1 or 0. */
export const Binary = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
  equal: 6,
  greater: 7,
  greaterEqual: 8,
  less: 9,
  lessEqual: 10,
} as const;
/** Name of a binary elementwise kernel. */
export type BinaryName = keyof typeof Binary;

/** Reduction codes. */
export const Reduce = {
  sum: 0,
  mean: 1,
  max: 2,
  min: 3,
} as const;
/** Name of a reduction kernel. */
export type ReduceName = keyof typeof Reduce;

/** Ops of the boolBinary kernel; each writes int32 0/1 (the bool dtype). */
export const BoolOp = {
  equal: 0,
  notEqual: 1,
  greater: 2,
  greaterEqual: 3,
  less: 4,
  lessEqual: 5,
  logicalAnd: 6,
  logicalOr: 7,
  logicalXor: 8,
} as const;
/** Name of a boolBinary op. */
export type BoolOpName = keyof typeof BoolOp;

/** Conversions of the castValues kernel. */
export const Cast = {
  f32ToI32: 0,
  i32ToF32: 1,
  f32ToBool: 2,
  i32ToBool: 3,
} as const;
/** Name of a castValues conversion. */
export type CastName = keyof typeof Cast;
