import type { RowSparse } from './row-sparse.js';
import type { Tensor } from './tensor.js';

/**
 * Computes the gradients of an op's inputs from the gradient of its output (null: not
 * differentiable, or not needed). `needed[i]` says whether input i's gradient will be used: an op
 * may skip the work for the others. A gradient may be row-sparse (gather's, for its table).
 */
export type BackwardFn = (dy: Tensor, needed: readonly boolean[]) => Array<Tensor | RowSparse | null>;

interface TapeNode {
  inputs: readonly Tensor[];
  output: Tensor;
  backward: BackwardFn;
}

/** The ops recorded while a gradient function runs, and which tensors depend on the watched sources. */
export class Tape {
  readonly nodes: TapeNode[] = [];
  private readonly tracked = new Set<number>();
  /** Tensors backward functions will read; a `tidy` inside the taped function must not free them. */
  private readonly retained = new Set<Tensor>();

  /** Marks a tensor as a source whose gradient is wanted. */
  watch(t: Tensor): void {
    this.tracked.add(t.id);
  }

  /** Whether a tensor depends on a watched source. */
  isTracked(t: Tensor): boolean {
    return this.tracked.has(t.id);
  }

  /** Whether a backward function recorded here will read the tensor. */
  retains(t: Tensor): boolean {
    return this.retained.has(t);
  }

  /** Records an op if any input depends on a source; `saved` are other tensors its backward reads. */
  record(inputs: readonly Tensor[], output: Tensor, backward: BackwardFn, saved: readonly Tensor[] = []): void {
    if (!inputs.some((t) => this.tracked.has(t.id))) return;
    this.tracked.add(output.id);
    this.nodes.push({ inputs, output, backward });
    for (const t of [...inputs, output, ...saved]) this.retained.add(t);
  }
}

const tapes: Tape[] = [];
let paused = 0;

/** The tape being recorded, if any (null while gradients are being computed). */
export function activeTape(): Tape | null {
  return paused > 0 || tapes.length === 0 ? null : tapes[tapes.length - 1];
}

/** Runs `fn` while recording onto a new tape; returns the tape with the result. */
export function withTape<T>(fn: (tape: Tape) => T): T {
  const tape = new Tape();
  tapes.push(tape);
  try {
    return fn(tape);
  } finally {
    tapes.pop();
  }
}

/** Runs `fn` without recording (used while backward functions run). */
export function withoutTape<T>(fn: () => T): T {
  paused++;
  try {
    return fn();
  } finally {
    paused--;
  }
}

/**
 * Every op calls this after computing its output: the op's backward, defined beside its forward,
 * goes on the active tape when an input depends on something being differentiated. `saved` lists
 * tensors other than inputs and output that the backward reads.
 */
export function record(
  inputs: readonly Tensor[],
  output: Tensor,
  backward: BackwardFn,
  saved: readonly Tensor[] = [],
): Tensor {
  activeTape()?.record(inputs, output, backward, saved);
  return output;
}

/** Whether any tape being recorded still needs the tensor for its backward pass. */
export function retainedByTape(t: Tensor): boolean {
  return tapes.some((tape) => tape.retains(t));
}
