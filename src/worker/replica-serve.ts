// The worker thread's side of a data-parallel fit (replica-host.ts is the main thread's): builds
// the model from the artifacts it is started with, then, for each step the main thread starts,
// copies its rows of the batch (from the shared training set) and the shared weights (as the main
// thread writes them) into its Wasm memory, runs the train step on them and copies its loss,
// predictions and gradients out to the shared buffers (or to the parcel of them the step was
// posted with, where memory is not shared: replica-parcel.ts).
import { backend, ready } from '../backend/loader.js';
import { ValueError } from '../errors.js';
import type { ModelArtifacts } from '../io/types.js';
import { lazyPart } from '../lazy-import.js';
import type { Sequential } from '../models/sequential.js';
import type { Tensor } from '../ops/tensor.js';
import type { Variable } from '../ops/variable.js';
import { Random } from '../random.js';
import type { LossIdentifier } from '../training/losses.js';
import type { ModelStep } from '../training/model-step.js';
import { DenseGradients } from './replica-dense.js';
import { ReplicaExchange } from './replica-exchange.js';
import {
  type ArtifactBodies,
  COMMAND,
  DONE,
  FAILED,
  GEN,
  GRADS_AT,
  LOSS,
  OK,
  QUIT,
  READY,
  type ReplicaInit,
  type ReplicaViews,
  RNG,
  ROWS,
  SHARED_PIECE,
  SLICE,
  SPARE,
  SPIN_MS,
  STEP_WEIGHTS,
  sharedViews,
  WEIGHTS_AT,
  WEIGHTS_GEN,
} from './replica-layout.js';
import { parcelTransfer, parcelViews, type ReplicaDoneMessage, type ReplicaStepMessage } from './replica-parcel.js';

/** Where a worker thread reports: its port to the main thread (Node's parentPort, a Web Worker's `self`). */
export interface ReplicaPort {
  // transfer: Transferable[] in a browser, named without that DOM type so Node projects type-check
  postMessage(message: unknown, transfer?: object[]): void;
  /** Node's parentPort: the listener gets the message. */
  on?(type: 'message', listener: (message: unknown) => void): void;
  /** A Web Worker's scope: the listener gets an event carrying the message. */
  addEventListener?(type: 'message', listener: (event: { data: unknown }) => void): void;
}

/** Worker -> main: the worker failed (before or during a step). */
export interface ReplicaErrorMessage {
  neurasm: 'replicaError';
  name: string;
  message: string;
  stack?: string;
}

/** The replica's model and its train steps by slice rows. */
class Replica {
  private readonly steps = new Map<number, ModelStep>();
  private readonly rng = new Random(0);
  /** Dense blocks for row-sparse gradients (an embedding's): the shared gradient block holds them densely. */
  private readonly dense = new DenseGradients();
  private stepsRun = 0;
  /** The shared training set (or this worker's copy), as 4-byte values. */
  private readonly dataset: { x: Int32Array; y: Int32Array } | null;
  /** The batch statistics exchanges of the model's BatchNormalization layers (shared memory only). */
  private readonly exchange: ReplicaExchange | null;
  /** The trainable variables, in the train step's order (once a step is made). */
  private variables: readonly Variable[] | null = null;
  /** The publication of the shared weights the variables hold (WEIGHTS_GEN; 0: none). */
  private copied = 0;

  constructor(
    private readonly model: Sequential,
    private readonly init: ReplicaInit,
  ) {
    model.random.rng = this.rng;
    model.claimRandom();
    const { dataset } = init;
    this.dataset = dataset ? { x: new Int32Array(dataset.x), y: new Int32Array(dataset.y) } : null;
    const { buffers, sizes } = init;
    this.exchange = buffers && sizes.exchangeWidth > 0 ? new ReplicaExchange(buffers, sizes, init.index) : null;
  }

  private step(rows: number): ModelStep {
    let step = this.steps.get(rows);
    if (!step) {
      step = this.model.step('train', rows, this.init.inputDType);
      step.pin();
      this.steps.set(rows, step);
      this.variables = step.variables;
      const sizes = step.variables.map((v) => v.size);
      if (sizes.join() !== this.init.variableSizes.join()) {
        throw new ValueError(
          `fit: a worker's model has variables of sizes [${sizes}], the main thread's [${this.init.variableSizes}]`,
        );
      }
    }
    return step;
  }

  /** Whether the main thread has announced shared weights this worker has not copied (and it can). */
  hasNewWeights(i32: Int32Array): boolean {
    return this.variables !== null && Atomics.load(i32, WEIGHTS_GEN) !== this.copied;
  }

