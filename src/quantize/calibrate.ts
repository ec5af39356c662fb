// Static quantization's calibration: the range of the values reaching each layer that nn.quantize
// replaces by an int8 layer with a quantized input (Dense, Conv1D, the recurrent layers) when the
// calibration data runs through the float model, and the fixed 7-bit input quantization of a range.
import { ValueError } from '../errors.js';
import { Bidirectional } from '../layers/bidirectional.js';
import { Conv1D } from '../layers/conv1d.js';
import { Dense } from '../layers/dense.js';
import type { Layer } from '../layers/layer.js';
import { Recurrent } from '../layers/recurrent.js';
import type { Sequential } from '../models/sequential.js';
import { tidy } from '../ops/engine.js';
import { type InputQuantization, rangeQuantization } from '../ops/quantized.js';
import { max, min } from '../ops/reduction.js';
import { slice } from '../ops/slicing.js';
import { type Data, inputRows, releaseRows } from '../training/inputs.js';

/** The smallest and largest value seen. */
export interface Range {
  lo: number;
  hi: number;
}

/**
 * Whether nn.quantize gives the layer an int8 product of its input: Dense, Conv1D (its windows)
 * and the recurrent layers, Bidirectional's too (their input projection). Their inputs are what
 * static mode calibrates.
 */
export function quantizesInput(layer: Layer): boolean {
  return (
    layer instanceof Dense || layer instanceof Conv1D || layer instanceof Recurrent || layer instanceof Bidirectional
  );
}

/**
 * The range of the input of every layer of `model` whose input nn.quantize quantizes
 * (quantizesInput) over `data` (checked as predict checks its input: shape, dtype, no NaN or
 * Infinity), run in batches of `batchSize` rows.
 */
export function calibrate(model: Sequential, data: unknown, batchSize: number): Map<Layer, Range> {
  const op = 'quantize';
  const rows = inputRows(op, 'calibrationData', data as Data, model.inputSpecFor(op));
  const ranges = new Map<Layer, Range>();
  try {
    if (rows.count === 0) throw new ValueError(`${op}: calibrationData has no examples`);
    const rest = rows.tensor.shape.slice(1);
    for (let start = 0; start < rows.count; start += batchSize) {
      const n = Math.min(batchSize, rows.count - start);
      tidy(() => {
        const batch = slice(rows.tensor, [start, ...rest.map(() => 0)], [n, ...rest]);
        model.callWithPenalty(batch, false, false, (layer, input) => {
          if (!quantizesInput(layer)) return;
          const lo = min(input).dataSync()[0];
          const hi = max(input).dataSync()[0];
          const seen = ranges.get(layer);
          ranges.set(layer, seen ? { lo: Math.min(seen.lo, lo), hi: Math.max(seen.hi, hi) } : { lo, hi });
        });
      });
    }
    return ranges;
  } finally {
    releaseRows(rows);
  }
}

/** The static 7-bit quantization of a calibrated range: the kernel's own, see `rangeQuantization`. */
export function inputQuantizationOf(range: Range): InputQuantization {
  return rangeQuantization(range.lo, range.hi);
}
