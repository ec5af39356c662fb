// Record and replay: the fast path of the one engine. While a function runs under `recordTrace`,
// every kernel call (through `kernels()`) and every host step (`hostStep`) is appended to a list,
// and every block of Wasm memory allocated meanwhile belongs to the trace: freeing it is deferred
// until the trace is disposed, so each temporary keeps its address. Replaying the list runs the same
// kernels on the same addresses: what the recorded run did, with no JavaScript op code in between.
import { DisposedError, ValueError } from '../errors.js';
import { backend } from './loader.js';
import { blockHooks } from './memory.js';

/** One recorded call. */
type Step = () => void;

/** What a recording collects. */
interface Recording {
  readonly steps: Step[];
  readonly names: string[];
  readonly blocks: Set<number>;
  /** Blocks for kernel temporaries (valid during one call), reused by later calls of the recording. */
  readonly workspaces: Array<{ ptr: number; bytes: number }>;
  readonly objects: Array<{ releaseFromTrace(): void }>;
  unreplayable: string | null;
  readonly generation: number;
  /** Tensors the recording read that it did not make (weights, input buffers, constants). */
  readonly reads: Set<ReadTensor>;
  /** Undoes made outside the recording's memory (caches), run if the recorded function throws. */
  readonly undos: Array<() => void>;
}

/** What the recorder needs of a tensor it read. */
interface ReadTensor {
  readonly id: number;
  readonly isDisposed: boolean;
}

let recording: Recording | null = null;
/** Blocks owned by live traces: a tensor disposed after its trace was recorded does not free them. */
const owned = new Set<number>();

/**
 * A recorded list of kernel calls over fixed addresses. `replay()` runs them again; the memory they
 * use stays reserved until `dispose()`.
 */
export class Trace {
  private disposed = false;

  /** @internal made by `recordTrace` */
  constructor(
    private readonly steps: readonly Step[],
    /** What each step is: a kernel's name, or 'host' for a host step. */
    readonly names: readonly string[],
    private readonly blocks: readonly number[],
    private readonly objects: ReadonlyArray<{ releaseFromTrace(): void }>,
    /** Why the recorded function cannot be replayed (it read tensor values in JavaScript), or null. */
    readonly unreplayable: string | null,
    /** Bytes of Wasm memory the trace holds. */
    readonly bytes: number,
    private readonly generation: number,
    private readonly reads: readonly ReadTensor[] = [],
  ) {
    traceFinalizer.register(this, { blocks, objects, generation }, this);
  }

  /** Whether `replay()` reproduces the recorded function. */
  get replayable(): boolean {
    return this.unreplayable === null;
  }

  /** Number of recorded kernel calls and host steps. */
  get length(): number {
    return this.steps.length;
  }

  /** Runs the recorded calls again, on the same memory. */
  replay(): void {
    if (this.disposed) throw new ValueError('Trace.replay: the trace was disposed');
    if (this.generation !== backend().generation) {
      throw new ValueError('Trace.replay: the backend module was replaced by ready() after the trace was recorded');
    }
    for (const t of this.reads) {
      if (t.isDisposed)
        throw new DisposedError(`Trace.replay: tensor ${t.id}, which the recorded pass reads, was disposed`);
    }
    const { steps } = this;
    for (let i = 0; i < steps.length; i++) steps[i]();
  }

  /** Frees the memory of the trace; the tensors made while it was recorded become disposed. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    traceFinalizer.unregister(this);
    for (const o of this.objects) o.releaseFromTrace();
    const b = backend();
    for (const ptr of this.blocks) owned.delete(ptr);
    if (this.generation !== b.generation) return;
    for (const ptr of this.blocks) b.allocator.free(ptr);
  }
}

/** Whether a function is being recorded. */
export function isRecording(): boolean {
  return recording !== null;
}

/**
 * Runs `fn` once, for real, and records it. Recordings do not nest. If `fn` throws, everything it
 * allocated is freed and the error is rethrown.
 */
export function recordTrace<T>(fn: () => T): { trace: Trace; result: T } {
  if (recording) throw new ValueError('recordTrace: a trace is already being recorded');
  const r: Recording = {
    steps: [],
    names: [],
    blocks: new Set(),
    workspaces: [],
    objects: [],
    unreplayable: null,
    generation: backend().generation,
    reads: new Set(),
    undos: [],
  };
  recording = r;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    recording = null;
    for (const undo of r.undos) undo();
    for (const o of r.objects) o.releaseFromTrace();
    const allocator = backend().allocator;
    for (const ptr of r.blocks) allocator.free(ptr);
    throw e;
  } finally {
    recording = null;
  }
  let bytes = 0;
  const allocator = backend().allocator;
  for (const ptr of r.blocks) {
    owned.add(ptr);
    bytes += allocator.blockBytes(ptr);
  }
  let unreplayable = r.unreplayable;
  for (const t of r.reads) {
    if (t.isDisposed) unreplayable ??= `tensor ${t.id}, which it read, was disposed while it ran`;
  }
  const trace = new Trace(r.steps, r.names, [...r.blocks], r.objects, unreplayable, bytes, r.generation, [...r.reads]);
  return { trace, result };
}

