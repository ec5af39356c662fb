import { DivergenceError, ValueError } from '../errors.js';
import { lazyPart } from '../lazy-import.js';
import { scalar } from '../ops/create.js';
import { optionsObject, rejectUnsupported } from '../ops/options.js';
import { Tensor } from '../ops/tensor.js';
import { checkInt, describe } from '../ops/validate.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { globalRandom, Random } from '../random.js';
import {
  CallbackList,
  type CustomCallbackArgs,
  formatLogs,
  History,
  type Logs,
  type TrainingModel,
} from '../training/callbacks.js';
import { type Data, inputRows, labelRows, type Rows, releaseRows } from '../training/inputs.js';
import type { Metric } from '../training/metrics.js';
import type { ModelStep } from '../training/model-step.js';
import { type BatchTrainer, MAX_WORKERS, type ReplicaBodies } from './batch-trainer.js';
import { copyRowsOut, forEachBatch, gatherRows } from './batches.js';
import type { TrainableModel } from './trainable.js';

/** Options of `fit`, as in TensorFlow.js. */
export interface FitArgs {
  /** Passes over the data (default 1). */
  epochs?: number;
  /** Examples per gradient step (default 32). */
  batchSize?: number;
  /** Shuffle the examples before each epoch (default true). */
  shuffle?: boolean;
  /** Held-out data evaluated after each epoch. */
  validationData?: [Data, Data];
  /** Fraction of the data (taken from the end, before shuffling, as Keras does) held out for validation. */
  validationSplit?: number;
  /** Epoch to start counting from (to resume a run). */
  initialEpoch?: number;
  /** 0 silent, 1 a line per epoch (default 1). */
  verbose?: 0 | 1;
  /** Hooks called during training. */
  callbacks?: CustomCallbackArgs | CustomCallbackArgs[];
  /** Seed of the shuffling and dropout of this fit (default: the global generator). */
  seed?: number;
  /** Milliseconds between yields to the event loop (default 50), so pages stay responsive. */
  yieldEvery?: number;
  /**
   * Threads that share each batch (default 1; the main thread counts as one): each computes the
   * gradients of its slice of the batch, and one optimizer update is applied to the summed
   * gradients. An integer from 1 to 16, or 'auto' (more than one only where it pays). Node
   * worker_threads, or Web Workers (transferring buffers where the page is not cross-origin
   * isolated); see the README's "Scaling out".
   */
  workers?: number | 'auto';
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

const nextTick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** The dtype of a model input's rows (int32 stays integers, for embeddings). */
function inputDType(rows: Rows): 'float32' | 'int32' {
  return rows.tensor.dtype === 'int32' ? 'int32' : 'float32';
}

const FIT_OPTIONS: ReadonlyArray<keyof FitArgs> = [
  'epochs',
  'batchSize',
  'shuffle',
  'validationData',
  'validationSplit',
  'initialEpoch',
  'verbose',
  'callbacks',
  'seed',
  'yieldEvery',
  'workers',
];

/** tfjs fit options neurasm does not apply, and what to do instead. */
const UNSUPPORTED_FIT_OPTIONS: Record<string, string> = {
  classWeight: 'repeat the examples of rare classes instead',
  sampleWeight: 'repeat or drop examples instead',
  stepsPerEpoch: 'every epoch is one pass over x',
  validationSteps: 'validation runs over all of validationData',
  validationBatchSize: 'validation uses batchSize',
  validationFreq: 'validation runs after every epoch',
};

function checkFitArgs(
  args: FitArgs,
): Required<Pick<FitArgs, 'epochs' | 'batchSize' | 'initialEpoch' | 'yieldEvery' | 'workers'>> {
  optionsObject('fit', args, '{epochs: 10}', [...FIT_OPTIONS, ...Object.keys(UNSUPPORTED_FIT_OPTIONS)]);
  rejectUnsupported('fit', args, UNSUPPORTED_FIT_OPTIONS);
  const epochs = checkInt('fit', 'epochs', args.epochs ?? 1, 1);
  const batchSize = checkInt('fit', 'batchSize', args.batchSize ?? 32, 1);
  const initialEpoch = checkInt('fit', 'initialEpoch', args.initialEpoch ?? 0, 0);
  if (initialEpoch >= epochs)
    throw new ValueError(`fit: expected initialEpoch < epochs, got ${initialEpoch} >= ${epochs}`);
  const yieldEvery = args.yieldEvery ?? 50;
  if (typeof yieldEvery !== 'number' || !(yieldEvery >= 0))
    throw new ValueError(`fit: expected yieldEvery >= 0 ms, got ${describe(yieldEvery)}`);
  const split = args.validationSplit;
  if (split !== undefined && !(typeof split === 'number' && split >= 0 && split < 1)) {
    throw new ValueError(`fit: expected validationSplit in [0, 1) (0: no validation), got ${describe(split)}`);
  }
  if (args.validationData !== undefined && (!Array.isArray(args.validationData) || args.validationData.length !== 2)) {
    throw new ValueError(`fit: expected validationData to be [x, y], got ${describe(args.validationData)}`);
  }
  if (args.seed !== undefined && !(typeof args.seed === 'number' && Number.isFinite(args.seed))) {
    throw new ValueError(`fit: expected seed to be a finite number, got ${describe(args.seed)}`);
  }
  const workers = args.workers ?? 1;
  if (workers !== 'auto' && !(Number.isInteger(workers) && workers >= 1 && workers <= MAX_WORKERS)) {
    throw new ValueError(
      `fit: expected workers to be an integer from 1 to ${MAX_WORKERS} (threads, the main one included) or 'auto', got ${describe(workers)}`,
    );
  }
  return { epochs, batchSize, initialEpoch, yieldEvery, workers };
}

/** The examples [start, end) of rows as a view-free tensor copy. */
function sliceRows(rows: Rows, start: number, end: number): Rows {
  const t = rows.tensor;
  const copy = new Tensor([end - start, ...t.shape.slice(1)], t.dtype);
  gatherRows(t, copy.ptr(), null, start, end - start, rows.width);
  return { tensor: copy, owned: true, count: end - start, width: rows.width };
}

/** Runs one pass over `data` without training; returns the mean loss and metric results. */
function evaluateRows(model: TrainableModel, x: Rows, y: Rows, requestedBatch: number, metrics: Metric[]): Logs {
  // a batch larger than the data would allocate rows nobody fills (tfjs clamps too)
  const batchSize = Math.min(requestedBatch, x.count);
  const width = model.outputWidth;
  for (const m of metrics) m.reset();
  let lossSum = 0;
  forEachBatch(model, 'evaluate', x.count, batchSize, inputDType(x), (step, start, rows) => {
    gatherRows(x.tensor, step.x.ptr(), null, start, rows, x.width);
    gatherRows(y.tensor, step.y!.ptr(), null, start, rows, y.width);
    step.run();
    lossSum += step.lossValue() * rows;
    const { labels, predictions } = step.metricViews();
    for (const m of metrics) m.update(labels, predictions, rows, width);
  });
  const logs: Logs = { loss: lossSum / x.count };
  for (const m of metrics) logs[m.key] = m.result();
  return logs;
}

/** x and y as rows for `op`, checked to hold as many examples; what they allocate is pushed onto `owned`. */
function loadExamples(
  op: 'fit' | 'evaluate' | 'trainOnBatch',
  model: TrainableModel,
  x: Data,
  y: Data,
  owned: Rows[],
  arg?: string,
): { xs: Rows; ys: Rows } {
  const c = model.compiled!;
  const input = model.inputSpecFor(op, x instanceof Tensor ? x : undefined);
  const xs = inputRows(op, arg ? `${arg}[0]` : 'x', x, input);
  owned.push(xs);
  const ys = labelRows(op, y, c.loss.sparseLabels, model.outputWidth, model.outputShape!.slice(1) as number[]);
  owned.push(ys);
  if (xs.count !== ys.count) {
    throw new ValueError(
      `${op}: ${arg ? `${arg} ` : ''}x has ${xs.count} examples but y has ${ys.count}; expected the same number`,
    );
  }
  return { xs, ys };
}

/** The training loop behind `model.fit`. */
export async function fitModel(model: TrainableModel, x: Data, y: Data, args: FitArgs = {}): Promise<History> {
  const c = model.compiled;
  if (!c) throw new ValueError('fit: the model must be compiled first (call model.compile({ optimizer, loss }))');
  const { epochs, batchSize, initialEpoch, yieldEvery, workers } = checkFitArgs(args);
  const callbacks = new CallbackList(args.callbacks, model as unknown as TrainingModel);
  const owned: Rows[] = [];
  try {
    let { xs, ys } = loadExamples('fit', model, x, y, owned);
    let xv: Rows | null = null;
    let yv: Rows | null = null;
    if (args.validationData) {
      ({ xs: xv, ys: yv } = loadExamples(
        'fit',
        model,
        args.validationData[0],
        args.validationData[1],
        owned,
        'validationData',
      ));
    } else if (args.validationSplit) {
      const cut = Math.floor(xs.count * (1 - args.validationSplit));
      if (cut < 1 || cut >= xs.count)
        throw new ValueError(`fit: validationSplit ${args.validationSplit} leaves no examples on one side`);
      xv = sliceRows(xs, cut, xs.count);
      yv = sliceRows(ys, cut, ys.count);
      const xt = sliceRows(xs, 0, cut);
      const yt = sliceRows(ys, 0, cut);
      owned.push(xv, yv, xt, yt);
      xs = xt;
      ys = yt;
    }
    // a batch larger than the data would allocate rows nobody fills (tfjs clamps too)
    const batch = Math.min(batchSize, xs.count);
    const trainer = await startTrainer(model, xs, ys, batch, workers);
    try {
      const loopArgs = { ...args, epochs, batchSize, initialEpoch, yieldEvery };
      return await trainLoop(model, trainer, xs, xv, yv, loopArgs, callbacks);
    } finally {
      await trainer.release();
    }
  } finally {
    model.random.rng = null;
    model.random.rows = null;
    releaseRows(...owned);
  }
}

/** The trainer of a fit: this thread's, or, for `workers` other than 1, threads that share each batch. */
async function startTrainer(
  model: TrainableModel,
  xs: Rows,
  ys: Rows,
  batchSize: number,
  workers: number | 'auto',
): Promise<BatchTrainer> {
  if (workers !== 1) {
    const { startReplicas } = await lazyPart<ReplicaBodies>('fit');
    const replicas = await startReplicas({ model, xs, ys, batchSize, inputDType: inputDType(xs), workers });
    if (replicas) return replicas;
  }
  return new TrainSteps(model, xs, ys, batchSize);
}

/** The train steps of a fit on this thread: one for full batches and one for the last, partial batch (if any). */
class TrainSteps implements BatchTrainer {
  private readonly steps: ModelStep[] = [];

