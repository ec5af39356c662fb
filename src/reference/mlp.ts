// A plain-JavaScript multilayer perceptron trainer: the float32 baseline of the training benchmark.
// Dense layers (relu between them, softmax at the end), sparse categorical crossentropy from the
// logits, Adam with the Keras formulas, one minibatch per call. Written the way a careful JS
// programmer would: Float32Array buffers allocated once, i-k-j loops along contiguous rows, no
// allocation per step. Kernels are row-major [inputs, units], as in Keras.

import { mulberry32 } from './random.js';

/** Options of `ReferenceMlp`. */
export interface ReferenceMlpOptions {
  /** Adam learning rate (default 0.001). */
  learningRate?: number;
  /** Adam β1 (default 0.9). */
  beta1?: number;
  /** Adam β2 (default 0.999). */
  beta2?: number;
  /** Adam ε (default 1e-7, as Keras). */
  epsilon?: number;
  /** Rows the buffers are sized for at first; they grow once if a larger batch comes (default 128). */
  maxRows?: number;
}

/**
 * Writes exp(z − max) of the row of `classes` logits at `o` into `out` scaled to sum to `scale`;
 * returns log Σ exp(z − max) and the row max (the stable softmax both passes share).
 */
function softmaxRow(logits: Float32Array, out: Float32Array, o: number, classes: number, scale: number) {
  let max = logits[o];
  for (let j = 1; j < classes; j++) if (logits[o + j] > max) max = logits[o + j];
  let sum = 0;
  for (let j = 0; j < classes; j++) {
    const e = Math.exp(logits[o + j] - max);
    out[o + j] = e;
    sum += e;
  }
  const inv = scale / sum;
  for (let j = 0; j < classes; j++) out[o + j] *= inv;
  return { logSum: Math.log(sum), max };
}

/**
 * A dense relu network with a softmax output, trained with Adam on sparse categorical crossentropy.
 * `sizes` lists the widths from input to output, e.g. [10, 64, 64, 10].
 */
export class ReferenceMlp {
  /** Layer widths, input first. */
  readonly sizes: readonly number[];
  /** Kernels, one per layer: [sizes[l], sizes[l + 1]] row-major (glorot-uniform initialised). */
  readonly kernels: Float32Array[];
  /** Biases, one per layer: [sizes[l + 1]] (zeros). */
  readonly biases: Float32Array[];
  /** Gradients of the mean batch loss, filled by `computeGradients` (same layout as the weights). */
  readonly kernelGrads: Float32Array[];
  /** Bias gradients, filled by `computeGradients`. */
  readonly biasGrads: Float32Array[];
  private readonly params: Float32Array[];
  private readonly grads: Float32Array[];
  private readonly moments1: Float32Array[];
  private readonly moments2: Float32Array[];
  private readonly learningRate: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private step = 0;
  private capacity = 0;
  /** acts[l]: layer l's input rows [capacity, sizes[l]] (acts[last] holds logits, then probabilities). */
  private acts: Float32Array[] = [];
  /** deltas[l]: gradient of the loss w.r.t. layer l's pre-activation output [capacity, sizes[l + 1]]. */
  private deltas: Float32Array[] = [];

