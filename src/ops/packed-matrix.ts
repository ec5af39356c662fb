// Inference copies of weight matrices: a Dense kernel [k, n] packed once into the GEMM's panels, so
// that predict neither packs it at every call (batch 128) nor reads it at a stride of n floats
// (batch 1), and packed again only after its values changed (the owner's version moved on).
import { gemmPackB, gemmPackedBBytes } from '../backend/kernels/gemm.js';
import { backend } from '../backend/loader.js';
import { untraced } from '../backend/trace.js';

/** What a packed copy is made from: a [k, n] float32 matrix whose `version` changes at every write. */
export interface VersionedMatrix {
  readonly version: number;
  readonly shape: readonly number[];
  ptr(op?: string): number;
}

// a matrix collected without dispose() gives its packed copy back
const finalizer = new FinalizationRegistry<{ ptr: number; generation: number }>(({ ptr, generation }) => {
  const b = backend();
  if (b.generation === generation) b.allocator.free(ptr);
});

/**
 * @internal A packed copy (gemmPackB's layout) of a matrix, for `gemmPacked`. Its block is allocated
 * outside any trace being recorded and lives until `free` (its owner's dispose), so a trace may
 * replay calls that read it. `refresh`, run before each use, keeps it honest: after the source
 * changed it marks the copy invalid (gemmPacked then reads the source in place), and packs it only
 * when a second use sees the same values, so alternating writes and single predicts (a training
 * loop that predicts after every step) never pay for packing.
 */
export class PackedMatrix {
  /** Byte offset of the packed copy (its header, then the panels). */
  readonly ptr: number;
  /** Module generation the block belongs to. */
  readonly generation: number;
  /** Source version the panels hold, -1 for none. */
  private packedVersion = -1;
  /** Source version the last refresh saw. */
  private seenVersion = -1;
  private freed = false;

  constructor(private readonly source: VersionedMatrix) {
    const [k, n] = source.shape;
    const b = backend();
    this.generation = b.generation;
    this.ptr = untraced(() => b.allocator.alloc(gemmPackedBBytes(k, n)));
    b.views.i32[this.ptr >>> 2] = 0; // not packed yet
    finalizer.register(source, { ptr: this.ptr, generation: this.generation }, this);
  }

  /** Brings the copy up to date with the source, or marks it invalid (not noted by a trace being recorded). */
  readonly refresh = (): void => {
    const { source } = this;
    const version = source.version;
    if (version === this.packedVersion || this.freed) return;
    if (version === this.seenVersion) {
      const [k, n] = source.shape;
      untraced(() => gemmPackB(source.ptr(), this.ptr, k, n));
      this.packedVersion = version;
      return;
    }
    this.seenVersion = version;
    if (this.packedVersion !== -1) {
      backend().views.i32[this.ptr >>> 2] = 0;
      this.packedVersion = -1;
    }
  };

  /** Frees the packed copy. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    finalizer.unregister(this);
    const b = backend();
    if (b.generation === this.generation) b.allocator.free(this.ptr);
  }
}
