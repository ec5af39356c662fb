// Saliency and gradient × input: the gradient of one output of each row with respect to that row's input.

import { ValueError } from '../errors.js';
import type { Sequential } from '../models/sequential.js';
import { optionsObject } from '../ops/options.js';
import type { Tensor } from '../ops/tensor.js';
import { checkInt, describe } from '../ops/validate.js';
import { type Data, releaseRows } from '../training/inputs.js';
import { type GradientJob, gradientsOnThreads, MAX_GRADIENT_WORKERS, threadCount } from './gradient-threads.js';
import {
  checkModel,
  exampleShape,
  explainedRows,
  type OutputChoice,
  outputIndices,
  predictValues,
  rowsTensor,
} from './targets.js';

/** Options of `saliency` and `gradientTimesInput`. */
export interface GradientOptions {
  /**
   * The output explained: one output index for every row, or one per row (an array or rank-1
   * tensor). Default: each row's predicted class (its largest output).
   */
  output?: OutputChoice;
  /** Rows per gradient pass (default 4096; larger batches run faster on the Wasm path). */
  batchSize?: number;
  /**
   * Threads (default 1, the main one included, at most 16) or 'auto': the rows are split in fixed
   * contiguous blocks, each computed on a worker thread's copy of the model (the first on the
   * calling thread), with the values of one thread to the bit. 'auto' uses more than one thread only
   * for large inputs (10^10 weights × rows per thread) where the runtime can start threads.
   */
  workers?: number | 'auto';
}

const OPTIONS: ReadonlyArray<keyof GradientOptions> = ['output', 'batchSize', 'workers'];
const DEFAULT_BATCH = 4096;

/** ∂ output[r, c_r] / ∂ x[r] for every row as flat values, with the input shape. */
async function rowGradients(
  op: string,
  model: Sequential,
  x: Data,
  options: GradientOptions,
  timesInput: boolean,
): Promise<Tensor> {
  checkModel(op, model);
  optionsObject(op, options, '{output: 0}', OPTIONS);
  const batchSize = checkInt(op, 'batchSize', options.batchSize ?? DEFAULT_BATCH, 1);
  const workers = options.workers ?? 1;
  if (workers !== 'auto' && !(Number.isInteger(workers) && workers >= 1 && workers <= MAX_GRADIENT_WORKERS)) {
    throw new ValueError(
      `${op}: expected workers to be an integer from 1 to ${MAX_GRADIENT_WORKERS} (threads, the main one included) or 'auto', got ${describe(workers)}`,
    );
  }
  const xs = explainedRows(op, model, x);
  try {
    const threads = await threadCount(op, model, workers, xs.count);
    if (threads > 1) {
      const job: GradientJob = {
        shape: exampleShape(xs),
        batchSize,
        count: xs.count,
        x: xs.tensor.readValues(op).slice() as Float32Array,
        // without output each block predicts its rows' classes: those of all rows (a row's
        // prediction does not depend on its batch)
        classes:
          options.output === undefined
            ? null
            : outputIndices(op, options.output, xs.count, model.outputWidth, () => new Float32Array(0)),
        timesInput,
      };
      return rowsTensor(xs.count, job.shape, await gradientsOnThreads(op, model, job, threads));
    }
    const width = model.outputWidth;
    const classes = outputIndices(op, options.output, xs.count, width, () =>
      predictValues(model, xs.tensor, batchSize),
    );
    const grads = model.inputGradients(xs.tensor, { classes, batchSize: Math.min(batchSize, xs.count) });
    if (!timesInput) return grads;
    try {
      const g = grads.readValues(op);
      const v = xs.tensor.readValues(op);
      const product = new Float32Array(g.length);
      for (let i = 0; i < g.length; i++) product[i] = g[i] * v[i];
      return rowsTensor(xs.count, exampleShape(xs), product);
    } finally {
      grads.dispose();
    }
  } finally {
    releaseRows(xs);
  }
}

/**
 * Saliency: the gradient of one output of each row with respect to that row's input,
 * ∂ f(x)[r, c] / ∂ x[r] (signed; captum's Saliency reports its absolute value by default: take
 * `nn.abs` of it for that), computed in large batches on the model's fast path (inference mode).
 *
 * @param model a Sequential model taking float32 input.
 * @param x the rows to explain, [n, ...inputShape].
 * @returns float32 Tensor [n, ...inputShape]; the caller disposes it.
 */
export async function saliency(model: Sequential, x: Data, options: GradientOptions = {}): Promise<Tensor> {
  return rowGradients('saliency', model, x, options, false);
}

/**
 * Gradient × input: each row's saliency multiplied elementwise by the row itself,
 * x[r] · ∂ f(x)[r, c] / ∂ x[r] (captum's InputXGradient).
 *
 * @returns float32 Tensor [n, ...inputShape]; the caller disposes it.
 */
export async function gradientTimesInput(model: Sequential, x: Data, options: GradientOptions = {}): Promise<Tensor> {
  return rowGradients('gradientTimesInput', model, x, options, true);
}