  /**
   * Copies the publication of the shared weights the main thread announced last (WEIGHTS_GEN) as
   * it is written; leaves it not copied when the main thread announces another meanwhile (what was
   * read may be torn) or says QUIT.
   */
  copyPublication(i32: Int32Array, weights: Float32Array): void {
    if (!this.variables) return;
    const gen = Atomics.load(i32, WEIGHTS_GEN);
    const abandon = () => Atomics.load(i32, WEIGHTS_GEN) !== gen || Atomics.load(i32, COMMAND) === QUIT;
    if (copyWeights(i32, weights, this.variables, abandon) && !abandon()) this.copied = gen;
  }

  /** Runs the step the control slots describe, on the shared buffers or a parcel of them. */
  run(views: ReplicaViews): void {
    const { index, sizes } = this.init;
    const { i32, f64 } = views;
    const slot = SLICE + 3 * index;
    const start = i32[slot];
    const count = i32[slot + 1];
    const total = i32[ROWS];
    this.stepsRun++;
    if (this.stepsRun === this.init.failAtStep) throw new Error(`fault injected in worker ${index}`);
    if (this.stepsRun === this.init.exitAtStep)
      (globalThis as { process?: { exit(code: number): void } }).process?.exit(1);
    if (this.stepsRun === this.init.hangAtStep) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    const step = this.step(count);
    // this worker's rows first: the main thread writes the weights meanwhile
    if (this.dataset && views.order) {
      const order = views.order.subarray(start, start + count);
      gatherIn(this.dataset.x, order, sizes.xWidth, step.x);
      gatherIn(this.dataset.y, order, sizes.yWidth, step.y!);
    } else {
      copyIn(views.x, start, count, sizes.xWidth, step.x);
      copyIn(views.y, start, count, sizes.yWidth, step.y!);
    }
    if (this.init.transfer || !this.init.buffers) {
      // a parcel carries the weights in full
      copyWeights(i32, views.weights, step.variables, () => false);
    } else {
      // the publication of the weights this step runs with: copied between steps, or now as it is written
      const wanted = i32[STEP_WEIGHTS];
      while (this.copied !== wanted) {
        if (Atomics.load(i32, COMMAND) === QUIT) throw new Error('the fit ended during a step');
        if (Atomics.load(i32, WEIGHTS_GEN) === wanted) this.copyPublication(i32, views.weights);
      }
    }
    this.rng.setState([i32[RNG], i32[RNG + 1], i32[RNG + 2], i32[RNG + 3], f64[SPARE]]);
    this.exchange?.beginStep();
    this.model.random.rows = { start, count, total, sumOverReplicas: this.exchange?.sum };
    const out = step.run();
    f64[LOSS + index] = step.lossValue();
    const f32 = backend().views.f32;
    const p = out.predictions.ptr() >>> 2;
    views.preds.set(f32.subarray(p, p + count * sizes.outWidth), start * sizes.outWidth);
    const grads = views.grads;
    // in pieces, each published (GRADS_AT), so that the main thread sums the first while the rest are copied
    const written = GRADS_AT + index;
    let at = 0;
    for (const g of this.dense.of(out.grads)) {
      const q = g.ptr() >>> 2;
      for (let from = 0; from < g.size; from += SHARED_PIECE) {
        const to = Math.min(g.size, from + SHARED_PIECE);
        grads.set(f32.subarray(q + from, q + to), at + from);
        Atomics.store(i32, written, at + to);
        Atomics.notify(i32, written);
      }
      at += g.size;
    }
  }
}

/** Copies the rows `order` names of a shared block of `width` values per row into a step buffer. */
function gatherIn(from: Int32Array, order: Int32Array, width: number, to: Tensor): void {
  const view = backend().views.i32;
  const d = to.ptr() >>> 2;
  for (let r = 0; r < order.length; r++) {
    const row = order[r];
    view.set(from.subarray(row * width, (row + 1) * width), d + r * width);
  }
}

/**
 * Copies the shared weights into `variables` as the main thread writes them (WEIGHTS_AT counts the
 * values written, in the variables' order), so that the copies overlap; returns false, the copy
 * unfinished, as soon as `abandon()` says so.
 */
function copyWeights(
  i32: Int32Array,
  weights: Float32Array,
  variables: readonly Variable[],
  abandon: () => boolean,
): boolean {
  const f32 = backend().views.f32;
  let done = 0;
  let v = 0;
  let vStart = 0;
  while (done < weights.length) {
    const written = Atomics.load(i32, WEIGHTS_AT);
    if (abandon() || written < done) return false;
    while (done < written) {
      const variable = variables[v];
      const end = Math.min(written, vStart + variable.size);
      f32.set(weights.subarray(done, end), (variable.ptr() >>> 2) + done - vStart);
      done = end;
      if (done === vStart + variable.size) {
        variable.markWritten();
        vStart += variable.size;
        v++;
      }
    }
  }
  return true;
}

