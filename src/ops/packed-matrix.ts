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
 * replay calls that read it; `refresh` re-packs it when the source's version is not the packed one.
 */
export class PackedMatrix {
  /** Byte offset of the packed copy. */
  readonly ptr: number;
  /** Module generation the block belongs to. */
  readonly generation: number;
  private packedVersion = -1;
  private freed = false;

  constructor(private readonly source: VersionedMatrix) {
    const [k, n] = source.shape;
    const b = backend();
    this.generation = b.generation;
    this.ptr = untraced(() => b.allocator.alloc(gemmPackedBBytes(k, n)));
    finalizer.register(source, { ptr: this.ptr, generation: this.generation }, this);
  }

  /** Re-packs the copy if the source changed since it was packed (not noted by a trace being recorded). */
  readonly refresh = (): void => {
    const { source } = this;
    if (this.packedVersion === source.version || this.freed) return;
    const [k, n] = source.shape;
    untraced(() => gemmPackB(source.ptr(), this.ptr, k, n));
    this.packedVersion = source.version;
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
