// Integrated gradients (Sundararajan et al. 2017) with captum's integration methods and completeness delta.
import { ShapeError, ValueError } from '../errors.js';
import type { Sequential } from '../models/sequential.js';
import { type TensorLike, tensor } from '../ops/create.js';
import { optionsObject } from '../ops/options.js';
import { isTensor, type Tensor } from '../ops/tensor.js';
import { checkInt, checkNumber, describe } from '../ops/validate.js';
import { type Data, inputRows, releaseRows } from '../training/inputs.js';
import { integrateOnThreads, MAX_IG_WORKERS, threadCount } from './ig-threads.js';
import { type IgJob, type IgOut, integrateRows, withinTolerance } from './integrated-gradients-rows.js';
import { INTEGRATION_METHODS, type IntegrationMethod } from './quadrature.js';
import {
  checkModel,
  exampleShape,
  explainedRows,
  type OutputChoice,
  outputIndices,
  predictValues,
  rowsTensor,
} from './targets.js';

export type { IntegrationMethod } from './quadrature.js';

/** Options of `integratedGradients`. */
export interface IntegratedGradientsOptions {
  /**
   * The point the path starts from: a number for every input value, one example (of the input
   * shape, with or without a batch dimension of 1) for every row, or one example per row
   * [n, ...inputShape]. Default 0 (all zeros).
   */
  baseline?: number | Tensor | TensorLike;
  /** Points on the path (default 50; at least 2 for the Riemann methods). */
  steps?: number;
  /** How the path integral is approximated, by captum's names (default 'gausslegendre'). */
  method?: IntegrationMethod;
  /**
   * The output explained: one output index for every row, or one per row (an array or rank-1
   * tensor). Default: each row's predicted class (its largest output at x).
   */
  output?: OutputChoice;
  /** Path points per gradient pass (default 4096). */
  batchSize?: number;
  /**
   * Completeness asked of every row, relative: |delta| ≤ tolerance · |f(x) − f(baseline)| (e.g. 0.01).
   * The rows above it are integrated again with twice the steps (the whole integral, the others
   * keep theirs) until they reach it or twice the steps would pass `maxSteps`; `steps` and
   * `converged` in the result say what each row got. Default: none, one pass at `steps` as captum.
   */
  tolerance?: number;
  /** Most points a row's integral may take under `tolerance` (default 32 · steps: 1,600 at 50 steps). */
  maxSteps?: number;
  /**
   * Threads (default 1, the main one included, at most 16) or 'auto': the explained rows are split
   * in fixed contiguous blocks, each integrated on a worker thread's copy of the model (the first on
   * the calling thread), with the values of one thread to the bit. 'auto' uses more than one thread
   * only where the work (weights × steps × rows) pays for starting them (≈ 0.3-0.45 s each in Node)
   * and the runtime can start threads (Node worker_threads, or a cross-origin isolated page).
   */
  workers?: number | 'auto';
}

/** What `integratedGradients` returns. */
export interface IntegratedGradientsResult {
  /** float32 Tensor [n, ...inputShape]: each input value's share of f(x) − f(baseline); the caller disposes it. */
  attributions: Tensor;
  /** Per row, the completeness error Σ attributions − (f(x) − f(baseline)) of the explained output, as captum reports it. */
  delta: number[];
  /** Per row, the points its integral took: `steps`, or a doubling of it under `tolerance`. */
  steps: number[];
  /**
   * With `tolerance`: per row, whether |delta| ≤ tolerance · |f(x) − f(baseline)| was reached within
   * `maxSteps` (a row that did not keeps its last integral; a row whose output hardly changes, near
   * float32 resolution, may never reach a relative tolerance). Without `tolerance`: absent.
   */
  converged?: boolean[];
}

const OPTIONS: ReadonlyArray<keyof IntegratedGradientsOptions> = [
  'baseline',
  'steps',
  'method',
  'output',
  'batchSize',
  'tolerance',
  'maxSteps',
  'workers',
];
const DEFAULT_BATCH = 4096;
/** maxSteps by default, in multiples of steps (five doublings). */
const DEFAULT_MAX_STEPS_FACTOR = 32;

/** The baseline values, flat: one example (`perRow` false) or one per row. */
function baselineValues(
  op: string,
  model: Sequential,
  baseline: IntegratedGradientsOptions['baseline'],
  shape: readonly number[],
  count: number,
): { values: Float32Array; perRow: boolean } {
  const width = shape.reduce((a, b) => a * b, 1);
  if (baseline === undefined) return { values: new Float32Array(width), perRow: false };
  if (typeof baseline === 'number') {
    if (!Number.isFinite(baseline))
      throw new ValueError(`${op}: expected baseline to be a finite number, got ${baseline}`);
    return { values: new Float32Array(width).fill(baseline), perRow: false };
  }
  if (!isTensor(baseline) && !Array.isArray(baseline) && !ArrayBuffer.isView(baseline)) {
    throw new ValueError(
      `${op}: expected baseline to be a number, a Tensor or nested arrays of the input shape, got ${describe(baseline)}`,
    );
  }
  const made: Tensor[] = [];
  try {
    let t = isTensor(baseline) ? baseline : tensor(baseline as TensorLike);
    if (t !== baseline) made.push(t);
    if (t.rank === shape.length) {
      // one example without its batch dimension
      if (!shape.every((d, i) => t.shape[i] === d)) {
        throw new ShapeError(
          `${op}: expected baseline of shape [${shape.join(', ')}] (one example) or [1 or ${count}, ${shape.join(', ')}], got [${t.shape.join(', ')}]`,
        );
      }
      t = t.reshape([1, ...shape]);
      made.push(t);
    }
    const rows = inputRows(op, 'baseline', t, { shape, owner: `the input of model "${model.name}"` });
    try {
      if (rows.count !== 1 && rows.count !== count) {
        throw new ShapeError(
          `${op}: expected baseline to hold 1 example or one per row of x (${count}), got ${rows.count} examples`,
        );
      }
      return { values: Float32Array.from(rows.tensor.readValues(op)), perRow: rows.count !== 1 };
    } finally {
      releaseRows(rows);
    }
  } finally {
    for (const t of made) t.dispose();
  }
}

