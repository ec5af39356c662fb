// Row-sparse gradients (an embedding's, src/ops/row-sparse.ts) made dense for a data-parallel fit:
// the threads hand over and sum gradients as blocks of each variable's size, so each thread writes
// its row-sparse gradient into a dense [rows, ...] block (zeros plus each row at its index), and the
// main thread updates from the summed dense gradient. The optimizers' default row-sparse update is
// the dense update of that dense gradient (every row updated), so only lazy updates (`adam({ lazy:
// true })`, rows present only) differ; fit refuses those (replica-host.ts).
import { scatterAddRows } from '../backend/kernels/indexing.js';
import { backend } from '../backend/loader.js';
import { keep } from '../ops/engine.js';
import { isRowSparse, type RowSparse, rowSizeOf } from '../ops/row-sparse.js';
import { Tensor } from '../ops/tensor.js';

/** Dense blocks for a step's row-sparse gradients, one per gradient position, kept until dispose. */
export class DenseGradients {
  private readonly blocks = new Map<number, Tensor>();

  /** The gradients with each row-sparse one written densely into its block (the others as they are). */
  of(grads: ReadonlyArray<Tensor | RowSparse>): Tensor[] {
    return grads.map((g, i) => (isRowSparse(g) ? this.densify(i, g) : g));
  }

  private densify(i: number, g: RowSparse): Tensor {
    let block = this.blocks.get(i);
    if (!block || block.size !== g.shape.reduce((a, b) => a * b, 1)) {
      block?.dispose();
      block = keep(new Tensor(g.shape, 'float32'));
      this.blocks.set(i, block);
    }
    const p = block.ptr();
    backend().views.f32.fill(0, p >>> 2, (p >>> 2) + block.size);
    scatterAddRows(g.values.ptr(), g.indices.ptr(), p, 1, g.shape[0], rowSizeOf(g), g.indices.size);
    return block;
  }

  /** Frees the blocks. */
  dispose(): void {
    for (const block of this.blocks.values()) block.dispose();
    this.blocks.clear();
  }
}
