import { keep } from '../ops/engine.js';
import type { Tensor } from '../ops/tensor.js';

interface HeldUpdate {
  apply(): void;
  reads: readonly Tensor[];
}

let holding: HeldUpdate[] | null = null;

/**
 * Applies a state change a training forward pass makes beside the differentiated function
 * (BatchNormalization's moving statistics): at once, or, inside `holdStateUpdates`, when the caller
 * commits. `reads` are the tensors `apply` reads; a held update keeps them alive until then.
 */
export function stateUpdate(apply: () => void, reads: readonly Tensor[]): void {
  if (!holding) {
    apply();
    return;
  }
  for (const t of reads) keep(t);
  holding.push({ apply, reads });
}

/** What `holdStateUpdates` returns: the function's result and its held state updates. */
export interface HeldStateUpdates<T> {
  result: T;
  /** Applies the held updates, in order. */
  commit(): void;
  /** Drops them. */
  discard(): void;
}

/**
 * Runs `fn`, holding back the state updates it makes, so fit's tape step applies them only when the
 * loss is finite (as the compiled step does). Call exactly one of `commit` or `discard`.
 */
export function holdStateUpdates<T>(fn: () => T): HeldStateUpdates<T> {
  const outer = holding;
  const held: HeldUpdate[] = [];
  const release = () => {
    for (const u of held) for (const t of u.reads) t.dispose();
    held.length = 0;
  };
  holding = held;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    release();
    throw e;
  } finally {
    holding = outer;
  }
  return {
    result,
    commit() {
      try {
        for (const u of held) u.apply();
      } finally {
        release();
      }
    },
    discard: release,
  };
}
