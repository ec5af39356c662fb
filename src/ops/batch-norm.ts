import { batchNormBackward, batchNormForwardTrain } from '../backend/kernels/normalization.js';
import { fill } from './create.js';
import { record } from './tape.js';
import { Tensor } from './tensor.js';

/**
 * @internal Batch normalization of x [rows, cols] with the batch's own statistics, in one kernel
 * pass: y = (x − mean)·invStd·gamma + beta with invStd = 1/√(variance + epsilon), the variance
 * biased, as Keras. Returns y and the batch's mean and variance (for the moving statistics).
 * gamma or beta null stand for ones and zeros. The gradient (to x, gamma and beta) is one kernel
 * pass too. The caller has checked shapes and dtypes.
 */
export function batchNormTrain(
  x: Tensor,
  gamma: Tensor | null,
  beta: Tensor | null,
  epsilon: number,
): { y: Tensor; mean: Tensor; variance: Tensor } {
  const [rows, cols] = x.shape;
  const g = gamma ?? fill([cols], 1);
  const b = beta ?? fill([cols], 0);
  const y = new Tensor(x.shape, 'float32');
  const mean = new Tensor([cols], 'float32');
  const variance = new Tensor([cols], 'float32');
  const invStd = new Tensor([cols], 'float32');
  batchNormForwardTrain(
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
      batchNormBackward(
        x.ptr(),
        dy.ptr(),
        dx.ptr(),
        g.ptr(),
        mean.ptr(),
        invStd.ptr(),
        dGamma.ptr(),
        dBeta.ptr(),
        rows,
        cols,
      );
      const grads: Array<Tensor | null> = [dx];
      if (gamma) grads.push(dGamma);
      else dGamma.dispose();
      if (beta) grads.push(dBeta);
      else dBeta.dispose();
      return grads;
    },
    [mean, invStd, g],
  );
  return { y, mean, variance };
}
