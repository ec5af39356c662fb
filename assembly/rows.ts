// Row helpers shared by the softmax (activations.ts) and softmax cross-entropy (losses.ts) kernels.
// Internal: index.ts does not re-export this file, so none of these becomes a Wasm export; all are
// inlined into their callers.

/** Sum of the four lanes, as (l0 + l1) + (l2 + l3). */
@inline
export function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Largest of `cols` floats at p (NaN if any is NaN). */
@inline
export function rowMax(p: usize, cols: i32): f32 {
  let m = f32x4.splat(-Infinity);
  let j = 0;
  for (; j + 4 <= cols; j += 4) m = f32x4.max(m, v128.load(p + (<usize>j << 2)));
  let r = max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  for (; j < cols; j++) r = max(r, load<f32>(p + (<usize>j << 2)));
  return r;
}

/** p[j] *= k over a row. */
@inline
export function scaleRow(p: usize, cols: i32, k: f32): void {
  const kv = f32x4.splat(k);
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    const o = <usize>j << 2;
    v128.store(p + o, f32x4.mul(v128.load(p + o), kv));
  }
  for (; j < cols; j++) {
    const o = <usize>j << 2;
    store<f32>(p + o, load<f32>(p + o) * k);
  }
}

/** Σ a[j] over a row. */
@inline
export function rowSum(a: usize, cols: i32): f32 {
  let s = f32x4.splat(0.0);
  let j = 0;
  for (; j + 4 <= cols; j += 4) s = f32x4.add(s, v128.load(a + (<usize>j << 2)));
  let r = hsum(s);
  for (; j < cols; j++) r += load<f32>(a + (<usize>j << 2));
  return r;
}