/**
 * Integrated gradients: each input value's attribution (x − baseline) · ∫₀¹ ∂f(baseline + α(x −
 * baseline))/∂x dα for one output per row, the integral approximated at `steps` points by captum's
 * methods (default Gauss–Legendre at 50 points). The gradients of all points of all rows are
 * computed as large batches on the model's fast path (inference mode). `delta` is the completeness
 * error per row, Σ attributions − (f(x) − f(baseline)), as captum's `return_convergence_delta`
 * reports it: near 0 when the integral is well approximated (raise `steps` when it is not). With
 * `tolerance`, the rows whose |delta| exceeds tolerance · |f(x) − f(baseline)| are integrated again
 * (together, batched, within each thread's block) at 2·steps, 4·steps, ... up to `maxSteps`; `steps` and `converged`
 * in the result say what each row got. Deterministic: the same call gives the same values. With
 * `workers`, blocks of rows are integrated on worker threads (ig-threads.ts), to the same bits.
 *
 * @param model a Sequential model taking float32 input.
 * @param x the rows to explain, [n, ...inputShape].
 */
export async function integratedGradients(
  model: Sequential,
  x: Data,
  options: IntegratedGradientsOptions = {},
): Promise<IntegratedGradientsResult> {
  const op = 'integratedGradients';
  checkModel(op, model);
  optionsObject(op, options, "{steps: 50, method: 'gausslegendre'}", OPTIONS);
  const method = options.method ?? 'gausslegendre';
  if (!INTEGRATION_METHODS.includes(method)) {
    throw new ValueError(
      `${op}: expected method to be one of ${INTEGRATION_METHODS.join(', ')}, got ${describe(method)}`,
    );
  }
  const steps = checkInt(op, 'steps', options.steps ?? 50, method === 'gausslegendre' ? 1 : 2);
  const batchSize = checkInt(op, 'batchSize', options.batchSize ?? DEFAULT_BATCH, 1);
  let tolerance: number | null = null;
  if (options.tolerance !== undefined) {
    tolerance = checkNumber(op, 'tolerance', options.tolerance);
    if (!(tolerance > 0)) {
      throw new ValueError(
        `${op}: expected tolerance to be a number > 0 (e.g. 0.01: |delta| ≤ 1% of |f(x) − f(baseline)|), got ${describe(options.tolerance)}`,
      );
    }
  } else if (options.maxSteps !== undefined) {
    throw new ValueError(
      `${op}: maxSteps bounds the steps under tolerance; give tolerance too (e.g. {tolerance: 0.01})`,
    );
  }
  const maxSteps = checkInt(op, 'maxSteps', options.maxSteps ?? DEFAULT_MAX_STEPS_FACTOR * steps, steps);
  const workers = options.workers ?? 1;
  if (workers !== 'auto' && !(Number.isInteger(workers) && workers >= 1 && workers <= MAX_IG_WORKERS)) {
    throw new ValueError(
      `${op}: expected workers to be an integer from 1 to ${MAX_IG_WORKERS} (threads, the main one included) or 'auto', got ${describe(workers)}`,
    );
  }
  const xs = explainedRows(op, model, x);
  try {
    const shape = exampleShape(xs);
    const width = xs.width;
    const count = xs.count;
    const outputs = model.outputWidth;
    const base = baselineValues(op, model, options.baseline, shape, count);
    const fx = predictValues(model, xs.tensor, batchSize);
    const classes = outputIndices(op, options.output, count, outputs, () => fx);
    const baselineRows = rowsTensor(base.perRow ? count : 1, shape, base.values);
    let fb: Float32Array;
    try {
      fb = predictValues(model, baselineRows, batchSize);
    } finally {
      baselineRows.dispose();
    }
    const change = new Float64Array(count);
    for (let row = 0; row < count; row++) {
      const c = classes[row];
      change[row] = fx[row * outputs + c] - fb[(base.perRow ? row : 0) * outputs + c];
    }
    const job: IgJob = {
      shape,
      method,
      steps,
      maxSteps,
      tolerance,
      batchSize,
      count,
      x: xs.tensor.readValues(op).slice() as Float32Array,
      baseline: base.values,
      perRow: base.perRow,
      classes,
      change,
    };
    const threads = await threadCount(model, workers, count, steps);
    let out: IgOut;
    if (threads > 1) out = await integrateOnThreads(model, job, threads);
    else {
      out = {
        attributions: new Float32Array(count * width),
        delta: new Float64Array(count),
        steps: new Int32Array(count),
      };
      integrateRows(model, job, out);
    }
    const result: IntegratedGradientsResult = {
      attributions: rowsTensor(count, shape, out.attributions),
      delta: Array.from(out.delta),
      steps: Array.from(out.steps),
    };
    if (tolerance !== null) result.converged = Array.from({ length: count }, (_, r) => withinTolerance(job, out, r));
    return result;
  } finally {
    releaseRows(xs);
  }
}
