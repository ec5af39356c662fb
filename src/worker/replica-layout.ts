import type { ModelArtifacts } from '../io/types.js';
import type { Sequential } from '../models/sequential.js';

// The shared memory of a data-parallel fit (replica-host.ts on the main thread, replica-serve.ts in
// each worker thread): SharedArrayBuffers that the threads read and write in place, so that no
// step posts a message. Each thread copies what it needs into and out of its own Wasm memory.
// Where memory cannot be shared (a page that is not cross-origin isolated) the same layout lives in
// plain ArrayBuffers, and each step posts every worker a parcel of them (replica-parcel.ts).
//
//   control  Int32 slots (below) and Float64 slots (the spare normal draw, each thread's loss)
//   weights  the trainable variables, flat, in the train step's order (main writes them after each
//            update, and before a step if a callback changed them: WEIGHTS_GEN)
//   grads    one region of the same size per worker (each worker writes its slice's gradients)
//   x, y     the global batch's input rows and labels (main writes; each worker reads its rows)
//   preds    the global batch's predictions (each thread writes its rows; main's metrics read them)
//   exchange float64 sums the threads add up in the middle of a step (replica-exchange.ts): two
//            rounds' worth (even and odd), a block of `exchangeWidth` values per thread in each

/** Int32 slots of the control buffer. */
export const GEN = 0; // bumped by main to start a step or to quit
export const COMMAND = 1; // STEP or QUIT
export const ROWS = 2; // rows of the global batch
export const DONE = 3; // workers that finished the current step
export const RNG = 4; // 4 slots: the fit generator's state words at the step's start
export const READY = 8; // workers that built their model and wait for steps
/** First slot of worker w's [start, count, status] (w counts from 1; 0 is the main thread). */
export const SLICE = 12;
/** Values of the weights the main thread has written to the shared weights so far in this step (after SLICE's 16 threads). */
export const WEIGHTS_AT = 64;
/**
 * Publications of the shared weights the main thread has begun: it writes the weights after each
 * update (the workers copy them while it returns to the fit's loop) and again before a step when
 * something else (a callback) changed them.
 */
export const WEIGHTS_GEN = 65;
/** The publication of the weights the current step runs with. */
export const STEP_WEIGHTS = 66;
/** Slot GRADS_AT + w: values of its gradients worker w has written to its shared region so far in this step. */
export const GRADS_AT = 80;
/** Arrivals at the exchanges of the current step, all threads together (replica-exchange.ts). */
export const ARRIVED = 96;
/** Slot EXCHANGED + t: exchanges thread t has arrived at in the current step. */
export const EXCHANGED = 112;
/**
 * Values a thread writes to a shared region (weights, gradients) before it publishes how far it has
 * written (WEIGHTS_AT, GRADS_AT), so that the reader copies the first pieces while the rest are
 * written; a multiple of 4 (the SIMD kernels' lanes).
 */
export const SHARED_PIECE = 32 * 1024;
/** The Float64 slots of the control buffer start after this many bytes. */
const F64_OFFSET = 8 * 1024;
/** Float64 slot of the generator's spare normal draw (NaN: none). */
export const SPARE = 0;
/** Float64 slot of worker w's loss. */
export const LOSS = 1;

export const STEP = 1;
export const QUIT = 2;
export const OK = 0;
export const FAILED = 1;
/** A worker's status while it has the current step to do (the main thread sets it when it starts the step). */
export const RUNNING = 2;

/**
 * @internal How long the main thread waits for a worker that gives no sign (no counter moves):
 * `minMs`, or 10 × the main thread's own share of the last step if longer. A worker that throws or
 * whose thread exits says so at once; this catches one that stops without a word (a Web Worker the
 * browser ended). While the workers start (each loads the library and builds the model) the wait is
 * `startMs`. Changeable for tests.
 */
export const replicaStall = { minMs: 60_000, startMs: 300_000 };

