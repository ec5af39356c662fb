// Integrated gradients (Sundararajan et al. 2017) with captum's integration methods and completeness delta.
import { ShapeError, ValueError } from '../errors.js';
import type { Sequential } from '../models/sequential.js';
import { type TensorLike, tensor } from '../ops/create.js';
import { optionsObject } from '../ops/options.js';
import { isTensor, type Tensor } from '../ops/tensor.js';
import { checkInt, describe } from '../ops/validate.js';
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
}

/** What `integratedGradients` returns. */
export interface IntegratedGradientsResult {
  /** float32 Tensor [n, ...inputShape]: each input value's share of f(x) − f(baseline); the caller disposes it. */
  attributions: Tensor;
  /** Per row, the completeness error Σ attributions − (f(x) − f(baseline)) of the explained output, as captum reports it. */
  delta: number[];
}

const OPTIONS: ReadonlyArray<keyof IntegratedGradientsOptions> = ['baseline', 'steps', 'method', 'output', 'batchSize'];
const DEFAULT_BATCH = 4096;
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
 * reports it: near 0 when the integral is well approximated (raise `steps` when it is not).
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
    const { alphas, weights } = quadrature(method, steps);
    const attributions = new Float32Array(count * width);
    const delta: number[] = [];
    const chunkRows = Math.max(1, Math.floor(Math.max(POINTS_PER_CALL, batchSize) / steps));
    for (let start = 0; start < count; start += chunkRows) {
      const rows = Math.min(chunkRows, count - start);
      const points = new Float32Array(rows * steps * width);
      const pointClasses = new Int32Array(rows * steps);
      for (let r = 0; r < rows; r++) {
        const row = start + r;
        const b = base.perRow ? row * width : 0;
        for (let k = 0; k < steps; k++) {
          const at = (r * steps + k) * width;
          for (let i = 0; i < width; i++) {
            const from = base.values[b + i];
            points[at + i] = from + alphas[k] * (xv[row * width + i] - from);
          }
          pointClasses[r * steps + k] = classes[row];
        }
      }
      const pathTensor = rowsTensor(rows * steps, shape, points);
      let grads: Float32Array;
      try {
        const g = model.inputGradients(pathTensor, {
          classes: pointClasses,
          batchSize: Math.min(batchSize, rows * steps),
        });
        grads = g.dataSync() as Float32Array;
        g.dispose();
      } finally {
        pathTensor.dispose();
      }
      const total = new Float64Array(width);
      for (let r = 0; r < rows; r++) {
        const row = start + r;
        const b = base.perRow ? row * width : 0;
        total.fill(0);
        for (let k = 0; k < steps; k++) {
          const at = (r * steps + k) * width;
          const w = weights[k];
          for (let i = 0; i < width; i++) total[i] += w * grads[at + i];
        }
        let sum = 0;
        for (let i = 0; i < width; i++) {
          const a = Math.fround(total[i] * (xv[row * width + i] - base.values[b + i]));
          attributions[row * width + i] = a;
          sum += a;
        }
        const c = classes[row];
        const fromBaseline = fb[(base.perRow ? row : 0) * outputs + c];
        delta.push(sum - (fx[row * outputs + c] - fromBaseline));
      }
    }
    return { attributions: rowsTensor(count, shape, attributions), delta };
  } finally {
    releaseRows(xs);
  }
}