  constructor(sizes: number[], seed = 1, options: ReferenceMlpOptions = {}) {
    if (sizes.length < 2 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new Error(`ReferenceMlp: expected at least two positive integer widths, got [${sizes.join(', ')}]`);
    }
    this.sizes = [...sizes];
    this.learningRate = options.learningRate ?? 0.001;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
    const random = mulberry32(seed);
    this.kernels = [];
    this.biases = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const fanIn = sizes[l];
      const fanOut = sizes[l + 1];
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const w = new Float32Array(fanIn * fanOut);
      for (let i = 0; i < w.length; i++) w[i] = (2 * random() - 1) * limit;
      this.kernels.push(w);
      this.biases.push(new Float32Array(fanOut));
    }
    this.kernelGrads = this.kernels.map((w) => new Float32Array(w.length));
    this.biasGrads = this.biases.map((b) => new Float32Array(b.length));
    this.params = this.kernels.flatMap((w, l) => [w, this.biases[l]]);
    this.grads = this.kernelGrads.flatMap((g, l) => [g, this.biasGrads[l]]);
    this.moments1 = this.params.map((p) => new Float32Array(p.length));
    this.moments2 = this.params.map((p) => new Float32Array(p.length));
    this.reserve(options.maxRows ?? 128);
  }

  /** Number of layers (kernels). */
  get depth(): number {
    return this.kernels.length;
  }

  /**
   * One Adam step on the first `rows` rows of `x` [rows, sizes[0]] with class labels `y` [rows].
   * Returns the mean loss of the batch before the update.
   */
  trainBatch(x: Float32Array, y: Int32Array, rows: number): number {
    const loss = this.computeGradients(x, y, rows);
    this.applyAdam();
    return loss;
  }

  /** Writes the softmax probabilities of the first `rows` rows of `x` into `out` [rows, classes]. */
  predict(x: Float32Array, rows: number, out: Float32Array): void {
    this.reserve(rows);
    const logits = this.forward(x, rows);
    const classes = this.sizes[this.sizes.length - 1];
    for (let i = 0; i < rows; i++) softmaxRow(logits, out, i * classes, classes, 1);
  }

  /**
   * Forward and backward pass: fills `kernelGrads` and `biasGrads` with the gradient of the mean
   * crossentropy over the batch and returns that mean loss. The weights are not changed.
   */
  computeGradients(x: Float32Array, y: Int32Array, rows: number): number {
    this.reserve(rows);
    const depth = this.depth;
    const logits = this.forward(x, rows);
    const classes = this.sizes[depth];
    // Softmax crossentropy from logits: loss = log Σ exp(z − max) − (z_y − max); dz = (p − onehot)/rows.
    const dz = this.deltas[depth - 1];
    const scale = 1 / rows;
    let lossSum = 0;
    for (let i = 0; i < rows; i++) {
      const o = i * classes;
      const { logSum, max } = softmaxRow(logits, dz, o, classes, scale);
      const label = y[i];
      lossSum += logSum - (logits[o + label] - max);
      dz[o + label] -= scale;
    }
    for (let l = depth - 1; l >= 0; l--) this.backwardLayer(l, l === 0 ? x : this.acts[l], rows);
    return lossSum / rows;
  }

  /** Applies one Adam step with the current gradients (Keras: α = lr·√(1 − β2^t)/(1 − β1^t)). */
  applyAdam(): void {
    this.step++;
    const { beta1, beta2, epsilon } = this;
    const alpha = (this.learningRate * Math.sqrt(1 - beta2 ** this.step)) / (1 - beta1 ** this.step);
    const c1 = 1 - beta1;
    const c2 = 1 - beta2;
    for (let p = 0; p < this.params.length; p++) {
      const w = this.params[p];
      const g = this.grads[p];
      const m = this.moments1[p];
      const v = this.moments2[p];
      for (let i = 0; i < w.length; i++) {
        const gi = g[i];
        const mi = beta1 * m[i] + c1 * gi;
        const vi = beta2 * v[i] + c2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] -= (alpha * mi) / (Math.sqrt(vi) + epsilon);
      }
    }
  }

  /** Sizes the activation and delta buffers for `rows` rows (allocates only when growing). */
  private reserve(rows: number): void {
    if (rows <= this.capacity) return;
    this.capacity = rows;
    // acts[0] is unused: layer 0 reads the caller's x directly.
    this.acts = this.sizes.map((n, l) => new Float32Array(l === 0 ? 0 : rows * n));
    this.deltas = this.sizes.slice(1).map((n) => new Float32Array(rows * n));
  }

  /** Runs every layer; returns the logits buffer (rows × classes at its start). */
  private forward(x: Float32Array, rows: number): Float32Array {
    const depth = this.depth;
    for (let l = 0; l < depth; l++) {
      const input = l === 0 ? x : this.acts[l];
      const output = this.acts[l + 1];
      const nIn = this.sizes[l];
      const nOut = this.sizes[l + 1];
      const w = this.kernels[l];
      const b = this.biases[l];
      const relu = l < depth - 1;
      for (let i = 0; i < rows; i++) {
        const o = i * nOut;
        const a = i * nIn;
        for (let j = 0; j < nOut; j++) output[o + j] = b[j];
        for (let k = 0; k < nIn; k++) {
          const aik = input[a + k];
          const wk = k * nOut;
          for (let j = 0; j < nOut; j++) output[o + j] += aik * w[wk + j];
        }
        if (relu) for (let j = 0; j < nOut; j++) if (output[o + j] < 0) output[o + j] = 0;
      }
    }
    return this.acts[depth];
  }

  /**
   * Backward through layer l given deltas[l] (gradient at its pre-activation output): kernel and
   * bias gradients, then, below the first layer, deltas[l − 1] = (deltas[l] · Wᵀ) ⊙ relu'(input).
   */
  private backwardLayer(l: number, input: Float32Array, rows: number): void {
    const nIn = this.sizes[l];
    const nOut = this.sizes[l + 1];
    const dz = this.deltas[l];
    const w = this.kernels[l];
    const dw = this.kernelGrads[l];
    const db = this.biasGrads[l];
    dw.fill(0);
    db.fill(0);
    // dW = inputᵀ · dz, accumulated row by row so the inner loop runs along rows of dW and dz.
    for (let i = 0; i < rows; i++) {
      const a = i * nIn;
      const d = i * nOut;
      for (let j = 0; j < nOut; j++) db[j] += dz[d + j];
      for (let k = 0; k < nIn; k++) {
        const aik = input[a + k];
        const wk = k * nOut;
        for (let j = 0; j < nOut; j++) dw[wk + j] += aik * dz[d + j];
      }
    }
    if (l === 0) return;
    // input holds relu outputs, so relu'(pre-activation) is (input > 0).
    const below = this.deltas[l - 1];
    for (let i = 0; i < rows; i++) {
      const a = i * nIn;
      const d = i * nOut;
      for (let k = 0; k < nIn; k++) {
        if (input[a + k] <= 0) {
          below[a + k] = 0;
          continue;
        }
        const wk = k * nOut;
        let sum = 0;
        for (let j = 0; j < nOut; j++) sum += dz[d + j] * w[wk + j];
        below[a + k] = sum;
      }
    }
  }
}
