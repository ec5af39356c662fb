import { BackendError, DisposedError, DTypeError, formatShape, ShapeError, ValueError } from '../errors.js';
import type { SaveConfig, SaveResult, SaveTarget } from '../io/types.js';
import { InputLayer } from '../layers/input-layer.js';
import { Layer, type SymbolicShape } from '../layers/layer.js';
import { lazyPart } from '../lazy-import.js';
import { add } from '../ops/arithmetic.js';
import { tidy } from '../ops/engine.js';
import { greater } from '../ops/logical.js';
import { checkOptionNames } from '../ops/options.js';
import { argMax } from '../ops/reduction.js';
import { cast } from '../ops/shape.js';
import type { Tensor } from '../ops/tensor.js';
import { checkTensor, describe } from '../ops/validate.js';
import { getOptimizer, type OptimizerName } from '../optimizers/index.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import type { FitRandom } from '../random.js';
import type { History } from '../training/callbacks.js';
import type { Data, InputSpec } from '../training/inputs.js';
import { getLoss, type LossFunction, type LossIdentifier } from '../training/losses.js';
import { getMetrics, type MetricIdentifier } from '../training/metrics.js';
import { ModelStep } from '../training/model-step.js';
import { type BatchArgs, evaluateModel, type FitArgs, fitModel, predictModel, trainOnBatchModel } from './fit.js';
import { type InputGradientArgs, inputGradients } from './input-gradients.js';
import { passOf } from './passes.js';
import { checkPredictAsyncArgs, type PredictAsyncArgs, type PredictThreadsBodies } from './predict-threads.js';
import { type PrintFn, printSummary } from './summary.js';
import type { Compiled, PassKind } from './trainable.js';

/** Options of `compile`. */
export interface CompileArgs {
  /** An optimizer name ('adam', 'sgd', ...; Keras defaults) or an optimizer from `nn.train`. */
  optimizer: OptimizerName | Optimizer;
  /** A loss name (tfjs camelCase or Keras snake_case) or a function (yTrue, yPred) => scalar Tensor. */
  loss: LossIdentifier | LossFunction;
  /**
   * Metric names, e.g. ['accuracy']. fit logs each under the name given here, as Keras 3 does:
   * 'accuracy' is logged as `accuracy` and `val_accuracy`, 'acc' (tfjs's spelling) as `acc` and
   * `val_acc`. The built-in callbacks' `monitor` accepts either spelling for either.
   */
  metrics?: MetricIdentifier | MetricIdentifier[];
}

/** Options of `sequential`. */
export interface SequentialArgs {
  layers?: Layer[];
  name?: string;
}

/** What `Sequential.save` runs: the format (src/format/save.ts), which stands above the model, gives it. */
type ModelSaver = (model: Sequential, target: SaveTarget, config?: SaveConfig) => Promise<SaveResult>;

let saveModel: ModelSaver | null = null;

/**
 * @internal Gives `Sequential.save` its body: src/format/save.ts calls it when it is imported (the
 * model knows artifacts and handlers, not the layers format built above it).
 */
export function setModelSaver(save: ModelSaver): void {
  saveModel = save;
}

let modelCount = 0;

/** Throws unless `shape` is an input shape `build` takes: [null or the batch size, ...positive integers]. */
function checkBuildShape(shape: unknown): void {
  const positive = (d: unknown) => typeof d === 'number' && Number.isInteger(d) && d > 0;
  if (
    !Array.isArray(shape) ||
    shape.length < 2 ||
    !(shape[0] === null || positive(shape[0])) ||
    !shape.slice(1).every(positive)
  ) {
    const got = Array.isArray(shape)
      ? formatShape(shape.map((d) => (d === null ? 'null' : typeof d === 'number' ? d : describe(d))) as never)
      : describe(shape);
    throw new ShapeError(
      `Sequential.build: expected an input shape [null, ...positive integers] (batch first, e.g. [null, 10]), got ${got}`,
    );
  }
}

