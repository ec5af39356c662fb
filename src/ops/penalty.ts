import { l1l2Backward, l1l2Penalty as penaltyKernel } from '../backend/kernels/regularizers.js';
import { record } from './tape.js';
import { Tensor } from './tensor.js';

/**
 * @internal The weight penalty l1·Σ|x| + l2·Σx² as a float32 scalar, in one kernel pass, with its
 * gradient dy·(l1·sign(x) + 2·l2·x). The caller has validated x (float32) and l1, l2 (≥ 0).
 */
export function l1l2Penalty(x: Tensor, l1: number, l2: number): Tensor {
  const out = new Tensor([], 'float32');
  penaltyKernel(x.ptr(), x.size, l1, l2, out.ptr());
  return record([x], out, (dy) => {
    const dx = new Tensor(x.shape, 'float32');
    l1l2Backward(x.ptr(), dy.ptr(), dx.ptr(), x.size, l1, l2);
    return [dx];
  });
}
