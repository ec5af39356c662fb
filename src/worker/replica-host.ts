// The main thread's side of a data-parallel fit (`fit(x, y, { workers })`): the main thread and
// n − 1 worker threads (replica-serve.ts) each hold the model; every step, each computes the loss
// and gradients of its slice of the global batch, the main thread sums the gradients in a fixed
// order, weighted by the slices' rows, and applies one optimizer update to its model, whose weights
// the workers copy before the next step. Everything goes through shared buffers (replica-layout.ts);
// where memory cannot be shared (a page that is not cross-origin isolated), the same buffers are
// plain and each step posts every worker a parcel of them, which comes back with its results
// (replica-parcel.ts).
//
// The gradient of the batch's mean loss is Σ_t (rows_t / rows) × (gradient of slice t's mean loss);
// a slice's loss carries the regularization penalty once, and the weights Σ rows_t / rows = 1 keep
// it once in the sum. Noise layers draw for the whole batch in every thread (from the state of the
// fit's generator at the step's start) and keep their slice's rows, so the masks are those of a
// single-threaded fit. BatchNormalization layers add their column sums over the threads in the middle
// of the step (replica-exchange.ts), so every thread normalizes by the whole batch's statistics; the
// main thread's moving statistics are then those of a single-threaded fit, within rounding.
import { axpby, axpy, scale } from '../backend/kernels/elementwise.js';
import { backend } from '../backend/loader.js';
import { ValueError } from '../errors.js';
import type { BatchTrainer } from '../models/batch-trainer.js';
import { gatherRows } from '../models/batches.js';
import type { TrainableModel } from '../models/trainable.js';
import { keep } from '../ops/engine.js';
import { isRowSparse } from '../ops/row-sparse.js';
import { Tensor } from '../ops/tensor.js';
import { globalRandom } from '../random.js';
import type { Rows } from '../training/inputs.js';
import type { Metric } from '../training/metrics.js';
import type { ModelStep } from '../training/model-step.js';
import { errorFrom, WorkerError } from './protocol.js';
import { MAIN_SHARE } from './replica-auto.js';
import { DenseGradients } from './replica-dense.js';
import { ReplicaExchange, WorkerFailedDuringExchange } from './replica-exchange.js';
import {
  COMMAND,
  controlViews,
  DONE,
  FAILED,
  GEN,
  GRADS_AT,
  LOSS,
  QUIT,
  READY,
  type ReplicaBuffers,
  type ReplicaDataset,
  type ReplicaInit,
  type ReplicaSizes,
  RNG,
  ROWS,
  RUNNING,
  replicaStall,
  SHARED_PIECE,
  SLICE,
  SPARE,
  STALL_GRACE_MS,
  STEP,
  STEP_WEIGHTS,
  spinWhile,
  splitRows,
  stallLimitMs,
  WEIGHTS_AT,
  WEIGHTS_GEN,
} from './replica-layout.js';
import { ParcelPost, type ReplicaDoneMessage } from './replica-parcel.js';
import type { ReplicaErrorMessage } from './replica-serve.js';
import { type ReplicaThread, startReplicaThread } from './replica-threads.js';
import { workerThreads } from './thread-names.js';