// Steps hold buffers and a trace for one kind of pass and batch size; a few are kept (training and
// its last batch, validation, predict).
const MAX_CACHED_STEPS = 6;
// A step holding more than this besides the weights' gradients is freed when the call that made it
// ends, instead of being cached.
const MAX_CACHED_STEP_BYTES = 4 * 1024 * 1024;

/** A linear stack of layers: compile, fit, evaluate, predict, as in Keras and TensorFlow.js. */
export class Sequential {
  /** The model's name. */
  readonly name: string;
  /** The layers in order (an InputLayer given by the user is not listed, as in Keras). */
  readonly layers: Layer[] = [];
  /** Set true from a callback to end `fit` after the current batch. */
  stopTraining = false;
  /** Preprocessing the model was trained with (a scaler, or scalers by name): `save` writes it, `loadLayersModel` restores it. */
  preprocessing: unknown = null;
  /** @internal */ compiled: Compiled | null = null;
  private declaredInput: SymbolicShape | null = null;
  private readonly steps = new Map<string, ModelStep>();
  private fitting = false;
  private disposed = false;
  /** @internal the generator of the running fit (dropout masks, shuffling) */
  readonly random: FitRandom = { rng: null, rows: null };

  constructor(args: SequentialArgs = {}) {
    if (args === null || typeof args !== 'object')
      throw new ValueError(`sequential: expected an options object, got ${describe(args)}`);
    this.name = args.name ?? `sequential_${++modelCount}`;
    const layers = args.layers ?? [];
    if (!Array.isArray(layers))
      throw new ValueError(`sequential: expected layers to be an array, got ${describe(layers)}`);
    const unbuilt = layers.filter((l) => l instanceof Layer && !l.built);
    try {
      for (const l of layers) this.add(l);
    } catch (e) {
      // no model comes out: the weights this constructor created are freed again
      for (const l of unbuilt) if (l.built) l.unbuild();
      throw e;
    }
  }

  /** Appends a layer; builds it at once when the model's input shape is known. */
  add(layer: Layer): void {
    this.checkNotDisposed('Sequential.add');
    if (!(layer instanceof Layer)) throw new ValueError(`Sequential.add: expected a layer, got ${describe(layer)}`);
    if (this.layers.includes(layer))
      throw new ValueError(`Sequential.add: layer "${layer.name}" is already in the model`);
    if (this.layers.some((l) => l.name === layer.name)) {
      throw new ValueError(`Sequential.add: the model already has a layer named "${layer.name}"`);
    }
    this.checkNotFitting('add', 'add a layer');
    const first = this.layers.length === 0 && !this.declaredInput;
    if (layer.takesStrings && this.layers.length > 0) {
      throw new ValueError(
        `Sequential.add: ${layer.className} "${layer.name}" takes strings, so it can only be the model's first layer`,
      );
    }
    if (!first && layer instanceof InputLayer) {
      throw new ValueError(`Sequential.add: an inputLayer must come first`);
    }
    if (!first && layer.batchInputShape && this.layers.length > 0) {
      throw new ValueError(`Sequential.add: only the first layer may declare inputShape (layer "${layer.name}")`);
    }
    const declared = first && layer.batchInputShape ? layer.batchInputShape : this.declaredInput;
    if (!(layer instanceof InputLayer)) {
      const inShape = this.layers.length ? this.layers[this.layers.length - 1].outputShape : declared;
      // may throw: nothing of the model changes before it succeeded
      if (inShape) layer.build(inShape);
    }
    this.declaredInput = declared;
    if (layer instanceof InputLayer) return;
    layer.fitRandom = this.random;
    this.layers.push(layer);
    this.invalidate();
  }

  /**
   * Builds every layer for an input shape (batch dimension included, as null). If a layer cannot
   * take its input, the layers this call built are unbuilt again (their weights freed).
   */
  build(inputShape: SymbolicShape): void {
    this.checkNotDisposed('Sequential.build');
    checkBuildShape(inputShape);
    const builtHere: Layer[] = [];
    try {
      let shape = inputShape;
      for (const l of this.layers) {
        if (!l.built) builtHere.push(l);
        l.build(shape);
        shape = l.outputShape!;
      }
    } catch (e) {
      for (const l of builtHere) l.unbuild();
      throw e;
    }
    this.declaredInput ??= inputShape;
  }