// every block allocated while recording belongs to the recording; a block a trace owns is not
// freed by the tensor that was made in it
blockHooks.noted = (ptr) => {
  recording?.blocks.add(ptr);
};
blockHooks.kept = (ptr) => owned.has(ptr) || recording?.blocks.has(ptr) === true;

// a trace dropped without dispose() (its model was collected) gives its memory back
const traceFinalizer = new FinalizationRegistry<{
  blocks: readonly number[];
  objects: ReadonlyArray<{ releaseFromTrace(): void }>;
  generation: number;
}>(({ blocks, objects, generation }) => {
  for (const o of objects) o.releaseFromTrace();
  for (const ptr of blocks) owned.delete(ptr);
  const b = backend();
  if (generation !== b.generation) return;
  for (const ptr of blocks) b.allocator.free(ptr);
});

/** @internal Notes that the recording read a tensor (at `ptr`); one it did not make is checked at every replay. */
export function noteTensorRead(t: ReadTensor, ptr: number): void {
  if (recording && !recording.blocks.has(ptr)) recording.reads.add(t);
}

/** @internal Registers something made during the recording that must let go of trace memory when the trace goes. */
export function noteTraceObject(o: { releaseFromTrace(): void }): void {
  recording?.objects.push(o);
}

/** @internal Appends a kernel call to the recording. */
export function noteKernelCall(name: string, f: (...args: number[]) => unknown, args: number[]): void {
  if (!recording) return;
  recording.steps.push(f.bind(null, ...args) as Step);
  recording.names.push(name);
}

/**
 * @internal Marks the recording as not replayable: the function did something replay cannot repeat
 * (read tensor values into JavaScript, or used a kernel's result in JavaScript).
 */
export function markUnreplayable(reason: string): void {
  if (recording && recording.unreplayable === null) recording.unreplayable = reason;
}

/**
 * Runs `fn` now, and again at every replay of the trace being recorded (if any). For work done in
 * JavaScript on Wasm memory whose addresses are fixed, e.g. drawing fresh random numbers into a
 * tensor: `fn` must read whatever changes between replays (a generator, a learning rate) when it runs.
 */
export function hostStep(fn: () => void): void {
  fn();
  if (!recording) return;
  recording.steps.push(fn);
  recording.names.push('host');
}

/** @internal Runs `undo` if the function being recorded (if any) throws: for what `untraced` made. */
export function undoIfRecordingFails(undo: () => void): void {
  recording?.undos.push(undo);
}

/**
 * @internal Runs `fn` outside the recording (if any): its kernel calls are not noted and the blocks
 * it allocates are not the trace's (for caches that outlive a trace, e.g. packed weights).
 */
export function untraced<T>(fn: () => T): T {
  const r = recording;
  recording = null;
  try {
    return fn();
  } finally {
    recording = r;
  }
}

/**
 * @internal A block for a kernel's temporaries of one call, given the shared block otherwise: while
 * recording, a block of the recording (reused by its later calls, which run one at a time).
 */
export function recordingWorkspace(bytes: number): number | null {
  const r = recording;
  if (!r) return null;
  const fit = r.workspaces.find((w) => w.bytes >= bytes);
  if (fit) return fit.ptr;
  const ptr = backend().allocator.alloc(bytes);
  r.workspaces.push({ ptr, bytes });
  return ptr;
}