/**
 * When a silent worker's wait runs out, it is given this much longer once: a machine that slept (or
 * a page the browser froze) stopped the workers too, and they move again at once.
 */
export const STALL_GRACE_MS = 1000;

/** The longest wait for a silent worker (see replicaStall), given the main thread's last share of a step. */
export function stallLimitMs(mainStepMs: number): number {
  return Math.max(replicaStall.minMs, 10 * mainStepMs);
}

/** The shared buffers of a data-parallel fit (plain ArrayBuffers where the threads transfer parcels). */
export interface ReplicaBuffers {
  control: SharedArrayBuffer | ArrayBuffer;
  weights: SharedArrayBuffer | ArrayBuffer;
  grads: SharedArrayBuffer | ArrayBuffer;
  x: SharedArrayBuffer | ArrayBuffer;
  y: SharedArrayBuffer | ArrayBuffer;
  preds: SharedArrayBuffer | ArrayBuffer;
  exchange: SharedArrayBuffer | ArrayBuffer;
}

/** Sizes (in 4-byte values) the buffers are made for. */
export interface ReplicaSizes {
  threads: number;
  params: number;
  batchSize: number;
  xWidth: number;
  yWidth: number;
  outWidth: number;
  /** Float64 values a thread adds to an exchange at most (0: the model has no layer that exchanges). */
  exchangeWidth: number;
}

/** The training set in shared memory (see ReplicaInit.dataset; each worker's own copy where memory is not shared). */
export interface ReplicaDataset {
  /** Every example's input row and label, as the fit's tensors hold them (4-byte values). */
  x: SharedArrayBuffer | ArrayBuffer;
  y: SharedArrayBuffer | ArrayBuffer;
  /** The step's rows: the index in `x` and `y` of each row of the global batch. */
  order: SharedArrayBuffer | ArrayBuffer;
}

/**
 * Makes the buffers for `sizes`: shared, or (`shared` false) plain ArrayBuffers of the same layout
 * whose weights and gradients are empty (the workers' parcels carry those, replica-parcel.ts).
 */
export function makeBuffers(s: ReplicaSizes, shared = true): ReplicaBuffers {
  const make = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  return {
    control: make(controlBytes(s.threads)),
    weights: make(shared ? 4 * s.params : 0),
    grads: make(shared ? 4 * s.params * (s.threads - 1) : 0),
    x: make(4 * s.batchSize * s.xWidth),
    y: make(4 * s.batchSize * s.yWidth),
    preds: make(4 * s.batchSize * s.outWidth),
    exchange: make(shared ? 8 * 2 * s.threads * s.exchangeWidth : 0),
  };
}

/** Bytes of the control buffer for `threads` threads. */
export function controlBytes(threads: number): number {
  return F64_OFFSET + 8 * (LOSS + threads);
}

/** The control buffer as Int32 slots and Float64 slots. */
export function controlViews(b: Pick<ReplicaBuffers, 'control'>): { i32: Int32Array; f64: Float64Array } {
  return { i32: new Int32Array(b.control, 0, F64_OFFSET / 4), f64: new Float64Array(b.control, F64_OFFSET) };
}

/** What a worker's step reads and writes: views of the shared buffers, or of a parcel of them. */
export interface ReplicaViews {
  i32: Int32Array;
  f64: Float64Array;
  weights: Float32Array;
  /** This worker's gradient region. */
  grads: Float32Array;
  /** The global batch's predictions (the worker writes its rows). */
  preds: Float32Array;
  /** The global batch's input rows and labels (where the training set is not shared). */
  x: Int32Array;
  y: Int32Array;
  /** The step's rows as indices into the shared training set (where it is shared). */
  order: Int32Array | null;
}

/** Worker `index`'s views of the shared buffers. */
export function sharedViews(b: ReplicaBuffers, s: ReplicaSizes, index: number, dataset?: ReplicaDataset): ReplicaViews {
  return {
    ...controlViews(b),
    weights: new Float32Array(b.weights),
    grads: new Float32Array(b.grads, 4 * s.params * (index - 1), s.params),
    preds: new Float32Array(b.preds),
    x: new Int32Array(b.x),
    y: new Int32Array(b.y),
    order: dataset ? new Int32Array(dataset.order) : null,
  };
}

