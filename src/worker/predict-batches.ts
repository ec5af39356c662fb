// The batches of predictAsync({ workers }): every thread (the main one and the workers) takes the
// next batch from a shared counter until none is left, runs it through its own model's predict
// step and writes the predictions into the shared output. A batch is the one predict runs (rows
// [b·batchSize, (b + 1)·batchSize), the last one shorter, with a step of its own size), so the
// output has the bits of predict whichever thread ran it; taking batches as they come lets the
// main thread work while the workers start.
import { backend } from '../backend/loader.js';
import type { Sequential } from '../models/sequential.js';
import type { ModelStep } from '../training/model-step.js';

/** Int32 slot of the shared control: the next batch a thread takes. */
export const NEXT_BATCH = 0;
/** Int32 slot of the shared control: 1 once the main thread has written the input examples. */
export const INPUT_READY = 1;
/** Int32 slot of the shared control: batches whose predictions are written. */
export const WRITTEN = 2;
/** Int32 slots of the shared control. */
export const CONTROL_SLOTS = 3;

/** What every thread of a predictAsync call knows of the work. */
export interface PredictJob {
  /** Examples, and examples per batch (at most `count`). */
  count: number;
  batchSize: number;
  /** Values per input example and per output example. */
  width: number;
  outWidth: number;
  inputDType: 'float32' | 'int32';
}

/** Copies the input examples [start, start + rows) into the Wasm memory at byte `dst`. */
export type RowsInto = (dst: number, start: number, rows: number) => void;

/** The batches of `job`. */
export function batchesOf(job: PredictJob): number {
  return Math.ceil(job.count / job.batchSize);
}

/**
 * Runs batches of `job` taken from the counter `control[NEXT_BATCH]` (atomically) until none is
 * left, writing their predictions into `out` (float32, `outWidth` per example) and counting them in
 * `control[WRITTEN]`; returns how many it ran.
 */
export function predictTakenBatches(
  model: Sequential,
  job: PredictJob,
  control: Int32Array,
  rowsInto: RowsInto,
  out: Float32Array,
): number {
  const batches = batchesOf(job);
  let full: ModelStep | null = null;
  let ran = 0;
  try {
    for (let b = Atomics.add(control, NEXT_BATCH, 1); b < batches; b = Atomics.add(control, NEXT_BATCH, 1)) {
      const start = b * job.batchSize;
      const rows = Math.min(job.batchSize, job.count - start);
      if (rows === job.batchSize) {
        if (full === null) {
          full = model.step('predict', rows, job.inputDType);
          full.pin();
        }
        runBatch(full, job, rowsInto, out, start, rows);
      } else {
        const step = model.step('predict', rows, job.inputDType);
        step.pin();
        try {
          runBatch(step, job, rowsInto, out, start, rows);
        } finally {
          step.unpin();
          model.doneStep(step);
        }
      }
      Atomics.add(control, WRITTEN, 1);
      ran++;
    }
  } finally {
    if (full !== null) {
      full.unpin();
      model.doneStep(full);
    }
  }
  return ran;
}

function runBatch(
  step: ModelStep,
  job: PredictJob,
  rowsInto: RowsInto,
  out: Float32Array,
  start: number,
  rows: number,
): void {
  rowsInto(step.x.ptr(), start, rows);
  const from = step.run().predictions.ptr() >>> 2;
  // the views after the run (a grown memory makes new ones)
  out.set(backend().views.f32.subarray(from, from + rows * job.outWidth), start * job.outWidth);
}
