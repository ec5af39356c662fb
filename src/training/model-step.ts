import { backend } from '../backend/loader.js';
import { recordTrace, type Trace } from '../backend/trace.js';
import type { StateUpdates } from '../layers/state-updates.js';
import { dispose, keep, tidy } from '../ops/engine.js';
import { isRowSparse, type RowSparse } from '../ops/row-sparse.js';
import { type DType, Tensor, type TypedArray } from '../ops/tensor.js';
import type { Variable } from '../ops/variable.js';

/** What one run of a step leaves for the caller to read. */
export interface StepOutputs {
  /** The batch's loss (with the penalties), a scalar; null for a predict step. */
  loss: Tensor | null;
  /** The model's output for the batch. */
  predictions: Tensor;
  /**
   * Gradients of the loss, one per variable the step differentiates (train steps only); a table
   * reached only through gathered rows (an embedding's) has a row-sparse one.
   */
  grads: Array<Tensor | RowSparse>;
  /** The layers' state updates (moving statistics) the run computed, applied by `commit`. */
  updates: StateUpdates | null;
}

/** The tensors of a step's gradients (a row-sparse one has two). */
function gradTensors(grads: ReadonlyArray<Tensor | RowSparse>): Tensor[] {
  return grads.flatMap((g) => (isRowSparse(g) ? [g.indices, g.values] : [g]));
}

/** The function a step runs on its input buffers. */
export type StepFunction = (x: Tensor, y: Tensor | null) => StepOutputs;

/**
 * One kind of pass of a model (train, evaluate or predict) for one batch shape: input buffers at
 * fixed addresses, and the pass as a trace. The first `run` runs the pass's JavaScript once and
 * records its kernel calls; later runs replay them, with no op code in between. A pass that reads
 * tensor values in JavaScript cannot be replayed: it runs as it is, every time.
 *
 * The caller writes each batch into `x` (and `y`) before `run`, then reads the outputs.
 */
export class ModelStep {
  /** The input batch buffer. */
  readonly x: Tensor;
  /** The labels buffer (null for predict steps). */
  readonly y: Tensor | null;
  private trace: Trace | null = null;
  private outputs: StepOutputs | null = null;
  private eager = false;
  private pins = 0;
  private disposeWhenUnpinned = false;
  private disposed = false;

  constructor(
    private readonly fn: StepFunction,
    /** The variables a train step differentiates, in the order of its gradients. */
    readonly variables: readonly Variable[],
    xShape: readonly number[],
    xDType: DType,
    yShape: readonly number[] | null,
    yDType: DType,
  ) {
    this.x = keep(new Tensor(xShape, xDType, false));
    try {
      this.y = yShape ? keep(new Tensor(yShape, yDType, false)) : null;
    } catch (e) {
      this.x.dispose();
      throw e;
    }
  }

  /** Runs the pass on the buffers' contents. The outputs stay valid until the next run or `dispose`. */
  run(): StepOutputs {
    if (this.trace && !this.eager) {
      this.trace.replay();
      return this.outputs!;
    }
    this.releaseOutputs();
    const pass = () => {
      const outputs = tidy(() => this.fn(this.x, this.y));
      // out of every scope: a tidy the caller runs us in must not free the trace's tensors
      for (const t of [outputs.loss, outputs.predictions, ...gradTensors(outputs.grads)]) if (t) keep(t);
      return outputs;
    };
    if (this.eager) {
      this.outputs = pass();
      return this.outputs;
    }
    const { trace, result } = recordTrace(pass);
    this.trace = trace;
    this.outputs = result;
    this.eager = !trace.replayable;
    return result;
  }

  /** The loss of the last run (a read of Wasm memory: no copy). */
  lossValue(): number {
    const loss = this.outputs!.loss!;
    return backend().views.f32[loss.ptr() >>> 2];
  }

  /**
   * Views of the labels and the predictions of the last run, for metrics: made again only when the
   * outputs or Wasm memory's buffer changed (a replayed trace keeps its outputs).
   */
  metricViews(): { labels: TypedArray; predictions: TypedArray } {
    const f32 = backend().views.f32;
    const outputs = this.outputs!;
    if (this.cachedViews?.f32 !== f32 || this.cachedViews.outputs !== outputs) {
      this.cachedViews = { f32, outputs, labels: this.y!.view(), predictions: outputs.predictions.view() };
    }
    return this.cachedViews;
  }

  private cachedViews: {
    f32: Float32Array;
    outputs: StepOutputs;
    labels: TypedArray;
    predictions: TypedArray;
  } | null = null;

  /** Whether the last run completed (a step whose first run failed holds nothing worth caching). */
  get ran(): boolean {
    return this.outputs !== null;
  }

  /** Whether runs replay a trace (false before the first run, and for passes that cannot be replayed). */
  get replays(): boolean {
    return this.trace !== null && !this.eager;
  }

  /** Bytes of Wasm memory the step holds besides the model's weights. */
  get bytes(): number {
    return (this.trace?.bytes ?? 0) + (this.x.size + (this.y?.size ?? 0)) * 4;
  }

  /** Keeps the step alive while a fit or evaluate uses it (see `dispose`). */
  pin(): void {
    this.pins++;
  }

  /** Ends a `pin`; a dispose asked for meanwhile happens now. */
  unpin(): void {
    this.pins--;
    if (this.pins === 0 && this.disposeWhenUnpinned) this.dispose();
  }

  /** Whether a running fit or evaluate holds the step. */
  get pinned(): boolean {
    return this.pins > 0;
  }

  private releaseOutputs(): void {
    const o = this.outputs;
    this.outputs = null;
    if (o) {
      o.updates?.release();
      if (!this.trace) dispose([o.loss, o.predictions, ...gradTensors(o.grads)]);
    }
    this.trace?.dispose();
    this.trace = null;
  }

  /** Frees the buffers and the trace (after the last `unpin` if the step is pinned). */
  dispose(): void {
    if (this.disposed) return;
    if (this.pins > 0) {
      this.disposeWhenUnpinned = true;
      return;
    }
    this.disposed = true;
    this.releaseOutputs();
    this.x.dispose();
    this.y?.dispose();
  }
}
