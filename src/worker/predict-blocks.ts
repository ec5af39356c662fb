// predictAsync({ workers }) where the threads share no memory (a page that is not cross-origin
// isolated): the batches split in fixed contiguous blocks, one per thread. Each worker thread is
// posted the rows of its block, transferred, runs its batches (predict-batches.ts, as predict runs
// them, so the bits are predict's) into a buffer of its own and posts it back transferred; the main
// thread runs its block meanwhile and puts the blocks together.
import { backend } from '../backend/loader.js';
import { BackendError } from '../errors.js';
import { gatherRows } from '../models/batches.js';
import type { Sequential } from '../models/sequential.js';
import type { Rows } from '../training/inputs.js';
import { batchesOf, CONTROL_SLOTS, type PredictJob, predictTakenBatches } from './predict-batches.js';
import { splitRows } from './replica-layout.js';
import { type ReplicaThread, startReplicaThread } from './replica-threads.js';
import { settled, workersDone } from './thread-jobs.js';
import { workerThreads } from './thread-names.js';
import type { ServedThreadInit, ThreadFault } from './thread-serve.js';

/** What a predictAsync worker thread that shares no memory is started with (its `x` transferred). */
export interface PredictBlockInit extends ServedThreadInit {
  /** The export of neurasm's entry the thread runs. */
  serve: 'servePredictRows';
  /** Marks the init of a block (predict-serve.ts): the thread posts its predictions back. */
  block: true;
  /** The block's batches, as a job of its own (its rows counted from 0). */
  job: PredictJob;
  /** The block's input examples (4-byte values, `job.inputDType`). */
  x: ArrayBuffer;
}

/** What a worker thread posts back: its block's predictions (float32, `outWidth` per example), transferred. */
export interface PredictBlockMessage {
  neurasm: 'predictBlock';
  out: ArrayBuffer;
}

/** Batches [first, first + count) of `job` as a job of their own, and the example they start at. */
export function blockOf(job: PredictJob, first: number, count: number): { job: PredictJob; start: number } {
  const pairs = job.batches.slice(2 * first, 2 * (first + count));
  const start = count > 0 ? pairs[0] : 0;
  let rows = 0;
  for (let i = 0; i < pairs.length; i += 2) {
    pairs[i] -= start;
    rows += pairs[i + 1];
  }
  return { job: { ...job, count: rows, batches: pairs }, start };
}

/**
 * The batches of each thread (the main one first): contiguous blocks, as even as they go; with
 * `mainIdle`, none for the main thread.
 */
export function blockBatches(batches: number, threads: number, mainIdle: boolean): number[] {
  if (mainIdle) return [0, ...splitRows(batches, threads - 1).counts];
  return splitRows(batches, threads).counts;
}

/** The input examples [start, start + rows) of `xs`, copied into a buffer of their own. */
function rowsCopy(xs: Rows, job: PredictJob, start: number, rows: number): ArrayBuffer {
  const view = xs.tensor.view() as Float32Array | Int32Array;
  return view.slice(start * job.width, (start + rows) * job.width).buffer as ArrayBuffer;
}

/** How a call runs its blocks: the thread counts and test hooks of predict-host.ts. */
export interface BlockRun {
  op: string;
  model: Sequential;
  xs: Rows;
  job: PredictJob;
  threads: number;
  artifacts: unknown;
  mainIdle: boolean;
  /** The fault injected in the last worker thread (tests). */
  fault?: ThreadFault;
  /** Called with each worker thread started. */
  onStart(): void;
}

/**
 * The predictions of `run.job` (float32, outWidth per example) on the main thread and `threads − 1`
 * worker threads that share no memory, with the batches' bits. Rejects with the error of a worker
 * thread that fails (every thread is ended first); returns the batches the workers ran.
 */
export async function predictInBlocks(run: BlockRun): Promise<{ out: Float32Array; workerBatches: number }> {
  const { op, model, xs, job, threads } = run;
  const counts = blockBatches(batchesOf(job), threads, run.mainIdle);
  const out = new Float32Array(job.count * job.outWidth);
  const started: ReplicaThread[] = [];
  const ends: Promise<void>[] = [];
  /** The worker threads whose block has not come back. */
  const waiting = new Set<number>();
  try {
    let first = counts[0];
    for (let t = 1; t < threads; t++) {
      const block = blockOf(job, first, counts[t]);
      first += counts[t];
      if (counts[t] === 0) continue;
      const end = settled();
      ends.push(end.promise);
      waiting.add(t);
      const x = rowsCopy(xs, job, block.start, block.job.count);
      const init: PredictBlockInit = {
        serve: 'servePredictRows',
        block: true,
        job: block.job,
        x,
        artifacts: run.artifacts,
        relaxedSimd: backend().kind === 'relaxed-simd',
        fault: t === threads - 1 ? run.fault : undefined,
      };
      const fail = (why: string) => end.reject(new BackendError(`${op}: worker thread ${t} failed: ${why}`));
      const expected = block.job.count * job.outWidth;
      run.onStart();
      started.push(
        await startReplicaThread(
          init,
          {
            onMessage(m) {
              const message = m as { neurasm?: string; out?: unknown; name?: string; message?: string };
              if (message?.neurasm === 'predictBlock' && message.out instanceof ArrayBuffer) {
                const values = new Float32Array(message.out);
                if (values.length !== expected) fail(`it sent ${values.length} predicted values, not ${expected}`);
                else {
                  out.set(values, block.start * job.outWidth);
                  waiting.delete(t);
                  end.resolve();
                }
              } else if (message?.neurasm === 'replicaError') fail(`${message.name}: ${message.message}`);
            },
            onFailure: (e) => fail(e.message),
          },
          { shareless: true, transfer: [x] },
        ),
      );
    }
    const began = performance.now();
    if (counts[0] > 0) {
      const own = blockOf(job, 0, counts[0]);
      predictTakenBatches(
        model,
        own.job,
        new Int32Array(CONTROL_SLOTS),
        (dst, start, rows) => gatherRows(xs.tensor, dst, null, start, rows, job.width),
        out,
      );
    }
    await workersDone(Promise.all(ends), op, performance.now() - began, () => workerThreads(waiting));
    return { out, workerBatches: batchesOf(job) - counts[0] };
  } finally {
    await Promise.all(started.map((thread) => thread.terminate()));
  }
}
