// Sums over the threads of a data-parallel step, in the middle of the step: a BatchNormalization
// layer normalizes by the statistics of the whole batch, so each thread adds its column sums to the
// others' (ops/batch-norm.ts calls RowWindow.sumOverReplicas) and waits until all have. Every
// thread that has rows in the step (the main thread always) makes the same exchanges in the same
// order. Round r of a step writes block (r mod 2) of the shared exchange buffer: a thread can only
// start round r + 2 after every thread has arrived at round r + 1, that is, has read round r.
// Every thread adds the blocks in thread order, so all get the same bits.
import { WorkerError } from './protocol.js';
import {
  ARRIVED,
  COMMAND,
  controlViews,
  EXCHANGED,
  FAILED,
  QUIT,
  type ReplicaBuffers,
  type ReplicaSizes,
  SLICE,
  STALL_GRACE_MS,
  spinWhile,
  stallLimitMs,
} from './replica-layout.js';
import { workerThreads } from './thread-names.js';

/** Whether this thread may sleep in Atomics.wait (Node's main thread may; a page's may not): found on first try. */
let mainMayBlock: boolean | null = null;

/** A worker thread failed while the main thread waited at an exchange: its report is on its way. */
export class WorkerFailedDuringExchange extends Error {}

/** One thread's side of the exchanges of a data-parallel fit. */
export class ReplicaExchange {
  private round = 0;
  private readonly i32: Int32Array;
  private readonly values: Float64Array;
  private participants: number[] = [];
  /** How long the main thread waits for a worker that does not arrive (see replicaStall). */
  stallMs = stallLimitMs(0);

  constructor(
    buffers: Pick<ReplicaBuffers, 'control' | 'exchange'>,
    private readonly sizes: Pick<ReplicaSizes, 'threads' | 'exchangeWidth'>,
    /** This thread (0: the main thread). */
    private readonly index: number,
  ) {
    this.i32 = controlViews(buffers).i32;
    this.values = new Float64Array(buffers.exchange);
  }

  /** Starts a step: the threads with rows in it (read from the slices the main thread wrote) take part. */
  beginStep(): void {
    this.round = 0;
    this.participants = [0];
    for (let t = 1; t < this.sizes.threads; t++) if (this.i32[SLICE + 3 * t + 1] > 0) this.participants.push(t);
  }

  /** The main thread's part, before it starts a step: no thread has arrived anywhere yet. */
  static reset(i32: Int32Array, threads: number): void {
    Atomics.store(i32, ARRIVED, 0);
    for (let t = 0; t < threads; t++) Atomics.store(i32, EXCHANGED + t, 0);
  }

  /** Wakes the workers waiting at an exchange (the fit ended: they see QUIT). */
  static wake(i32: Int32Array): void {
    Atomics.notify(i32, ARRIVED);
  }

  /** Replaces `v` by its sum over the step's threads (see RowWindow.sumOverReplicas). */
  readonly sum = (v: Float64Array): void => {
    const { threads, exchangeWidth: width } = this.sizes;
    if (v.length > width) throw new Error(`exchange: ${v.length} values, room for ${width}`);
    const round = this.round++;
    const block = (round & 1) * threads * width;
    this.values.set(v, block + this.index * width);
    Atomics.store(this.i32, EXCHANGED + this.index, round + 1);
    Atomics.add(this.i32, ARRIVED, 1);
    Atomics.notify(this.i32, ARRIVED);
    const target = this.participants.length * (round + 1);
    if (this.index === 0) this.mainWaits(target, round);
    else this.workerWaits(target);
    v.fill(0);
    for (const t of this.participants) {
      const from = block + t * width;
      for (let i = 0; i < v.length; i++) v[i] += this.values[from + i];
    }
  };

  /**
   * The main thread checks the counter (a page's main thread may not sleep; Node's sleeps 20 ms at a
   * time after spinning) until every thread has arrived, or a worker has failed, or one has not
   * arrived for `stallMs`. It does not return to its event loop meanwhile, so it cannot hear of a
   * worker whose thread ended: only the time limit tells.
   */
  private mainWaits(target: number, round: number): void {
    const i32 = this.i32;
    let since = performance.now();
    let seen = Atomics.load(i32, ARRIVED);
    let graced = false;
    for (;;) {
      const now = Atomics.load(i32, ARRIVED);
      if (now >= target) return;
      if (spinWhile(i32, ARRIVED, now)) continue;
      // sleeps a little where it may, leaving the core to the workers (more threads than cores)
      if (mainMayBlock !== false) {
        try {
          Atomics.wait(i32, ARRIVED, now, 20);
          mainMayBlock = true;
        } catch {
          mainMayBlock = false;
        }
      }
      for (const t of this.participants) {
        if (t > 0 && i32[SLICE + 3 * t + 2] === FAILED) throw new WorkerFailedDuringExchange();
      }
      const at = performance.now();
      if (now !== seen) {
        seen = now;
        since = at;
      } else if (at - since > this.stallMs && !graced) {
        graced = true;
        since = at - this.stallMs + STALL_GRACE_MS;
      } else if (at - since > this.stallMs) {
        const missing = this.participants.filter((t) => Atomics.load(i32, EXCHANGED + t) <= round);
        throw new WorkerError(
          `fit (${workerThreads(missing)}): did not reach the batch statistics exchange of BatchNormalization within ${+(this.stallMs / 1000).toPrecision(3)} s; its thread may have ended without an error`,
        );
      }
    }
  }

  /** A worker sleeps between checks; it stops waiting when the fit ends (the main thread says QUIT). */
  private workerWaits(target: number): void {
    const i32 = this.i32;
    for (;;) {
      const now = Atomics.load(i32, ARRIVED);
      if (now >= target) return;
      if (Atomics.load(i32, COMMAND) === QUIT) throw new Error('the fit ended during a step');
      if (!spinWhile(i32, ARRIVED, now)) Atomics.wait(i32, ARRIVED, now, 100);
    }
  }
}