  /** Input shape with null batch, once known. */
  get inputShape(): SymbolicShape | null {
    return this.declaredInput ?? this.layers[0]?.inputShape ?? null;
  }

  /** Output shape with null batch, once built. */
  get outputShape(): SymbolicShape | null {
    return this.layers[this.layers.length - 1]?.outputShape ?? null;
  }

  /** @internal The shape of one input example (and whose input it is), building the model from data if needed. */
  inputSpecFor(op: string, x?: { shape: readonly number[] }): InputSpec {
    if (this.layers.length === 0) throw new ValueError(`${op}: the model has no layers`);
    const first = this.layers[0];
    if (!first.built) {
      if (!x) throw new ValueError(`${op}: the model's input shape is unknown; give the first layer an inputShape`);
      if (x.shape.length < 2 || x.shape.includes(0)) {
        throw new ShapeError(
          `${op}: expected x of shape [examples, ...features] to build model "${this.name}" from, got ${formatShape(x.shape)}`,
        );
      }
      this.build([null, ...x.shape.slice(1)]);
    }
    if (first.takesStrings) {
      const shape = first.outputShape!.slice(1) as number[];
      const next = this.layers[1];
      return {
        shape,
        owner: `model "${this.name}" (its layer "${first.name}" makes it from strings)`,
        encodeStrings: (texts) => first.encodeStrings(texts, op),
        // the layer after the text layer checks what it makes (an embedding: ids within inputDim)
        checkValues: (op, arg, values) =>
          next?.checkInputValues(op, `${arg} (vectorized by "${first.name}")`, values, shape),
      };
    }
    const shape = first.inputShape!.slice(1) as number[];
    return {
      shape,
      owner: `the input of model "${this.name}", layer "${first.name}"`,
      checkValues: (op, arg, values) => first.checkInputValues(op, arg, values, shape),
    };
  }

  /** @internal Values per example going in, building the model from data if needed. */
  inputWidthFor(op: string, x?: { shape: readonly number[] }): number {
    return this.inputSpecFor(op, x).shape.reduce((a, b) => a * b, 1);
  }

  /** @internal Values per example coming out. */
  get outputWidth(): number {
    const shape = this.outputShape!.slice(1) as number[];
    return shape.reduce((a, b) => a * b, 1);
  }

  /** Every weight variable of every layer. */
  get weights() {
    return this.layers.flatMap((l) => l.weights);
  }

  /** Weights training updates. */
  get trainableWeights() {
    return this.layers.flatMap((l) => l.trainableWeights);
  }

  /** Number of weight values. */
  countParams(): number {
    return this.layers.reduce((n, l) => n + l.countParams(), 0);
  }

  /** Copies of all weights, layer by layer (kernel then bias). */
  getWeights(): Tensor[] {
    this.checkNotDisposed('Sequential.getWeights');
    return this.layers.flatMap((l) => l.getWeights());
  }

  /** Replaces all weights; every shape is checked before any weight changes. */
  setWeights(weights: Tensor[]): void {
    this.checkNotDisposed('Sequential.setWeights');
    if (this.layers.some((l) => l.computePrecision === 'int8')) {
      this.setLayerWeights(weights);
      return;
    }
    const own = this.weights;
    if (!Array.isArray(weights) || weights.length !== own.length) {
      throw new ValueError(`setWeights: the model has ${own.length} weights, got ${describe(weights)}`);
    }
    weights.forEach((w, i) => {
      checkTensor('setWeights', `weights[${i}]`, w);
      if (w.size !== own[i].size || w.shape.some((d, j) => d !== own[i].shape[j]) || w.rank !== own[i].rank) {
        throw new ShapeError(
          `setWeights: weight ${i} (${own[i].name}) has shape ${formatShape(own[i].shape)}, got ${describe(w)}`,
        );
      }
      if (w.dtype !== own[i].dtype) {
        throw new DTypeError(`setWeights: weight ${i} (${own[i].name}) is ${own[i].dtype}, got ${describe(w)}`);
      }
    });
    weights.forEach((w, i) => {
      own[i].assign(w);
    });
  }