/** Copies rows [start, start + count) of a block of `width` values per row into a step buffer. */
function copyIn(from: Int32Array, start: number, count: number, width: number, to: Tensor): void {
  backend().views.i32.set(from.subarray(start * width, (start + count) * width), to.ptr() >>> 2);
}

/** The message that reports `e` to the main thread. */
export function errorReport(e: unknown): ReplicaErrorMessage {
  const error = e instanceof Error ? e : new Error(String(e));
  return { neurasm: 'replicaError', name: error.name, message: error.message, stack: error.stack };
}

/**
 * The body of a worker thread of a data-parallel fit: builds the replica, reports it
 * ready, then runs the steps the main thread starts until it says quit (or ends the thread). Blocks
 * the thread while it waits (Atomics.wait): everything it is told comes through the shared buffers;
 * or, where the threads cannot share memory (`init.transfer`), each step comes as a posted parcel.
 */
export async function serveReplica(port: ReplicaPort, init: ReplicaInit): Promise<void> {
  let replica: Replica;
  try {
    await ready({ relaxedSimd: init.relaxedSimd });
    const { modelFromArtifacts } = await lazyPart<ArtifactBodies>('fit');
    const model = modelFromArtifacts(init.artifacts as ModelArtifacts, 'fit (a worker thread)');
    model.compile({ optimizer: 'sgd', loss: init.loss as LossIdentifier });
    replica = new Replica(model, init);
  } catch (e) {
    port.postMessage(errorReport(e));
    return;
  }
  if (init.transfer || !init.buffers) {
    serveParcels(port, replica, init.index);
    return;
  }
  const views = sharedViews(init.buffers, init.sizes, init.index, init.dataset);
  const { i32 } = views;
  // through the shared buffer: a message posted just before Atomics.wait blocks the thread may not leave it
  let seen = Atomics.load(i32, GEN);
  Atomics.add(i32, READY, 1);
  Atomics.notify(i32, READY);
  const status = SLICE + 3 * init.index + 2;
  for (;;) {
    awaitStep(replica, i32, views.weights, seen);
    seen = Atomics.load(i32, GEN);
    if (Atomics.load(i32, COMMAND) === QUIT) return;
    if (i32[SLICE + 3 * init.index + 1] === 0) continue;
    try {
      replica.run(views);
      i32[status] = OK;
    } catch (e) {
      // the thread stops waiting, so that the message leaves it; main ends the thread
      port.postMessage(errorReport(e));
      i32[status] = FAILED;
      Atomics.add(i32, DONE, 1);
      Atomics.notify(i32, DONE);
      return;
    }
    Atomics.add(i32, DONE, 1);
    Atomics.notify(i32, DONE);
  }
}

/**
 * Waits for the main thread to start a step (GEN moves from `seen`), copying the weights it
 * publishes after each update meanwhile (it notifies GEN when it has); spins SPIN_MS before sleeping.
 */
function awaitStep(replica: Replica, i32: Int32Array, weights: Float32Array, seen: number): void {
  let until = performance.now() + SPIN_MS;
  for (let i = 1; Atomics.load(i32, GEN) === seen; i++) {
    if (replica.hasNewWeights(i32)) {
      replica.copyPublication(i32, weights);
      until = performance.now() + SPIN_MS;
    } else if ((i & 1023) === 0 && performance.now() > until) {
      Atomics.wait(i32, GEN, seen);
      until = performance.now() + SPIN_MS;
    }
  }
}

/**
 * The steps of a worker whose threads cannot share memory: each comes as a parcel (replica-parcel.ts),
 * which goes back, transferred, with the results; the first failure is reported and ends the steps.
 */
function serveParcels(port: ReplicaPort, replica: Replica, index: number): void {
  let failed = false;
  const onStep = (message: unknown) => {
    if (failed) return;
    try {
      const { parcel } = message as ReplicaStepMessage;
      replica.run(parcelViews(parcel));
      const done: ReplicaDoneMessage = { neurasm: 'replicaDone', index, parcel };
      port.postMessage(done, parcelTransfer(parcel));
    } catch (e) {
      failed = true;
      port.postMessage(errorReport(e));
    }
  };
  if (port.on) port.on('message', onStep);
  else port.addEventListener?.('message', (event) => onStep(event.data));
  port.postMessage({ neurasm: 'replicaReady' });
}
