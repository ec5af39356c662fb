import { backend } from '../backend/loader.js';
import type { Layer } from '../layers/layer.js';
import { type LayerStep, withActivityPenalty } from '../layers/step.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { globalRandom, type Random } from '../random.js';
import { fusableActivation, type LossHead, type LossName, makeLossHead } from './losses.js';

/** The activation of the last layer, if it is a Dense or Activation layer (else the empty string). */
export function finalActivation(layers: readonly Layer[]): string {
  const last = layers[layers.length - 1] as (Layer & { activation?: string }) | undefined;
  // a penalty on the output needs the activation's value, which a fused loss never computes
  if (!last || last.activityRegularizer) return '';
  return last.className === 'Dense' || last.className === 'Activation' ? (last.activation ?? '') : '';
}

/**
 * A model compiled for a fixed batch size: every buffer (input, labels, activations, gradients) is
 * allocated once, and a training step is one pass of kernel calls with no allocation.
 *
 * A running fit or evaluate pins its plan: `dispose` (a model evicting it from its cache, or
 * dropping its plans) then waits until the last `unpin`, so callbacks that predict or evaluate
 * with other batch sizes never free the buffers a training step is writing.
 */
export class Plan {
  /** Input rows [maxRows, inputWidth] float32: the caller copies each batch here. */
  readonly input: number;
  /** Labels: int32 [maxRows] (sparse) or float32 [maxRows, outputWidth]; 0 for inference plans. */
  readonly labels: number;
  /** Predictions (probabilities) of the last forward pass, [maxRows, outputWidth]. */
  readonly predictions: number;
  readonly outputWidth: number;
  private readonly blocks: number[] = [];
  private readonly steps: LayerStep[] = [];
  /** The steps with state to commit after a finite training step. */
  private readonly committing: LayerStep[] = [];
  private readonly head: LossHead | null;
  private readonly random: { rng: Random | null };
  private pins = 0;
  private allocated = 0;
  private disposeWhenUnpinned = false;

  constructor(
    layers: readonly Layer[],
    readonly inputWidth: number,
    readonly maxRows: number,
    loss: { name: LossName; sparseLabels: boolean } | null,
    random: { rng: Random | null },
  ) {
    this.random = random;
    const alloc = (n: number) => {
      const ptr = backend().allocator.alloc(Math.max(1, n) * 4);
      this.blocks.push(ptr);
      this.allocated += Math.max(1, n) * 4;
      return ptr;
    };
    try {
      this.input = alloc(maxRows * inputWidth);
      const fused = loss ? fusableActivation(loss.name, finalActivation(layers)) : null;
      let input = this.input;
      // the gradient buffer of `input` (0 if there is none), and whether backward must reach it:
      // only when a layer before has weights; no input gradient is computed that nobody reads
      let inputGrad = 0;
      let needsGrad = false;
      let width = inputWidth;
      layers.forEach((layer, i) => {
        const step = withActivityPenalty(
          layer.makeStep({
            input,
            inputGrad: needsGrad ? inputGrad : 0,
            maxRows,
            inputWidth: width,
            emitLogits: fused !== null && i === layers.length - 1,
            alloc,
            uniform: () => (this.random.rng ?? globalRandom).uniform(),
          }),
          layer.activityRegularizer,
        );
        this.steps.push(step);
        if (step.commit) this.committing.push(step);
        needsGrad ||= loss !== null && step.paramGrads.length > 0;
        input = step.output;
        inputGrad = step.outputGrad;
        width = step.outputWidth;
      });
      this.outputWidth = width;
      if (loss) {
        this.labels = alloc(maxRows * (loss.sparseLabels ? 1 : width));
        this.head = makeLossHead(loss.name, {
          output: input,
          // the loss always writes its gradient; a model of weightless layers gives it a buffer of its own
          outputGrad: inputGrad || alloc(maxRows * width),
          width,
          maxRows,
          labels: this.labels,
          fusedActivation: fused,
          alloc,
        });
        this.predictions = this.head.predictions;
      } else {
        this.labels = 0;
        this.head = null;
        this.predictions = input;
      }
    } catch (e) {
      this.free();
      throw e;
    }
  }

  /** Runs the layers on the first `rows` input rows. */
  forward(rows: number, training: boolean): void {
    for (const s of this.steps) s.forward(rows, training);
  }

  /**
   * One training step on the first `rows` rows of input and labels: forward, loss, backward,
   * optimizer update. Returns the summed loss of the batch; when it is not finite, nothing is
   * updated (the weights and the layers' state, such as moving statistics, stay as they were).
   */
  trainStep(rows: number, optimizer: Optimizer): number {
    const head = this.head!;
    this.forward(rows, true);
    const lossSum = head.forward(rows) + rows * this.penalty(rows);
    if (!Number.isFinite(lossSum)) return lossSum;
    for (const s of this.committing) s.commit!();
    head.backward(rows);
    for (let i = this.steps.length - 1; i >= 0; i--) this.steps[i].backward(rows);
    optimizer.beginStep();
    for (const s of this.steps) {
      for (const p of s.paramGrads) {
        if (!p.variable.trainable) continue;
        p.regularizer?.gradientRaw(p.variable.ptr(), p.grad, p.variable.size);
        optimizer.updateRaw(p.variable, p.grad);
      }
    }
    return lossSum;
  }

  /** Forward pass and loss without updating anything (evaluation); returns the summed loss. */
  evaluateStep(rows: number): number {
    this.forward(rows, false);
    return this.head!.forward(rows) + rows * this.penalty(rows);
  }

  /** Weight and activity penalties of the last forward pass (added to the mean loss, as Keras does). */
  private penalty(rows: number): number {
    let total = 0;
    for (const s of this.steps) {
      if (s.penalty) total += s.penalty(rows);
      for (const p of s.paramGrads)
        if (p.regularizer) total += p.regularizer.penaltyRaw(p.variable.ptr(), p.variable.size);
    }
    return total;
  }

  /** Bytes of Wasm memory the plan's buffers hold. */
  get bytes(): number {
    return this.allocated;
  }

  /** Whether a running fit or evaluate holds the plan (a model's cache must not evict it then). */
  get pinned(): boolean {
    return this.pins > 0;
  }

  /** Holds the buffers alive until the matching `unpin`, whatever `dispose` calls come meanwhile. */
  pin(): void {
    this.pins++;
  }

  /** Releases a `pin`; frees the buffers if `dispose` was called while pinned. */
  unpin(): void {
    this.pins--;
    if (this.pins === 0 && this.disposeWhenUnpinned) this.free();
  }

  /** Frees every buffer, or, while pinned, as soon as the last pin is released. */
  dispose(): void {
    if (this.pins > 0) this.disposeWhenUnpinned = true;
    else this.free();
  }

  private free(): void {
    const allocator = backend().allocator;
    for (const p of this.blocks) allocator.free(p);
    this.blocks.length = 0;
    this.allocated = 0;
  }
}