  /**
   * setWeights of a model with int8 layers: the list getWeights gives, handed to each layer's
   * setWeights in turn (the layers check them); on a failure every layer gets its weights back.
   */
  private setLayerWeights(weights: Tensor[]): void {
    const counts = this.layers.map((l) => l.storedWeights().length);
    const total = counts.reduce((a, b) => a + b, 0);
    if (!Array.isArray(weights) || weights.length !== total) {
      throw new ValueError(
        `setWeights: the model has ${total} weights (as getWeights gives them), got ${describe(weights)}`,
      );
    }
    const before = this.layers.map((l) => l.getWeights());
    try {
      let at = 0;
      this.layers.forEach((l, i) => {
        l.setWeights(weights.slice(at, at + counts[i]));
        at += counts[i];
      });
    } catch (e) {
      this.layers.forEach((l, i) => {
        l.setWeights(before[i]);
      });
      throw e;
    } finally {
      for (const list of before) for (const t of list) t.dispose();
    }
  }

  /** Sets the optimizer, loss and metrics for fit and evaluate. */
  compile(args: CompileArgs): void {
    this.checkNotDisposed('Sequential.compile');
    this.checkNotFitting('compile', 'recompile');
    if (args === null || typeof args !== 'object')
      throw new ValueError(`compile: expected an options object, got ${describe(args)}`);
    checkOptionNames('compile', args, ['optimizer', 'loss', 'metrics']);
    const optimizer = getOptimizer(args.optimizer);
    const loss = getLoss(args.loss);
    const metricList = args.metrics === undefined ? [] : Array.isArray(args.metrics) ? args.metrics : [args.metrics];
    const check = (width: number) => getMetrics(metricList, loss, width);
    if (this.outputShape) check(this.outputWidth);
    else check(2);
    const previous = this.compiled;
    this.compiled = {
      optimizer,
      loss,
      metricNames: metricList.map(String),
      makeMetrics: () => check(this.outputWidth),
      ownsOptimizer: typeof args.optimizer === 'string',
      lossAndMetrics: { loss: args.loss, metrics: args.metrics },
    };
    if (previous?.ownsOptimizer && previous.optimizer !== optimizer) previous.optimizer.dispose();
    this.invalidate();
  }

  /** The optimizer set by compile. */
  get optimizer(): Optimizer | null {
    return this.compiled?.optimizer ?? null;
  }

  /**
   * @internal The model's step for a pass of `kind` over batches of `rows` examples: made on first
   * use (its trace is recorded by its first run) and cached. A train step is made anew when the set
   * of trainable weights changed (a layer frozen or unfrozen).
   */
  step(kind: PassKind, rows: number, inputDType: 'float32' | 'int32' = 'float32'): ModelStep {
    const variables = kind === 'train' ? this.trainableWeights : [];
    // a train pass bakes in each layer's trainable flag (a frozen BatchNormalization uses its moving statistics)
    const flags = kind === 'train' ? this.layers.map((l) => (l.trainable ? 1 : 0)).join('') : '';
    const key = `${kind}:${rows}:${inputDType}:${variables.map((v) => v.id).join(',')}:${flags}`;
    const cached = this.steps.get(key);
    if (cached) {
      // most recently used last, so the eviction below drops the oldest
      this.steps.delete(key);
      this.steps.set(key, cached);
      return cached;
    }
    if (this.steps.size >= MAX_CACHED_STEPS) {
      // the oldest a running fit or evaluate does not hold (a held one is kept, over the limit)
      for (const [oldKey, old] of this.steps) {
        if (old.pinned) continue;
        old.dispose();
        this.steps.delete(oldKey);
        break;
      }
    }
    const input = this.inputSpecFor(kind);
    // labels for train and evaluate; the outputs' weights for the gradient passes
    const sparse = (kind === 'train' || kind === 'evaluate') && (this.compiled?.loss.sparseLabels ?? false);
    const labels = kind === 'predict' ? null : sparse ? [rows] : [rows, this.outputWidth];
    const step = new ModelStep(
      passOf(this, kind, variables),
      variables,
      [rows, ...input.shape],
      inputDType,
      labels,
      sparse ? 'int32' : 'float32',
    );
    this.steps.set(key, step);
    return step;
  }

