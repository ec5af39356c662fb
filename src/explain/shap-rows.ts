// KernelSHAP's work for a contiguous block of explained rows, the same code on the main thread and in
// each worker thread (shap-serve.ts): every row's coalitions come from the generator state recorded
// for that row, and every row is evaluated in batches of its own, laid out by bounds of the whole
// call, so that a row's values do not depend on the rows evaluated with it or on the thread.
import { backend } from '../backend/loader.js';
import { forEachBatch } from '../models/batches.js';
import type { Sequential } from '../models/sequential.js';
import { fromFlat } from '../ops/create.js';
import { Random } from '../random.js';
import { type Coalitions, coalitionBudget, makeCoalitions } from './shap-coalitions.js';
import { denseFirstLayer, evaluateFactored, preActivations } from './shap-first-layer.js';
import { selectPlayers, solveShapley, solveShapleyOutputs } from './shap-solve.js';

const OP = 'kernelShap';
/** Examples whose coalitions are made and held together (the rest wait their turn). */
const EXAMPLES_PER_GROUP = 32;
/** Values of a generator state per row (Random.state(): four words and the spare normal draw). */
export const STATE_SIZE = 5;

/** The background as float32 rows with weights summing to 1. */
export interface Background {
  values: Float32Array;
  rows: number;
  weights: Float64Array;
}

/** Everything a block of rows needs (structured-cloned to the worker threads). */
export interface ShapJob {
  /** The explained rows, float32 [count, features]. */
  x: Float32Array;
  count: number;
  features: number;
  inputShape: number[];
  background: Background;
  /** The model's outputs for each explained row, [count, outputs]. */
  fx: Float32Array;
  /** E[f] over the background, [outputs]. */
  fnull: Float64Array;
  outputs: number;
  /** The outputs explained (indices). */
  explained: number[];
  nsamples: number | 'auto';
  /** Players kept by least angle regression, or null (every player). */
  keep: number | null;
  batchSize: number;
  /** [count, STATE_SIZE]: the coalition generator's state at each row's start. */
  states: Float64Array;
}

/**
 * Indices of the features where the example differs from some background row (numpy's allclose:
 * |x − b| > 1e-8 + 1e-5·|b|), as shap's varying_groups: the others get a value of 0.
 */
export function varyingFeatures(x: Float32Array, offset: number, width: number, background: Background): number[] {
  const varying: number[] = [];
  for (let j = 0; j < width; j++) {
    const v = x[offset + j];
    for (let r = 0; r < background.rows; r++) {
      const b = background.values[r * width + j];
      if (Math.abs(v - b) > 1e-8 + 1e-5 * Math.abs(b)) {
        varying.push(j);
        break;
      }
    }
  }
  return varying;
}

/** The coalitions of an example with `players` varying features (none below 2). */
export function coalitionsOf(players: number, nsamples: number | 'auto', random: Random): Coalitions {
  return players >= 2
    ? makeCoalitions(players, coalitionBudget(players, nsamples), random)
    : { players, count: 0, masks: new Uint8Array(0), weights: new Float64Array(0) };
}

/**
 * Each row's generator state at its start, [count, STATE_SIZE]: the coalitions are drawn from
 * `random` row after row (as one thread draws them), and each row's state is kept so that any
 * thread can draw that row's coalitions again.
 */
export function rowStates(job: Omit<ShapJob, 'states'>, random: Random): Float64Array {
  const states = new Float64Array(job.count * STATE_SIZE);
  for (let e = 0; e < job.count; e++) {
    states.set(random.state(), e * STATE_SIZE);
    coalitionsOf(varyingFeatures(job.x, e * job.features, job.features, job.background).length, job.nsamples, random);
  }
  return states;
}

/** One explained example's work: its varying features, coalitions, and their expected outputs. */
interface ExampleWork {
  varying: number[];
  coalitions: Coalitions;
  /** [count, outputs]: the background-weighted mean output of each coalition. */
  expected: Float64Array;
}

/**
 * Fills one example's `expected` outputs: every coalition × background row is a model input
 * (features in the coalition take the example's value, the others the background row's), written
 * straight into the input buffer of the model's predict step batch after batch (no copy of the
 * whole grid), and the outputs are averaged over the background rows with their weights.
 */
