import { isRecording } from '../backend/trace.js';
import { formatShape, ShapeError, ValueError } from '../errors.js';
import { gather } from '../ops/gather.js';
import { notEqual } from '../ops/logical.js';
import { checkBooleanOption, rejectUnsupported } from '../ops/options.js';
import { cast } from '../ops/shape.js';
import type { Tensor } from '../ops/tensor.js';
import { checkTensor, describe, describeList } from '../ops/validate.js';
import type { Variable } from '../ops/variable.js';
import { getInitializer, type Initializer } from './initializers.js';
import { Layer, type LayerArgs, regularizerConfig, type SymbolicShape } from './layer.js';
import { getRegularizer, type Regularizer } from './regularizers.js';

/** Options of `layers.embedding` (TensorFlow.js's names and defaults). */
export interface EmbeddingArgs extends LayerArgs {
  /** Vocabulary size: ids are integers in [0, inputDim). */
  inputDim: number;
  /** Length of each id's vector. */
  outputDim: number;
  /** Initializer of the table (default randomUniform, in [-0.05, 0.05) as in Keras and tfjs). */
  embeddingsInitializer?: string | Initializer;
  /** Penalty on the table; its gradient is dense, so a step then updates the whole table. */
  embeddingsRegularizer?: Regularizer | string | null;
  /**
   * Whether id 0 is padding: the layer then makes a mask, float32 [batch, steps] (1 where the id is
   * not 0), for the layers after it. Needs input [batch, steps] (a mask of another rank is an error at build).
   */
  maskZero?: boolean;
  /**
   * Length of the input sequences (an array for inputs of rank > 2), for the first layer of a
   * model when inputShape is not given; with inputShape, the two must agree (null: any size).
   */
  inputLength?: number | Array<number | null>;
}

const UNSUPPORTED_EMBEDDING_OPTIONS = {
  embeddingsConstraint: 'weight constraints are not supported yet',
};

const EMBEDDING_OPTIONS = [
  'inputDim',
  'outputDim',
  'embeddingsInitializer',
  'embeddingsRegularizer',
  'maskZero',
  'inputLength',
  ...Object.keys(UNSUPPORTED_EMBEDDING_OPTIONS),
];

/** The input length as an array, checked (null: any size). */
function lengths(inputLength: unknown): Array<number | null> | null {
  if (inputLength === undefined || inputLength === null) return null;
  const list = Array.isArray(inputLength) ? inputLength : [inputLength];
  if (list.length === 0 || !list.every((d) => d === null || (Number.isInteger(d) && d > 0))) {
    throw new ValueError(
      `embedding: expected inputLength to be a positive integer or an array of them (null for any), got ${describeList(inputLength)}`,
    );
  }
  return list as Array<number | null>;
}

/** The args with `inputShape` from `inputLength` when no input shape was given (as tfjs). */
function withInputLength(args: EmbeddingArgs): EmbeddingArgs {
  if (args === null || typeof args !== 'object') return args;
  const len = lengths(args.inputLength);
  if (!len || args.inputShape !== undefined || args.batchInputShape !== undefined) return args;
  // unknown sizes are left to the data the model is built from
  if (len.includes(null)) return args;
  return { ...args, inputShape: len as number[] };
}

/**
 * Turns integer ids into vectors: row `id` of a trainable table `embeddings` [inputDim, outputDim].
 * Input [batch, ...] of ids (int32, or float32 holding integers: cast to int32 as tfjs does), output
 * [batch, ..., outputDim]. Models check the ids of fit, evaluate and predict before anything runs:
 * an id outside [0, inputDim) or not an integer is an error naming it and where it is. In training
 * the table's gradient is row-sparse: the optimizer updates from the rows of the batch's ids, with
 * the dense update's result (see the optimizers), unless an embeddingsRegularizer makes it dense.
 */
export class Embedding extends Layer {
  static readonly className: string = 'Embedding';
  /** Vocabulary size. */
  readonly inputDim: number;
  /** Vector length. */
  readonly outputDim: number;
  /** Whether id 0 is padding (masked). */
  readonly maskZero: boolean;
  /** The declared input length (null when not given). */
  readonly inputLength: Array<number | null> | null;
  private readonly embeddingsInitializer: Initializer;
  /** Penalty on the table, if any. */
  readonly embeddingsRegularizer: Regularizer | null;
  /** The table [inputDim, outputDim], once built. */
  embeddings: Variable | null = null;

