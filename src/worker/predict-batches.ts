// The batches of predictAsync({ workers }): every thread (the main one and the workers) takes the
// next batch from a shared counter until none is left, runs it through its own model's predict
// step and writes the predictions into the shared output. A batch is one that predict runs (rows
// [b·batchSize, (b + 1)·batchSize), the last one shorter, with a step of its own size; for several
// segments, those of a predict call on each), so the output has the bits of predict whichever
// thread ran it; taking batches as they come lets the main thread work while the workers start.
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
  /** Examples, values per input example and per output example. */
  count: number;
  width: number;
  outWidth: number;
  inputDType: 'float32' | 'int32';
  /** The batches as [start, rows] pairs (batchTable). */
  batches: Int32Array;
}

/** Copies the input examples [start, start + rows) into the Wasm memory at byte `dst`. */
export type RowsInto = (dst: number, start: number, rows: number) => void;

/**
 * A run of examples that predict would get in one call: its examples and the batch size asked for
 * (at most its examples, as predict clamps it).
 */
export interface PredictSegment {
  rows: number;
  batchSize: number;
}

/** The batches predict runs for each segment, one after the other: [start, rows] pairs. */
export function batchTable(segments: readonly PredictSegment[]): Int32Array {
  const pairs: number[] = [];
  let at = 0;
  for (const { rows, batchSize } of segments) {
    const size = Math.min(batchSize, rows);
    for (let start = 0; start < rows; start += size) pairs.push(at + start, Math.min(size, rows - start));
    at += rows;
  }
  return Int32Array.from(pairs);
}

/** The batches of `job`. */
export function batchesOf(job: PredictJob): number {
  return job.batches.length / 2;
}

/** Most steps (one per batch size) a thread keeps pinned during a call. */
const KEPT_STEPS = 4;

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
  const kept = new Map<number, ModelStep>();
  let ran = 0;
  try {
    for (let b = Atomics.add(control, NEXT_BATCH, 1); b < batches; b = Atomics.add(control, NEXT_BATCH, 1)) {
      const start = job.batches[2 * b];
      const rows = job.batches[2 * b + 1];
      let step = kept.get(rows);
      if (step === undefined) {
        step = model.step('predict', rows, job.inputDType);
        step.pin();
        if (kept.size < KEPT_STEPS) kept.set(rows, step);
      }
      try {
        runBatch(step, job, rowsInto, out, start, rows);
      } finally {
        if (kept.get(rows) !== step) {
          step.unpin();
          model.doneStep(step);
        }
      }
      Atomics.add(control, WRITTEN, 1);
      ran++;
    }
  } finally {
    for (const step of kept.values()) {
      step.unpin();
      model.doneStep(step);
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
