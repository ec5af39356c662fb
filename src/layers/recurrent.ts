import { Act } from '../backend/codes.js';
import { ACT_HARD_SIGMOID } from '../backend/kernels/recurrent.js';
import { DTypeError, formatShape, ShapeError, ValueError } from '../errors.js';
import { mul } from '../ops/arithmetic.js';
import { checkBooleanOption, rejectUnsupported } from '../ops/options.js';
import { CELL_GATES, type RecurrentCell, recurrentOp, stateCount } from '../ops/recurrent.js';
import { reshape } from '../ops/reshape.js';
import { slice } from '../ops/slicing.js';
import { activeTape } from '../ops/tape.js';
import { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
import type { Variable } from '../ops/variable.js';
import { getInitializer, type Initializer } from './initializers.js';
import { checkMaskShape, Layer, type LayerArgs, regularizerConfig, type SymbolicShape } from './layer.js';
import { NoiseRandom } from './noise-random.js';
import { getRegularizer, type Regularizer } from './regularizers.js';

/** Activations a recurrent layer takes (for its output and for its gates). */
export type RecurrentActivation = 'tanh' | 'sigmoid' | 'hardSigmoid' | 'relu' | 'linear';

const ACTIVATION_CODES: Record<RecurrentActivation, number> = {
  tanh: Act.tanh,
  sigmoid: Act.sigmoid,
  hardSigmoid: ACT_HARD_SIGMOID,
  relu: Act.relu,
  linear: Act.linear,
};

/** Resolves a recurrent layer's activation (camelCase or snake_case; null is linear). */
export function resolveRecurrentActivation(what: unknown, where: string): RecurrentActivation {
  if (what === null) return 'linear';
  if (typeof what === 'string') {
    const camel = what.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    if (Object.hasOwn(ACTIVATION_CODES, camel)) return camel as RecurrentActivation;
  }
  throw new ValueError(
    `${where}: unsupported activation ${describe(what)}; recurrent layers take ${Object.keys(ACTIVATION_CODES).join(', ')}`,
  );
}

/** The name of a recurrent activation in model files (Keras's snake_case, which tfjs reads too). */
function activationFileName(a: RecurrentActivation): string {
  return a === 'hardSigmoid' ? 'hard_sigmoid' : a;
}

/** Options every recurrent layer (lstm, gru, simpleRNN) takes, with tfjs's names. */
export interface RecurrentArgs extends LayerArgs {
  /** Size of the state and of the output. */
  units: number;
  /** Activation of the output/candidate (default tanh; null: linear). */
  activation?: RecurrentActivation | 'hard_sigmoid' | null;
  /** Whether to add biases (default true). */
  useBias?: boolean;
  /** Initializer of the kernel (default glorotUniform, as Keras). */
  kernelInitializer?: string | Initializer;
  /** Initializer of the recurrent kernel (default orthogonal). */
  recurrentInitializer?: string | Initializer;
  /** Initializer of the bias (default zeros). */
  biasInitializer?: string | Initializer;
  /** Penalty on the kernel. */
  kernelRegularizer?: Regularizer | string | null;
  /** Penalty on the recurrent kernel. */
  recurrentRegularizer?: Regularizer | string | null;
  /** Penalty on the bias. */
  biasRegularizer?: Regularizer | string | null;
  /** Output every step's state [batch, steps, units] (default false: the last one, [batch, units]). */
  returnSequences?: boolean;
  /** Also return the final states: only through `applyWithState` (a Sequential model takes one output). */
  returnState?: boolean;
  /** Run the sequence from its last step to its first (default false). */
  goBackwards?: boolean;
  /** Fraction of the inputs dropped in training, one mask per sequence for all steps (default 0). */
  dropout?: number;
  /** Fraction of the state dropped before each recurrent product in training, one mask per sequence (default 0). */
  recurrentDropout?: number;
  /** Seed of the dropout masks (default: the fit's or the global generator). */
  seed?: number;
  /** Only false: state kept between batches is not supported. */
  stateful?: boolean;
  /** Accepted and ignored: the fused kernel runs the steps (the results are the same). */
  unroll?: boolean;
  /** Accepted and ignored (Keras's choice of kernels; the fused kernel is always used). */
  implementation?: number;
}

const UNSUPPORTED_RECURRENT_OPTIONS = {
  kernelConstraint: 'weight constraints are not supported yet',
  recurrentConstraint: 'weight constraints are not supported yet',
  biasConstraint: 'weight constraints are not supported yet',
  cell: 'use lstm, gru or simpleRNN (custom cells are not supported)',
  inputDim: 'give inputShape: [steps, features]',
  inputLength: 'give inputShape: [steps, features]',
  dropoutFunc: 'dropout masks are drawn by the layer',
};

/** The option names every recurrent layer takes. */
export const RECURRENT_OPTIONS = [
  'units',
  'activation',
  'useBias',
  'kernelInitializer',
  'recurrentInitializer',
  'biasInitializer',
  'kernelRegularizer',
  'recurrentRegularizer',
  'biasRegularizer',
  'returnSequences',
  'returnState',
  'goBackwards',
  'dropout',
  'recurrentDropout',
  'seed',
  'stateful',
  'unroll',
  'implementation',
  ...Object.keys(UNSUPPORTED_RECURRENT_OPTIONS),
];

/** What a Bidirectional wrapper asks of the layers it runs. */
export interface RecurrentRunOptions {
  /** Output a goBackwards layer's sequence in input order. */
  alignReversed?: boolean;
  /** Zeros in the sequence output at padded steps. */
  zeroMaskedOutput?: boolean;
  /** Append the final states to the output (see recurrentOp). */
  withStates?: boolean;
}

function rate(where: string, key: string, v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) {
    throw new ValueError(`${where}: expected ${key} in [0, 1), got ${describe(v)}`);
  }
  return v;
}

