// The worker thread's side of a data-parallel fit (replica-host.ts is the main thread's): builds
// the model from the artifacts it is started with, then, for each step the main thread starts,
// copies its rows of the batch (from the shared training set) and the shared weights (as the main
// thread writes them) into its Wasm memory, runs the train step on them and copies its loss,
// predictions and gradients out to the shared buffers.
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
import {
  type ArtifactBodies,
  COMMAND,
  controlViews,
  DONE,
  FAILED,
  GEN,
  GRADS_AT,
  LOSS,
  OK,
  QUIT,
  READY,
  type ReplicaInit,
  RNG,
  ROWS,
  SHARED_PIECE,
  SLICE,
  SPARE,
  spinWhile,
  WEIGHTS_AT,
} from './replica-layout.js';

/** Where a worker thread reports: its port to the main thread. */
export interface ReplicaPort {
  postMessage(message: unknown): void;
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

  constructor(
    private readonly model: Sequential,
    private readonly init: ReplicaInit,
  ) {
    model.random.rng = this.rng;
    model.claimRandom();
  }

  private step(rows: number): ModelStep {
    let step = this.steps.get(rows);
    if (!step) {
      step = this.model.step('train', rows, this.init.inputDType);
      step.pin();
      this.steps.set(rows, step);
      const sizes = step.variables.map((v) => v.size);
      if (sizes.join() !== this.init.variableSizes.join()) {
        throw new ValueError(
          `fit: a worker's model has variables of sizes [${sizes}], the main thread's [${this.init.variableSizes}]`,
        );
      }
    }
    return step;
  }

  /** Runs the step the control buffer describes. */
  run(i32: Int32Array, f64: Float64Array): void {
    const { index, buffers, sizes } = this.init;
    const slot = SLICE + 3 * index;
    const start = i32[slot];
    const count = i32[slot + 1];
    const total = i32[ROWS];
    this.stepsRun++;
    if (this.stepsRun === this.init.failAtStep) throw new Error(`fault injected in worker ${index}`);
    if (this.stepsRun === this.init.exitAtStep)
      (globalThis as { process?: { exit(code: number): void } }).process?.exit(1);
    const step = this.step(count);
    // this worker's rows first: the main thread writes the weights meanwhile
    const { dataset } = this.init;
    if (dataset) {
      const order = new Int32Array(dataset.order, 4 * start, count);
      gatherIn(new Int32Array(dataset.x), order, sizes.xWidth, step.x);
      gatherIn(new Int32Array(dataset.y), order, sizes.yWidth, step.y!);
    } else {
      copyIn(new Int32Array(buffers.x), start, count, sizes.xWidth, step.x);
      copyIn(new Int32Array(buffers.y), start, count, sizes.yWidth, step.y!);
    }
    copyWeightsIn(i32, new Float32Array(buffers.weights), step.variables);
    this.rng.setState([i32[RNG], i32[RNG + 1], i32[RNG + 2], i32[RNG + 3], f64[SPARE]]);
    this.model.random.rows = { start, count, total };
    const out = step.run();
    f64[LOSS + index] = step.lossValue();
    const f32 = backend().views.f32;
    const p = out.predictions.ptr() >>> 2;
    new Float32Array(buffers.preds).set(f32.subarray(p, p + count * sizes.outWidth), start * sizes.outWidth);
    const grads = new Float32Array(buffers.grads, 4 * sizes.params * (index - 1), sizes.params);
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
 * Copies the shared weights into the step's variables as the main thread writes them (it publishes
 * how many it has written in WEIGHTS_AT, in the variables' order), so that the copies overlap.
 */
function copyWeightsIn(i32: Int32Array, weights: Float32Array, variables: readonly Variable[]): void {
  const f32 = backend().views.f32;
  let done = 0;
  let v = 0;
  let vStart = 0;
  while (done < weights.length) {
    const written = Atomics.load(i32, WEIGHTS_AT);
    if (written === done) {
      if (Atomics.load(i32, COMMAND) === QUIT) throw new Error('the fit ended during a step');
      continue;
    }
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
}

/** Copies rows [start, start + count) of a shared block of `width` values per row into a step buffer. */
function copyIn(from: Int32Array, start: number, count: number, width: number, to: Tensor): void {
  backend().views.i32.set(from.subarray(start * width, (start + count) * width), to.ptr() >>> 2);
}

/** The message that reports `e` to the main thread. */
function errorReport(e: unknown): ReplicaErrorMessage {
  const error = e instanceof Error ? e : new Error(String(e));
  return { neurasm: 'replicaError', name: error.name, message: error.message, stack: error.stack };
}

/**
 * The body of a worker thread of a data-parallel fit: builds the replica, reports it
 * ready, then runs the steps the main thread starts until it says quit (or ends the thread). Blocks
 * the thread while it waits (Atomics.wait): everything it is told comes through the shared buffers.
 */
export async function serveReplica(port: ReplicaPort, init: ReplicaInit): Promise<void> {
  const { i32, f64 } = controlViews(init.buffers);
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
  // through the shared buffer: a message posted just before Atomics.wait blocks the thread may not leave it
  let seen = Atomics.load(i32, GEN);
  Atomics.add(i32, READY, 1);
  Atomics.notify(i32, READY);
  const status = SLICE + 3 * init.index + 2;
  for (;;) {
    if (!spinWhile(i32, GEN, seen)) Atomics.wait(i32, GEN, seen);
    seen = Atomics.load(i32, GEN);
    if (Atomics.load(i32, COMMAND) === QUIT) return;
    if (i32[SLICE + 3 * init.index + 1] === 0) continue;
    try {
      replica.run(i32, f64);
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
