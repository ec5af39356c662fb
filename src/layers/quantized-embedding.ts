import { ValueError } from '../errors.js';
import { QuantizedTable } from '../ops/quantized.js';
import { cast } from '../ops/shape.js';
import type { Tensor } from '../ops/tensor.js';
import { Embedding, type EmbeddingArgs } from './embedding.js';
import type { StoredWeight } from './layer.js';
import { checkCodes, checkScales, storedValuesOf, weightTensors } from './quantized-weights.js';

/** Options of a QuantizedEmbedding layer: an Embedding's, without initializer and regularizer. */
export type QuantizedEmbeddingArgs = Omit<EmbeddingArgs, 'embeddingsInitializer' | 'embeddingsRegularizer'>;

/**
 * An Embedding whose table is stored as int8 codes with a scale per row (4x smaller): a lookup gives
 * code · scale of each picked row. Made by `nn.quantize` from an Embedding; it has no gradient.
 * Its weights are `[embeddings (int8 codes as int32), embeddings_scale]`.
 */
export class QuantizedEmbedding extends Embedding {
  static override readonly className = 'QuantizedEmbedding';
  /** The int8 table, once built. */
  table: QuantizedTable | null = null;

  constructor(args: QuantizedEmbeddingArgs) {
    super({ ...args, trainable: false });
  }

  override get computePrecision(): 'int8' {
    return 'int8';
  }

  /** Zero codes with scale 1, until `setQuantizedWeights` (or a model file) fills them. */
  protected override createWeights(): void {
    this.table = QuantizedTable.fromCodes(
      new Int8Array(this.inputDim * this.outputDim),
      new Float32Array(this.inputDim).fill(1),
      this.inputDim,
      this.outputDim,
    );
  }

  /** Replaces the table: int8 codes [inputDim×outputDim] in [−127, 127] and a finite scale > 0 per row. */
  setQuantizedWeights(codes: Int8Array, scales: Float32Array): void {
    const where = `QuantizedEmbedding "${this.name}"`;
    if (!this.table)
      throw new ValueError(`${where}: the layer is not built yet; add it to a model with an input shape`);
    checkCodes(where, 'embeddings', codes, this.inputDim * this.outputDim);
    checkScales(where, 'embeddings_scale', scales, this.inputDim);
    // in place: a recorded predict pass reads the same addresses
    this.table.replace(codes, scales);
  }

  override call(x: Tensor): Tensor {
    return this.table!.lookup(x.dtype === 'int32' ? x : cast(x, 'int32'));
  }

  override countParams(): number {
    return this.table ? this.table.codes.length + this.inputDim : 0;
  }

  /** Its stored weights (`storedWeights`), the int8 codes as int32 tensors. */
  override getWeights(): Tensor[] {
    return weightTensors(this.storedWeights());
  }

  /** Takes what getWeights gives; everything is checked before anything changes. */
  override setWeights(weights: Tensor[]): void {
    this.restoreWeights(storedValuesOf(`${this.className} "${this.name}".setWeights`, this.storedWeights(), weights));
  }

  override storedWeights(): StoredWeight[] {
    const t = this.table!;
    return [
      { name: `${this.name}/embeddings`, shape: [t.rows, t.width], values: t.codes },
      { name: `${this.name}/embeddings_scale`, shape: [t.rows], values: t.scales },
    ];
  }

  override restoreWeights(values: ReadonlyMap<string, Float32Array | Int8Array>): void {
    this.setQuantizedWeights(
      values.get(`${this.name}/embeddings`) as Int8Array,
      values.get(`${this.name}/embeddings_scale`) as Float32Array,
    );
  }

  override dispose(): void {
    super.dispose();
    this.table?.dispose();
    this.table = null;
  }
}
