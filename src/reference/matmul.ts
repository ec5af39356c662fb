// Plain-JavaScript matrix products: a float64 oracle for the tests and a float32 baseline for the
// benchmark. Row-major throughout.

/**
 * op(A)·op(B) in float64, where op(A) is A [m×k] or, with `transA`, A stored [k×m], and op(B) is
 * B [k×n] or, with `transB`, B stored [n×k]. Returns the [m×n] product.
 */
export function matMulReference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  k: number,
  n: number,
  transA = false,
  transB = false,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        const aip = transA ? a[p * m + i] : a[i * k + p];
        const bpj = transB ? b[j * k + p] : b[p * n + j];
        sum += aip * bpj;
      }
      out[i * n + j] = sum;
    }
  }
  return out;
}

/**
 * C = A·B in float32 with A [m×k], B [k×n], C [m×n]: the plain-JS baseline of the benchmark,
 * written the way a careful JS programmer would (i-k-j order so the inner loop runs along rows of
 * B and C, no allocation).
 */
export function matMulPlainJs(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  k: number,
  n: number,
): void {
  c.fill(0, 0, m * n);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
    }
  }
}

/**
 * Batched op(A)·op(B) in float64, as numpy's matmul with optional transposes of the last two dims:
 * A and B have rank 2 or more and their leading (batch) dims broadcast. Returns the flat product
 * and its shape [...batch, m, n]. Preconditions (not checked): the shapes fit together.
 */
export function batchMatMulReference(
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
  transA = false,
  transB = false,
): { values: Float64Array; shape: number[] } {
  const [ra, ca] = aShape.slice(-2);
  const [rb, cb] = bShape.slice(-2);
  const [m, k] = transA ? [ca, ra] : [ra, ca];
  const n = transB ? rb : cb;
  const batchA = aShape.slice(0, -2);
  const batchB = bShape.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const padA = [...Array(rank - batchA.length).fill(1), ...batchA];
  const padB = [...Array(rank - batchB.length).fill(1), ...batchB];
  const batch = padA.map((d, i) => Math.max(d, padB[i]));
  const count = batch.reduce((x, y) => x * y, 1);
  const values = new Float64Array(count * m * n);
  const coords = new Array<number>(rank).fill(0);
  for (let i = 0; i < count; i++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      ia = ia * padA[d] + (padA[d] === 1 ? 0 : coords[d]);
      ib = ib * padB[d] + (padB[d] === 1 ? 0 : coords[d]);
    }
    const sliceA = Array.prototype.slice.call(a, ia * m * k, (ia + 1) * m * k) as number[];
    const sliceB = Array.prototype.slice.call(b, ib * k * n, (ib + 1) * k * n) as number[];
    values.set(matMulReference(sliceA, sliceB, m, k, n, transA, transB), i * m * n);
    for (let d = rank - 1; d >= 0; d--) {
      if (++coords[d] < batch[d]) break;
      coords[d] = 0;
    }
  }
  return { values, shape: [...batch, m, n] };
}
