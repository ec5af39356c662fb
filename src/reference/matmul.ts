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
