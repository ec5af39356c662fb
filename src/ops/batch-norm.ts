import {
  batchNormBackwardInput,
  batchNormBackwardSums,
  batchNormColumnSums,
  batchNormDeviationSums,
  batchNormForwardInference,
} from '../backend/kernels/normalization.js';
import { backend } from '../backend/loader.js';
import { hostStep } from '../backend/trace.js';
import { ValueError } from '../errors.js';
import type { RowWindow } from '../random.js';
import { fill } from './create.js';
import { record } from './tape.js';
import { Tensor } from './tensor.js';

/**
 * @internal Batch normalization of x [rows, cols] with the batch's own statistics:
 * y = (x − mean)·invStd·gamma + beta with invStd = 1/√(variance + epsilon), the variance biased, as
 * Keras. Returns y and the batch's mean and variance (for the moving statistics). gamma or beta null
 * stand for ones and zeros. The caller has checked shapes and dtypes.
 *
 * The column sums behind the statistics (forward) and behind the input's gradient (backward) are
 * taken by kernels, and turned into statistics between them in host steps, where a replica of a
 * data-parallel step (`replicaRows()` with `sumOverReplicas`) adds the other replicas' sums: every
 * replica then normalizes by the statistics of the whole batch, as one thread would. Alone, the
 * pieces compute the bits of one kernel pass (batchNormForwardTrain, batchNormBackward).
 */
export function batchNormTrain(
  x: Tensor,
  gamma: Tensor | null,
  beta: Tensor | null,
  epsilon: number,
  replicaRows: () => RowWindow | null | undefined = () => null,
): { y: Tensor; mean: Tensor; variance: Tensor } {
  const [rows, cols] = x.shape;
  const g = gamma ?? fill([cols], 1);
  const b = beta ?? fill([cols], 0);
  const y = new Tensor(x.shape, 'float32');
  const mean = new Tensor([cols], 'float32');
  const variance = new Tensor([cols], 'float32');
  const invStd = new Tensor([cols], 'float32');
  // float64 sums: 2 · cols of them (backward), and the rows (forward), in a float32 block twice as long
  const sums = new Tensor([4 * cols + 2], 'float32');
  const at = sums.ptr() >>> 3;
  /** The rows normalized together: this replica's and the others' (as float64, summed with the statistics). */
  let batchRows = rows;
  // the mean, then the variance: Σ over the batch's rows / its rows, rounded as the kernel does
  batchNormColumnSums(x.ptr(), sums.ptr(), rows, cols);
  // (the host steps keep addresses: a replay may come after the tensors were disposed)
  const meanAt = mean.ptr() >>> 2;
  const varianceAt = variance.ptr() >>> 2;
  hostStep(() => {
    const f64 = backend().views.f64;
    f64[at + cols] = rows;
    batchRows = sumOverReplicas(replicaRows(), f64, at, cols + 1)[cols];
    divideInto(f64, at, meanAt, batchRows, cols);
  });
  batchNormDeviationSums(x.ptr(), mean.ptr(), sums.ptr(), rows, cols);
  hostStep(() => {
    sumOverReplicas(replicaRows(), backend().views.f64, at, cols);
    divideInto(backend().views.f64, at, varianceAt, batchRows, cols);
  });
  batchNormForwardInference(
    x.ptr(),
    y.ptr(),
    g.ptr(),
    b.ptr(),
    mean.ptr(),
    variance.ptr(),
    invStd.ptr(),
    rows,
    cols,
    epsilon,
  );
  const inputs = [x, ...(gamma ? [gamma] : []), ...(beta ? [beta] : [])];
  record(
    inputs,
    y,
    (dy) => {
      const dx = new Tensor(x.shape, 'float32');
      const dGamma = new Tensor([cols], 'float32');
      const dBeta = new Tensor([cols], 'float32');
      // meanDy and meanDyXhat, float32 [cols] each
      const terms = new Tensor([2 * cols], 'float32');
      batchNormBackwardSums(x.ptr(), dy.ptr(), mean.ptr(), sums.ptr(), rows, cols);
      const places = {
        invStd: invStd.ptr() >>> 2,
        dGamma: dGamma.ptr() >>> 2,
        dBeta: dBeta.ptr() >>> 2,
        terms: terms.ptr() >>> 2,
      };
      hostStep(() => gradientTerms(replicaRows(), at, places, batchRows, cols));
      batchNormBackwardInput(
        x.ptr(),
        dy.ptr(),
        dx.ptr(),
        g.ptr(),
        mean.ptr(),
        invStd.ptr(),
        terms.ptr(),
        terms.ptr() + 4 * cols,
        rows,
        cols,
      );
      terms.dispose();
      const grads: Array<Tensor | null> = [dx];
      if (gamma) grads.push(dGamma);
      else dGamma.dispose();
      if (beta) grads.push(dBeta);
      else dBeta.dispose();
      return grads;
    },
    [mean, invStd, g, sums],
  );
  return { y, mean, variance };
}