/**
 * How `rows` examples are split over `threads` threads: thread t takes [starts[t], starts[t] +
 * counts[t]). Thread 0 (main) always takes at least one row; the main thread also sums the
 * gradients and applies the update, so with `mainShare` < 1 it takes that fraction of an equal
 * share, and the others share the rest.
 */
export function splitRows(rows: number, threads: number, mainShare = 1): { starts: number[]; counts: number[] } {
  const main = Math.max(1, Math.min(rows, Math.round((rows * mainShare) / threads)));
  const rest = rows - main;
  const others = threads - 1;
  const counts = [main];
  for (let t = 0; t < others; t++) counts.push(Math.floor(rest / others) + (t < rest % others ? 1 : 0));
  const starts: number[] = [];
  let at = 0;
  for (const c of counts) {
    starts.push(at);
    at += c;
  }
  return { starts, counts };
}

/** What a worker thread is started with (structured-cloned; the buffers are shared). */
export interface ReplicaInit {
  /** This worker's index (1 to threads − 1). */
  index: number;
  /** The shared buffers (absent where the threads transfer parcels: see `transfer`). */
  buffers?: ReplicaBuffers;
  sizes: ReplicaSizes;
  /** The model's artifacts (topology and weights, as a save writes them). */
  artifacts: unknown;
  /** The compiled loss's name. */
  loss: string;
  /** The main thread's Wasm module, which the worker loads too (relaxed SIMD fuses differently). */
  relaxedSimd: boolean;
  inputDType: 'float32' | 'int32';
  /** The variables' sizes in the train step's order, checked against the worker's model. */
  variableSizes: number[];
  /**
   * The whole training set, shared once per fit, and each step's rows (indices into it): each
   * worker then copies its rows itself. Absent where the set is too large to copy: the main thread
   * then writes the workers' rows into `buffers.x` and `buffers.y` every step.
   */
  dataset?: ReplicaDataset;
  /**
   * The threads cannot share memory (a page that is not cross-origin isolated): `buffers` is absent
   * and each step comes as a message with a parcel of plain buffers (replica-parcel.ts), which the
   * worker posts back with its results; `dataset` is this worker's own copy.
   */
  transfer?: boolean;
  /** @internal For tests: the step (from 1) at which this worker throws. */
  failAtStep?: number;
  /** @internal For tests: the step (from 1) at which this worker's thread exits, as if it were killed. */
  exitAtStep?: number;
  /** @internal For tests: the step (from 1) at which this worker stops without a word, as if its thread were ended silently. */
  hangAtStep?: number;
}

/**
 * What the threads take from the chunk loaded on first use (src/lazy.ts carries them for save and
 * load): the model goes to the workers as the artifacts a save writes.
 */
export interface ArtifactBodies {
  modelArtifacts(model: Sequential): ModelArtifacts;
  modelFromArtifacts(artifacts: ModelArtifacts, where: string): Sequential;
}

/**
 * Milliseconds a waiting thread checks a counter before it sleeps on it. A thread woken from sleep
 * is often placed on the core of the thread that woke it, and the two then share one core until
 * the scheduler moves one (measured: each step's compute 1.3x slower on 2 cores); between steps
 * the workers wait about as long as the main thread sums and updates (1-3 ms), so they spin
 * through it.
 */
export const SPIN_MS = 5;

/** Checks `view[index]` until it is no longer `value` or SPIN_MS pass; whether it changed. */
export function spinWhile(view: Int32Array, index: number, value: number): boolean {
  const until = performance.now() + SPIN_MS;
  for (let i = 1; ; i++) {
    if (Atomics.load(view, index) !== value) return true;
    if ((i & 1023) === 0 && performance.now() > until) return false;
  }
}
