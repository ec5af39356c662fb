// Integrated gradients (Sundararajan et al. 2017) with captum's integration methods and completeness delta.
import { ShapeError, ValueError } from '../errors.js';
import type { Sequential } from '../models/sequential.js';
import { type TensorLike, tensor } from '../ops/create.js';
import { optionsObject } from '../ops/options.js';
import { isTensor, type Tensor } from '../ops/tensor.js';
import { checkInt, checkNumber, describe } from '../ops/validate.js';
import { type Data, inputRows, releaseRows } from '../training/inputs.js';
import { INTEGRATION_METHODS, type IntegrationMethod, quadrature } from './quadrature.js';
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
];
const DEFAULT_BATCH = 4096;
/** maxSteps by default, in multiples of steps (five doublings). */
const DEFAULT_MAX_STEPS_FACTOR = 32;
/** Path points per call of model.inputGradients (several batches), so the big buffers stay a few MB. */
const POINTS_PER_CALL = 16384;

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
 * (all of them together, batched) at 2·steps, 4·steps, ... up to `maxSteps`; `steps` and `converged`
 * in the result say what each row got. Deterministic: the same call gives the same values.
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
    const xv = xs.tensor.readValues(op).slice();
    const attributions = new Float32Array(count * width);
    const delta = new Array<number>(count).fill(0);
    const stepsUsed = new Array<number>(count).fill(steps);
    const change = (row: number) => {
      const c = classes[row];
      return fx[row * outputs + c] - fb[(base.perRow ? row : 0) * outputs + c];
    };
    /** Integrates the listed rows at `n` points: their attributions and delta. */
    const integrate = (list: readonly number[], n: number) => {
      const { alphas, weights } = quadrature(method, n);
      const chunkRows = Math.max(1, Math.floor(Math.max(POINTS_PER_CALL, batchSize) / n));
      for (let start = 0; start < list.length; start += chunkRows) {
        const rows = Math.min(chunkRows, list.length - start);
        const points = new Float32Array(rows * n * width);
        const pointClasses = new Int32Array(rows * n);
        for (let r = 0; r < rows; r++) {
          const row = list[start + r];
          const b = base.perRow ? row * width : 0;
          for (let k = 0; k < n; k++) {
            const at = (r * n + k) * width;
            for (let i = 0; i < width; i++) {
              const from = base.values[b + i];
              points[at + i] = from + alphas[k] * (xv[row * width + i] - from);
            }
            pointClasses[r * n + k] = classes[row];
          }
        }
        const pathTensor = rowsTensor(rows * n, shape, points);
        let grads: Float32Array;
        try {
          const g = model.inputGradients(pathTensor, {
            classes: pointClasses,
            batchSize: Math.min(batchSize, rows * n),
          });
          grads = g.dataSync() as Float32Array;
          g.dispose();
        } finally {
          pathTensor.dispose();
        }
        const total = new Float64Array(width);
        for (let r = 0; r < rows; r++) {
          const row = list[start + r];
          const b = base.perRow ? row * width : 0;
          total.fill(0);
          for (let k = 0; k < n; k++) {
            const at = (r * n + k) * width;
            const w = weights[k];
            for (let i = 0; i < width; i++) total[i] += w * grads[at + i];
          }
          let sum = 0;
          for (let i = 0; i < width; i++) {
            const a = Math.fround(total[i] * (xv[row * width + i] - base.values[b + i]));
            attributions[row * width + i] = a;
            sum += a;
          }
          delta[row] = sum - change(row);
          stepsUsed[row] = n;
        }
      }
    };
    integrate(
      Array.from({ length: count }, (_, r) => r),
      steps,
    );
    if (tolerance === null) return { attributions: rowsTensor(count, shape, attributions), delta, steps: stepsUsed };
    const relative = tolerance;
    const within = (row: number) => Math.abs(delta[row]) <= relative * Math.abs(change(row));
    let pending = Array.from({ length: count }, (_, r) => r).filter((r) => !within(r));
    for (let n = 2 * steps; n <= maxSteps && pending.length > 0; n *= 2) {
      integrate(pending, n);
      pending = pending.filter((r) => !within(r));
    }
    const converged = Array.from({ length: count }, (_, r) => within(r));
    return { attributions: rowsTensor(count, shape, attributions), delta, steps: stepsUsed, converged };
  } finally {
    releaseRows(xs);
  }
}