/**
 * The float64 values [at, at + n) summed over the replicas of a data-parallel step, in place
 * (unchanged outside one); returns the float64 view, indexed from `at`.
 */
function sumOverReplicas(
  replica: RowWindow | null | undefined,
  f64: Float64Array,
  at: number,
  n: number,
): Float64Array {
  const values = f64.subarray(at, at + n);
  if (replica && replica.count < replica.total && !replica.sumOverReplicas) {
    // each thread would normalize its slice by its own statistics: not what one thread computes
    throw new ValueError(
      "batch normalization: a data-parallel step has this thread normalize part of the batch, with no way to add the other threads' statistics; use workers: 1",
    );
  }
  replica?.sumOverReplicas?.(values);
  return values;
}

/** f32[out + c] = f64[at + c] / n for c < cols (a float64 quotient rounded to float32, as the kernels round it). */
function divideInto(f64: Float64Array, at: number, out: number, n: number, cols: number): void {
  const f32 = backend().views.f32;
  for (let c = 0; c < cols; c++) f32[out + c] = f64[at + c] / n;
}

/**
 * From this replica's sums Σ dy and Σ dy·(x − mean) (float64 at `at`; the places are float32 indices): its gradients of beta and
 * gamma (Σ dy and Σ dy·x̂, its rows only: the data-parallel fit sums the replicas' gradients), and the
 * terms of dx, which take the whole batch's sums. A replica's loss is the mean over its rows, so its
 * dy is the batch's scaled by total / count: its sums enter the batch's scaled by count / total, and
 * its dx terms are the batch's sums over its share (count / total) of the batch's rows.
 */
function gradientTerms(
  replica: RowWindow | null | undefined,
  at: number,
  places: { invStd: number; dGamma: number; dBeta: number; terms: number },
  batchRows: number,
  cols: number,
): void {
  const { f32, f64 } = backend().views;
  const { invStd: inv, dGamma: dg, dBeta: db } = places;
  for (let c = 0; c < cols; c++) {
    f32[db + c] = f64[at + c];
    f32[dg + c] = f64[at + cols + c] * f32[inv + c];
  }
  let rows = batchRows;
  if (replica?.sumOverReplicas) {
    const share = replica.count / replica.total;
    for (let i = 0; i < 2 * cols; i++) f64[at + i] *= share;
    replica.sumOverReplicas(f64.subarray(at, at + 2 * cols));
    rows = (batchRows * replica.count) / replica.total;
  }
  const meanDy = places.terms;
  const meanDyXhat = meanDy + cols;
  for (let c = 0; c < cols; c++) {
    f32[meanDy + c] = f64[at + c] / rows;
    f32[meanDyXhat + c] = (f64[at + cols + c] * f32[inv + c]) / rows;
  }
}
