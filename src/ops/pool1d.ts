import { avgPool1d, avgPool1dBackward, maxPool1d, maxPool1dBackward } from '../backend/kernels/pool.js';
import type { Geometry1D } from './conv1d.js';
import { activeTape, record } from './tape.js';
import { Tensor } from './tensor.js';

/**
 * @internal 1-D pooling of x [batch, steps, channels] over windows `g` (dilation 1): 'max' the
 * largest value of each window's real steps (its gradient goes to that step, the first on ties),
 * 'avg' their mean (padding steps are not counted, as in TensorFlow). `shape` is the output's, by
 * default [batch, outSteps, channels] (a global pooling, one window of all steps, drops the steps
 * axis). The caller has checked shapes and that outSteps >= 1.
 */
export function pool1d(
  kind: 'max' | 'avg',
  x: Tensor,
  g: Geometry1D,
  shape: readonly number[] = [x.shape[0], g.outSteps, x.shape[2]],
): Tensor {
  const [batch, steps, channels] = x.shape;
  const y = new Tensor([...shape], 'float32');
  if (kind === 'avg') {
    avgPool1d(x.ptr(), y.ptr(), batch, steps, channels, g.outSteps, g.size, g.stride, g.padLeft);
    return record([x], y, (dy) => {
      const dx = new Tensor(x.shape, 'float32');
      avgPool1dBackward(dy.ptr(), dx.ptr(), batch, steps, channels, g.outSteps, g.size, g.stride, g.padLeft);
      return [dx];
    });
  }
  const argmax = new Tensor(y.shape, 'int32');
  maxPool1d(x.ptr(), y.ptr(), argmax.ptr(), batch, steps, channels, g.outSteps, g.size, g.stride, g.padLeft);
  if (!activeTape()?.isTracked(x)) {
    argmax.dispose();
    return y;
  }
  return record(
    [x],
    y,
    (dy) => {
      const dx = new Tensor(x.shape, 'float32');
      maxPool1dBackward(dy.ptr(), argmax.ptr(), dx.ptr(), batch, steps, channels, g.outSteps);
      return [dx];
    },
    [argmax],
  );
}
