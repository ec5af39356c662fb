// A float64 reference of a Sequential of dense layers: forward, and the gradient of one output by backpropagation.

/** One dense layer: kernel [inputs, units] (row-major), bias [units], activation. */
export interface Dense64 {
  kernel: ArrayLike<number>;
  bias: ArrayLike<number>;
  units: number;
  activation: 'relu' | 'tanh' | 'softmax' | 'sigmoid' | 'linear';
}

/** The dense layers of the model's weights (kernel then bias per layer) with the given activations. */
export function denseLayers(weights: ArrayLike<number>[], activations: Dense64['activation'][]): Dense64[] {
  return activations.map((activation, i) => ({
    kernel: weights[2 * i],
    bias: weights[2 * i + 1],
    units: weights[2 * i + 1].length,
    activation,
  }));
}

function activate(z: number[], activation: Dense64['activation']): number[] {
  if (activation === 'relu') return z.map((v) => Math.max(v, 0));
  if (activation === 'tanh') return z.map(Math.tanh);
  if (activation === 'sigmoid') return z.map((v) => 1 / (1 + Math.exp(-v)));
  if (activation === 'linear') return z;
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

/** Every layer's output for one example (index 0 is the input). */
function activationsOf(layers: Dense64[], x: ArrayLike<number>): number[][] {
  const outs = [Array.from(x)];
  for (const layer of layers) {
    const input = outs[outs.length - 1];
    const z = Array.from({ length: layer.units }, (_, j) => {
      let s = layer.bias[j];
      for (let i = 0; i < input.length; i++) s += input[i] * layer.kernel[i * layer.units + j];
      return s;
    });
    outs.push(activate(z, layer.activation));
  }
  return outs;
}

/** The model's outputs for one example, in float64. */
export function forward64(layers: Dense64[], x: ArrayLike<number>): number[] {
  const outs = activationsOf(layers, x);
  return outs[outs.length - 1];
}

/** ∂ output[c] / ∂ x for one example, in float64 (backpropagation). */
export function gradient64(layers: Dense64[], x: ArrayLike<number>, c: number): number[] {
  const outs = activationsOf(layers, x);
  // upstream: d output[c] / d (this layer's output)
  let upstream: number[] = outs[outs.length - 1].map((_, k) => (k === c ? 1 : 0));
  for (let l = layers.length - 1; l >= 0; l--) {
    const layer = layers[l];
    const y = outs[l + 1];
    let dz: number[];
    if (layer.activation === 'softmax') {
      const dot = upstream.reduce((a, u, k) => a + u * y[k], 0);
      dz = y.map((yk, k) => yk * (upstream[k] - dot));
    } else {
      dz = upstream.map((u, k) => {
        if (layer.activation === 'relu') return y[k] > 0 ? u : 0;
        if (layer.activation === 'tanh') return u * (1 - y[k] * y[k]);
        if (layer.activation === 'sigmoid') return u * y[k] * (1 - y[k]);
        return u;
      });
    }
    const input = outs[l];
    upstream = input.map((_, i) => {
      let s = 0;
      for (let j = 0; j < layer.units; j++) s += layer.kernel[i * layer.units + j] * dz[j];
      return s;
    });
  }
  return upstream;
}

/** Integrated gradients of output c for one example in float64 at the given alphas and weights. */
export function integratedGradients64(
  layers: Dense64[],
  x: ArrayLike<number>,
  baseline: ArrayLike<number>,
  c: number,
  alphas: ArrayLike<number>,
  weights: ArrayLike<number>,
): number[] {
  const total = new Array<number>(x.length).fill(0);
  for (let k = 0; k < alphas.length; k++) {
    const point = Array.from(x, (v, i) => baseline[i] + alphas[k] * (v - baseline[i]));
    const g = gradient64(layers, point, c);
    for (let i = 0; i < x.length; i++) total[i] += weights[k] * g[i];
  }
  return total.map((t, i) => t * (x[i] - baseline[i]));
}