/**
 * Base of the recurrent layers: LSTM, GRU and SimpleRNN. The whole layer runs as one fused op
 * (src/ops/recurrent.ts): a GEMM for the input projections of every step and one kernel running
 * the time loop, and the same for the backward pass. Weights as Keras and tfjs: kernel
 * [features, G·units], recurrent_kernel [units, G·units], bias [G·units].
 */
export abstract class Recurrent extends Layer {
  /** Passes the mask on with returnSequences (else the output has none), as Keras does. */
  override get supportsMasking(): boolean {
    return true;
  }

  /** Size of the state. */
  readonly units: number;
  /** Activation of the output/candidate. */
  readonly activation: RecurrentActivation;
  /** Whether there are biases. */
  readonly useBias: boolean;
  /** Whether the output holds every step. */
  readonly returnSequences: boolean;
  /** Whether the final states are returned too (applyWithState). */
  readonly returnState: boolean;
  /** Whether the steps run last to first. */
  readonly goBackwards: boolean;
  /** Input dropout rate. */
  readonly dropout: number;
  /** Recurrent dropout rate. */
  readonly recurrentDropout: number;
  /** Penalty on the kernel, if any. */
  readonly kernelRegularizer: Regularizer | null;
  /** Penalty on the recurrent kernel, if any. */
  readonly recurrentRegularizer: Regularizer | null;
  /** Penalty on the bias, if any. */
  readonly biasRegularizer: Regularizer | null;
  protected readonly kernelInitializer: Initializer;
  protected readonly recurrentInitializer: Initializer;
  protected readonly biasInitializer: Initializer;
  private readonly random: NoiseRandom;
  /** The kernel [features, G·units], once built. */
  kernel: Variable | null = null;
  /** The recurrent kernel [units, G·units], once built. */
  recurrentKernel: Variable | null = null;
  /** The bias, once built (and if useBias). */
  bias: Variable | null = null;
  /** The cell the fused op runs. */
  protected abstract readonly cell: RecurrentCell;
  /** @internal The options the layer was made with (Bidirectional makes its copies from them). */
  readonly initArgs: Readonly<RecurrentArgs>;