  /** @internal Points the layers' noise at this model's generator (a layer may serve several models). */
  claimRandom(): void {
    for (const l of this.layers) l.fitRandom = this.random;
  }

  /** @internal Frees a step after a call that used it, if it is large and nothing holds it. */
  doneStep(step: ModelStep): void {
    if (step.pinned || (step.ran && step.bytes - 4 * this.countParams() <= MAX_CACHED_STEP_BYTES)) return;
    for (const [key, s] of this.steps) {
      if (s !== step) continue;
      s.dispose();
      this.steps.delete(key);
    }
  }

  /** Throws if `fit` is running: a callback must not change what its training step works on. */
  private checkNotFitting(method: string, what: string): void {
    if (this.fitting) {
      throw new ValueError(
        `Sequential.${method}: cannot ${what} while fit is running (from a callback); set model.stopTraining = true and ${what} after fit resolves`,
      );
    }
  }

  /** Throws a DisposedError naming the call if `dispose` freed the model's weights. */
  /** Whether `dispose()` freed the model. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Throws if a layer computes in int8 (`nn.quantize`): such a model is for inference only. */
  private checkNotQuantized(op: string): void {
    const q = this.layers.find((l) => l.computePrecision === 'int8');
    if (q) {
      throw new ValueError(
        `${op}: model "${this.name}" is quantized (layer "${q.name}" computes in int8) and quantized models are for inference; train the float model, then quantize it again`,
      );
    }
  }

  private checkNotDisposed(op: string): void {
    if (this.disposed) {
      throw new DisposedError(
        `${op}: model "${this.name}" was disposed (model.dispose() freed its weights); make or load a new model`,
      );
    }
    const layer = this.layers.find((l) => l.isDisposed);
    if (layer) {
      throw new DisposedError(
        `${op}: layer "${layer.name}" of model "${this.name}" was disposed (layer.dispose() freed its weights); make or load a new model`,
      );
    }
  }

  /** Runs a call; if it fails having built layers, they are unbuilt again (the model as it was). */
  private unbuildOnFailure<T>(fn: () => T, changed: () => boolean = () => false): T {
    const unbuilt = this.layers.filter((l) => !l.built);
    const declared = this.declaredInput;
    const undo = () => {
      if (changed() || !unbuilt.some((l) => l.built)) return;
      this.invalidate();
      for (const l of unbuilt) if (l.built) l.unbuild();
      this.declaredInput = declared;
    };
    try {
      const r = fn();
      if (r instanceof Promise) {
        return r.catch((e) => {
          undo();
          throw e;
        }) as T;
      }
      return r;
    } catch (e) {
      undo();
      throw e;
    }
  }

  /** Drops the cached steps and their traces (after the layers or the loss change). */
  private invalidate(): void {
    for (const step of this.steps.values()) step.dispose();
    this.steps.clear();
  }

  /** Runs the layers with tensor ops (gradients recorded when a tape is active). */
  call(x: Tensor, training = false): Tensor {
    return tidy(() => this.callWithPenalty(x, training, false).output);
  }

