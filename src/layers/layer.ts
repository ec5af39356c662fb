import { BackendError, DTypeError, formatShape, ShapeError, ValueError } from '../errors.js';
import { add } from '../ops/arithmetic.js';
import { clone, fromFlat } from '../ops/create.js';
import { checkBooleanOption, checkOptionNames, optionsObject, rejectUnsupported } from '../ops/options.js';
import type { Tensor } from '../ops/tensor.js';
import { checkDType, checkTensor, describe, describeList } from '../ops/validate.js';
import { type Variable, variable } from '../ops/variable.js';
import type { FitRandom } from '../random.js';
import { getInitializer, type Initializer } from './initializers.js';
import { getRegularizer, type Regularizer } from './regularizers.js';
import { initialWeightValues, weightTooLarge } from './weight-values.js';

/** A weight as a model file stores it: full name, shape, values (a quantized layer's codes are int8). */
export interface StoredWeight {
  name: string;
  shape: number[];
  values: Float32Array | Int8Array;
}

/** A shape with the batch dimension left open (null), as Keras writes it. */
export type SymbolicShape = Array<number | null>;

/** Options every layer takes. */
export interface LayerArgs {
  /** Unique name; generated from the class name when left out (dense_1, dense_2, ...). */
  name?: string;
  /** Shape of one example, for the first layer of a model (the batch dimension is left out). */
  inputShape?: number[];
  /** Shape of the input including the batch dimension (null for any size). */
  batchInputShape?: SymbolicShape;
  /** Whether the layer's weights are updated by training (default true). */
  trainable?: boolean;
  /** Penalty on the layer's output, divided by the batch size (as Keras does). */
  activityRegularizer?: Regularizer | string | null;
  /** Only 'float32' (the default): layers compute in float32. */
  dtype?: 'float32';
}

// TensorFlow.js layer options neurasm does not apply, and what to do instead
const UNSUPPORTED_LAYER_OPTIONS = {
  weights: 'build the layer (or the model), then call setWeights',
  batchSize: 'give inputShape: fit, evaluate and predict take any batch size',
  inputDType: 'inputs are float32',
};

/** The option names every layer takes. */
const LAYER_OPTIONS = [
  'name',
  'inputShape',
  'batchInputShape',
  'trainable',
  'activityRegularizer',
  'dtype',
  ...Object.keys(UNSUPPORTED_LAYER_OPTIONS),
];

const nameCounts = new Map<string, number>();

/** A regularizer as Keras writes it in model files. */
export function regularizerConfig(r: Regularizer | null): Record<string, unknown> | null {
  return r ? { class_name: r.className, config: r.getConfig() } : null;
}

/** Checks that a mask is [batch, steps] of `x` (ShapeError naming `where` if not). */
export function checkMaskShape(where: string, x: Tensor, mask: Tensor): void {
  if (mask.rank !== 2 || x.rank < 2 || mask.shape[0] !== x.shape[0] || mask.shape[1] !== x.shape[1]) {
    throw new ShapeError(
      `${where}: expected a mask of shape [batch, steps] = ${formatShape(x.shape.slice(0, 2))}, got ${formatShape(mask.shape)}`,
    );
  }
}

/** MyLayer → my_layer, as Keras names layers after their class. */
function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** @internal The next free name `prefix_N`. */
export function uniqueLayerName(prefix: string): string {
  const n = (nameCounts.get(prefix) ?? 0) + 1;
  nameCounts.set(prefix, n);
  return `${prefix}_${n}`;
}

/** A weight of a layer: its name in model files (dense_1/kernel) and the variable that holds it. */
export interface LayerWeight {
  name: string;
  variable: Variable;
  trainable: boolean;
  /** Penalty on this weight, if any. */
  regularizer: Regularizer | null;
}

/**
 * Base class of layers. A layer is its forward computation: `call` composes tensor ops, whose
 * gradients give its backward pass, and training replays a trace of those ops' kernels (the fast
 * path). Subclass it for a layer of your own: `call`, `computeOutputShape`, `getConfig`, and
 * `createWeights` (with `addWeight`) if it has weights; register the class with
 * `nn.serialization.registerClass` to save and load it.
 */