  constructor(
    private readonly model: TrainableModel,
    private readonly xs: Rows,
    private readonly ys: Rows,
    batchSize: number,
  ) {
    const lastRows = xs.count % batchSize;
    const dtype = inputDType(xs);
    // pinned while fit runs: callbacks may predict or evaluate with other batch sizes meanwhile
    try {
      for (const rows of lastRows > 0 ? [batchSize, lastRows] : [batchSize]) {
        const step = model.step('train', rows, dtype);
        step.pin();
        this.steps.push(step);
      }
    } catch (e) {
      this.release();
      throw e;
    }
  }

  /** The step for a batch of `rows` examples. */
  forRows(rows: number): ModelStep {
    return rows === this.steps[0].x.shape[0] ? this.steps[0] : this.steps[1];
  }

  train(order: Int32Array | null, start: number, rows: number, metrics: Metric[]): number {
    const step = this.forRows(rows);
    gatherRows(this.xs.tensor, step.x.ptr(), order, start, rows, this.xs.width);
    gatherRows(this.ys.tensor, step.y!.ptr(), order, start, rows, this.ys.width);
    return trainStep(step, this.model.compiled!.optimizer, metrics, rows, this.model.outputWidth);
  }

  /** Unpins the steps. */
  release(): void {
    for (const step of this.steps) {
      step.unpin();
      this.model.doneStep(step);
    }
    this.steps.length = 0;
  }
}

/**
 * One training step on the batch in the step's buffers: forward, loss and gradients (a replayed
 * trace), then, when the loss is finite, the metrics, the layers' state updates and the optimizer's
 * update. When it is not finite nothing changes. Returns the batch's loss times its rows.
 */
function trainStep(step: ModelStep, optimizer: Optimizer, metrics: Metric[], rows: number, width: number): number {
  const out = step.run();
  const loss = step.lossValue();
  if (!Number.isFinite(loss)) return loss * rows;
  const { labels, predictions } = step.metricViews();
  for (const m of metrics) m.update(labels, predictions, rows, width);
  out.updates?.apply();
  if (out.grads.length > 0) optimizer.applyGradientList(step.variables, out.grads);
  return loss * rows;
}

async function trainLoop(
  model: TrainableModel,
  trainer: BatchTrainer,
  xs: Rows,
  xv: Rows | null,
  yv: Rows | null,
  args: FitArgs & { epochs: number; batchSize: number; initialEpoch: number; yieldEvery: number },
  callbacks: CallbackList,
): Promise<History> {
  const c = model.compiled!;
  const rng = args.seed === undefined ? globalRandom : new Random(args.seed);
  model.random.rng = rng;
  model.claimRandom();
  model.stopTraining = false;
  const { epochs } = args;
  // a batch larger than the data would allocate rows nobody fills (tfjs clamps too)
  const batchSize = Math.min(args.batchSize, xs.count);
  const metrics = c.makeMetrics();
  const valMetrics = c.makeMetrics();
  const history = new History({
    epochs,
    batchSize: args.batchSize,
    samples: xs.count,
    steps: Math.ceil(xs.count / batchSize),
  });
  const order = args.shuffle === false ? null : new Int32Array(xs.count);
  const wantBatchLogs = callbacks.wantsBatchLogs;
  let lastYield = now();
  await callbacks.trainBegin();
  for (let epoch = args.initialEpoch; epoch < epochs; epoch++) {
    const started = now();
    await callbacks.epochBegin(epoch);
    if (order) {
      for (let i = 0; i < order.length; i++) order[i] = i;
      rng.shuffle(order);
    }
    for (const m of metrics) m.reset();
    let lossSum = 0;
    let seen = 0;
    for (let batch = 0, start = 0; start < xs.count; batch++, start += batchSize) {
      const rows = Math.min(batchSize, xs.count - start);
      if (wantBatchLogs) await callbacks.batchBegin(batch, { batch, size: rows });
      const batchLoss = await trainer.train(order, start, rows, metrics);
      if (!Number.isFinite(batchLoss) && callbacks.stopsOnNaN) {
        // terminateOnNaN: end training quietly; the epoch is logged with the non-finite loss
        model.stopTraining = true;
        lossSum = batchLoss;
        seen = rows;
        break;
      }
      if (!Number.isFinite(batchLoss)) {
        throw new DivergenceError(
          `fit: the loss became ${batchLoss / rows} at epoch ${epoch + 1}, batch ${batch + 1}; training stopped before that batch's update (try a lower learning rate, or check the data)`,
        );
      }
      lossSum += batchLoss;
      seen += rows;
      if (wantBatchLogs) {
        const logs: Logs = { batch, size: rows, loss: batchLoss / rows };
        for (const m of metrics) logs[m.key] = m.result();
        await callbacks.batchEnd(batch, logs);
      }
      if (now() - lastYield >= args.yieldEvery) {
        await nextTick();
        lastYield = now();
      }
      if (model.stopTraining) break;
    }
    const logs: Logs = { loss: lossSum / seen };
    for (const m of metrics) logs[m.key] = m.result();
    if (xv && yv) {
      const val = evaluateRows(model, xv, yv, args.batchSize, valMetrics);
      for (const [k, v] of Object.entries(val)) logs[`val_${k}`] = v;
    }
    if (args.verbose !== 0) {
      console.log(`Epoch ${epoch + 1}/${epochs} - ${Math.round(now() - started)}ms - ${formatLogs(logs)}`);
    }
    await callbacks.epochEnd(epoch, logs);
    // recorded after the callbacks, which may add keys (reduceLROnPlateau adds learning_rate), as in Keras
    history.record(epoch, logs);
    if (model.stopTraining) break;
  }
  await callbacks.trainEnd();
  return history;
}

/**
 * `model.trainOnBatch`: one optimizer step on the given examples as one batch (the train step's
 * trace for that batch size, recorded on first use), as in tfjs. Returns the batch's loss, or
 * [loss, ...metrics] when metrics were compiled.
 */
export function trainOnBatchModel(model: TrainableModel, x: Data, y: Data): number | number[] {
  const c = model.compiled;
  if (!c)
    throw new ValueError('trainOnBatch: the model must be compiled first (call model.compile({ optimizer, loss }))');
  const owned: Rows[] = [];
  try {
    const { xs, ys } = loadExamples('trainOnBatch', model, x, y, owned);
    model.claimRandom();
    const step = model.step('train', xs.count, inputDType(xs));
    step.pin();
    try {
      gatherRows(xs.tensor, step.x.ptr(), null, 0, xs.count, xs.width);
      gatherRows(ys.tensor, step.y!.ptr(), null, 0, ys.count, ys.width);
      const metrics = c.makeMetrics();
      const loss = trainStep(step, c.optimizer, metrics, xs.count, model.outputWidth) / xs.count;
      if (!Number.isFinite(loss)) {
        throw new DivergenceError(
          `trainOnBatch: the loss became ${loss}; the weights were left as they were (try a lower learning rate, or check the data)`,
        );
      }
      return metrics.length === 0 ? loss : [loss, ...metrics.map((m) => m.result())];
    } finally {
      step.unpin();
      model.doneStep(step);
    }
  } finally {
    releaseRows(...owned);
  }
}

/** Options of `evaluate` and `predict`. */
export interface BatchArgs {
  /** Examples per pass (default 32). */
  batchSize?: number;
  /** Ignored; for TensorFlow.js compatibility. */
  verbose?: number;
}

const BATCH_OPTIONS: ReadonlyArray<keyof BatchArgs> = ['batchSize', 'verbose'];

/** `model.evaluate`: the loss (and metrics) on data, as scalars. */
export function evaluateModel(model: TrainableModel, x: Data, y: Data, args: BatchArgs = {}): Tensor | Tensor[] {
  const c = model.compiled;
  if (!c) throw new ValueError('evaluate: the model must be compiled first');
  optionsObject('evaluate', args, '{batchSize: 32}', BATCH_OPTIONS);
  const batchSize = checkInt('evaluate', 'batchSize', args.batchSize ?? 32, 1);
  const owned: Rows[] = [];
  try {
    const { xs, ys } = loadExamples('evaluate', model, x, y, owned);
    const metrics = c.makeMetrics();
    const logs = evaluateRows(model, xs, ys, batchSize, metrics);
    const values = [logs.loss, ...metrics.map((m) => logs[m.key])].map((v) => scalar(v));
    return values.length === 1 ? values[0] : values;
  } finally {
    releaseRows(...owned);
  }
}

/** `model.predict` (and predictClasses, named by `op`): outputs for every example, computed in batches. */
export function predictModel(model: TrainableModel, x: Data, args: BatchArgs = {}, op = 'predict'): Tensor {
  optionsObject(op, args, '{batchSize: 32}', BATCH_OPTIONS);
  const requested = checkInt(op, 'batchSize', args.batchSize ?? 32, 1);
  const input = model.inputSpecFor(op, x instanceof Tensor ? x : undefined);
  const xs = inputRows(op, 'x', x, input);
  try {
    // a batch larger than the data would allocate rows nobody fills (tfjs clamps too)
    const batchSize = Math.min(requested, xs.count);
    const out = new Tensor([xs.count, ...(model.outputShape!.slice(1) as number[])], 'float32');
    try {
      const outWidth = model.outputWidth;
      forEachBatch(model, 'predict', xs.count, batchSize, inputDType(xs), (step, start, rows) => {
        gatherRows(xs.tensor, step.x.ptr(), null, start, rows, xs.width);
        copyRowsOut(step.run().predictions.ptr(), out, start, rows, outWidth);
      });
    } catch (e) {
      out.dispose();
      throw e;
    }
    return out;
  } finally {
    releaseRows(xs);
  }
}
