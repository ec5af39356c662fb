// Memory checks that do not depend on when the garbage collector runs: a tensor an earlier test
// dropped without dispose() is freed by its finalizer (src/ops/tracking.ts) whenever JS collects it,
// which under load can fall between a test's two readings of nn.memory().
import { expect } from 'vitest';
import * as nn from '../../src/index.js';

/** `gc()`; vitest runs with --expose-gc (vitest.config.ts), so its absence is a failure, not a skip. */
export function exposedGc(): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  expect(gc, 'global gc (node --expose-gc)').toBeTypeOf('function');
  return gc as () => void;
}

/** Collects garbage until `done()` or ten rounds have passed (finalizers run between turns). */
export async function collectUntil(done: () => boolean): Promise<void> {
  const gc = exposedGc();
  for (let i = 0; i < 10 && !done(); i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** nn.memory() once what was dropped before has been collected (three rounds of gc and finalizers). */
export async function settledMemory(): Promise<ReturnType<typeof nn.memory>> {
  let rounds = 0;
  await collectUntil(() => rounds++ >= 3);
  return nn.memory();
}