export abstract class Layer {
  /**
   * The class name written in model files (Dense, Dropout, ...): a subclass's static `className`,
   * as in TensorFlow.js, else its JavaScript name.
   */
  get className(): string {
    const cls = this.constructor as { className?: unknown; name: string };
    return typeof cls.className === 'string' ? cls.className : cls.name;
  }
  /** The layer's name. */
  readonly name: string;
  private isTrainable: boolean;
  private weightsFreed = false;
  /** The declared input shape with batch dimension, if the layer was given one. */
  readonly batchInputShape: SymbolicShape | null;
  /** Input shape (with null batch) once built. */
  inputShape: SymbolicShape | null = null;
  /** Output shape (with null batch) once built. */
  outputShape: SymbolicShape | null = null;
  protected readonly layerWeights: LayerWeight[] = [];
  /** Penalty on the output, if any. */
  readonly activityRegularizer: Regularizer | null;
  /**
   * @internal The generator of the running fit, shared by the model, for layers that draw random
   * numbers (read at every draw, so that a replayed trace draws from the fit that runs it).
   */
  fitRandom: FitRandom | null = null;

  /**
   * Checks the options every layer takes; `ownOptions`, when given, names the subclass's own, and
   * any other key is then an error (a misspelt option is not ignored).
   */
  constructor(args: LayerArgs = {}, prefix?: string, ownOptions?: readonly string[]) {
    // a user's layer names its instances after its class: MyLayer → my_layer_1
    prefix ??= snakeCase((new.target as { className?: string }).className ?? new.target.name);
    if (args === null || typeof args !== 'object') {
      throw new ValueError(`${prefix}: expected an options object, got ${describe(args)}`);
    }
    if (args.name !== undefined && (typeof args.name !== 'string' || args.name.length === 0)) {
      throw new ValueError(`${prefix}: expected name to be a non-empty string, got ${describe(args.name)}`);
    }
    const where = `layer "${args.name ?? prefix}"`;
    checkBooleanOption(where, args, 'trainable');
    if (args.dtype !== undefined && args.dtype !== 'float32') {
      throw new ValueError(
        `${where}: expected dtype 'float32' (layers compute in float32), got ${describe(args.dtype)}`,
      );
    }
    rejectUnsupported(where, args, UNSUPPORTED_LAYER_OPTIONS);
    if (ownOptions) checkOptionNames(where, args, [...ownOptions, ...LAYER_OPTIONS]);
    this.name = args.name ?? uniqueLayerName(prefix);
    this.isTrainable = args.trainable ?? true;
    this.batchInputShape = Layer.declaredShape(this.name, args);
    this.activityRegularizer = getRegularizer(args.activityRegularizer, `layer "${this.name}" activityRegularizer`);
  }

  private static declaredShape(name: string, args: LayerArgs): SymbolicShape | null {
    const check = (shape: unknown, arg: string) => {
      if (
        !Array.isArray(shape) ||
        !Array.from(shape).every(
          (d, i) => (d === null && i === 0 && arg === 'batchInputShape') || (Number.isInteger(d) && d > 0),
        )
      ) {
        throw new ShapeError(
          `layer "${name}": expected ${arg} to be an array of positive integers, got ${describeList(shape)}`,
        );
      }
    };
    if (args.batchInputShape !== undefined) {
      check(args.batchInputShape, 'batchInputShape');
      return [...args.batchInputShape];
    }
    if (args.inputShape !== undefined) {
      check(args.inputShape, 'inputShape');
      return [null, ...args.inputShape];
    }
    return null;
  }

  /** Whether training updates the weights (setting it freezes or unfreezes them all). */
  get trainable(): boolean {
    return this.isTrainable;
  }

  set trainable(value: boolean) {
    if (typeof value !== 'boolean') {
      throw new ValueError(`layer "${this.name}": expected trainable to be true or false, got ${describe(value)}`);
    }
    this.isTrainable = value;
    for (const w of this.layerWeights) w.variable.trainable = this.isTrainable && w.trainable;
  }

  /** Whether `build` has run. */
  get built(): boolean {
    return this.inputShape !== null;
  }

