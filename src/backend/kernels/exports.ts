// The typed kernel exports of the loaded Wasm module, bound once per module generation, so that a
// kernel call is a property read on a plain object instead of a lookup by name on the exports.
// Pointers are byte offsets (usize), counts i32, scalars f32 (the Wasm signature rounds them); the
// signatures mirror the `export function`s of assembly/*.ts.
import { BackendError } from '../../errors.js';
import { backend } from '../loader.js';
import { isRecording, markUnreplayable, noteKernelCall } from '../trace.js';

/** Every kernel the TypeScript side calls, with its Wasm signature (all arguments are JS numbers). */
export interface KernelExports {
  // assembly/activations.ts
  activationForward: (code: number, x: number, y: number, n: number, alpha: number) => void;
  activationBackward: (code: number, x: number, y: number, dy: number, dx: number, n: number, alpha: number) => void;
  softmaxRows: (x: number, y: number, rows: number, cols: number) => void;
  logSoftmaxRows: (x: number, y: number, rows: number, cols: number) => void;
  softmaxRowsBackward: (y: number, dy: number, dx: number, rows: number, cols: number) => void;
  logSoftmaxRowsBackward: (y: number, dy: number, dx: number, rows: number, cols: number) => void;
  // assembly/elementwise.ts
  unary: (op: number, x: number, y: number, n: number) => void;
  binary: (
    op: number,
    a: number,
    b: number,
    out: number,
    rank: number,
    shape: number,
    aStrides: number,
    bStrides: number,
  ) => void;
  stridedCopy: (x: number, y: number, rank: number, shape: number, xStrides: number) => void;
  clip: (x: number, y: number, n: number, lo: number, hi: number) => void;
  clipBackward: (x: number, dy: number, dx: number, n: number, lo: number, hi: number) => void;
  fill: (y: number, n: number, value: number) => void;
  axpy: (x: number, y: number, n: number, alpha: number) => void;
  scale: (x: number, y: number, n: number, alpha: number) => void;
  // assembly/gemm.ts
  gemmScratchBytes: (m: number, k: number, n: number) => number;
  gemm: (
    a: number,
    b: number,
    c: number,
    m: number,
    k: number,
    n: number,
    transA: number,
    transB: number,
    bias: number,
    act: number,
    alpha: number,
    accumulate: number,
    scratch: number,
  ) => void;
  // assembly/indexing.ts
  copyStrided: (x: number, y: number, rank: number, shape: number, xStrides: number, yStrides: number) => void;
  fillI32: (y: number, n: number, value: number) => void;
  gatherRows: (
    x: number,
    indices: number,
    y: number,
    outer: number,
    axisLen: number,
    inner: number,
    count: number,
  ) => void;
  scatterAddRows: (
    dy: number,
    indices: number,
    dx: number,
    outer: number,
    axisLen: number,
    inner: number,
    count: number,
  ) => void;
  // assembly/losses.ts
  /** `epsilon`: clip of Keras's reported value, 0 for none; omitted, Wasm gets NaN, which is none too. */
  softmaxCrossEntropySparse: (
    logits: number,
    labels: number,
    rows: number,
    cols: number,
    loss: number,
    probs: number,
    epsilon?: number,
  ) => void;
  crossEntropyProbsSparse: (
    probs: number,
    labels: number,
    rows: number,
    cols: number,
    loss: number,
    epsilon: number,
  ) => void;
  crossEntropyProbsDense: (
    probs: number,
    targets: number,
    rows: number,
    cols: number,
    loss: number,
    epsilon: number,
  ) => void;
  softmaxCrossEntropySparseBackward: (
    probs: number,
    labels: number,
    dyRow: number,
    rows: number,
    cols: number,
    dlogits: number,
  ) => void;
  /** `epsilon` as for softmaxCrossEntropySparse. */
  softmaxCrossEntropyDense: (
    logits: number,
    targets: number,
    rows: number,
    cols: number,
    loss: number,
    probs: number,
    epsilon?: number,
  ) => void;
  softmaxCrossEntropyDenseBackward: (
    probs: number,
    targets: number,
    dyRow: number,
    rows: number,
    cols: number,
    dlogits: number,
  ) => void;
  /** `epsilon` as for softmaxCrossEntropySparse. */
  sigmoidCrossEntropy: (logits: number, targets: number, n: number, loss: number, epsilon?: number) => void;
  sigmoidCrossEntropyBackward: (logits: number, targets: number, dy: number, n: number, dlogits: number) => void;
  binaryCrossEntropy: (probs: number, targets: number, n: number, loss: number, epsilon: number) => void;
  binaryCrossEntropyBackward: (
    probs: number,
    targets: number,
    dy: number,
    n: number,
    dprobs: number,
    epsilon: number,
  ) => void;
  squaredError: (pred: number, target: number, n: number, loss: number) => void;
  squaredErrorBackward: (pred: number, target: number, dy: number, n: number, dpred: number) => void;
  absoluteError: (pred: number, target: number, n: number, loss: number) => void;
  absoluteErrorBackward: (pred: number, target: number, dy: number, n: number, dpred: number) => void;
  huber: (pred: number, target: number, n: number, loss: number, delta: number) => void;
  huberBackward: (pred: number, target: number, dy: number, n: number, dpred: number, delta: number) => void;
  // assembly/normalization.ts
  batchNormTrainScratchBytes: (cols: number) => number;
  batchNormForwardTrain: (
    x: number,
    y: number,
    gamma: number,
    beta: number,
    mean: number,
    variance: number,
    invStd: number,
    scratch: number,
    rows: number,
    cols: number,
    epsilon: number,
  ) => void;
  batchNormForwardInference: (
    x: number,
    y: number,
    gamma: number,
    beta: number,
    mean: number,
    variance: number,
    invStd: number,
    rows: number,
    cols: number,
    epsilon: number,
  ) => void;
  batchNormBackwardScratchBytes: (cols: number) => number;
  batchNormBackward: (
    x: number,
    dy: number,
    dx: number,
    gamma: number,
    mean: number,
    invStd: number,
    dgamma: number,
    dbeta: number,
    scratch: number,
    rows: number,
    cols: number,
  ) => void;
  batchNormMovingUpdate: (
    movingMean: number,
    movingVariance: number,
    mean: number,
    variance: number,
    n: number,
    momentum: number,
    oneMinusMomentum: number,
  ) => void;
  // assembly/optimizers.ts
  sgdUpdate: (w: number, g: number, n: number, lr: number) => void;
  momentumUpdate: (w: number, g: number, v: number, n: number, lr: number, momentum: number, nesterov: number) => void;
  adamUpdate: (
    w: number,
    g: number,
    m: number,
    v: number,
    n: number,
    alpha: number,
    c1: number,
    c2: number,
    eps: number,
  ) => void;
  adamwUpdate: (
    w: number,
    g: number,
    m: number,
    v: number,
    n: number,
    alpha: number,
    c1: number,
    c2: number,
    eps: number,
    lrWd: number,
  ) => void;
  rmspropUpdate: (
    w: number,
    g: number,
    ms: number,
    mom: number,
    mg: number,
    n: number,
    lr: number,
    rho: number,
    momentum: number,
    eps: number,
    centered: number,
    useMomentum: number,
  ) => void;
  adagradUpdate: (w: number, g: number, acc: number, n: number, lr: number, eps: number) => void;
  // assembly/reduce.ts
  reduceAxis: (op: number, x: number, out: number, outer: number, axisLen: number, inner: number) => void;
  argReduceAxis: (op: number, x: number, outIndices: number, outer: number, axisLen: number, inner: number) => void;
  // assembly/regularizers.ts
  l1l2Penalty: (w: number, n: number, l1: number, l2: number, out: number) => void;
  l1l2Backward: (w: number, dy: number, dw: number, n: number, l1: number, l2: number) => void;
  // assembly/cast.ts
  castValues: (code: number, x: number, y: number, n: number) => void;
  // assembly/scan.ts
  cumsum: (
    x: number,
    y: number,
    outer: number,
    n: number,
    inner: number,
    exclusive: number,
    reverse: number,
    isInt: number,
  ) => void;
  // assembly/select.ts
  boolBinary: (
    op: number,
    intInputs: number,
    a: number,
    b: number,
    out: number,
    rank: number,
    shape: number,
    aStrides: number,
    bStrides: number,
  ) => void;
  powBinary: (
    base: number,
    exp: number,
    out: number,
    rank: number,
    shape: number,
    baseStrides: number,
    expStrides: number,
  ) => void;
  selectWhere: (
    cond: number,
    a: number,
    b: number,
    out: number,
    rank: number,
    shape: number,
    condStrides: number,
    aStrides: number,
    bStrides: number,
  ) => void;
  // assembly/topk.ts
  topkRows: (x: number, values: number, indices: number, rows: number, n: number, k: number, isInt: number) => void;
  gatherLastAxis: (x: number, indices: number, y: number, rows: number, n: number, k: number) => void;
  scatterLastAxis: (dy: number, indices: number, dx: number, rows: number, n: number, k: number) => void;
}

