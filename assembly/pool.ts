// 1-D max and average pooling over the steps of x [batch, steps, channels], channels last. Window
// t covers steps t·stride − padLeft .. + poolSize − 1; steps outside [0, steps) are padding and
// take no part (TensorFlow's 'same' pooling: the max of the real steps, the mean over their count).
// The max pooling keeps the step of each maximum (the first one on ties) for its gradient; a
// window holding a NaN has the maximum NaN, as the max reduction does.

/** First real step of window t and one past its last. */
@inline
function windowStart(t: i32, stride: i32, padLeft: i32): i32 {
  const s = t * stride - padLeft;
  return s > 0 ? s : 0;
}

@inline
function windowEnd(t: i32, stride: i32, padLeft: i32, poolSize: i32, steps: i32): i32 {
  const e = t * stride - padLeft + poolSize;
  return e < steps ? e : steps;
}

/**
 * y [batch, outSteps, channels] = the maximum of each window; argmax (int32, same shape) = the step
 * it came from. Every window must hold at least one real step.
 */
export function maxPool1d(
  x: usize,
  y: usize,
  argmax: usize,
  batch: i32,
  steps: i32,
  channels: i32,
  outSteps: i32,
  poolSize: i32,
  stride: i32,
  padLeft: i32,
): void {
  const rowBytes = <usize>channels << 2;
  for (let b = 0; b < batch; b++) {
    const xb = x + <usize>b * <usize>steps * rowBytes;
    for (let t = 0; t < outSteps; t++) {
      const s0 = windowStart(t, stride, padLeft);
      const s1 = windowEnd(t, stride, padLeft, poolSize, steps);
      const row = (<usize>b * <usize>outSteps + <usize>t) * rowBytes;
      let c = 0;
      for (; c + 4 <= channels; c += 4) {
        const o = <usize>c << 2;
        let best = v128.load(xb + <usize>s0 * rowBytes + o);
        let bestStep = i32x4.splat(s0);
        for (let s = s0 + 1; s < s1; s++) {
          const v = v128.load(xb + <usize>s * rowBytes + o);
          // a NaN wins and stays (v > NaN is false): the maximum of a window holding a NaN is NaN
          const gt = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
          best = v128.bitselect(v, best, gt);
          bestStep = v128.bitselect(i32x4.splat(s), bestStep, gt);
        }
        v128.store(y + row + o, best);
        v128.store(argmax + row + o, bestStep);
      }
      for (; c < channels; c++) {
        const o = <usize>c << 2;
        let best = load<f32>(xb + <usize>s0 * rowBytes + o);
        let bestStep = s0;
        for (let s = s0 + 1; s < s1; s++) {
          const v = load<f32>(xb + <usize>s * rowBytes + o);
          if (v > best || v != v) {
            best = v;
            bestStep = s;
          }
        }
        store<f32>(y + row + o, best);
        store<i32>(argmax + row + o, bestStep);
      }
    }
  }
}

/** dx [batch, steps, channels] = 0, then dy of each window added at the step of its maximum. */
export function maxPool1dBackward(
  dy: usize,
  argmax: usize,
  dx: usize,
  batch: i32,
  steps: i32,
  channels: i32,
  outSteps: i32,
): void {
  const rowBytes = <usize>channels << 2;
  memory.fill(dx, 0, <usize>batch * <usize>steps * rowBytes);
  for (let b = 0; b < batch; b++) {
    const db = dx + <usize>b * <usize>steps * rowBytes;
    for (let t = 0; t < outSteps; t++) {
      const row = (<usize>b * <usize>outSteps + <usize>t) * rowBytes;
      for (let c = 0; c < channels; c++) {
        const o = <usize>c << 2;
        const p = db + <usize>load<i32>(argmax + row + o) * rowBytes + o;
        store<f32>(p, load<f32>(p) + load<f32>(dy + row + o));
      }
    }
  }
}

/** y [batch, outSteps, channels] = the mean of each window's real steps. */
export function avgPool1d(
  x: usize,
  y: usize,
  batch: i32,
  steps: i32,
  channels: i32,
  outSteps: i32,
  poolSize: i32,
  stride: i32,
  padLeft: i32,
): void {
  const rowBytes = <usize>channels << 2;
  for (let b = 0; b < batch; b++) {
    const xb = x + <usize>b * <usize>steps * rowBytes;
    for (let t = 0; t < outSteps; t++) {
      const s0 = windowStart(t, stride, padLeft);
      const s1 = windowEnd(t, stride, padLeft, poolSize, steps);
      const scale: f32 = 1 / <f32>(s1 - s0);
      const row = y + (<usize>b * <usize>outSteps + <usize>t) * rowBytes;
      let c = 0;
      for (; c + 4 <= channels; c += 4) {
        const o = <usize>c << 2;
        let sum = f32x4.splat(0);
        for (let s = s0; s < s1; s++) sum = f32x4.add(sum, v128.load(xb + <usize>s * rowBytes + o));
        v128.store(row + o, f32x4.mul(sum, f32x4.splat(scale)));
      }
      for (; c < channels; c++) {
        const o = <usize>c << 2;
        let sum: f32 = 0;
        for (let s = s0; s < s1; s++) sum += load<f32>(xb + <usize>s * rowBytes + o);
        store<f32>(row + o, sum * scale);
      }
    }
  }
}

/** dx [batch, steps, channels] = 0, then dy of each window spread evenly over its real steps. */
export function avgPool1dBackward(
  dy: usize,
  dx: usize,
  batch: i32,
  steps: i32,
  channels: i32,
  outSteps: i32,
  poolSize: i32,
  stride: i32,
  padLeft: i32,
): void {
  const rowBytes = <usize>channels << 2;
  memory.fill(dx, 0, <usize>batch * <usize>steps * rowBytes);
  for (let b = 0; b < batch; b++) {
    const db = dx + <usize>b * <usize>steps * rowBytes;
    for (let t = 0; t < outSteps; t++) {
      const s0 = windowStart(t, stride, padLeft);
      const s1 = windowEnd(t, stride, padLeft, poolSize, steps);
      const scale: f32 = 1 / <f32>(s1 - s0);
      const row = dy + (<usize>b * <usize>outSteps + <usize>t) * rowBytes;
      for (let s = s0; s < s1; s++) {
        const d = db + <usize>s * rowBytes;
        let c = 0;
        for (; c + 4 <= channels; c += 4) {
          const o = <usize>c << 2;
          v128.store(d + o, f32x4.add(v128.load(d + o), f32x4.mul(v128.load(row + o), f32x4.splat(scale))));
        }
        for (; c < channels; c++) {
          const o = <usize>c << 2;
          store<f32>(d + o, load<f32>(d + o) + load<f32>(row + o) * scale);
        }
      }
    }
  }
}