  /** Creates the weights for an input shape (batch dimension included, as null). */
  build(inputShape: SymbolicShape): void {
    if (this.built) {
      const same =
        this.inputShape!.length === inputShape.length &&
        inputShape.every((d, i) => i === 0 || d === this.inputShape![i]);
      if (!same) {
        throw new ShapeError(
          `layer "${this.name}": already built for input ${formatShape(this.inputShape!.slice(1) as number[])}, got ${formatShape(inputShape.slice(1) as number[])}`,
        );
      }
      return;
    }
    const out = this.computeOutputShape(inputShape);
    try {
      this.createWeights(inputShape);
    } catch (e) {
      // a failed build leaves no weights behind
      this.dispose();
      throw e;
    }
    this.inputShape = [null, ...inputShape.slice(1)];
    this.outputShape = out;
  }

  /**
   * @internal Undoes `build`: frees the weights and forgets the shapes (a model rolls back the
   * layers it built when a later layer fails to build).
   */
  unbuild(): void {
    this.dispose();
    this.weightsFreed = false;
    this.inputShape = null;
    this.outputShape = null;
  }

  /**
   * Whether `call` takes int32 inputs as they are (an embedding does); a model casts int32 inputs
   * to float32 before a first layer that does not, as Keras does.
   */
  get takesIntegerInput(): boolean {
    return false;
  }

  /**
   * Whether the layer takes raw strings (a text vectorization layer). Such a layer can only be a
   * model's first: the model turns the strings given to fit, evaluate and predict into the layer's
   * output in JavaScript, then runs the other layers on that.
   */
  get takesStrings(): boolean {
    return false;
  }

  /**
   * The layer's output for a batch of strings (checked to be strings), for layers that take them.
   * `op` names the call in messages.
   */
  encodeStrings(_texts: readonly string[], op: string): Tensor {
    throw new ValueError(`${op}: ${this.className} "${this.name}" does not take strings`);
  }

  /**
   * @internal Checks a model's input values before a fit, evaluate, predict or trainOnBatch uses
   * them, for the model's first layer (an embedding checks its ids): `values` are `arg`'s examples of
   * `exampleShape`, flat. Throws a NeurasmError naming the value and where it is; by default accepts
   * anything. The traced passes never read values, so this is where they are checked.
   */
  checkInputValues(_op: string, _arg: string, _values: ArrayLike<number>, _exampleShape: readonly number[]): void {}

  /** Output shape for an input shape (batch dimension included). Throws on shapes the layer cannot take. */
  abstract computeOutputShape(inputShape: SymbolicShape): SymbolicShape;

  /** Makes the layer's weights; layers without weights keep the default. */
  protected createWeights(_inputShape: SymbolicShape): void {}

  /**
   * Adds a weight with starting values from `initializer` (an initializer or its name). Also takes
   * TensorFlow.js's order, `addWeight(name, shape, 'float32', initializer, regularizer, trainable)`.
   * A weight Wasm memory cannot hold is a BackendError naming the layer and the weight, and adds nothing.
   */
  protected addWeight(
    shortName: string,
    shape: number[],
    initializer: Initializer | string,
    trainable?: boolean,
    regularizer?: Regularizer | null,
  ): Variable;
  protected addWeight(
    shortName: string,
    shape: number[],
    dtype: 'float32',
    initializer?: Initializer | string,
    regularizer?: Regularizer | null,
    trainable?: boolean,
  ): Variable;
  protected addWeight(
    shortName: string,
    shape: number[],
    third: Initializer | string,
    fourth?: boolean | Initializer | string,
    fifth?: Regularizer | null,
    sixth?: boolean,
  ): Variable {
    // tfjs's order names the dtype third: weights are float32
    const tfjsOrder = third === 'float32';
    const initializer = tfjsOrder ? ((fourth as Initializer | string | undefined) ?? 'glorotUniform') : third;
    const trainable = (tfjsOrder ? sixth : (fourth as boolean | undefined)) ?? true;
    const regularizer = fifth ?? null;
    const where = `${this.className} "${this.name}": ${shortName} ${formatShape(shape)}`;
    const values = initialWeightValues(where, shape, getInitializer(initializer, `${where} initializer`));
    let init: Tensor | null = null;
    let v: Variable;
    try {
      init = fromFlat(shape, 'float32', values);
      v = this.uniqueVariable(init, trainable, `${this.name}/${shortName}`);
    } catch (e) {
      throw e instanceof BackendError ? weightTooLarge(where, shape, e.message) : e;
    } finally {
      init?.dispose();
    }
    v.trainable = trainable && this.isTrainable;
    this.layerWeights.push({ name: `${this.name}/${shortName}`, variable: v, trainable, regularizer });
    return v;
  }

