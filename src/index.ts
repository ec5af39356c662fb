/**
 * neurasm: neural networks on WebAssembly SIMD kernels, with the TensorFlow.js API.
 * `await nn.ready()` once, then use tensors, ops and gradients.
 * @packageDocumentation
 */
import './ops/chain.js';
import type { ExplainTextBodies } from './explain/explain-text-entry.js';
import type { GradientServeBodies } from './explain/gradient-serve-entry.js';
import type { GradientBodies } from './explain/gradients-entry.js';
import type { IgServeBodies } from './explain/ig-serve-entry.js';
import type { IntegratedGradientsBodies } from './explain/integrated-gradients-entry.js';
import type { LimeBodies } from './explain/lime-entry.js';
import type { LimeTextBodies } from './explain/lime-text-entry.js';
import type { PermutationImportanceBodies } from './explain/permutation-entry.js';
import type { ShapBodies } from './explain/shap-entry.js';
import type { ShapServeBodies } from './explain/shap-serve-entry.js';
import type { LoadBodies } from './format/load.js';
import type { SaveBodies } from './format/save.js';
import type { HandlerBodies } from './io/handlers.js';
import { registerLazyChunk } from './lazy-import.js';
import type { ReplicaBodies } from './models/batch-trainer.js';
import type { PredictThreadsBodies } from './models/predict-threads.js';
import { fusedMatMul } from './ops/matmul.js';
import type { QuantizeBodies } from './quantize/quantize-entry.js';
import type { CrossValidateBodies } from './selection/cross-validate-entry.js';
import type { SurrogateBodies } from './surrogate/entry.js';
import type { FitInWorkerBodies } from './worker/fit-in-worker-entry.js';
import type { PredictServeBodies } from './worker/predict-serve-entry.js';
import type { ReplicaServeBodies } from './worker/replica-entry.js';
import { registerReplicaEntry } from './worker/replica-entry-url.js';
import type { ServeFitBodies } from './worker/serve.js';

/** Everything below that loads its body on first use, whose parts lazy.ts must carry. */
type LazyChunk = HandlerBodies &
  LoadBodies &
  SaveBodies &
  CrossValidateBodies &
  FitInWorkerBodies &
  ServeFitBodies &
  QuantizeBodies &
  ExplainTextBodies &
  GradientBodies &
  IntegratedGradientsBodies &
  LimeBodies &
  LimeTextBodies &
  PermutationImportanceBodies &
  SurrogateBodies &
  ShapBodies &
  ReplicaBodies &
  ReplicaServeBodies &
  ShapServeBodies &
  PredictThreadsBodies &
  PredictServeBodies &
  IgServeBodies &
  GradientServeBodies;

// the one import() of lazy.ts, written here at the top (above all it holds): see lazy-import.ts
registerLazyChunk((): Promise<LazyChunk> => import('./lazy.js'));
// the module fit's worker threads import (workers > 1): this one (tsup shims import.meta.url in the CJS build)
registerReplicaEntry(import.meta.url);