  constructor(args: RecurrentArgs, prefix: string, ownOptions: readonly string[]) {
    super(args, prefix, [...RECURRENT_OPTIONS, ...ownOptions]);
    this.initArgs = { ...args };
    const where = `${this.className} "${this.name}"`;
    if (!Number.isInteger(args.units) || args.units < 1 || args.units > 2 ** 16) {
      throw new ValueError(`${where}: expected units to be a positive integer, got ${describe(args.units)}`);
    }
    for (const key of ['useBias', 'returnSequences', 'returnState', 'goBackwards', 'stateful', 'unroll']) {
      checkBooleanOption(where, args, key);
    }
    rejectUnsupported(where, args, UNSUPPORTED_RECURRENT_OPTIONS);
    if (args.stateful === true) {
      throw new ValueError(
        `${where}: stateful recurrent layers are not supported (each batch starts from zero states); pass whole sequences`,
      );
    }
    if (args.implementation !== undefined && ![0, 1, 2].includes(args.implementation)) {
      throw new ValueError(`${where}: expected implementation 1 or 2, got ${describe(args.implementation)}`);
    }
    this.units = args.units;
    this.activation =
      args.activation === undefined ? 'tanh' : resolveRecurrentActivation(args.activation, `${where} activation`);
    this.useBias = args.useBias ?? true;
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.goBackwards = args.goBackwards ?? false;
    this.dropout = rate(where, 'dropout', args.dropout);
    this.recurrentDropout = rate(where, 'recurrentDropout', args.recurrentDropout);
    this.random = new NoiseRandom(where, args.seed);
    this.kernelInitializer = getInitializer(args.kernelInitializer ?? 'glorotUniform', `${where} kernelInitializer`);
    this.recurrentInitializer = getInitializer(
      args.recurrentInitializer ?? 'orthogonal',
      `${where} recurrentInitializer`,
    );
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros', `${where} biasInitializer`);
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer, `${where} kernelRegularizer`);
    this.recurrentRegularizer = getRegularizer(args.recurrentRegularizer, `${where} recurrentRegularizer`);
    this.biasRegularizer = getRegularizer(args.biasRegularizer, `${where} biasRegularizer`);
  }

  /** Seed of the dropout masks, if fixed. */
  get seed(): number | undefined {
    return this.random.seed;
  }

  /** Number of gates: the kernels hold gates·units columns. */
  get gates(): number {
    return CELL_GATES[this.cell];
  }

  /** Activation code of the gates (LSTM and GRU; SimpleRNN has none). */
  protected get recurrentActivationCode(): number {
    return Act.linear;
  }

  /** Shape of the bias (GRU with resetAfter: [2, 3·units]). */
  get biasShape(): number[] {
    return [this.gates * this.units];
  }

  /** Whether the GRU's reset gate applies after the recurrent product. */
  protected get resetsAfter(): boolean {
    return false;
  }

  /** The initializer of the bias as the layer uses it (LSTM: unit forget bias). */
  protected effectiveBiasInitializer(): Initializer {
    return this.biasInitializer;
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length !== 3 || inputShape[2] === null || inputShape[1] === 0) {
      throw new ShapeError(
        `${this.className} "${this.name}": expected input of shape [batch, steps, features], got [${inputShape.map((d) => d ?? '*').join(', ')}]`,
      );
    }
    return this.returnSequences ? [inputShape[0], inputShape[1], this.units] : [inputShape[0], this.units];
  }

  protected override createWeights(inputShape: SymbolicShape): void {
    const features = inputShape[2] as number;
    const g = this.gates * this.units;
    this.kernel = this.addWeight('kernel', [features, g], this.kernelInitializer, true, this.kernelRegularizer);
    this.recurrentKernel = this.addWeight(
      'recurrent_kernel',
      [this.units, g],
      this.recurrentInitializer,
      true,
      this.recurrentRegularizer,
    );
    if (this.useBias) {
      this.bias = this.addWeight('bias', this.biasShape, this.effectiveBiasInitializer(), true, this.biasRegularizer);
    }
  }

  /** Keras's mask rule: the output has the input's mask when it is a sequence, none otherwise. */
  override computeMask(_x: Tensor, mask: Tensor | null): Tensor | null {
    return this.returnSequences ? mask : null;
  }

  call(x: Tensor, training: boolean, mask?: Tensor | null): Tensor {
    if (this.returnState) {
      throw new ValueError(
        `${this.className} "${this.name}" has returnState: true, so it has several outputs, and a Sequential model takes one output per layer (as in Keras); use layer.applyWithState(x) for [output, ...states], or drop returnState`,
      );
    }
    return this.run(x, training, mask ?? null, {});
  }

  /**
   * Runs the layer and returns [output, ...final states] (LSTM: h and c; GRU and SimpleRNN: h), as
   * tfjs's `apply` does for a layer with returnState. Builds the layer first if needed.
   */
  applyWithState(x: Tensor, options: { training?: boolean; mask?: Tensor | null } = {}): Tensor[] {
    const where = `layer "${this.name}".applyWithState`;
    const mask = this.checkApplyArgs(where, x, options);
    if (mask !== null) checkMaskShape(where, x, mask);
    this.build([null, ...x.shape.slice(1)]);
    this.checkInput(x.shape);
    return this.splitStates(this.run(x, options.training ?? false, mask, { withStates: true }), x.shape[1]);
  }

  /** Splits the op's output with states appended into [output, ...states]. */
  splitStates(packed: Tensor, steps: number): Tensor[] {
    const [batch, , u] = packed.shape;
    const k = this.returnSequences ? steps : 1;
    const body = slice(packed, [0, 0, 0], [batch, k, u]);
    const output = this.returnSequences ? body : reshape(body, [batch, u]);
    if (output !== body) body.dispose();
    const states: Tensor[] = [];
    for (let i = 0; i < stateCount(this.cell); i++) {
      const s = slice(packed, [0, k + i, 0], [batch, 1, u]);
      states.push(reshape(s, [batch, u]));
      s.dispose();
    }
    return [output, ...states];
  }

  /** @internal The fused op over x [batch, steps, features] with the layer's options. */
  run(x: Tensor, training: boolean, mask: Tensor | null, extra: RecurrentRunOptions): Tensor {
    const where = `${this.className} "${this.name}"`;
    if (x.dtype !== 'float32') {
      throw new DTypeError(`${where}: expected a float32 input, got ${x.dtype}`);
    }
    const [batch, steps] = x.shape;
    if (steps < 1) throw new ShapeError(`${where}: expected at least one step, got input ${formatShape(x.shape)}`);
    if (batch === 0) {
      const k = (this.returnSequences ? steps : 1) + (extra.withStates ? stateCount(this.cell) : 0);
      const shape = extra.withStates
        ? [0, k, this.units]
        : this.returnSequences
          ? [0, steps, this.units]
          : [0, this.units];
      return new Tensor(shape, 'float32');
    }
    const drop = training && this.dropout > 0;
    const input = drop ? mul(x, this.random.dropoutMask([batch, 1, x.shape[2]], this.dropout, this)) : x;
    const recMask =
      training && this.recurrentDropout > 0
        ? this.random.dropoutMask([batch, this.units], this.recurrentDropout, this)
        : null;
    const projection = this.inputProjection(input);
    const y = recurrentOp(projection ?? input, projection ? null : this.kernel!, this.recurrentKernel!, this.bias, {
      cell: this.cell,
      units: this.units,
      activation: ACTIVATION_CODES[this.activation],
      recurrentActivation: this.recurrentActivationCode,
      returnSequences: this.returnSequences,
      returnState: extra.withStates === true,
      goBackwards: this.goBackwards,
      resetAfter: this.resetsAfter,
      mask,
      recurrentMask: recMask,
      alignReversed: extra.alignReversed,
      zeroMaskedOutput: extra.zeroMaskedOutput,
    });
    if (!activeTape()) {
      if (input !== x) input.dispose();
      projection?.dispose();
      recMask?.dispose();
    }
    return y;
  }

  /**
   * @internal The input projection x·kernel + input bias of every step, [batch, steps, G·units],
   * for a subclass that makes it itself (the int8 layers); null, the default: the fused op's float
   * GEMM makes it.
   */
  protected inputProjection(_x: Tensor): Tensor | null {
    return null;
  }

  override dispose(): void {
    super.dispose();
    this.kernel = null;
    this.recurrentKernel = null;
    this.bias = null;
  }

  /** The options of the recurrent activation in the config (LSTM, GRU). */
  protected recurrentActivationConfig(): Record<string, unknown> {
    return {};
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: activationFileName(this.activation),
      ...this.recurrentActivationConfig(),
      use_bias: this.useBias,
      kernel_initializer: { class_name: this.kernelInitializer.className, config: this.kernelInitializer.config },
      recurrent_initializer: {
        class_name: this.recurrentInitializer.className,
        config: this.recurrentInitializer.config,
      },
      bias_initializer: { class_name: this.biasInitializer.className, config: this.biasInitializer.config },
      kernel_regularizer: regularizerConfig(this.kernelRegularizer),
      recurrent_regularizer: regularizerConfig(this.recurrentRegularizer),
      bias_regularizer: regularizerConfig(this.biasRegularizer),
      kernel_constraint: null,
      recurrent_constraint: null,
      bias_constraint: null,
      dropout: this.dropout,
      recurrent_dropout: this.recurrentDropout,
      return_sequences: this.returnSequences,
      return_state: this.returnState,
      go_backwards: this.goBackwards,
      stateful: false,
      unroll: false,
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }
}

/** Options of the gated layers (LSTM, GRU). */
export interface GatedArgs extends RecurrentArgs {
  /** Activation of the gates (default 'hardSigmoid' as tfjs; Keras 3's default is 'sigmoid'). */
  recurrentActivation?: RecurrentActivation | 'hard_sigmoid' | null;
}

/** Base of LSTM and GRU: a recurrent activation for the gates. */
export abstract class Gated extends Recurrent {
  /** Activation of the gates. */
  readonly recurrentActivation: RecurrentActivation;

  constructor(args: GatedArgs, prefix: string, ownOptions: readonly string[]) {
    super(args, prefix, ['recurrentActivation', ...ownOptions]);
    this.recurrentActivation =
      args.recurrentActivation === undefined
        ? 'hardSigmoid'
        : resolveRecurrentActivation(args.recurrentActivation, `${this.className} "${this.name}" recurrentActivation`);
  }

  protected override get recurrentActivationCode(): number {
    return ACTIVATION_CODES[this.recurrentActivation];
  }

  protected override recurrentActivationConfig(): Record<string, unknown> {
    return { recurrent_activation: activationFileName(this.recurrentActivation) };
  }
}
