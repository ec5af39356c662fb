// KernelSHAP's masked rows through a dense first layer without the first layer's GEMM: a masked row is
// a background row b with the coalition's features set to the example's x, so its pre-activation is
// b·W + bias + Σ_{j∈S} (x_j − b_j)·W[j], or, from the other side, x·W + bias + Σ_{j∉S} (b_j − x_j)·W[j];
// the smaller side is summed (paired complements make both sides equally common).
import { sumRowRuns } from '../backend/kernels/indexing.js';
import { backend } from '../backend/loader.js';
import { applyActivation } from '../layers/activations.js';
import { Dense } from '../layers/dense.js';
import type { Sequential } from '../models/sequential.js';
import { fromFlat } from '../ops/create.js';
import { dense } from '../ops/dense.js';
import { Tensor } from '../ops/tensor.js';
import { ModelStep, type StepFunction } from '../training/model-step.js';

const OP = 'kernelShap';
/** Largest table of first-layer rows (bytes) worth building; a wider input or layer goes through predict. */
const MAX_TABLE_BYTES = 64 * 1024 * 1024;
/** Bytes of table read by one batch (a slice of background rows' blocks), to stay in a core's L2 cache. */
const SLICE_BYTES = 128 * 1024;

/** A model whose first layer is a dense layer on flat rows: its layer, weights and the layers after it. */
export interface DenseFirstLayer {
  first: Dense;
  /** The kernel [features, units] as read once. */
  weights: Float32Array;
  units: number;
}

/**
 * The model's first layer when the factored evaluation applies (a built Dense layer taking flat rows,
 * and a table of (2 + 2·features)·backgroundRows rows of its units within 64 MB), else null (then
 * every masked row goes through the model's predict).
 */
export function denseFirstLayer(
  model: Sequential,
  inputShape: readonly number[],
  backgroundRows: number,
): DenseFirstLayer | null {
  const first = model.layers[0];
  if (inputShape.length !== 1 || !(first instanceof Dense) || first.kernel === null) return null;
  const [k, units] = first.kernel.shape;
  if (k !== inputShape[0] || (2 + 2 * k) * backgroundRows * units * 4 > MAX_TABLE_BYTES) return null;
  return { first, weights: Float32Array.from(first.kernel.readValues(OP)), units };
}

/** One explained example for `evaluateFactored`. */
export interface FactoredExample {
  /** The example's features. */
  x: Float32Array;
  /** The example's first-layer pre-activation [units]. */
  xPre: Float32Array;
  /** The features that vary (the players), by player. */
  varying: readonly number[];
  /** [count, players]: 1 where the player takes the example's value. */
  masks: Uint8Array;
  count: number;
  /** [count, outputs]: receives the background-weighted mean output of each coalition. */
  expected: Float64Array;
}

/**
 * The model after its first layer's GEMM, as a step function: the first layer's activation, then the
 * other layers (inference), from first-layer pre-activations.
 */
function restOfModel(model: Sequential, plan: DenseFirstLayer): StepFunction {
  return (x) => {
    let h = applyActivation(plan.first.activation, x);
    for (let l = 1; l < model.layers.length; l++) h = model.layers[l].apply(h, { training: false });
    return { loss: null, predictions: h, grads: [], updates: null };
  };
}

/** The pre-activations of rows through the first layer (no activation), float32 [rows, units]. */
export function preActivations(plan: DenseFirstLayer, values: Float32Array, rows: number): Float32Array {
  const x = fromFlat([rows, values.length / rows], 'float32', values);
  try {
    const z = dense(x, plan.first.kernel!, plan.first.bias, 'linear', 0);
    try {
      return Float32Array.from(z.readValues(OP));
    } finally {
      z.dispose();
    }
  } finally {
    x.dispose();
  }
}

/**
 * Bounds over every example of a call, which fix the batches' layout: so that an example's values
 * do not depend on the other examples evaluated with it (or on the thread that evaluates it).
 */
export interface FactoredLayout {
  /** The most players an example can have (the number of features). */
  maxPlayers: number;
  /** The most coalitions an example can have. */
  maxCount: number;
}

/**
 * Fills each example's `expected` outputs as the model's predict would (within float32 rounding of
 * the first layer's sums): per coalition, R = background rows masked rows are built as first-layer
 * pre-activations by `sumRowRuns` from a table of R blocks (block r: background row r's
 * pre-activation, the example's, (x_j − b_rj)·W[j] per player, their negatives), then go through the
 * first layer's activation and the other layers in batches of whole coalitions (about `batchSize`
 * rows), and their outputs are averaged with the background weights.
 */
