import { BackendError, ValueError } from '../errors.js';
import { fromBase64 } from './base64.js';
import { Allocator, MemoryViews } from './memory.js';
import { WASM_MODULES } from './wasm-modules.generated.js';

/** Which compiled module runs the kernels. */
export type ModuleKind = 'simd' | 'relaxed-simd';

/** What `backendInfo()` reports. */
export interface BackendInfo {
  /** The module in use: plain SIMD (deterministic reference) or relaxed SIMD (fused multiply-add). */
  module: ModuleKind;
  /** Whether this runtime validates the relaxed-SIMD module at all. */
  relaxedSimdAvailable: boolean;
  /** Size of Wasm linear memory in bytes. */
  wasmBytes: number;
}

/** Options of `ready()`. */
export interface ReadyOptions {
  /**
   * `false` forces the plain SIMD module; `true` requires relaxed SIMD (throws where it is missing);
   * left out, relaxed SIMD is used wherever the runtime validates it.
   */
  relaxedSimd?: boolean;
}

/** A loaded module: its raw exports, its allocator and its memory views. */
export interface Backend {
  readonly kind: ModuleKind;
  readonly exports: Record<string, unknown>;
  readonly memory: WebAssembly.Memory;
  readonly allocator: Allocator;
  readonly views: MemoryViews;
  /** Incremented on every module switch, so stale tensors can tell that their memory is gone. */
  readonly generation: number;
}

let current: Backend | null = null;
let loading: Promise<Backend> | null = null;
let generation = 0;
const liveCheckers: Array<() => number> = [];

/**
 * Tiny modules that tell what the runtime validates without downloading a kernel module: one
 * function `() -> v128` of `i8x16.splat` and `i8x16.popcnt` (plain SIMD), and one of
 * `i8x16.relaxed_swizzle` (relaxed SIMD).
 */
const SIMD_PROBE = fromBase64('AGFzbQEAAAABBQFgAAF7AwIBAAoKAQgAQQD9D/1iCw==');
const RELAXED_PROBE = fromBase64('AGFzbQEAAAABBQFgAAF7AwIBAAoPAQ0AQQH9D0EC/Q/9gAIL');

/** The compiled kernel modules, each fetched, gunzipped and compiled once, when first picked. */
const compiled: Partial<Record<ModuleKind, Promise<WebAssembly.Module>>> = {};

/** The kernel module `kind`: its own chunk, imported now (wasm-modules.generated.ts), gunzipped and compiled. */
async function compileModule(kind: ModuleKind): Promise<WebAssembly.Module> {
  let gzipped: Uint8Array<ArrayBuffer>;
  try {
    gzipped = fromBase64((await WASM_MODULES[kind]()).WASM_GZIP_BASE64);
  } catch (e) {
    throw new BackendError(`ready: cannot load the ${kind} Wasm module: ${(e as Error)?.message ?? String(e)}`);
  }
  if (typeof DecompressionStream !== 'function') {
    throw new BackendError(
      "ready: this runtime lacks DecompressionStream('gzip'), which unpacks the Wasm module (Node 18+, Chrome 80+, Firefox 113+, Safari 16.4+ have it)",
    );
  }
  const bytes = await new Response(
    new Blob([gzipped]).stream().pipeThrough(new DecompressionStream('gzip')),
  ).arrayBuffer();
  return WebAssembly.compile(bytes);
}

function compiledModule(kind: ModuleKind): Promise<WebAssembly.Module> {
  let pending = compiled[kind];
  if (!pending) {
    pending = compileModule(kind);
    compiled[kind] = pending;
    // a failed load (say, the network) is tried again on the next ready()
    pending.catch(() => {
      if (compiled[kind] === pending) delete compiled[kind];
    });
  }
  return pending;
}

/** Whether this runtime accepts the relaxed-SIMD module. */
export function relaxedSimdAvailable(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_PROBE);
}

function chooseKind(options: ReadyOptions): ModuleKind {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
    throw new BackendError('neurasm needs WebAssembly, which this runtime does not provide');
  }
  if (!WebAssembly.validate(SIMD_PROBE)) {
    throw new BackendError(
      'neurasm needs WebAssembly SIMD (fixed-width 128-bit), which this runtime does not support ' +
        '(Chrome/Edge 91+, Firefox 89+, Safari 16.4+, Node 16.4+ have it)',
    );
  }
  const relaxed = relaxedSimdAvailable();
  if (options.relaxedSimd === true && !relaxed) {
    throw new BackendError(
      'ready({ relaxedSimd: true }): this runtime does not support WebAssembly relaxed SIMD ' +
        '(Node 20 needs --experimental-wasm-relaxed-simd; Chrome 114+ and Node 22+ have it)',
    );
  }
  return options.relaxedSimd === false ? 'simd' : relaxed ? 'relaxed-simd' : 'simd';
}

async function instantiate(kind: ModuleKind): Promise<Backend> {
  const instance = await WebAssembly.instantiate(await compiledModule(kind), {
    env: {
      abort: () => {
        throw new BackendError('neurasm kernel aborted (internal error)');
      },
    },
  });
  const exports = instance.exports as Record<string, unknown>;
  const memory = exports.memory as WebAssembly.Memory;
  const heapBase = (exports.heapBase as () => number)();
  generation++;
  return {
    kind,
    exports,
    memory,
    allocator: new Allocator(memory, heapBase),
    views: new MemoryViews(memory),
    generation,
  };
}

/** A value for a message: numbers, booleans and strings as they are, anything else by its type. */
function brief(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return typeof v;
}

/**
 * Loads the kernels; call once and await before anything else (calling again is cheap). Picks the
 * relaxed-SIMD module where the runtime validates it, unless `relaxedSimd: false` is given.
 * Switching modules later is allowed only while no tensor is alive.
 */
export async function ready(options: ReadyOptions = {}): Promise<BackendInfo> {
  if (options === null || typeof options !== 'object') {
    throw new ValueError(`ready: expected an options object, got ${brief(options)}`);
  }
  if (options.relaxedSimd !== undefined && typeof options.relaxedSimd !== 'boolean') {
    throw new ValueError(`ready: expected relaxedSimd to be a boolean, got ${brief(options.relaxedSimd)}`);
  }
  if (loading) await loading.catch(() => undefined);
  const kind = chooseKind(options);
  if (current && current.kind !== kind) {
    const alive = liveCheckers.reduce((n, count) => n + count(), 0);
    if (alive > 0) {
      throw new BackendError(
        `ready: cannot switch from the ${current.kind} module to ${kind} while ${alive} tensor(s) are alive; dispose them first`,
      );
    }
    current = null;
  }
  if (!current) {
    loading = instantiate(kind);
    try {
      current = await loading;
    } finally {
      loading = null;
    }
  }
  return backendInfo();
}

/** Which module runs, whether relaxed SIMD is available, and the size of linear memory. */
export function backendInfo(): BackendInfo {
  const b = backend();
  return { module: b.kind, relaxedSimdAvailable: relaxedSimdAvailable(), wasmBytes: b.memory.buffer.byteLength };
}

/** The loaded backend; throws a clear error before `await nn.ready()`. */
export function backend(): Backend {
  if (!current) throw new BackendError('neurasm is not ready: call `await nn.ready()` first');
  return current;
}

/** Lets the tensor layer tell the loader how many tensors are alive (to guard module switches). */
export function registerLiveCounter(count: () => number): void {
  liveCheckers.push(count);
}