function evaluateCoalitions(
  model: Sequential,
  x: Float32Array,
  item: ExampleWork,
  background: Background,
  outputs: number,
  batchSize: number,
): void {
  const N = background.rows;
  const width = background.values.length / N;
  const { masks, players, count } = item.coalitions;
  const total = count * N;
  if (total === 0) return;
  // the features taking the example's value in the current coalition
  const present = new Int32Array(width);
  let presentCount = 0;
  let presentCoalition = -1;
  const load = (c: number) => {
    presentCount = 0;
    for (let j = 0, at = c * players; j < players; j++) if (masks[at + j]) present[presentCount++] = item.varying[j];
    presentCoalition = c;
  };
  const weights = background.weights;
  const expected = item.expected;
  // the background in Wasm memory: each coalition's block of rows starts as a memcpy of it
  const resident = fromFlat([N * width], 'float32', background.values);
  try {
    forEachBatch(model, 'predict', total, Math.min(batchSize, total), 'float32', (step, start, rows) => {
      const end = start + rows;
      let f32 = backend().views.f32;
      const base = step.x.ptr(OP) >>> 2;
      const bgBase = resident.ptr(OP) >>> 2;
      // the batch's rows, a run of background rows of one coalition at a time
      for (let g = start; g < end; ) {
        const c = Math.floor(g / N);
        if (c !== presentCoalition) load(c);
        const r0 = g - c * N;
        const run = Math.min(N - r0, end - g);
        const first = base + (g - start) * width;
        f32.copyWithin(first, bgBase + r0 * width, bgBase + (r0 + run) * width);
        for (let k = 0; k < presentCount; k++) {
          const j = present[k];
          const v = x[j];
          for (let at = first + j, last = first + run * width; at < last; at += width) f32[at] = v;
        }
        g += run;
      }
      const out = step.run().predictions.ptr(OP) >>> 2;
      f32 = backend().views.f32;
      for (let g = start; g < end; ) {
        const c = Math.floor(g / N);
        const r0 = g - c * N;
        const run = Math.min(N - r0, end - g);
        const at = c * outputs;
        const y0 = out + (g - start) * outputs;
        for (let d = 0; d < outputs; d++) {
          let sum = 0;
          for (let i = 0; i < run; i++) sum += weights[r0 + i] * f32[y0 + i * outputs + d];
          expected[at + d] += sum;
        }
        g += run;
      }
    });
  } finally {
    resident.dispose();
  }
}

/** Solves one example's regression and writes its values into `phi` ([count, features, explained]). */
function solveExample(job: ShapJob, e: number, item: ExampleWork, phi: Float32Array): void {
  const { features, outputs, explained, fx, fnull, keep } = job;
  const D = explained.length;
  const { varying, coalitions, expected } = item;
  const M = varying.length;
  const totals = explained.map((d) => fx[e * outputs + d] - fnull[d]);
  if (M === 1) {
    totals.forEach((total, k) => {
      phi[(e * features + varying[0]) * D + k] = total;
    });
  }
  if (M < 2) return;
  const { masks, weights } = coalitions;
  const values = explained.map((d) => {
    const v = new Float64Array(coalitions.count);
    for (let c = 0; c < coalitions.count; c++) v[c] = expected[c * outputs + d] - fnull[d];
    return v;
  });
  // without feature selection every output shares the regression's matrix
  const solved =
    keep === null
      ? solveShapleyOutputs(masks, weights, values, totals, M)
      : values.map((v, k) =>
          solveShapley(masks, weights, v, totals[k], M, selectPlayers(masks, weights, v, totals[k], M, keep)),
        );
  solved.forEach((phiK, k) => {
    varying.forEach((j, p) => {
      phi[(e * features + j) * D + k] = phiK[p];
    });
  });
}

/**
 * Writes the SHAP values of rows [from, to) of the job into `phi` (float32 [count, features,
 * explained], zero where not written): the same bits whichever thread runs which rows.
 */
export function explainRows(model: Sequential, job: ShapJob, from: number, to: number, phi: Float32Array): void {
  const { features, background, outputs, batchSize } = job;
  const factored = denseFirstLayer(model, job.inputShape, background.rows);
  // every row's pre-activation in one batch, in every thread: the same bits wherever a row goes
  const xPre = factored && job.count > 0 ? preActivations(factored, job.x, job.count) : null;
  const layout = { maxPlayers: features, maxCount: Math.max(0, coalitionBudget(features, job.nsamples)) };
  const random = new Random(0);
  for (let first = from; first < to; first += EXAMPLES_PER_GROUP) {
    const work: ExampleWork[] = [];
    for (let e = first; e < Math.min(to, first + EXAMPLES_PER_GROUP); e++) {
      const varying = varyingFeatures(job.x, e * features, features, background);
      random.setState(Array.from(job.states.subarray(e * STATE_SIZE, (e + 1) * STATE_SIZE)));
      const coalitions = coalitionsOf(varying.length, job.nsamples, random);
      work.push({ varying, coalitions, expected: new Float64Array(coalitions.count * outputs) });
    }
    if (factored && xPre) {
      const units = factored.units;
      const examples = work.map((item, i) => ({
        x: job.x.subarray((first + i) * features, (first + i + 1) * features),
        xPre: xPre.subarray((first + i) * units, (first + i + 1) * units),
        varying: item.varying,
        masks: item.coalitions.masks,
        count: item.coalitions.count,
        expected: item.expected,
      }));
      evaluateFactored(model, factored, examples, background, outputs, batchSize, layout);
    } else {
      work.forEach((item, i) => {
        const x = job.x.subarray((first + i) * features, (first + i + 1) * features);
        evaluateCoalitions(model, x, item, background, outputs, batchSize);
      });
    }
    for (let i = 0; i < work.length; i++) solveExample(job, first + i, work[i], phi);
  }
}