  /** A variable named `base`, or `base_1`, `base_2`, ... when a live variable has that name. */
  private uniqueVariable(init: Tensor, trainable: boolean, base: string): Variable {
    let unique = base;
    for (let i = 1; ; i++) {
      try {
        return variable(init, trainable, unique);
      } catch (e) {
        if (!(e instanceof ValueError) || !/already exists/.test(e.message)) throw e;
        unique = `${base}_${i}`;
      }
    }
  }

  /**
   * The forward pass with tensor ops (recorded for gradients when a tape is active). `mask`, for a
   * layer that supports masking, marks the real steps of a sequence input (see `supportsMasking`).
   */
  abstract call(x: Tensor, training: boolean, mask?: Tensor | null): Tensor;

  /**
   * Whether the layer takes a mask, as Keras's `supports_masking`. A mask marks each step of a
   * sequence as real (1) or padding (0): a float32 tensor [batch, steps]. An `embedding` with
   * `maskZero` makes one; a layer that supports masking passes it on (`computeMask`) or uses it
   * (pooling and recurrent layers ignore padded steps); a mask reaching any other layer is an error.
   */
  get supportsMasking(): boolean {
    return false;
  }

  /**
   * The mask of the output, given the input and its mask (null: no mask). By default the input's
   * mask passes through; a layer that makes a mask (an embedding) or consumes one (a pooling layer)
   * overrides it.
   */
  computeMask(_x: Tensor, mask: Tensor | null): Tensor | null {
    return mask;
  }

  /**
   * @internal `call` with a mask: checks that the layer takes it and that it fits the input, runs
   * the layer, and returns the output with its mask.
   */
  callMasked(x: Tensor, training: boolean, mask: Tensor | null): { output: Tensor; mask: Tensor | null } {
    if (mask) {
      if (!this.supportsMasking) {
        throw new ValueError(
          `${this.className} "${this.name}" does not support masking, but its input has a mask (from an embedding with maskZero?); put a layer that consumes the mask (pooling, a recurrent layer) before it, or drop maskZero`,
        );
      }
      checkMaskShape(`${this.className} "${this.name}"`, x, mask);
    }
    return { output: this.call(x, training, mask), mask: this.computeMask(x, mask) };
  }

  /**
   * Runs the layer on a tensor, building it first if needed. `mask` (float32 [batch, steps], 1 for
   * a real step) is for layers that support masking.
   */
  apply(x: Tensor, options: { training?: boolean; mask?: Tensor | null } = {}): Tensor {
    const mask = this.checkApplyArgs(`layer "${this.name}".apply`, x, options);
    this.build([null, ...x.shape.slice(1)]);
    this.checkInput(x.shape);
    return this.callMasked(x, options.training ?? false, mask).output;
  }

  /**
   * Checks the arguments of apply (and of its variants, such as applyWithState): `x` a tensor,
   * `options` {training, mask} with a float32 mask tensor if any. `where` names the call in errors.
   * Returns the mask, or null.
   */
  protected checkApplyArgs(
    where: string,
    x: Tensor,
    options: { training?: boolean; mask?: Tensor | null },
  ): Tensor | null {
    checkTensor(where, 'x', x);
    optionsObject(where, options, '{training: true}', ['training', 'mask']);
    checkBooleanOption(where, options, 'training');
    const mask = options.mask ?? null;
    if (mask !== null) {
      checkTensor(where, 'mask', mask);
      checkDType(where, 'mask', mask, 'float32');
    }
    return mask;
  }

  /** Throws a ShapeError if `shape` does not fit the built input shape. */
  checkInput(shape: readonly number[]): void {
    const want = this.inputShape!;
    if (shape.length !== want.length || want.some((d, i) => d !== null && d !== shape[i])) {
      throw new ShapeError(
        `${this.className} "${this.name}": expected input of shape ${formatShape(want.map((d) => (d === null ? '*' : d)) as never)}, got ${formatShape(shape)}`,
      );
    }
  }

