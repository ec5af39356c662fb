// 1-D convolution helpers around GEMM (channels last, x [batch, steps, channels]):
// im2col gathers the patch matrix, [batch·outSteps, kernelSize·channels], whose row (b, t) holds
// x[b, t·stride + k·dilation − padLeft, :] for k = 0..kernelSize−1 (zeros outside the sequence);
// col2im adds a patch-matrix gradient back to the steps it was read from; padSteps copies x with
// zero steps on both sides (the input GEMM reads directly when the dilation is 1).

/** n floats from src to dst (no overlap). */
@inline
function copyFloats(dst: usize, src: usize, n: i32): void {
  memory.copy(dst, src, <usize>n << 2);
}

/** dst[i] += src[i] for n floats. */
@inline
function addFloats(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/**
 * cols [batch·outSteps, kernelSize·channels] = the patches of x [batch, steps, channels]: row
 * (b, t), block k is x[b, t·stride + k·dilation − padLeft, :], or zeros where that step is outside
 * [0, steps). cols must not overlap x.
 */
export function im2col1d(
  x: usize,
  cols: usize,
  batch: i32,
  steps: i32,
  channels: i32,
  outSteps: i32,
  kernelSize: i32,
  stride: i32,
  dilation: i32,
  padLeft: i32,
): void {
  const rowBytes = <usize>channels << 2;
  let dst = cols;
  for (let b = 0; b < batch; b++) {
    const xb = x + <usize>b * <usize>steps * rowBytes;
    for (let t = 0; t < outSteps; t++) {
      const first = t * stride - padLeft;
      for (let k = 0; k < kernelSize; k++) {
        const s = first + k * dilation;
        if (s >= 0 && s < steps) copyFloats(dst, xb + <usize>s * rowBytes, channels);
        else memory.fill(dst, 0, rowBytes);
        dst += rowBytes;
      }
    }
  }
}

/**
 * dx [batch, steps, channels] = 0, then every block of cols (laid out as im2col1d writes it) added
 * to the step it was read from; blocks of padding steps are skipped. dx must not overlap cols.
 */
export function col2im1d(
  cols: usize,
  dx: usize,
  batch: i32,
  steps: i32,
  channels: i32,
  outSteps: i32,
  kernelSize: i32,
  stride: i32,
  dilation: i32,
  padLeft: i32,
): void {
  const rowBytes = <usize>channels << 2;
  memory.fill(dx, 0, <usize>batch * <usize>steps * rowBytes);
  let src = cols;
  for (let b = 0; b < batch; b++) {
    const db = dx + <usize>b * <usize>steps * rowBytes;
    for (let t = 0; t < outSteps; t++) {
      const first = t * stride - padLeft;
      for (let k = 0; k < kernelSize; k++) {
        const s = first + k * dilation;
        if (s >= 0 && s < steps) addFloats(db + <usize>s * rowBytes, src, channels);
        src += rowBytes;
      }
    }
  }
}

/**
 * y [batch, padLeft + steps + padRight, channels] = x [batch, steps, channels] with padLeft zero
 * steps before and padRight after each sequence. y must not overlap x.
 */
export function padSteps1d(
  x: usize,
  y: usize,
  batch: i32,
  steps: i32,
  channels: i32,
  padLeft: i32,
  padRight: i32,
): void {
  const rowBytes = <usize>channels << 2;
  const inBytes = <usize>steps * rowBytes;
  for (let b = 0; b < batch; b++) {
    memory.fill(y, 0, <usize>padLeft * rowBytes);
    y += <usize>padLeft * rowBytes;
    memory.copy(y, x, inBytes);
    y += inBytes;
    x += inBytes;
    memory.fill(y, 0, <usize>padRight * rowBytes);
    y += <usize>padRight * rowBytes;
  }
}
