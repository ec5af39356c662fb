import { BackendError, ValueError } from '../errors.js';

const PAGE_BYTES = 65536;
const ALIGN = 16;
/** wasm32 addresses 4 GiB at most (65536 pages). */
export const MAX_WASM_BYTES = 65536 * PAGE_BYTES;

/**
 * Rounds a request up to its size class: multiples of 16 bytes up to 4 KiB, then eight classes per
 * power of two. Blocks of one class are interchangeable, so a freed block serves the next request
 * of a similar size and a repeating workload (a training step) stops taking new memory.
 */
export function sizeClass(bytes: number): number {
  const b = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  if (b <= 4096) return b;
  const step = 2 ** (Math.floor(Math.log2(b)) - 3);
  return Math.ceil(b / step) * step;
}

/**
 * Observers of the allocator, set by the trace recorder (src/backend/trace.ts): `noted` sees every
 * new block, `kept` may keep a block a caller frees (a trace owns it).
 */
export const blockHooks: { noted: ((ptr: number) => void) | null; kept: ((ptr: number) => boolean) | null } = {
  noted: null,
  kept: null,
};

/**
 * Allocator over Wasm linear memory: size-class free lists on top of a bump pointer that grows the
 * memory on demand. Kernels never allocate, so this is the only place `memory.grow` happens.
 */
export class Allocator {
  private top: number;
  private readonly blockSize = new Map<number, number>();
  private readonly freeLists = new Map<number, number[]>();
  private live = 0;

  constructor(
    private readonly memory: WebAssembly.Memory,
    heapBase: number,
  ) {
    this.top = Math.ceil(heapBase / ALIGN) * ALIGN;
  }

  /**
   * Returns the byte offset of a fresh 16-byte-aligned block of at least `bytes` bytes. Throws a
   * BackendError (and changes nothing) when linear memory cannot grow enough.
   */
  alloc(bytes: number): number {
    if (!Number.isFinite(bytes) || bytes < 0) {
      throw new ValueError(`alloc: expected a byte count >= 0, got ${bytes}`);
    }
    const size = sizeClass(bytes);
    const reused = this.freeLists.get(size)?.pop();
    const ptr = reused ?? this.bump(size, bytes);
    this.blockSize.set(ptr, size);
    this.live += size;
    blockHooks.noted?.(ptr);
    return ptr;
  }

  /** Bytes of a live block (its size class), 0 for an unknown pointer. */
  blockBytes(ptr: number): number {
    return this.blockSize.get(ptr) ?? 0;
  }

  /** Returns a block to its free list. Freeing an unknown or already freed pointer throws. */
  free(ptr: number): void {
    const size = this.blockSize.get(ptr);
    if (size === undefined) throw new ValueError(`free: ${ptr} is not a live block`);
    if (blockHooks.kept?.(ptr)) return;
    this.blockSize.delete(ptr);
    this.live -= size;
    let list = this.freeLists.get(size);
    if (!list) {
      list = [];
      this.freeLists.set(size, list);
    }
    list.push(ptr);
  }

  /** Bytes held by live blocks. */
  get liveBytes(): number {
    return this.live;
  }

  /** Number of live blocks. */
  get liveBlocks(): number {
    return this.blockSize.size;
  }

  /** Size of the whole linear memory in bytes. */
  get wasmBytes(): number {
    return this.memory.buffer.byteLength;
  }

  private bump(size: number, requested: number): number {
    const ptr = this.top;
    const end = ptr + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      if (end > MAX_WASM_BYTES) this.outOfMemory(requested);
      // Grow by at least a quarter of the current size so that growth (which detaches every view)
      // happens a logarithmic number of times.
      const needPages = Math.ceil((end - have) / PAGE_BYTES);
      const pages = Math.min(
        Math.max(needPages, Math.ceil(have / PAGE_BYTES / 4)),
        (MAX_WASM_BYTES - have) / PAGE_BYTES,
      );
      try {
        this.memory.grow(pages);
      } catch {
        try {
          this.memory.grow(needPages);
        } catch {
          this.outOfMemory(requested);
        }
      }
    }
    this.top = end;
    return ptr;
  }

  private outOfMemory(requested: number): never {
    throw new BackendError(
      `out of memory: cannot allocate ${requested} bytes (${formatBytes(requested)}); Wasm memory is ` +
        `${formatBytes(this.wasmBytes)} with ${formatBytes(this.live)} in use, and wasm32 memory cannot ` +
        'grow past 4 GiB (dispose tensors you no longer need, or use smaller batches)',
    );
  }
}

/** A byte count for messages: `512 bytes`, `1.5 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (bytes >= 1024 * 10 && i < units.length - 1) {
    bytes /= 1024;
    i++;
  }
  return i === 0 ? `${bytes} bytes` : `${bytes.toFixed(1)} ${units[i]}`;
}

/**
 * Typed views over linear memory that stay valid across `memory.grow`: every getter checks whether
 * the buffer changed and re-creates the view if so. Never keep a view across a call that may allocate.
 */
export class MemoryViews {
  private buffer: ArrayBuffer | null = null;
  private f32View = new Float32Array(0);
  private i32View = new Int32Array(0);
  private u8View = new Uint8Array(0);
  private f64View = new Float64Array(0);

  constructor(private readonly memory: WebAssembly.Memory) {}

  /** Float32 view of all memory. */
  get f32(): Float32Array {
    this.refresh();
    return this.f32View;
  }

  /** Int32 view of all memory. */
  get i32(): Int32Array {
    this.refresh();
    return this.i32View;
  }

  /** Float64 view of all memory. */
  get f64(): Float64Array {
    this.refresh();
    return this.f64View;
  }

  /** Byte view of all memory. */
  get u8(): Uint8Array {
    this.refresh();
    return this.u8View;
  }

  private refresh(): void {
    const buf = this.memory.buffer;
    if (buf === this.buffer) return;
    this.buffer = buf;
    this.f32View = new Float32Array(buf);
    this.i32View = new Int32Array(buf);
    this.u8View = new Uint8Array(buf);
    this.f64View = new Float64Array(buf);
  }
}
