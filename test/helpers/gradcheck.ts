import * as nn from '../../src/index.js';
import { expectClose } from './close.js';
import { randomArray } from './random.js';

/** A float64 forward of an op: flat inputs (with their shapes) to flat outputs. */
export type Forward64 = (inputs: Float64Array[], shapes: number[][]) => ArrayLike<number>;

export interface GradCheckCase {
  /** Shapes of the op's inputs. */
  shapes: number[][];
  /** The op under test, on neurasm tensors. */
  op: (...xs: nn.Tensor[]) => nn.Tensor;
  /** The same function in float64 plain JS. */
  forward64: Forward64;
  /** Range inputs are drawn from (per input, or one for all). */
  domain?: [number, number] | Array<[number, number]>;
  /** Inputs that are not differentiated (labels): indices into shapes. */
  constant?: number[];
  /** Overrides for an input's values (e.g. integer labels). */
  values?: Array<ArrayLike<number> | undefined>;
  seed?: number;
  rtol?: number;
  atol?: number;
}

/**
 * Checks an op's analytic gradient (float32 Wasm) against central finite differences of its
 * float64 forward, with a random upstream gradient w: L = sum(op(x) * w).
 */
export function gradCheck(c: GradCheckCase): void {
  const seed = c.seed ?? 7;
  const inputs = c.shapes.map((shape, i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const dom = Array.isArray(c.domain?.[0])
      ? (c.domain as Array<[number, number]>)[i]
      : (c.domain as [number, number]);
    const [lo, hi] = dom ?? [-1, 1];
    return c.values?.[i] ? Float32Array.from(c.values[i]) : randomArray(n, seed + 17 * i, lo, hi);
  });
  const inputs64 = inputs.map((x) => Float64Array.from(x));
  const out64 = c.forward64(inputs64, c.shapes);
  const w = randomArray(out64.length, seed + 1000, -1, 1);
  const w64 = Float64Array.from(w);
  const loss64 = (xs: Float64Array[]) => {
    const y = c.forward64(xs, c.shapes);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i] * w64[i];
    return s;
  };

  const constant = new Set(c.constant ?? []);
  const tensors = c.shapes.map((shape, i) => nn.tensor(inputs[i], shape));
  const diffIdx = c.shapes.map((_, i) => i).filter((i) => !constant.has(i));
  const analytic = nn.tidy(() => {
    const f = (...diffs: nn.Tensor[]) => {
      const all = tensors.map((t, i) => (constant.has(i) ? t : diffs[diffIdx.indexOf(i)]));
      const y = c.op(...all);
      return nn.sum(nn.mul(nn.reshape(y, [-1]), nn.tensor(w)));
    };
    return nn.grads(f)(diffIdx.map((i) => tensors[i]));
  });

  diffIdx.forEach((inputIndex, k) => {
    const g = analytic[k].dataSync();
    const fd = new Float64Array(inputs64[inputIndex].length);
    for (let j = 0; j < fd.length; j++) {
      const xs = inputs64.map((x) => Float64Array.from(x));
      const x0 = xs[inputIndex][j];
      const h = 1e-6 * Math.max(1, Math.abs(x0));
      xs[inputIndex][j] = x0 + h;
      const fp = loss64(xs);
      xs[inputIndex][j] = x0 - h;
      const fm = loss64(xs);
      fd[j] = (fp - fm) / (2 * h);
    }
    expectClose(g, fd, c.rtol ?? 2e-3, c.atol ?? 2e-4, `gradient of input ${inputIndex}`);
  });
  nn.dispose([analytic, tensors]);
}

/** Broadcast indexing for float64 references: the flat index into `shape` for an output index. */
export function broadcastIndex(outIndex: number, outShape: number[], shape: number[]): number {
  let idx = 0;
  let stride = 1;
  let rem = outIndex;
  const offset = outShape.length - shape.length;
  const coords = new Array<number>(outShape.length);
  for (let d = outShape.length - 1; d >= 0; d--) {
    coords[d] = rem % outShape[d];
    rem = Math.floor(rem / outShape[d]);
  }
  for (let d = shape.length - 1; d >= 0; d--) {
    const c = shape[d] === 1 ? 0 : coords[d + offset];
    idx += c * stride;
    stride *= shape[d];
  }
  return idx;
}

/** numpy broadcast of two shapes (no validation: tests pass compatible shapes). */
export function broadcastShape(a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  return Array.from({ length: r }, (_, i) => {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    return da === 1 ? db : da;
  });
}

/** A float64 broadcasting binary forward. */
export function binary64(f: (a: number, b: number) => number): Forward64 {
  return ([a, b], [sa, sb]) => {
    const out = broadcastShape(sa, sb);
    const n = out.reduce((x, y) => x * y, 1);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) y[i] = f(a[broadcastIndex(i, out, sa)], b[broadcastIndex(i, out, sb)]);
    return y;
  };
}

/** A float64 elementwise unary forward. */
export function unary64(f: (x: number) => number): Forward64 {
  return ([x]) => x.map(f);
}
