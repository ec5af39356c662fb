// The integration of a block of rows in integrated gradients: the gradients at the path points of
// those rows, their attributions and deltas, and (under tolerance) the re-integration of the rows of
// the block that do not meet it. A row's values depend on that row alone (the kernels give a row the
// same bits whatever batch it is in), so any split of the rows into blocks gives the same values:
// integratedGradients runs it on all rows, or on one block per thread (ig-threads.ts).
import type { Sequential } from '../models/sequential.js';
import { type IntegrationMethod, quadrature } from './quadrature.js';
import { rowsTensor } from './targets.js';

/** Path points per call of model.inputGradients (several batches), so the big buffers stay a few MB. */
const POINTS_PER_CALL = 16384;

/** What integrating a block of rows needs (structured-cloned to a worker thread). */
export interface IgJob {
  /** The shape of one example (without the batch dimension). */
  shape: number[];
  method: IntegrationMethod;
  steps: number;
  /** Under tolerance: most points a row's integral may take. */
  maxSteps: number;
  /** Relative completeness asked of every row, or null for one pass at `steps`. */
  tolerance: number | null;
  /** Path points per gradient pass. */
  batchSize: number;
  /** Rows of the block. */
  count: number;
  /** float32 [count, width]: the block's rows. */
  x: Float32Array;
  /** The baseline: one example, or one per row of the block (`perRow`). */
  baseline: Float32Array;
  perRow: boolean;
  /** The explained output of each row. */
  classes: Int32Array;
  /** f(x) − f(baseline) of each row's explained output. */
  change: Float64Array;
}

/** Where the block's results go (each of `count` rows; views into shared buffers on worker threads). */
export interface IgOut {
  /** float32 [count, width]. */
  attributions: Float32Array;
  delta: Float64Array;
  /** The points each row's integral took. */
  steps: Int32Array;
}

/** Whether `row` of the job meets the tolerance with the delta in `out`. */
export function withinTolerance(job: IgJob, out: IgOut, row: number): boolean {
  return Math.abs(out.delta[row]) <= (job.tolerance ?? 0) * Math.abs(job.change[row]);
}

/** Integrates the listed rows at `n` points into `out`: their attributions, delta and steps. */
function integrate(model: Sequential, job: IgJob, out: IgOut, list: readonly number[], n: number): void {
  const { shape, x, baseline, perRow } = job;
  const width = shape.reduce((a, b) => a * b, 1);
  const { alphas, weights } = quadrature(job.method, n);
  const chunkRows = Math.max(1, Math.floor(Math.max(POINTS_PER_CALL, job.batchSize) / n));
  for (let start = 0; start < list.length; start += chunkRows) {
    const rows = Math.min(chunkRows, list.length - start);
    const points = new Float32Array(rows * n * width);
    const pointClasses = new Int32Array(rows * n);
    for (let r = 0; r < rows; r++) {
      const row = list[start + r];
      const b = perRow ? row * width : 0;
      for (let k = 0; k < n; k++) {
        const at = (r * n + k) * width;
        for (let i = 0; i < width; i++) {
          const from = baseline[b + i];
          points[at + i] = from + alphas[k] * (x[row * width + i] - from);
        }
        pointClasses[r * n + k] = job.classes[row];
      }
    }
    const pathTensor = rowsTensor(rows * n, shape, points);
    let grads: Float32Array;
    try {
      const g = model.inputGradients(pathTensor, {
        classes: pointClasses,
        batchSize: Math.min(job.batchSize, rows * n),
      });
      grads = g.dataSync() as Float32Array;
      g.dispose();
    } finally {
      pathTensor.dispose();
    }
    const total = new Float64Array(width);
    for (let r = 0; r < rows; r++) {
      const row = list[start + r];
      const b = perRow ? row * width : 0;
      total.fill(0);
      for (let k = 0; k < n; k++) {
        const at = (r * n + k) * width;
        const w = weights[k];
        for (let i = 0; i < width; i++) total[i] += w * grads[at + i];
      }
      let sum = 0;
      for (let i = 0; i < width; i++) {
        const a = Math.fround(total[i] * (x[row * width + i] - baseline[b + i]));
        out.attributions[row * width + i] = a;
        sum += a;
      }
      out.delta[row] = sum - job.change[row];
      out.steps[row] = n;
    }
  }
}

/**
 * Integrates every row of the job at `steps` points and, under tolerance, the rows above it again
 * (those of this block, together) at 2·steps, 4·steps, ... up to maxSteps, writing `out`.
 */
export function integrateRows(model: Sequential, job: IgJob, out: IgOut): void {
  integrate(
    model,
    job,
    out,
    Array.from({ length: job.count }, (_, r) => r),
    job.steps,
  );
  if (job.tolerance === null) return;
  let pending = Array.from({ length: job.count }, (_, r) => r).filter((r) => !withinTolerance(job, out, r));
  for (let n = 2 * job.steps; n <= job.maxSteps && pending.length > 0; n *= 2) {
    integrate(model, job, out, pending, n);
    pending = pending.filter((r) => !withinTolerance(job, out, r));
  }
}

/** The job of rows [start, start + count) of `job` (the same values, its rows only). */
export function blockJob(job: IgJob, start: number, count: number): IgJob {
  const width = job.shape.reduce((a, b) => a * b, 1);
  return {
    ...job,
    count,
    x: job.x.slice(start * width, (start + count) * width),
    baseline: job.perRow ? job.baseline.slice(start * width, (start + count) * width) : job.baseline,
    classes: job.classes.slice(start, start + count),
    change: job.change.slice(start, start + count),
  };
}
