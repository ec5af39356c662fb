// Plain-JavaScript reductions along one axis: the float64 oracle of assembly/reduce.ts.
import { Reduce } from '../backend/codes.js';

/**
 * Reduces x, viewed as [outer, axisLen, inner] row-major, along its middle axis in float64; `op` is
 * a `Reduce` code. max/min give NaN when the slice holds a NaN. Returns [outer, inner].
 */
export function reduceAxisReference(
  op: number,
  x: ArrayLike<number>,
  outer: number,
  axisLen: number,
  inner: number,
): Float64Array {
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const at = (r: number) => x[(o * axisLen + r) * inner + j];
      let acc = op === Reduce.sum || op === Reduce.mean ? 0 : at(0);
      for (let r = 0; r < axisLen; r++) {
        const v = at(r);
        if (op === Reduce.sum || op === Reduce.mean) acc += v;
        else if (Number.isNaN(v) || Number.isNaN(acc)) acc = Number.NaN;
        else acc = op === Reduce.max ? Math.max(acc, v) : Math.min(acc, v);
      }
      out[o * inner + j] = op === Reduce.mean ? acc / axisLen : acc;
    }
  }
  return out;
}

/**
 * argmax (`op` = Reduce.max) or argmin (Reduce.min) along the middle axis of x [outer, axisLen, inner]:
 * the first index of the extreme value, or of the first NaN if there is one (numpy's rule).
 */
export function argReduceAxisReference(
  op: number,
  x: ArrayLike<number>,
  outer: number,
  axisLen: number,
  inner: number,
): Int32Array {
  const out = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let best = 0;
      for (let r = 0; r < axisLen; r++) {
        const v = x[(o * axisLen + r) * inner + j];
        if (Number.isNaN(v)) {
          best = r;
          break;
        }
        const b = x[(o * axisLen + best) * inner + j];
        if (op === Reduce.max ? v > b : v < b) best = r;
      }
      out[o * inner + j] = best;
    }
  }
  return out;
}