export function evaluateFactored(
  model: Sequential,
  plan: DenseFirstLayer,
  examples: FactoredExample[],
  background: { values: Float32Array; rows: number; weights: Float64Array },
  outputs: number,
  batchSize: number,
  layout: FactoredLayout,
): void {
  const R = background.rows;
  const F = plan.weights.length / plan.units;
  const U = plan.units;
  const W = plan.weights;
  const bgPre = preActivations(plan, background.values, R);
  const maxPlayers = layout.maxPlayers;
  const tableRows = R * (2 + 2 * maxPlayers);
  const table = new Tensor([tableRows, U], 'float32');
  // background rows per pass over the coalitions: their table blocks fit in SLICE_BYTES
  const rowsPerSlice = Math.max(1, Math.min(R, Math.floor(SLICE_BYTES / ((2 + 2 * maxPlayers) * U * 4))));
  const groupsPerBatch = Math.min(Math.max(1, Math.floor(batchSize / rowsPerSlice)), Math.max(1, layout.maxCount));
  const step = new ModelStep(
    restOfModel(model, plan),
    [],
    [groupsPerBatch * rowsPerSlice, U],
    'float32',
    null,
    'float32',
  );
  try {
    examples.forEach((example) => {
      const { x, xPre, varying, masks, count, expected } = example;
      const M = varying.length;
      if (count === 0) return;
      // the table, R blocks of S = 2 + 2M rows: block r holds the background row's pre-activation,
      // the example's, then (x_j − b_rj)·W[j] for each player and their negatives
      const S = 2 + 2 * M;
      const f32 = backend().views.f32;
      const base = table.ptr(OP) >>> 2;
      const zx = xPre;
      for (let r = 0; r < R; r++) {
        const block = base + r * S * U;
        f32.set(bgPre.subarray(r * U, r * U + U), block);
        f32.set(zx, block + U);
        for (let p = 0; p < M; p++) {
          const j = varying[p];
          const d = Math.fround(x[j] - background.values[r * F + j]);
          const at = block + (2 + p) * U;
          const negative = at + M * U;
          for (let u = 0, w = j * U; u < U; u++, w++) {
            const v = Math.fround(d * W[w]);
            f32[at + u] = v;
            f32[negative + u] = -v;
          }
        }
      }
      // per coalition: the table rows (in block 0) of its smaller side
      const starts = new Int32Array(count * (1 + Math.ceil(M / 2)));
      const offsets = new Int32Array(count + 1);
      let n = 0;
      for (let c = 0; c < count; c++) {
        const mask = masks.subarray(c * M, c * M + M);
        let size = 0;
        for (let p = 0; p < M; p++) size += mask[p];
        const present = size <= M - size;
        starts[n++] = present ? 0 : 1;
        const first = present ? 2 : 2 + M;
        const want = present ? 1 : 0;
        for (let p = 0; p < M; p++) if (mask[p] === want) starts[n++] = first + p;
        offsets[c + 1] = n;
      }
      const startsT = fromFlat([Math.max(1, n)], 'int32', n > 0 ? starts.subarray(0, n) : [0]);
      const offsetsT = fromFlat([count + 1], 'int32', offsets);
      try {
        // a few background rows at a time (their table blocks stay in cache) for all coalitions
        const weights = background.weights;
        for (let r0 = 0; r0 < R; r0 += rowsPerSlice) {
          const rows = Math.min(rowsPerSlice, R - r0);
          for (let g0 = 0; g0 < count; g0 += groupsPerBatch) {
            const groups = Math.min(groupsPerBatch, count - g0);
            sumRowRuns(
              table.ptr(OP) + r0 * S * U * 4,
              tableRows - r0 * S,
              U,
              startsT.ptr(OP),
              offsetsT.ptr(OP) + 4 * g0,
              groups,
              rows,
              S,
              step.x.ptr(OP),
            );
            const out = step.run().predictions.ptr(OP) >>> 2;
            const f32 = backend().views.f32;
            for (let g = 0; g < groups; g++) {
              const at = (g0 + g) * outputs;
              for (let d = 0; d < outputs; d++) {
                let sum = 0;
                for (let r = 0, y = out + g * rows * outputs + d; r < rows; r++, y += outputs) {
                  sum += weights[r0 + r] * f32[y];
                }
                expected[at + d] += sum;
              }
            }
          }
        }
      } finally {
        startsT.dispose();
        offsetsT.dispose();
      }
    });
  } finally {
    table.dispose();
    step.dispose();
  }
}
