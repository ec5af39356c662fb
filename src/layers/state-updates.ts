// State updates of layers (BatchNormalization's moving statistics): not part of the differentiated
// function, and held back by a training step until it knows the loss is finite.
import { keep } from '../ops/engine.js';
import type { Tensor } from '../ops/tensor.js';

interface HeldUpdate {
  apply(): void;
  reads: readonly Tensor[];
}

let collecting: HeldUpdate[] | null = null;

/**
 * Applies a layer's state update now, or, inside `collectStateUpdates`, holds it for the caller;
 * `reads` are the tensors `apply` reads, kept alive meanwhile.
 */
export function stateUpdate(apply: () => void, reads: readonly Tensor[]): void {
  if (!collecting) {
    apply();
    return;
  }
  for (const t of reads) keep(t);
  collecting.push({ apply, reads });
}

/** State updates held back by `collectStateUpdates`. */
export interface StateUpdates {
  /** Applies every held update (again after each replay of a trace that computed them). */
  apply(): void;
  /** Frees what the updates read; they cannot be applied afterwards. */
  release(): void;
  /** How many updates are held. */
  readonly count: number;
}

/** Runs `fn`, holding back the state updates its layers ask for. */
export function collectStateUpdates<T>(fn: () => T): { result: T; updates: StateUpdates } {
  const outer = collecting;
  const held: HeldUpdate[] = [];
  const release = () => {
    for (const u of held) for (const t of u.reads) t.dispose();
    held.length = 0;
  };
  collecting = held;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    release();
    throw e;
  } finally {
    collecting = outer;
  }
  return {
    result,
    updates: {
      apply() {
        for (const u of held) u.apply();
      },
      release,
      get count() {
        return held.length;
      },
    },
  };
}