// Atomics.waitAsync (ES2024; Node 16+, Chrome 87+), typed here for the ES2022 lib
type WaitAsync = (
  view: Int32Array,
  index: number,
  value: number,
  timeout?: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/** The error a worker reported, as its own class, naming the thread. */
function reported(index: number, m: ReplicaErrorMessage): Error {
  return errorFrom({
    neurasm: 'error',
    id: 0,
    name: m.name,
    message: `fit (worker thread ${index}): ${m.message}`,
    stack: m.stack,
  });
}

/** A data-parallel fit's trainer on the main thread (see the file comment; replica-start.ts makes it). */
export class ReplicaTrainer implements BatchTrainer {
  private readonly steps = new Map<number, ModelStep>();
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  /** Where the weights go each step: the shared buffer, or the first worker's parcel (transfer). */
  private weights: Float32Array;
  private readonly workerGrads: Float32Array[] = [];
  private readonly x: Int32Array;
  private readonly y: Int32Array;
  private readonly labels: Float32Array | Int32Array;
  private readonly preds: Float32Array;
  private readonly threads: ReplicaThread[] = [];
  /** Rejects when a worker fails; each step races it. */
  readonly failed: Promise<never>;
  private fail!: (e: Error) => void;
  private failure: Error | null = null;
  private released = false;
  /** A worker's gradients, copied into Wasm memory to be summed. */
  private readonly staged: Tensor;
  /** The step's rows as indices into the shared training set (null: the rows are shared every step). */
  private readonly order: Int32Array | null;
  /** Dense blocks for row-sparse gradients (an embedding's), summed and applied as dense gradients. */
  private readonly dense = new DenseGradients();
  /** Where the threads share no memory: the workers' parcels, posted each step (else null). */
  private readonly parcels: ParcelPost | null;
  /** Resolves when a worker's message has arrived (where the threads share no memory). */
  private arrived: { promise: Promise<void>; resolve(): void } | null = null;
  /** The batch statistics exchanges of the model's BatchNormalization layers (null: it has none). */
  private readonly exchange: ReplicaExchange | null;
  /** Publications of the shared weights begun (WEIGHTS_GEN), and the variables' versions in the last. */
  private published = 0;
  private publishedVersions: number[] = [];
  /** Milliseconds this thread took for its share of the last step (a worker's should be alike). */
  private mainStepMs = 0;

  constructor(
    private readonly model: TrainableModel,
    private readonly xs: Rows,
    private readonly ys: Rows,
    private readonly sizes: ReplicaSizes,
    buffers: ReplicaBuffers,
    private readonly inputDType: 'float32' | 'int32',
    order: SharedArrayBuffer | ArrayBuffer | undefined,
    transfer: boolean,
  ) {
    this.order = order ? new Int32Array(order) : null;
    this.parcels = transfer ? new ParcelPost(buffers, sizes, order !== undefined) : null;
    ({ i32: this.i32, f64: this.f64 } = controlViews(buffers));
    this.weights = new Float32Array(buffers.weights);
    for (let t = 1; t < sizes.threads && !transfer; t++) {
      this.workerGrads.push(new Float32Array(buffers.grads, 4 * sizes.params * (t - 1), sizes.params));
    }
    this.x = new Int32Array(buffers.x);
    this.y = new Int32Array(buffers.y);
    this.labels = ys.tensor.dtype === 'int32' ? this.y : new Float32Array(buffers.y);
    this.preds = new Float32Array(buffers.preds);
    this.failed = new Promise<never>((_, reject) => {
      this.fail = (e) => {
        this.failure ??= e;
        reject(this.failure);
      };
    });
    this.failed.catch(() => {});
    this.staged = keep(new Tensor([sizes.params], 'float32'));
    this.exchange = sizes.exchangeWidth > 0 ? new ReplicaExchange(buffers, sizes, 0) : null;
  }

  /** This thread's train step for a slice of `rows` examples (pinned until release). */
  step(rows: number): ModelStep {
    let step = this.steps.get(rows);
    if (!step) {
      step = this.model.step('train', rows, this.inputDType);
      step.pin();
      this.steps.set(rows, step);
    }
    return step;
  }

  /**
   * Starts the worker threads and waits until each has built its model. Where the threads share no
   * memory, `copies` holds each one's own copy of the training set (transferred), if it is sent.
   */
  async start(init: Omit<ReplicaInit, 'index'>, copies?: ReplicaDataset[]): Promise<void> {
    for (let index = 1; index < this.sizes.threads; index++) {
      const dataset = copies ? copies[index - 1] : init.dataset;
      const thread = await startReplicaThread(
        {
          ...init,
          index,
          dataset,
          failAtStep: index === 1 ? init.failAtStep : undefined,
          exitAtStep: index === 1 ? init.exitAtStep : undefined,
          hangAtStep: index === 1 ? init.hangAtStep : undefined,
        },
        {
          onMessage: (m) => this.received(index, m),
          onFailure: (e) => this.fail(new WorkerError(`fit (worker thread ${index}): ${e.message}`)),
        },
        copies && dataset
          ? { shareless: true, transfer: [dataset.x as ArrayBuffer, dataset.y as ArrayBuffer] }
          : { shareless: this.parcels !== null },
      );
      this.threads.push(thread);
    }
    await this.waitFor(READY, this.sizes.threads - 1, () => 'a worker thread, while it built the model');
  }

  /** A worker's message: its failure, or (where the threads share no memory) that it is ready or done with a step. */
  private received(index: number, m: unknown): void {
    const kind = (m as { neurasm?: string } | null)?.neurasm;
    if (kind === 'replicaError') this.fail(reported(index, m as ReplicaErrorMessage));
    else if (kind === 'replicaReady') this.i32[READY]++;
    else if (kind === 'replicaDone') this.parcels?.receive(m as ReplicaDoneMessage);
    else return;
    const arrived = this.arrived;
    this.arrived = null;
    arrived?.resolve();
  }

  async train(order: Int32Array | null, start: number, rows: number, metrics: Metric[]): Promise<number> {
    if (this.failure) throw this.failure;
    const { threads, xWidth, yWidth, outWidth } = this.sizes;
    const { starts, counts } = splitRows(rows, threads, MAIN_SHARE);
    const step = this.step(counts[0]);
    const views = backend().views;
    const xi = views.i32;
    const yBase = this.ys.tensor.ptr() >>> 2;
    /** Labels (and with `withX` input rows) of batch rows [from, to) into the shared blocks. */
    const shareRows = (from: number, to: number, withX: boolean) => {
      const xBase = this.xs.tensor.ptr() >>> 2;
      for (let r = from; r < to; r++) {
        const row = order ? order[start + r] : start + r;
        if (withX) this.x.set(xi.subarray(xBase + row * xWidth, xBase + (row + 1) * xWidth), r * xWidth);
        this.y.set(xi.subarray(yBase + row * yWidth, yBase + (row + 1) * yWidth), r * yWidth);
      }
    };
    // the workers' rows: their indices in the shared training set (each worker copies its own), or the rows themselves
    if (this.order) {
      for (let r = counts[0]; r < rows; r++) this.order[r] = order ? order[start + r] : start + r;
    } else {
      shareRows(counts[0], rows, true);
    }
    // the step: the generator's state at its start, each worker's slice; then go
    const random = this.model.random;
    const rng = random.rng ?? globalRandom;
    const state = rng.state();
    for (let k = 0; k < 4; k++) this.i32[RNG + k] = state[k];
    this.f64[SPARE] = state[4];
    let active = 0;
    for (let t = 1; t < threads; t++) {
      this.i32[SLICE + 3 * t] = starts[t];
      this.i32[SLICE + 3 * t + 1] = counts[t];
      if (counts[t] > 0) {
        this.i32[SLICE + 3 * t + 2] = RUNNING;
        active++;
      }
    }
    this.i32[ROWS] = rows;
    this.i32[COMMAND] = STEP;
    if (this.exchange) {
      ReplicaExchange.reset(this.i32, threads);
      this.exchange.beginStep();
      this.exchange.stallMs = stallLimitMs(this.mainStepMs);
    }
    Atomics.store(this.i32, DONE, 0);
    for (let t = 1; t < threads; t++) Atomics.store(this.i32, GRADS_AT + t, 0);
    if (this.parcels) {
      // no shared memory: the weights in full, then each worker's parcel posted
      Atomics.store(this.i32, WEIGHTS_AT, 0);
      this.weights = this.parcels.weights();
      this.shareWeights(step);
      this.parcels.sendAll(this.threads, counts, this.order);
    } else {
      // the weights the workers have from the last update, unless a callback changed them since
      const publish = this.published === 0 || step.variables.some((v, i) => v.version !== this.publishedVersions[i]);
      this.i32[STEP_WEIGHTS] = this.published + (publish ? 1 : 0);
      Atomics.add(this.i32, GEN, 1);
      Atomics.notify(this.i32, GEN);
      if (publish) this.publishWeights(step);
    }
    // this thread's rows into its step (and its labels into the shared block, for the metrics)
    gatherRows(this.xs.tensor, step.x.ptr(), order, start, counts[0], xWidth);
    gatherRows(this.ys.tensor, step.y!.ptr(), order, start, counts[0], yWidth);
    const withMetrics = metrics.length > 0;
    if (withMetrics) shareRows(0, this.order ? rows : counts[0], false);
    // this thread's slice, meanwhile
    random.rows = { start: 0, count: counts[0], total: rows, sumOverReplicas: this.exchange?.sum };
    let out: ReturnType<ModelStep['run']>;
    const began = performance.now();
    try {
      out = step.run();
      this.mainStepMs = performance.now() - began;
    } catch (e) {
      // a worker failed while this thread waited for its statistics: its report is the error
      if (e instanceof WorkerFailedDuringExchange) await this.failed;
      throw e;
    } finally {
      random.rows = null;
    }
    const optimizer = this.model.compiled!.optimizer;
    if (out.grads.some(isRowSparse) && (optimizer as { lazy?: unknown }).lazy === true) {
      throw new ValueError(
        'fit: workers other than 1 cannot train a model with a trainable Embedding under a lazy optimizer (adam({ lazy: true }) updates only the rows present in the batch; the threads hand over dense gradients); use workers: 1 or lazy: false',
      );
    }
    // an embedding's row-sparse gradient as its dense block: the threads sum dense gradients
    const grads = this.dense.of(out.grads);
    const f32 = backend().views.f32;
    const pp = out.predictions.ptr() >>> 2;
    if (withMetrics) this.preds.set(f32.subarray(pp, pp + counts[0] * outWidth), 0);
    // Σ_t (counts[t] / rows) × slice t's gradients, summed as the workers write theirs
    await this.sumGradients(grads, counts, rows);
    await this.waitForWorkers(active);
    // the batch's loss: the slices' mean losses weighted by their rows
    let loss = (step.lossValue() * counts[0]) / rows;
    for (let t = 1; t < threads; t++) if (counts[t] > 0) loss += (this.f64[LOSS + t] * counts[t]) / rows;
    if (!Number.isFinite(loss)) return loss * rows;
    for (const m of metrics) m.update(this.labels, this.preds, rows, outWidth);
    // the moving statistics, from the whole batch's (this thread's layers exchanged theirs)
    out.updates?.apply();
    optimizer.applyGradientList(step.variables, grads);
    if (!this.parcels) {
      // the updated weights, which the workers copy while this thread returns to the fit's loop
      this.publishWeights(step);
      Atomics.notify(this.i32, GEN);
    }
    return loss * rows;
  }

  /**
   * Begins a publication of the shared weights and writes them. Their progress goes back to 0
   * before the publication is announced, so that a worker that sees the announcement reads this
   * publication's progress; one still copying the last sees the announcement change and starts over.
   */
  private publishWeights(step: ModelStep): void {
    Atomics.store(this.i32, WEIGHTS_AT, 0);
    Atomics.store(this.i32, WEIGHTS_GEN, ++this.published);
    this.shareWeights(step);
    this.publishedVersions = step.variables.map((v) => v.version);
  }

  /** The weights as they are now, in pieces the workers copy as they come. */
  private shareWeights(step: ModelStep): void {
    const f32 = backend().views.f32;
    let at = 0;
    for (const v of step.variables) {
      const p = v.ptr() >>> 2;
      for (let from = 0; from < v.size; from += SHARED_PIECE) {
        const to = Math.min(v.size, from + SHARED_PIECE);
        this.weights.set(f32.subarray(p + from, p + to), at + from);
        Atomics.store(this.i32, WEIGHTS_AT, at + to);
      }
      at += v.size;
    }
  }

  /**
   * Waits until the counter at `slot` reaches `count`; rejects with a worker's failure, or when the
   * counter stays still for longer than a silent worker is waited for (stallLimitMs; `waitedFor`
   * names the thread in that error). Where the threads share no memory, the counters move when a
   * worker's message arrives, so it waits for those.
   */
  private async waitFor(slot: number, count: number, waitedFor: () => string): Promise<void> {
    const limit = slot === READY ? replicaStall.startMs : stallLimitMs(this.mainStepMs);
    let seen = Atomics.load(this.i32, slot);
    let since = performance.now();
    let graced = false;
    for (;;) {
      if (this.failure) throw this.failure;
      const now = Atomics.load(this.i32, slot);
      if (now >= count) return;
      const at = performance.now();
      if (now !== seen) {
        seen = now;
        since = at;
      } else if (at - since > limit && !graced) {
        graced = true;
        since = at - limit + STALL_GRACE_MS;
      } else if (at - since > limit) {
        const share =
          slot === READY ? '' : ` (this thread's share of a step takes ${(this.mainStepMs / 1000).toFixed(2)} s)`;
        this.fail(
          new WorkerError(
            `fit (${waitedFor()}): no word from it for ${+(limit / 1000).toPrecision(3)} s${share}; its thread may have ended without an error`,
          ),
        );
        throw this.failure;
      }
      const timeout = Math.max(1, limit - (at - since));
      if (this.parcels) {
        if (!this.arrived) {
          let resolve!: () => void;
          const promise = new Promise<void>((r) => {
            resolve = r;
          });
          this.arrived = { promise, resolve };
        }
        await Promise.race([this.arrived.promise, this.failed, new Promise((r) => setTimeout(r, timeout))]);
        continue;
      }
      if (spinWhile(this.i32, slot, now)) continue;
      if (waitAsync) {
        const w = waitAsync(this.i32, slot, now, timeout);
        if (w.async) await Promise.race([w.value, this.failed]);
      } else {
        await Promise.race([new Promise((r) => setTimeout(r, 0)), this.failed]);
      }
    }
  }

  /** Waits until `active` workers have finished the step; rejects with a worker's failure. */
  private async waitForWorkers(active: number): Promise<void> {
    await this.waitFor(DONE, active, () => this.running());
    for (let t = 1; t < this.sizes.threads; t++) {
      if (this.i32[SLICE + 3 * t + 2] === FAILED) await this.failed;
    }
  }

  /**
   * Writes Σ_t (counts[t] / rows) × slice t's gradients into this thread's gradient buffers, in
   * thread order: each worker's block is copied into Wasm memory and added by the SIMD kernels
   * piece by piece as the worker writes it (the kernels work on each value alone, so the pieces
   * give the bits of whole blocks). This thread's own share is scaled in the pass that adds the
   * first worker's (axpby: the bits of scaling first).
   */
  private async sumGradients(grads: Tensor[], counts: number[], rows: number): Promise<void> {
    const own = counts[0] / rows;
    let scaled = false;
    const staged = this.staged.ptr();
    for (let t = 1; t < this.sizes.threads; t++) {
      if (counts[t] === 0) continue;
      const alpha = counts[t] / rows;
      const first = !scaled;
      scaled = true;
      let at = 0;
      for (const g of grads) {
        // the pieces the worker writes (replica-serve.ts), each once it is written
        for (let start = 0; start < g.size; start += SHARED_PIECE) {
          const end = Math.min(g.size, start + SHARED_PIECE);
          await this.waitFor(GRADS_AT + t, at + end, () => `worker thread ${t}`);
          // (taken after the wait: a worker's parcel comes back as a new buffer)
          const from = this.parcels ? this.parcels.grads(t) : this.workerGrads[t - 1];
          backend().views.f32.set(from.subarray(at + start, at + end), (staged >>> 2) + at + start);
          const piece = staged + 4 * (at + start);
          if (first) axpby(piece, g.ptr() + 4 * start, end - start, alpha, own);
          else axpy(piece, g.ptr() + 4 * start, end - start, alpha);
        }
        at += g.size;
      }
    }
    if (!scaled) for (const g of grads) scale(g.ptr(), g.ptr(), g.size, own);
  }

  /** The worker threads that have not finished the current step, named for an error. */
  private running(): string {
    const threads: number[] = [];
    for (let t = 1; t < this.sizes.threads; t++) if (this.i32[SLICE + 3 * t + 2] === RUNNING) threads.push(t);
    return workerThreads(threads);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.i32[COMMAND] = QUIT;
    Atomics.add(this.i32, GEN, 1);
    Atomics.notify(this.i32, GEN);
    Atomics.notify(this.i32, DONE);
    ReplicaExchange.wake(this.i32);
    for (const step of this.steps.values()) {
      step.unpin();
      this.model.doneStep(step);
    }
    this.steps.clear();
    this.staged.dispose();
    this.dense.dispose();
    await Promise.all(this.threads.map((t) => t.terminate()));
  }
}
