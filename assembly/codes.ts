// Numeric codes shared with src/backend/codes.ts (a test checks that both files agree).

// Activations (elementwise; softmax is row-wise and has kernels of its own).
export const ACT_LINEAR: i32 = 0;
export const ACT_RELU: i32 = 1;
export const ACT_LEAKY_RELU: i32 = 2;
export const ACT_ELU: i32 = 3;
export const ACT_SIGMOID: i32 = 4;
export const ACT_TANH: i32 = 5;
export const ACT_SOFTPLUS: i32 = 6;
export const ACT_GELU: i32 = 7;

// Unary elementwise ops.
export const UN_NEG: i32 = 0;
export const UN_EXP: i32 = 1;
export const UN_LOG: i32 = 2;
export const UN_SQRT: i32 = 3;
export const UN_SQUARE: i32 = 4;
export const UN_ABS: i32 = 5;
export const UN_SIGN: i32 = 6;
export const UN_RECIPROCAL: i32 = 7;

// Binary elementwise ops (with broadcasting). Comparisons write 1.0 or 0.0.
export const BIN_ADD: i32 = 0;
export const BIN_SUB: i32 = 1;
export const BIN_MUL: i32 = 2;
export const BIN_DIV: i32 = 3;
export const BIN_MAXIMUM: i32 = 4;
export const BIN_MINIMUM: i32 = 5;
export const BIN_EQUAL: i32 = 6;
export const BIN_GREATER: i32 = 7;
export const BIN_GREATER_EQUAL: i32 = 8;
export const BIN_LESS: i32 = 9;
export const BIN_LESS_EQUAL: i32 = 10;

// Reductions along one axis.
export const RED_SUM: i32 = 0;
export const RED_MEAN: i32 = 1;
export const RED_MAX: i32 = 2;
export const RED_MIN: i32 = 3;

// Ops of the boolBinary kernel (assembly/select.ts): they write int32 0/1 (the bool dtype).
export const BOOL_EQUAL: i32 = 0;
export const BOOL_NOT_EQUAL: i32 = 1;
export const BOOL_GREATER: i32 = 2;
export const BOOL_GREATER_EQUAL: i32 = 3;
export const BOOL_LESS: i32 = 4;
export const BOOL_LESS_EQUAL: i32 = 5;
export const BOOL_LOGICAL_AND: i32 = 6;
export const BOOL_LOGICAL_OR: i32 = 7;
export const BOOL_LOGICAL_XOR: i32 = 8;

// Conversions of the castValues kernel (assembly/cast.ts).
export const CAST_F32_TO_I32: i32 = 0;
export const CAST_I32_TO_F32: i32 = 1;
export const CAST_F32_TO_BOOL: i32 = 2;
export const CAST_I32_TO_BOOL: i32 = 3;
