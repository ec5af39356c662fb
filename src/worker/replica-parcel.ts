// The steps of a data-parallel fit whose threads cannot share memory (a browser page that is not
// cross-origin isolated has no SharedArrayBuffer). The main thread keeps replica-layout.ts's buffers
// as plain ArrayBuffers and, where it would start a step in shared memory, posts each worker a
// parcel of that layout: the control slots, the weights (both complete: WEIGHTS_AT at the end) and
// its rows or row indices, transferred, not copied. The worker runs the same step on the parcel and
// posts it back, transferred, with its loss, predictions and gradients in it; the main thread
// copies its loss and predictions into its buffers and advances the counters (GRADS_AT, DONE) its
// waits check. Each worker's parcel goes back and forth for the whole fit: no step allocates one.
// Two copies of the weights' size are saved: the main thread writes the weights straight into the
// first worker's parcel (the others get a copy of them), and sums each worker's gradients from its
// parcel (home until the next step is posted) rather than from the main buffers.
import {
  controlBytes,
  controlViews,
  DONE,
  GRADS_AT,
  LOSS,
  OK,
  type ReplicaBuffers,
  type ReplicaSizes,
  type ReplicaViews,
  SLICE,
} from './replica-layout.js';

/**
 * One worker's step: buffers of replica-layout.ts's layout, plain, except that `grads` holds only
 * this worker's region, and `x` and `y` (global batch rows) or `order` (row indices into the
 * worker's copy of the training set) is empty, whichever the fit does not use.
 */
export interface ReplicaParcel {
  control: ArrayBuffer;
  weights: ArrayBuffer;
  grads: ArrayBuffer;
  preds: ArrayBuffer;
  x: ArrayBuffer;
  y: ArrayBuffer;
  order: ArrayBuffer;
}

/** Main -> worker: run the step the parcel describes. */
export interface ReplicaStepMessage {
  neurasm: 'replicaStep';
  parcel: ReplicaParcel;
}

/** Worker -> main: the worker built its model and waits for steps (posted once). */
export interface ReplicaReadyMessage {
  neurasm: 'replicaReady';
}

/** Worker -> main: the step is done; its results are in the parcel. */
export interface ReplicaDoneMessage {
  neurasm: 'replicaDone';
  index: number;
  parcel: ReplicaParcel;
}

/** A parcel for `sizes`, with the training set's row indices (`withDataset`) or the batch's rows. */
export function makeParcel(s: ReplicaSizes, withDataset: boolean): ReplicaParcel {
  const rows = (width: number) => new ArrayBuffer(withDataset ? 0 : 4 * s.batchSize * width);
  return {
    control: new ArrayBuffer(controlBytes(s.threads)),
    weights: new ArrayBuffer(4 * s.params),
    grads: new ArrayBuffer(4 * s.params),
    preds: new ArrayBuffer(4 * s.batchSize * s.outWidth),
    x: rows(s.xWidth),
    y: rows(s.yWidth),
    order: new ArrayBuffer(withDataset ? 4 * s.batchSize : 0),
  };
}

/** The parcel's buffers, to transfer with it. */
export function parcelTransfer(p: ReplicaParcel): ArrayBuffer[] {
  return [p.control, p.weights, p.grads, p.preds, p.x, p.y, p.order];
}

/** The worker's views of a parcel (its gradient region is the whole `grads`). */
export function parcelViews(p: ReplicaParcel): ReplicaViews {
  return {
    ...controlViews(p),
    weights: new Float32Array(p.weights),
    grads: new Float32Array(p.grads),
    preds: new Float32Array(p.preds),
    x: new Int32Array(p.x),
    y: new Int32Array(p.y),
    order: p.order.byteLength > 0 ? new Int32Array(p.order) : null,
  };
}

/** Where the main thread posts a worker's parcel. */
export interface ParcelPort {
  post(message: ReplicaStepMessage, transfer: ArrayBuffer[]): void;
}