let bound: KernelExports | null = null;
let recordingBound: KernelExports | null = null;
let boundGeneration = -1;

/** Kernels whose result is a value JavaScript goes on with: a trace cannot replay that. */
const RETURNS_DATA = new Set<string>([]);

/**
 * The same kernels, each also noted by the trace being recorded (kernels that only compute a
 * scratch size from their arguments are not noted: their result is the same at every replay).
 */
function recordingKernels(kernels: KernelExports): KernelExports {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(kernels) as Array<[string, (...args: number[]) => unknown]>) {
    if (name.endsWith('ScratchBytes')) out[name] = f;
    else if (RETURNS_DATA.has(name)) {
      out[name] = (...args: number[]) => {
        markUnreplayable(`kernel ${name} returned a value to JavaScript`);
        return f(...args);
      };
    } else {
      out[name] = (...args: number[]) => {
        const result = f(...args);
        noteKernelCall(name, f, args);
        return result;
      };
    }
  }
  return out as unknown as KernelExports;
}

function bind(exports: Record<string, unknown>): KernelExports {
  const fn = <K extends keyof KernelExports>(name: K): KernelExports[K] => {
    const f = exports[name];
    if (typeof f !== 'function') {
      throw new BackendError(`the Wasm module lacks the kernel ${name} (rebuild it: npm run build:wasm)`);
    }
    return f as KernelExports[K];
  };
  return {
    activationForward: fn('activationForward'),
    activationBackward: fn('activationBackward'),
    softmaxRows: fn('softmaxRows'),
    logSoftmaxRows: fn('logSoftmaxRows'),
    softmaxRowsBackward: fn('softmaxRowsBackward'),
    logSoftmaxRowsBackward: fn('logSoftmaxRowsBackward'),
    unary: fn('unary'),
    binary: fn('binary'),
    stridedCopy: fn('stridedCopy'),
    clip: fn('clip'),
    clipBackward: fn('clipBackward'),
    fill: fn('fill'),
    axpy: fn('axpy'),
    scale: fn('scale'),
    gemmScratchBytes: fn('gemmScratchBytes'),
    gemm: fn('gemm'),
    copyStrided: fn('copyStrided'),
    fillI32: fn('fillI32'),
    gatherRows: fn('gatherRows'),
    scatterAddRows: fn('scatterAddRows'),
    softmaxCrossEntropySparse: fn('softmaxCrossEntropySparse'),
    softmaxCrossEntropySparseBackward: fn('softmaxCrossEntropySparseBackward'),
    crossEntropyProbsSparse: fn('crossEntropyProbsSparse'),
    crossEntropyProbsDense: fn('crossEntropyProbsDense'),
    softmaxCrossEntropyDense: fn('softmaxCrossEntropyDense'),
    softmaxCrossEntropyDenseBackward: fn('softmaxCrossEntropyDenseBackward'),
    sigmoidCrossEntropy: fn('sigmoidCrossEntropy'),
    sigmoidCrossEntropyBackward: fn('sigmoidCrossEntropyBackward'),
    binaryCrossEntropy: fn('binaryCrossEntropy'),
    binaryCrossEntropyBackward: fn('binaryCrossEntropyBackward'),
    squaredError: fn('squaredError'),
    squaredErrorBackward: fn('squaredErrorBackward'),
    absoluteError: fn('absoluteError'),
    absoluteErrorBackward: fn('absoluteErrorBackward'),
    huber: fn('huber'),
    huberBackward: fn('huberBackward'),
    batchNormTrainScratchBytes: fn('batchNormTrainScratchBytes'),
    batchNormForwardTrain: fn('batchNormForwardTrain'),
    batchNormForwardInference: fn('batchNormForwardInference'),
    batchNormBackwardScratchBytes: fn('batchNormBackwardScratchBytes'),
    batchNormBackward: fn('batchNormBackward'),
    batchNormMovingUpdate: fn('batchNormMovingUpdate'),
    sgdUpdate: fn('sgdUpdate'),
    momentumUpdate: fn('momentumUpdate'),
    adamUpdate: fn('adamUpdate'),
    adamwUpdate: fn('adamwUpdate'),
    rmspropUpdate: fn('rmspropUpdate'),
    adagradUpdate: fn('adagradUpdate'),
    reduceAxis: fn('reduceAxis'),
    argReduceAxis: fn('argReduceAxis'),
    l1l2Penalty: fn('l1l2Penalty'),
    l1l2Backward: fn('l1l2Backward'),
    castValues: fn('castValues'),
    cumsum: fn('cumsum'),
    boolBinary: fn('boolBinary'),
    powBinary: fn('powBinary'),
    selectWhere: fn('selectWhere'),
    topkRows: fn('topkRows'),
    gatherLastAxis: fn('gatherLastAxis'),
    scatterLastAxis: fn('scatterLastAxis'),
  };
}

/**
 * The kernels of the module in use, bound on first use after each `ready()` that loads a module.
 * Throws a BackendError before `ready()`, like `backend()`.
 */
export function kernels(): KernelExports {
  const b = backend();
  if (b.generation !== boundGeneration || bound === null) {
    bound = bind(b.exports);
    recordingBound = recordingKernels(bound);
    boundGeneration = b.generation;
  }
  return isRecording() ? recordingBound! : bound;
}
