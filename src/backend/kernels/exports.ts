// The typed kernel exports of the loaded Wasm module, bound once per module generation, so that a
// kernel call is a property read on a plain object instead of a lookup by name on the exports.
// `KernelExports` and the list of kernel names are generated from the `export function`s of
// assembly/ by `npm run build:wasm` (exports.generated.ts, from the typings asc writes): nothing here
// restates a kernel's signature.
import { BackendError } from '../../errors.js';
import { backend } from '../loader.js';
import { isRecording, markUnreplayable, noteKernelCall } from '../trace.js';
import { KERNEL_NAMES, type KernelExports } from './exports.generated.js';

export type { KernelExports } from './exports.generated.js';

/** The name of a kernel of the module. */
export type KernelName = (typeof KERNEL_NAMES)[number];

let bound: KernelExports | null = null;
let recordingBound: KernelExports | null = null;
let boundGeneration = -1;

/** Kernels whose result is a value JavaScript goes on with: a trace cannot replay that. */
const RETURNS_DATA = new Set<string>(['firstNonFinite']);

/**
 * The same kernels, each also noted by the trace being recorded (kernels that only compute a size
 * in bytes from their arguments, named `...Bytes`, are not noted: their result is the same at
 * every replay).
 */
function recordingKernels(kernels: KernelExports): KernelExports {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(kernels) as Array<[string, (...args: number[]) => unknown]>) {
    if (name.endsWith('Bytes')) out[name] = f;
    else if (RETURNS_DATA.has(name)) {
      out[name] = (...args: number[]) => {
        markUnreplayable(`kernel ${name} returned a value to JavaScript`);
        return f(...args);
      };
    } else {
      out[name] = (...args: number[]) => {
        const result = f(...args);
        noteKernelCall(name, f, args);
        return result;
      };
    }
  }
  return out as unknown as KernelExports;
}

/** The module's kernels by name, as a plain object with fast properties (Object.fromEntries). */
function bind(exports: Record<string, unknown>): KernelExports {
  const entries = KERNEL_NAMES.map((name) => {
    const f = exports[name];
    if (typeof f !== 'function') {
      throw new BackendError(`the Wasm module lacks the kernel ${name} (rebuild it: npm run build:wasm)`);
    }
    return [name, f];
  });
  return Object.fromEntries(entries) as KernelExports;
}

/**
 * The kernels of the module in use, bound on first use after each `ready()` that loads a module.
 * Throws a BackendError before `ready()`, like `backend()`.
 */
export function kernels(): KernelExports {
  const b = backend();
  if (b.generation !== boundGeneration || bound === null) {
    bound = bind(b.exports);
    recordingBound = recordingKernels(bound);
    boundGeneration = b.generation;
  }
  return isRecording() ? recordingBound! : bound;
}

/** A kernel's signature with its last argument optional. */
type LastArgumentOptional<F> = F extends (...args: infer A) => infer R
  ? A extends [...infer Head, unknown]
    ? A extends [...Head, ...infer Last]
      ? (...args: [...Head, ...Partial<Last>]) => R
      : never
    : never
  : never;

/**
 * The typed wrapper of a kernel that takes its arguments as they come: it calls `kernels()[name]`
 * at each call (so a trace being recorded notes it) and has the kernel's generated signature.
 */
export function passThrough<K extends KernelName>(name: K): KernelExports[K] {
  const call = (...args: number[]) => (kernels()[name] as (...a: number[]) => unknown)(...args);
  return call as unknown as KernelExports[K];
}

/**
 * As `passThrough`, for a kernel whose last argument a caller may leave out: it is then `last`
 * (a Wasm call would get NaN for it).
 */
export function passThroughDefaultLast<K extends KernelName>(
  name: K,
  last: number,
): LastArgumentOptional<KernelExports[K]> {
  const call = (...args: number[]) => {
    const f = kernels()[name] as (...a: number[]) => unknown;
    const arity = (bound![name] as (...a: number[]) => unknown).length; // a Wasm function's parameter count
    if (args.length < arity) args[arity - 1] = last;
    return f(...args);
  };
  return call as unknown as LastArgumentOptional<KernelExports[K]>;
}