  /**
   * @internal The output for `x`, and the sum of the layers' penalties (weight and activity
   * regularizers; null without any, or when `penalties` is false). Runs in the caller's tidy scope.
   */
  callWithPenalty(
    x: Tensor,
    training = false,
    penalties = true,
    onLayerInput?: (layer: Layer, input: Tensor) => void,
  ): { output: Tensor; penalty: Tensor | null } {
    // a first layer that takes strings has run before the passes: x is its output
    const layers = this.layers[0]?.takesStrings ? this.layers.slice(1) : this.layers;
    // int32 inputs reach a first layer that does not take them as they are as float32, as in Keras
    let h = x.dtype === 'int32' && !layers[0]?.takesIntegerInput ? cast(x, 'float32') : x;
    let penalty: Tensor | null = null;
    const addPenalty = (p: Tensor | null) => {
      if (p) penalty = penalty ? add(penalty, p) : p;
    };
    let mask: Tensor | null = null;
    for (const l of layers) {
      onLayerInput?.(l, h);
      ({ output: h, mask } = l.callMasked(h, training, mask));
      if (!penalties) continue;
      addPenalty(l.weightPenalty());
      if (l.activityRegularizer) addPenalty(l.activityRegularizer.penalty(h, 1 / h.shape[0]));
    }
    return { output: h, penalty };
  }

  /**
   * Trains the model; see FitArgs. Resolves to the History of losses and metrics per epoch. As in
   * TensorFlow.js, one fit runs at a time per model: a second call (concurrent, or from a callback)
   * is rejected and leaves the running one as it was; evaluate and predict work from callbacks.
   */
  async fit(x: Data, y: Data, args: FitArgs = {}): Promise<History> {
    this.checkNotDisposed('fit');
    this.checkNotQuantized('fit');
    if (this.fitting) {
      throw new ValueError(
        `fit: cannot start training because another fit() call is ongoing on model "${this.name}"; await it first`,
      );
    }
    this.fitting = true;
    try {
      const iterations = this.compiled?.optimizer.iterations;
      return await this.unbuildOnFailure(
        () => fitModel(this, x, y, args),
        () => this.compiled?.optimizer.iterations !== iterations,
      );
    } finally {
      this.fitting = false;
    }
  }

  /**
   * One optimizer step on x and y as one batch, as tfjs's `trainOnBatch`: resolves to the batch's
   * loss, or [loss, ...metrics] when metrics were compiled.
   */
  async trainOnBatch(x: Data, y: Data): Promise<number | number[]> {
    this.checkNotDisposed('trainOnBatch');
    this.checkNotQuantized('trainOnBatch');
    if (this.fitting) {
      throw new ValueError(`trainOnBatch: model "${this.name}" is training (fit is running); await it first`);
    }
    return this.unbuildOnFailure(() => trainOnBatchModel(this, x, y));
  }

  /** The layer of that name, or at that index (counting from 0), as tfjs's `getLayer`. */
  getLayer(nameOrIndex: string | number): Layer {
    this.checkNotDisposed('getLayer');
    if (typeof nameOrIndex === 'number') {
      if (!Number.isInteger(nameOrIndex) || nameOrIndex < 0 || nameOrIndex >= this.layers.length) {
        throw new ValueError(
          `getLayer: expected an index in [0, ${this.layers.length}) (the model has ${this.layers.length} layers), got ${describe(nameOrIndex)}`,
        );
      }
      return this.layers[nameOrIndex];
    }
    const layer = this.layers.find((l) => l.name === nameOrIndex);
    if (!layer) {
      throw new ValueError(
        `getLayer: model "${this.name}" has no layer named ${describe(nameOrIndex)}; its layers: ${this.layers.map((l) => l.name).join(', ')}`,
      );
    }
    return layer;
  }

  /** Loss and metrics on data: a scalar, or [loss, ...metrics] when metrics were compiled. */
  evaluate(x: Data, y: Data, args: BatchArgs = {}): Tensor | Tensor[] {
    this.checkNotDisposed('evaluate');
    return this.unbuildOnFailure(() => evaluateModel(this, x, y, args));
  }

  /** Model outputs for x, computed in batches (no training behaviour: dropout is off). */
  predict(x: Data, args: BatchArgs = {}): Tensor {
    this.checkNotDisposed('predict');
    return this.unbuildOnFailure(() => predictModel(this, x, args));
  }