  /** The layer's weights with their file names. */
  get namedWeights(): readonly LayerWeight[] {
    return this.layerWeights;
  }

  /** All weights (variables), trainable first as Keras orders them. */
  get weights(): Variable[] {
    return this.layerWeights.map((w) => w.variable);
  }

  /** Weights training updates. */
  get trainableWeights(): Variable[] {
    return this.trainable ? this.layerWeights.filter((w) => w.trainable).map((w) => w.variable) : [];
  }

  /** Number of weight values. */
  countParams(): number {
    return this.layerWeights.reduce((n, w) => n + w.variable.size, 0);
  }

  /** Copies of the weight values. */
  getWeights(): Tensor[] {
    return this.weights.map((v) => clone(v));
  }

  /** Replaces the weight values; all shapes are checked before anything changes. */
  setWeights(weights: Tensor[]): void {
    const own = this.weights;
    if (!Array.isArray(weights) || weights.length !== own.length) {
      throw new ValueError(`layer "${this.name}": expected ${own.length} weight tensors, got ${describe(weights)}`);
    }
    weights.forEach((w, i) => {
      checkTensor(`layer "${this.name}".setWeights`, `weights[${i}]`, w);
      if (w.size !== own[i].size || w.rank !== own[i].rank || w.shape.some((d, j) => d !== own[i].shape[j])) {
        throw new ShapeError(
          `layer "${this.name}".setWeights: weight ${this.layerWeights[i].name} has shape ${formatShape(own[i].shape)}, got ${formatShape(w.shape)}`,
        );
      }
      if (w.dtype !== own[i].dtype) {
        throw new DTypeError(
          `layer "${this.name}".setWeights: weight ${this.layerWeights[i].name} is ${own[i].dtype}, got ${w.dtype}`,
        );
      }
    });
    weights.forEach((w, i) => {
      own[i].assign(w);
    });
  }

  /**
   * The sum of the weight penalties as a scalar op (recorded for gradients), or null without any.
   * Activity penalties are added by the model, which knows the outputs.
   */
  weightPenalty(): Tensor | null {
    let total: Tensor | null = null;
    for (const w of this.layerWeights) {
      if (!w.regularizer) continue;
      const p = w.regularizer.penalty(w.variable);
      total = total ? add(total, p) : p;
    }
    return total;
  }

  /**
   * How the layer computes: 'int8' for a quantized layer (`nn.quantize`), 'float32' otherwise.
   * A quantized layer is for inference: it has no gradient.
   */
  get computePrecision(): 'float32' | 'int8' {
    return 'float32';
  }

  /** What of an int8 layer stays float32, for `summary()` (e.g. "recurrent kernel in float32"), or null. */
  get precisionNote(): string | null {
    return null;
  }

  /** The weights as model files store them, in order (float32 values, or a quantized layer's int8 codes). */
  storedWeights(): StoredWeight[] {
    return this.layerWeights.map((w) => ({
      name: w.name,
      shape: [...w.variable.shape],
      values: w.variable.dataSync() as Float32Array,
    }));
  }

  /**
   * Sets the weights from a model file's values, by full name; the loader has checked every shape
   * and dtype against what the layer's reader says it has.
   */
  restoreWeights(values: ReadonlyMap<string, Float32Array | Int8Array>): void {
    for (const w of this.layerWeights) {
      const t = fromFlat(w.variable.shape, 'float32', values.get(w.name) as Float32Array);
      try {
        w.variable.assign(t);
      } finally {
        t.dispose();
      }
    }
  }

  /** Keras config of the layer (for summaries and model files). */
  getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { name: this.name, trainable: this.trainable };
    if (this.activityRegularizer) config.activity_regularizer = regularizerConfig(this.activityRegularizer);
    if (this.batchInputShape) config.batch_input_shape = this.batchInputShape;
    return config;
  }

  /** Whether `dispose` freed the weights of this built layer: a model holding it can no longer run it. */
  get isDisposed(): boolean {
    return this.weightsFreed;
  }

  /** Frees the weights. */
  dispose(): void {
    if (this.built) this.weightsFreed = true;
    for (const w of this.layerWeights) w.variable.dispose();
    this.layerWeights.length = 0;
  }
}
