// The cross-entropies of training, computed from logits in one fused kernel each. The losses
// reach them when the model's output is a softmax or sigmoid of logits (see src/ops/logits.ts).
import {
  sigmoidCrossEntropyBackward,
  sigmoidCrossEntropy as sigmoidCrossEntropyKernel,
  softmaxCrossEntropyDense,
  softmaxCrossEntropyDenseBackward,
  softmaxCrossEntropySparse,
  softmaxCrossEntropySparseBackward,
} from '../backend/kernels/losses.js';
import { activeTape, record } from '../ops/tape.js';
import { Tensor } from '../ops/tensor.js';

/**
 * @internal Per-row −log softmax(logits)[label] for logits [rows, classes] and int32 labels [rows]
 * (checked to be in range by the caller), or per-row −Σ t·log softmax(logits) for float32 targets
 * [rows, classes]. The gradient goes to the logits: (softmax − target)·dy.
 */
export function softmaxCrossEntropyRows(targets: Tensor, logits: Tensor): Tensor {
  const cols = logits.shape[logits.rank - 1];
  const rows = logits.size / cols;
  const sparse = targets.dtype === 'int32';
  const loss = new Tensor(logits.shape.slice(0, -1), 'float32');
  const probs = new Tensor(logits.shape, 'float32');
  if (sparse) softmaxCrossEntropySparse(logits.ptr(), targets.ptr(), rows, cols, loss.ptr(), probs.ptr());
  else softmaxCrossEntropyDense(logits.ptr(), targets.ptr(), rows, cols, loss.ptr(), probs.ptr());
  record(
    [logits],
    loss,
    (dy) => {
      const d = new Tensor(logits.shape, 'float32');
      if (sparse) softmaxCrossEntropySparseBackward(probs.ptr(), targets.ptr(), dy.ptr(), rows, cols, d.ptr());
      else softmaxCrossEntropyDenseBackward(probs.ptr(), targets.ptr(), dy.ptr(), rows, cols, d.ptr());
      return [d];
    },
    [probs, targets],
  );
  if (!activeTape()) probs.dispose();
  return loss;
}

/**
 * @internal Per-element binary cross-entropy of sigmoid(logits) against float32 targets of the same
 * shape, computed from the logits; the gradient goes to the logits: (sigmoid − target)·dy.
 */
export function sigmoidCrossEntropyElements(targets: Tensor, logits: Tensor): Tensor {
  const loss = new Tensor(logits.shape, 'float32');
  sigmoidCrossEntropyKernel(logits.ptr(), targets.ptr(), logits.size, loss.ptr());
  return record(
    [logits],
    loss,
    (dy) => {
      const d = new Tensor(logits.shape, 'float32');
      sigmoidCrossEntropyBackward(logits.ptr(), targets.ptr(), dy.ptr(), logits.size, d.ptr());
      return [d];
    },
    [targets],
  );
}
