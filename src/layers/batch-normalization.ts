import { batchNormForwardInference, batchNormMovingUpdate } from '../backend/kernels/normalization.js';
import { ShapeError, ValueError } from '../errors.js';
import { add, mul, reciprocal, sqrt, sub } from '../ops/arithmetic.js';
import { batchNormTrain } from '../ops/batch-norm.js';
import { fill } from '../ops/create.js';
import { tidy } from '../ops/engine.js';
import { checkBooleanOption, rejectUnsupported } from '../ops/options.js';
import { activeTape } from '../ops/tape.js';
import { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
import type { Variable } from '../ops/variable.js';
import { getInitializer, type Initializer } from './initializers.js';
import { Layer, type LayerArgs, regularizerConfig, type SymbolicShape } from './layer.js';
import { getRegularizer, type Regularizer } from './regularizers.js';
import { stateUpdate } from './state-updates.js';

/** Options of `layers.batchNormalization` (Keras names and defaults). */
export interface BatchNormalizationArgs extends LayerArgs {
  /** The features axis: -1 (the only one for [batch, features] inputs; 1 is accepted as the same). */
  axis?: number;
  /** Weight of the old value in the moving statistics, in [0, 1) (default 0.99). */
  momentum?: number;
  /** Added to the variance before the square root, > 0 (default 1e-3). */
  epsilon?: number;
  /** Whether to add the learned offset beta (default true). */
  center?: boolean;
  /** Whether to multiply by the learned scale gamma (default true). */
  scale?: boolean;
  /** Initializer of beta (default zeros). */
  betaInitializer?: string | Initializer;
  /** Initializer of gamma (default ones). */
  gammaInitializer?: string | Initializer;
  /** Initializer of the moving mean (default zeros). */
  movingMeanInitializer?: string | Initializer;
  /** Initializer of the moving variance (default ones). */
  movingVarianceInitializer?: string | Initializer;
  /** Penalty on beta. */
  betaRegularizer?: Regularizer | string | null;
  /** Penalty on gamma. */
  gammaRegularizer?: Regularizer | string | null;
}

const BATCH_NORMALIZATION_OPTIONS = [
  'axis',
  'momentum',
  'epsilon',
  'center',
  'scale',
  'betaInitializer',
  'gammaInitializer',
  'movingMeanInitializer',
  'movingVarianceInitializer',
  'betaRegularizer',
  'gammaRegularizer',
  'betaConstraint',
  'gammaConstraint',
];

/**
 * Normalizes each feature of [batch, features] inputs, as Keras' BatchNormalization:
 * y = (x − mean) / √(variance + epsilon) · gamma + beta. In training (and while the layer is
 * trainable) mean and variance are the batch's own (biased variance), and the moving statistics
 * are updated as moving = moving · momentum + batch · (1 − momentum); at inference, or when the layer
 * is frozen (trainable = false, Keras' rule), the moving statistics are used.
 * Weights, in Keras order: gamma, beta (trainable), moving_mean, moving_variance (not trainable).
 */
export class BatchNormalization extends Layer {
  /** Passes a mask on, as Keras does. */
  override get supportsMasking(): boolean {
    return true;
  }

  static readonly className = 'BatchNormalization';
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private readonly initializers: Record<'beta' | 'gamma' | 'movingMean' | 'movingVariance', Initializer>;
  /** Penalty on beta, if any. */
  readonly betaRegularizer: Regularizer | null;
  /** Penalty on gamma, if any. */
  readonly gammaRegularizer: Regularizer | null;
  /** Learned scale [features] (if scale), once built. */
  gamma: Variable | null = null;
  /** Learned offset [features] (if center), once built. */
  beta: Variable | null = null;
  /** Moving mean [features], once built. */
  movingMean: Variable | null = null;
  /** Moving variance [features], once built. */
  movingVariance: Variable | null = null;

  constructor(args: BatchNormalizationArgs = {}) {
    super(args, 'batch_normalization', BATCH_NORMALIZATION_OPTIONS);
    const where = `BatchNormalization "${this.name}"`;
    const axis = args.axis ?? -1;
    if (axis !== -1 && axis !== 1) {
      throw new ValueError(
        `${where}: expected axis -1 (the features of [batch, features] inputs), got ${describe(args.axis)}`,
      );
    }
    const momentum = args.momentum ?? 0.99;
    if (typeof momentum !== 'number' || !(momentum >= 0 && momentum < 1)) {
      throw new ValueError(`${where}: expected momentum in [0, 1), got ${describe(args.momentum)}`);
    }
    const epsilon = args.epsilon ?? 1e-3;
    if (typeof epsilon !== 'number' || !(epsilon > 0 && Number.isFinite(epsilon))) {
      throw new ValueError(`${where}: expected epsilon > 0, got ${describe(args.epsilon)}`);
    }
    checkBooleanOption(where, args, 'center');
    checkBooleanOption(where, args, 'scale');
    rejectUnsupported(where, args, {
      betaConstraint: 'weight constraints are not supported yet',
      gammaConstraint: 'weight constraints are not supported yet',
    });
    this.momentum = momentum;
    this.epsilon = epsilon;
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.initializers = {
      beta: getInitializer(args.betaInitializer ?? 'zeros', `${where} betaInitializer`),
      gamma: getInitializer(args.gammaInitializer ?? 'ones', `${where} gammaInitializer`),
      movingMean: getInitializer(args.movingMeanInitializer ?? 'zeros', `${where} movingMeanInitializer`),
      movingVariance: getInitializer(args.movingVarianceInitializer ?? 'ones', `${where} movingVarianceInitializer`),
    };
    this.betaRegularizer = getRegularizer(args.betaRegularizer, `${where} betaRegularizer`);
    this.gammaRegularizer = getRegularizer(args.gammaRegularizer, `${where} gammaRegularizer`);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length !== 2 || inputShape[1] === null) {
      throw new ShapeError(
        `BatchNormalization "${this.name}": expected input of shape [batch, features], got [${inputShape.map((d) => d ?? '*').join(', ')}] (add a flatten layer before it)`,
      );
    }
    return [...inputShape];
  }

  protected override createWeights(inputShape: SymbolicShape): void {
    const width = inputShape[1] as number;
    const init = this.initializers;
    if (this.scale) this.gamma = this.addWeight('gamma', [width], init.gamma, true, this.gammaRegularizer);
    if (this.center) this.beta = this.addWeight('beta', [width], init.beta, true, this.betaRegularizer);
    this.movingMean = this.addWeight('moving_mean', [width], init.movingMean, false);
    this.movingVariance = this.addWeight('moving_variance', [width], init.movingVariance, false);
  }

  /** Whether a pass in this mode normalizes with the batch's statistics (and updates the moving ones). */
  private usesBatchStatistics(training: boolean): boolean {
    return training && this.trainable;
  }

  call(x: Tensor, training: boolean): Tensor {
    if (this.usesBatchStatistics(training)) {
      const { y, mean, variance } = batchNormTrain(x, this.gamma, this.beta, this.epsilon, () => this.fitRandom?.rows);
      // the moving statistics are state, not part of the differentiated function; fit holds the
      // update back until it knows the loss is finite
      stateUpdate(
        () =>
          batchNormMovingUpdate(
            this.movingMean!.ptr(),
            this.movingVariance!.ptr(),
            mean.ptr(),
            variance.ptr(),
            mean.size,
            this.momentum,
          ),
        [mean, variance],
      );
      return y;
    }
    if (!activeTape()) {
      // nothing to differentiate: one kernel pass
      const [rows, cols] = x.shape;
      const y = new Tensor(x.shape, 'float32');
      const invStd = new Tensor([cols], 'float32');
      const gamma = this.gamma ?? fill([cols], 1);
      const beta = this.beta ?? fill([cols], 0);
      batchNormForwardInference(
        x.ptr(),
        y.ptr(),
        gamma.ptr(),
        beta.ptr(),
        this.movingMean!.ptr(),
        this.movingVariance!.ptr(),
        invStd.ptr(),
        rows,
        cols,
        this.epsilon,
      );
      for (const t of [invStd, gamma, beta]) if (t !== this.gamma && t !== this.beta) t.dispose();
      return y;
    }
    return tidy(() => {
      // the moving statistics, with the same operations, in the same order, as the kernels
      const centered = sub(x, this.movingMean!);
      let y = mul(centered, reciprocal(sqrt(add(this.movingVariance!, this.epsilon))));
      if (this.gamma) y = mul(y, this.gamma);
      if (this.beta) y = add(y, this.beta);
      return y;
    });
  }

  /** Frees the weights (the layer can be built again). */
  override dispose(): void {
    super.dispose();
    this.gamma = null;
    this.beta = null;
    this.movingMean = null;
    this.movingVariance = null;
  }

  override getConfig(): Record<string, unknown> {
    const init = (i: Initializer) => ({ class_name: i.className, config: i.config });
    return {
      ...super.getConfig(),
      axis: -1,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      beta_initializer: init(this.initializers.beta),
      gamma_initializer: init(this.initializers.gamma),
      moving_mean_initializer: init(this.initializers.movingMean),
      moving_variance_initializer: init(this.initializers.movingVariance),
      beta_regularizer: regularizerConfig(this.betaRegularizer),
      gamma_regularizer: regularizerConfig(this.gammaRegularizer),
      beta_constraint: null,
      gamma_constraint: null,
    };
  }
}