export type { BackendInfo, ModuleKind, ReadyOptions } from './backend/loader.js';
export { backendInfo, ready } from './backend/loader.js';
export {
  BackendError,
  DisposedError,
  DivergenceError,
  DTypeError,
  NeurasmError,
  ShapeError,
  ValueError,
} from './errors.js';
export {
  elu,
  gelu,
  leakyRelu,
  linear,
  logSoftmax,
  relu,
  sigmoid,
  softmax,
  softplus,
  tanh,
} from './ops/activations.js';
export {
  abs,
  add,
  clipByValue,
  div,
  exp,
  log,
  maximum,
  minimum,
  mul,
  neg,
  reciprocal,
  sign,
  sqrt,
  square,
  squaredDifference,
  sub,
} from './ops/arithmetic.js';
export type { NestedBoolArray, TensorLike } from './ops/create.js';
export {
  clone,
  fill,
  linspace,
  oneHot,
  ones,
  onesLike,
  randomNormal,
  randomUniform,
  range,
  scalar,
  tensor,
  tensor1d,
  tensor2d,
  tensor3d,
  tensor4d,
  tensor5d,
  tensor6d,
  zeros,
  zerosLike,
} from './ops/create.js';
export { cumsum } from './ops/cumsum.js';
export type { MemoryInfo } from './ops/engine.js';
export { dispose, keep, memory, tidy } from './ops/engine.js';
export { gather } from './ops/gather.js';
export { grad, grads, valueAndGrad, valueAndGrads, variableGrads } from './ops/gradients.js';
export { concat, pad, stack, tile } from './ops/joining.js';
export type { BoolOperand } from './ops/logical.js';
export {
  equal,
  greater,
  greaterEqual,
  less,
  lessEqual,
  logicalAnd,
  logicalNot,
  logicalOr,
  logicalXor,
  notEqual,
} from './ops/logical.js';
export * as losses from './ops/losses.js';
export type { FusedMatMulArgs } from './ops/matmul.js';
export { matMul } from './ops/matmul.js';
export { moments } from './ops/moments.js';
export type { NormOrder } from './ops/norm.js';
export { norm } from './ops/norm.js';
export type { Operand } from './ops/operand.js';
export { pow } from './ops/pow.js';
export { argMax, argMin, max, mean, min, sum } from './ops/reduction.js';
export { broadcastTo, cast, expandDims, reshape, squeeze, transpose } from './ops/shape.js';
export { slice, split, stridedSlice, unstack } from './ops/slicing.js';
export type { DType, NestedArray, TypedArray } from './ops/tensor.js';
export { isTensor, Tensor } from './ops/tensor.js';
export { topk } from './ops/topk.js';
export { Variable, variable } from './ops/variable.js';
export { where } from './ops/where.js';
export { Random, setSeed } from './random.js';

/** Fused kernels, as `tf.fused` in TensorFlow.js. */
export const fused = { matMul: fusedMatMul };

export { serveGradientRows } from './explain/gradient-serve-entry.js';
export { serveIgRows } from './explain/ig-serve-entry.js';
export * as explain from './explain/index.js';
export { serveShapRows } from './explain/shap-serve-entry.js';
export * as io from './format/io-namespace.js';
export { loadLayersModel } from './format/load.js';
export type { ActivationIdentifier } from './layers/activations.js';
export * as layers from './layers/index.js';
export * as initializers from './layers/initializers.js';
export * as regularizers from './layers/regularizers.js';
export * as serialization from './layers/serialization.js';
export type { BatchArgs, FitArgs } from './models/fit.js';
export type { InputGradientArgs } from './models/input-gradients.js';
export type { PredictAsyncArgs } from './models/predict-threads.js';
export type { CompileArgs, SequentialArgs } from './models/sequential.js';
export { Sequential, sequential } from './models/sequential.js';
export type { Optimizer, OptimizerName } from './optimizers/index.js';
export { train } from './optimizers/index.js';
export * as schedules from './optimizers/schedules.js';
export type { QuantizeOptions } from './quantize/quantize-entry.js';
export { dequantize, quantize } from './quantize/quantize-entry.js';
export { crossValidate } from './selection/cross-validate-entry.js';
export * as data from './selection/data-namespace.js';
export * as surrogate from './surrogate/entry.js';
export type { EarlyStoppingArgs, ModelCheckpointArgs, ReduceLROnPlateauArgs } from './training/builtin-callbacks.js';
export { Callback, callbacks } from './training/builtin-callbacks.js';
export type { CustomCallbackArgs, Logs } from './training/callbacks.js';
export { History } from './training/callbacks.js';
export type { LossIdentifier } from './training/losses.js';
export type { MetricIdentifier } from './training/metrics.js';
export type {
  ModelBuilder,
  TensorData,
  WorkerFitArgs,
  WorkerFitResult,
  WorkerLike,
  WorkerScope,
} from './worker/index.js';
export { fitInWorker, serveFit, WorkerError } from './worker/index.js';
export { servePredictRows } from './worker/predict-serve-entry.js';
export { serveReplica } from './worker/replica-entry.js';