/** The main thread's side: each worker's parcel, filled from the main buffers and read back (loss, predictions) into them. */
export class ParcelPost {
  /** The weights' view of each parcel's current buffer (a transferred buffer comes back as a new one). */
  private readonly weightViews: Float32Array[] = [];
  private readonly gradViews: Float32Array[] = [];
  private readonly parcels: (ReplicaParcel | null)[] = [];
  private readonly main: { control: Uint8Array; i32: Int32Array; f64: Float64Array };

  constructor(
    private readonly buffers: ReplicaBuffers,
    private readonly sizes: ReplicaSizes,
    withDataset: boolean,
  ) {
    for (let t = 1; t < sizes.threads; t++) {
      const parcel = makeParcel(sizes, withDataset);
      this.parcels.push(parcel);
      this.weightViews.push(new Float32Array(parcel.weights));
      this.gradViews.push(new Float32Array(parcel.grads));
    }
    this.main = { control: new Uint8Array(buffers.control), ...controlViews(buffers) };
  }

  /** Where the main thread writes the step's weights: the first worker's parcel (which is home between steps). */
  weights(): Float32Array {
    return this.weightViews[0];
  }

  /** Worker `t`'s gradients of the step (in its parcel, home once its step is done and until the next is posted). */
  grads(t: number): Float32Array {
    return this.gradViews[t - 1];
  }

  /**
   * Posts each worker with rows (`counts`) its step: the main control slots, the weights (written
   * in full, to the first parcel) and its rows of the batch (`order`: its row indices, else the rows
   * themselves) from the main buffers. The first worker's parcel goes last: the others copy its weights.
   */
  sendAll(ports: readonly ParcelPort[], counts: readonly number[], order: Int32Array | null): void {
    for (let t = this.parcels.length; t >= 1; t--) if (counts[t] > 0) this.send(t, ports[t - 1], order);
  }

  private send(t: number, port: ParcelPort, order: Int32Array | null): void {
    const parcel = this.parcels[t - 1];
    if (!parcel) throw new Error(`worker thread ${t} has not sent back its last step`);
    this.parcels[t - 1] = null;
    const start = this.main.i32[SLICE + 3 * t];
    const count = this.main.i32[SLICE + 3 * t + 1];
    new Uint8Array(parcel.control).set(this.main.control);
    if (t > 1) this.weightViews[t - 1].set(this.weightViews[0]);
    if (order) {
      new Int32Array(parcel.order).set(order.subarray(start, start + count), start);
    } else {
      const { xWidth, yWidth } = this.sizes;
      const rows = (from: ArrayBuffer | SharedArrayBuffer, to: ArrayBuffer, width: number) =>
        new Int32Array(to).set(new Int32Array(from, 4 * start * width, count * width), start * width);
      rows(this.buffers.x, parcel.x, xWidth);
      rows(this.buffers.y, parcel.y, yWidth);
    }
    port.post({ neurasm: 'replicaStep', parcel }, parcelTransfer(parcel));
  }

  /**
   * Takes back a worker's parcel: its loss and predictions into the main buffers (its gradients are
   * summed from the parcel: grads), then the counters as the worker would have advanced them in
   * shared memory.
   */
  receive(m: ReplicaDoneMessage): void {
    const t = m.index;
    const { params, outWidth } = this.sizes;
    const parcel = m.parcel;
    this.parcels[t - 1] = parcel;
    this.weightViews[t - 1] = new Float32Array(parcel.weights);
    this.gradViews[t - 1] = new Float32Array(parcel.grads);
    const worker = controlViews(parcel);
    const start = worker.i32[SLICE + 3 * t];
    const count = worker.i32[SLICE + 3 * t + 1];
    this.main.f64[LOSS + t] = worker.f64[LOSS + t];
    new Float32Array(this.buffers.preds).set(
      new Float32Array(parcel.preds, 4 * start * outWidth, count * outWidth),
      start * outWidth,
    );
    this.main.i32[SLICE + 3 * t + 2] = OK;
    this.main.i32[GRADS_AT + t] = params;
    this.main.i32[DONE]++;
  }
}