  /**
   * `predict` on every core: the same predictions, to the bit, with the batches shared by this
   * thread and worker threads (`args.workers`, default 'auto'), each running its own copy of the
   * model (sent as its saved form). 'auto' starts threads only where the work (weights × examples)
   * pays for their start, up to the cores; otherwise, and while the model is in `fit`, this is
   * `predict` on this thread. The model must not change while the call runs. Rejects with a
   * BackendError naming a worker thread that fails; no thread is left running.
   */
  async predictAsync(x: Data, args: PredictAsyncArgs = {}): Promise<Tensor> {
    this.checkNotDisposed('predictAsync');
    const { batchSize, workers } = checkPredictAsyncArgs(args);
    const here = () => predictModel(this, x, { batchSize }, 'predictAsync');
    if (workers === 1 || this.fitting) return this.unbuildOnFailure(here);
    return this.unbuildOnFailure(async () => {
      const { predictOnThreads } = await lazyPart<PredictThreadsBodies>('predictAsync');
      return (await predictOnThreads({ model: this, x, batchSize, workers })) ?? here();
    });
  }

  /**
   * Gradients of one output of each example with respect to its input (saliency maps), computed on
   * the fast path: row i is ∂ output[i, c] / ∂ x[i] with c the example's predicted class or
   * `args.classes`; `args.logits` differentiates the logits before a final softmax or sigmoid.
   */
  inputGradients(x: Data, args: InputGradientArgs = {}): Tensor {
    this.checkNotDisposed('inputGradients');
    this.checkNotQuantized('inputGradients');
    return this.unbuildOnFailure(() => inputGradients(this, x, args));
  }

  /** The most likely class of each example (int32), from predict. */
  predictClasses(x: Data, args: BatchArgs = {}): Tensor {
    this.checkNotDisposed('predictClasses');
    const p = predictModel(this, x, args, 'predictClasses');
    try {
      if (p.shape[p.rank - 1] === 1) return tidy(() => cast(greater(p, 0.5), 'int32'));
      return argMax(p, -1);
    } finally {
      p.dispose();
    }
  }

  /**
   * Prints (or hands to `printFn`) a table of layers, output shapes and parameter counts. Takes
   * tfjs's arguments: `lineLength` (characters, default 90), `positions` (where the columns end:
   * 4 for tfjs's table with an input shape column, or 3 for Keras's without; fractions of lineLength
   * such as [0.32, 0.61, 0.89, 1], or character positions such as [30, 55, 80, 90]) and `printFn`
   * (default console.log); or a printFn alone. Without lineLength and positions the columns are as
   * wide as their contents.
   */
  summary(lineLength?: number | PrintFn, positions?: number[], printFn?: PrintFn): void {
    this.checkNotDisposed('Sequential.summary');
    printSummary(this, lineLength, positions, printFn);
  }

  /**
   * Saves the model in the TensorFlow.js layers format to a URL-style target (`file://dir` in Node,
   * `http(s)://…`, `indexeddb://name`, `localstorage://name`) or an IOHandler; see SaveConfig.
   * The first save or load in a page loads the model-file code before it reads the model: leave the
   * model as it is until the promise settles.
   */
  save(handlerOrUrl: SaveTarget, config?: SaveConfig): Promise<SaveResult> {
    try {
      this.checkNotDisposed('save');
      if (saveModel === null)
        throw new BackendError('save: the model-file code is not registered (import neurasm from its index)');
    } catch (e) {
      return Promise.reject(e);
    }
    return saveModel(this, handlerOrUrl, config);
  }

  /** Frees the weights, the optimizer state and cached buffers. */
  dispose(): void {
    if (this.disposed) return;
    this.checkNotFitting('dispose', 'dispose the model');
    this.disposed = true;
    this.invalidate();
    for (const l of this.layers) l.dispose();
    const c = this.compiled;
    // an optimizer the user passed in may serve other models: only the state of these weights goes
    if (c?.ownsOptimizer) c.optimizer.dispose();
    else c?.optimizer.pruneState();
  }
}

/** Makes a Sequential model, as `tf.sequential`. */
export function sequential(args: SequentialArgs = {}): Sequential {
  return new Sequential(args);
}
