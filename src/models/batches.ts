// Batches of examples through a model's steps: copying rows into a step's buffers, and running a
// pass over data batch by batch with the step for each batch size.
import { backend } from '../backend/loader.js';
import type { Tensor } from '../ops/tensor.js';
import type { ModelStep } from '../training/model-step.js';
import type { PassKind, TrainableModel } from './trainable.js';

/** Copies the rows `order[start..start+rows)` of `src` into the first rows of the block at `dst`. */
export function gatherRows(
  src: Tensor,
  dst: number,
  order: Int32Array | null,
  start: number,
  rows: number,
  width: number,
): void {
  const b = backend();
  const view = src.dtype === 'int32' ? b.views.i32 : b.views.f32;
  const s = src.ptr() >>> 2;
  const d = dst >>> 2;
  if (!order) {
    view.copyWithin(d, s + start * width, s + (start + rows) * width);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const from = s + order[start + r] * width;
    view.copyWithin(d + r * width, from, from + width);
  }
}

/** Copies `rows` rows of `width` floats from the block at `from` into `out` from row `start` on. */
export function copyRowsOut(from: number, out: Tensor, start: number, rows: number, width: number): void {
  const f32 = backend().views.f32;
  const src = from >>> 2;
  f32.copyWithin((out.ptr() >>> 2) + start * width, src, src + rows * width);
}

/** Runs `fn` with the model's step of `kind` for `rows` examples, pinned so that nothing frees it meanwhile. */
function withStep<T>(
  model: TrainableModel,
  kind: PassKind,
  rows: number,
  inputDType: 'float32' | 'int32',
  fn: (step: ModelStep) => T,
): T {
  const step = model.step(kind, rows, inputDType);
  step.pin();
  try {
    return fn(step);
  } finally {
    step.unpin();
    model.doneStep(step);
  }
}

/** Runs `fn` for each batch [start, start + rows) of `count` examples, with the step for that batch size. */
export function forEachBatch(
  model: TrainableModel,
  kind: PassKind,
  count: number,
  batchSize: number,
  inputDType: 'float32' | 'int32',
  fn: (step: ModelStep, start: number, rows: number) => void,
): void {
  const full = Math.floor(count / batchSize) * batchSize;
  if (full > 0) {
    withStep(model, kind, batchSize, inputDType, (step) => {
      for (let start = 0; start < full; start += batchSize) fn(step, start, batchSize);
    });
  }
  if (full < count) withStep(model, kind, count - full, inputDType, (step) => fn(step, full, count - full));
}