  constructor(args: EmbeddingArgs) {
    super(withInputLength(args), 'embedding', EMBEDDING_OPTIONS);
    const where = `Embedding "${this.name}"`;
    for (const key of ['inputDim', 'outputDim'] as const) {
      const v = args[key];
      if (!Number.isInteger(v) || v < 1 || v > 2 ** 31 - 1) {
        throw new ValueError(`${where}: expected ${key} to be a positive integer, got ${describe(v)}`);
      }
    }
    checkBooleanOption(where, args, 'maskZero');
    rejectUnsupported(where, args, UNSUPPORTED_EMBEDDING_OPTIONS);
    this.inputDim = args.inputDim;
    this.outputDim = args.outputDim;
    this.maskZero = args.maskZero ?? false;
    this.inputLength = lengths(args.inputLength);
    this.embeddingsInitializer = getInitializer(
      args.embeddingsInitializer ?? 'randomUniform',
      `${where} embeddingsInitializer`,
    );
    this.embeddingsRegularizer = getRegularizer(args.embeddingsRegularizer, `${where} embeddingsRegularizer`);
  }

  /** Takes int32 ids as they are (a model does not cast them to float32 first). */
  override get takesIntegerInput(): boolean {
    return true;
  }

  /** [batch, ...steps, outputDim]; checks inputLength, and that maskZero has a [batch, steps] input. */
  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const where = `Embedding "${this.name}"`;
    const steps = inputShape.slice(1);
    if (this.inputLength) {
      const fits =
        steps.length === this.inputLength.length &&
        this.inputLength.every((d, i) => d === null || steps[i] === null || d === steps[i]);
      if (!fits) {
        throw new ShapeError(
          `${where}: inputLength is ${formatShape(this.inputLength as never)}, but the input has shape ${formatShape(['*', ...steps] as never)}`,
        );
      }
    }
    if (this.maskZero && inputShape.length !== 2) {
      throw new ShapeError(
        `${where}: maskZero makes a mask [batch, steps], so it needs input of shape [batch, steps], got ${formatShape(['*', ...steps] as never)}`,
      );
    }
    return [...inputShape, this.outputDim];
  }

  protected override createWeights(): void {
    this.embeddings = this.addWeight(
      'embeddings',
      [this.inputDim, this.outputDim],
      this.embeddingsInitializer,
      true,
      this.embeddingsRegularizer,
    );
  }

  call(x: Tensor): Tensor {
    return gather(this.embeddings!, x.dtype === 'int32' ? x : cast(x, 'int32'), 0);
  }

  /** With maskZero: float32 [batch, steps], 1 where the id is not 0; otherwise no mask. */
  override computeMask(x: Tensor): Tensor | null {
    if (!this.maskZero) return null;
    return cast(notEqual(x, 0), 'float32');
  }

  /**
   * Runs the layer on ids, as `Layer.apply`; the ids are checked first (an id outside [0, inputDim)
   * or not an integer is an error naming it), except while a trace is being recorded.
   */
  override apply(x: Tensor, options: { training?: boolean; mask?: Tensor | null } = {}): Tensor {
    const where = `layer "${this.name}".apply`;
    checkTensor(where, 'x', x);
    if (!isRecording() && x.rank >= 1) this.checkInputValues(where, 'x', x.readValues(where), x.shape.slice(1));
    return super.apply(x, options);
  }

  /** Every id must be an integer in [0, inputDim): the first bad one is an error naming it and where it is. */
  override checkInputValues(op: string, arg: string, values: ArrayLike<number>, exampleShape: readonly number[]): void {
    const n = this.inputDim;
    for (let i = 0; i < values.length; i++) {
      const id = values[i];
      if (Number.isInteger(id) && id >= 0 && id < n) continue;
      const width = exampleShape.reduce((a, b) => a * b, 1);
      const row = Math.floor(i / width);
      let rest = i % width;
      const position = exampleShape.map((_, d) => {
        const stride = exampleShape.slice(d + 1).reduce((a, b) => a * b, 1);
        const p = Math.floor(rest / stride);
        rest %= stride;
        return p;
      });
      const at = [row, ...position].map((p) => `[${p}]`).join('');
      const what = Number.isInteger(id) ? `id ${id}` : `${id}, not an integer id,`;
      throw new ValueError(
        `${op}: ${arg}${at} (row ${row}, position ${position.join(', ')}) holds ${what}; Embedding "${this.name}" takes integer ids in [0, ${n}) (its inputDim)`,
      );
    }
  }

  override dispose(): void {
    super.dispose();
    this.embeddings = null;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      input_dim: this.inputDim,
      output_dim: this.outputDim,
      embeddings_initializer: {
        class_name: this.embeddingsInitializer.className,
        config: this.embeddingsInitializer.config,
      },
      embeddings_regularizer: regularizerConfig(this.embeddingsRegularizer),
      embeddings_constraint: null,
      mask_zero: this.maskZero,
      input_length:
        this.inputLength === null ? null : this.inputLength.length === 1 ? this.inputLength[0] : this.inputLength,
    };
  }
}
