// tidy, keep and dispose: the scopes of tensors' lives (tracking.ts counts them).
import { ValueError } from '../errors.js';
import { retainedByTape } from './tape.js';
import { isTensor, type Tensor } from './tensor.js';
import { scopes } from './tracking.js';

export { type MemoryInfo, memory } from './tracking.js';

/**
 * Collects what a tidy result contains: a tensor, or tensors inside arrays and plain objects, at
 * any depth (walked with a stack, each container once, so deep or cyclic containers are fine).
 */
function tensorsIn(value: unknown, out: Set<Tensor>): void {
  const seen = new Set<object>();
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (isTensor(v)) out.add(v);
    else if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    else if (Array.isArray(v)) {
      seen.add(v);
      for (const item of v) pending.push(item);
    } else if (Object.getPrototypeOf(v) === Object.prototype) {
      seen.add(v);
      for (const item of Object.values(v)) pending.push(item);
    }
  }
}

/**
 * Runs `fn` and disposes every tensor it created, except the tensors it returns (alone, in an array
 * or in a plain object) and those passed to `keep()`. Scopes nest. `fn` must be synchronous.
 */
export function tidy<T>(fn: () => T): T;
export function tidy<T>(name: string, fn: () => T): T;
export function tidy<T>(nameOrFn: string | (() => T), maybeFn?: () => T): T {
  const fn = typeof nameOrFn === 'function' ? nameOrFn : maybeFn;
  if (typeof fn !== 'function') throw new ValueError('tidy: expected a function');
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) {
      throw new ValueError('tidy: the function must be synchronous (it returned a Promise)');
    }
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  const kept = new Set<Tensor>();
  tensorsIn(result, kept);
  for (const t of scope) {
    // results, and tensors a tape's backward will still read, move to the enclosing scope
    if (kept.has(t) || retainedByTape(t)) {
      if (scopes.length > 0) scopes[scopes.length - 1].add(t);
    } else t.dispose();
  }
  return result;
}

/** Keeps a tensor created inside `tidy` alive after the scope ends. Returns it. */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

/** Disposes a tensor, or every tensor in an array or plain object. */
export function dispose(container: unknown): void {
  const found = new Set<Tensor>();
  tensorsIn(container, found);
  for (const t of found) t.dispose();
}
