import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { activationReference } from '../../src/reference/activations.js';
import { binary64, gradCheck, unary64 } from '../helpers/gradcheck.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const BROADCAST_PAIRS: Array<[number[], number[]]> = [
  [
    [3, 5],
    [3, 5],
  ],
  [[3, 5], [5]],
  [
    [3, 1],
    [1, 5],
  ],
  [
    [2, 3, 4],
    [3, 1],
  ],
  [[], [7]],
  [
    [4, 1, 3],
    [1, 2, 1],
  ],
];

describe('gradients of binary ops with broadcasting', () => {
  const cases: Array<[string, (a: nn.Tensor, b: nn.Tensor) => nn.Tensor, (a: number, b: number) => number]> = [
    ['add', nn.add, (a, b) => a + b],
    ['sub', nn.sub, (a, b) => a - b],
    ['mul', nn.mul, (a, b) => a * b],
    ['div', nn.div, (a, b) => a / b],
    ['maximum', nn.maximum, Math.max],
    ['minimum', nn.minimum, Math.min],
    ['squaredDifference', nn.squaredDifference, (a, b) => (a - b) ** 2],
  ];
  for (const [name, op, f] of cases) {
    for (const shapes of BROADCAST_PAIRS) {
      it(`${name} ${JSON.stringify(shapes)}`, () => {
        const domain: Array<[number, number]> =
          name === 'div'
            ? [
                [-2, 2],
                [0.5, 2],
              ]
            : [
                [-2, 2],
                [-2, 2],
              ];
        gradCheck({ shapes, op, forward64: binary64(f), domain });
      });
    }
  }
});

describe('gradients of unary ops', () => {
  const cases: Array<[string, (x: nn.Tensor) => nn.Tensor, (x: number) => number, [number, number]]> = [
    ['neg', nn.neg, (x) => -x, [-2, 2]],
    ['exp', nn.exp, Math.exp, [-3, 3]],
    ['log', nn.log, Math.log, [0.1, 4]],
    ['sqrt', nn.sqrt, Math.sqrt, [0.1, 4]],
    ['square', nn.square, (x) => x * x, [-3, 3]],
    ['abs', nn.abs, Math.abs, [-3, 3]],
    ['reciprocal', nn.reciprocal, (x) => 1 / x, [0.5, 3]],
    ['clipByValue', (x) => nn.clipByValue(x, -0.5, 0.7), (x) => Math.min(0.7, Math.max(-0.5, x)), [-2, 2]],
  ];
  for (const [name, op, f, domain] of cases) {
    it(name, () => gradCheck({ shapes: [[4, 33]], op, forward64: unary64(f), domain }));
  }
});

describe('gradients of activations', () => {
  const ops = {
    linear: nn.linear,
    relu: nn.relu,
    leakyRelu: (x: nn.Tensor) => nn.leakyRelu(x, 0.2),
    elu: (x: nn.Tensor) => nn.elu(x),
    sigmoid: nn.sigmoid,
    tanh: nn.tanh,
    softplus: nn.softplus,
    gelu: nn.gelu,
  };
  for (const name of Object.keys(ops) as Array<keyof typeof ops>) {
    it(name, () => {
      const alpha = name === 'leakyRelu' ? 0.2 : name === 'elu' ? 1 : 0;
      gradCheck({
        shapes: [[5, 13]],
        op: ops[name],
        forward64: ([x]) => activationReference(name, x, alpha),
        domain: [-4, 4],
      });
    });
  }
  const softmax64 = ([x]: Float64Array[], [shape]: number[][], log = false) => {
    const cols = shape[shape.length - 1];
    const y = new Float64Array(x.length);
    for (let r = 0; r < x.length / cols; r++) {
      const row = x.subarray(r * cols, (r + 1) * cols);
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      for (let j = 0; j < cols; j++) y[r * cols + j] = log ? row[j] - lse : Math.exp(row[j] - lse);
    }
    return y;
  };
  it('softmax', () => gradCheck({ shapes: [[6, 7]], op: (x) => nn.softmax(x), forward64: (x, s) => softmax64(x, s) }));
  it('logSoftmax', () =>
    gradCheck({ shapes: [[2, 3, 5]], op: (x) => nn.logSoftmax(x), forward64: (x, s) => softmax64(x, s, true) }));
});

function matmul64(a: Float64Array, b: Float64Array, sa: number[], sb: number[], ta: boolean, tb: boolean) {
  const [m, k] = ta ? [sa[1], sa[0]] : sa;
  const n = tb ? sb[0] : sb[1];
  const y = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
      y[i * n + j] = s;
    }
  return y;
}

describe('gradients of matMul', () => {
  for (const ta of [false, true])
    for (const tb of [false, true]) {
      it(`transposeA ${ta} transposeB ${tb}`, () => {
        const [m, k, n] = [5, 7, 9];
        gradCheck({
          shapes: [ta ? [k, m] : [m, k], tb ? [n, k] : [k, n]],
          op: (a, b) => nn.matMul(a, b, ta, tb),
          forward64: ([a, b], [sa, sb]) => matmul64(a, b, sa, sb, ta, tb),
        });
      });
    }
  it('fused matMul with bias and relu records as separate ops', () => {
    gradCheck({
      shapes: [[4, 6], [6, 3], [3]],
      op: (a, b, bias) => nn.fused.matMul({ a, b, bias, activation: 'relu' }),
      forward64: ([a, b, bias], [sa, sb]) =>
        matmul64(a, b, sa, sb, false, false).map((v, i) => Math.max(0, v + bias[i % 3])),
    });
  });
});

describe('gradients of reductions and shape ops', () => {
  const reduce64 =
    (f: (vals: number[]) => number, axes: number[]) =>
    ([x]: Float64Array[], [shape]: number[][]) => {
      const outShape = shape.filter((_, i) => !axes.includes(i));
      const groups = new Map<number, number[]>();
      for (let i = 0; i < x.length; i++) {
        let rem = i;
        let key = 0;
        let stride = 1;
        for (let d = shape.length - 1; d >= 0; d--) {
          const c = rem % shape[d];
          rem = Math.floor(rem / shape[d]);
          if (!axes.includes(d)) {
            key += c * stride;
            stride *= shape[d];
          }
        }
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key)!.push(x[i]);
      }
      const n = outShape.reduce((a, b) => a * b, 1);
      return Float64Array.from({ length: n }, (_, k) => f(groups.get(k)!));
    };
  const total = (v: number[]) => v.reduce((a, b) => a + b, 0);
  const axesCases = [[0], [1], [2], [0, 2], [0, 1, 2], [1, 2]];
  for (const axes of axesCases) {
    it(`sum/mean/max/min over ${JSON.stringify(axes)}`, () => {
      const shapes = [[3, 4, 5]];
      gradCheck({ shapes, op: (x) => nn.sum(x, axes), forward64: reduce64(total, axes) });
      gradCheck({ shapes, op: (x) => nn.mean(x, axes, true), forward64: reduce64((v) => total(v) / v.length, axes) });
      gradCheck({ shapes, op: (x) => nn.max(x, axes), forward64: reduce64((v) => Math.max(...v), axes) });
      gradCheck({ shapes, op: (x) => nn.min(x, axes), forward64: reduce64((v) => Math.min(...v), axes) });
    });
  }
  it('transpose, reshape, broadcastTo, expandDims, squeeze', () => {
    gradCheck({
      shapes: [[2, 3, 4]],
      op: (x) => nn.transpose(x, [2, 0, 1]),
      forward64: ([x]) => {
        const y = new Float64Array(24);
        for (let i = 0; i < 2; i++)
          for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) y[k * 6 + i * 3 + j] = x[i * 12 + j * 4 + k];
        return y;
      },
    });
    gradCheck({ shapes: [[2, 6]], op: (x) => nn.reshape(nn.square(x), [3, -1]), forward64: unary64((v) => v * v) });
    gradCheck({
      shapes: [[3, 1]],
      op: (x) => nn.broadcastTo(x, [2, 3, 4]),
      forward64: ([x]) => Float64Array.from({ length: 24 }, (_, i) => x[Math.floor(i / 4) % 3]),
    });
    gradCheck({ shapes: [[3]], op: (x) => nn.squeeze(nn.expandDims(x, 1)), forward64: ([x]) => x });
  });
});

describe('gradients of losses', () => {
  const rows = 6;
  const cols = 5;
  const labels = [0, 4, 2, 2, 1, 3];
  const ce64 = (z: Float64Array, target: (r: number, j: number) => number) => {
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const row = Array.from(z.subarray(r * cols, (r + 1) * cols));
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      out[r] = row.reduce((s, v, j) => s + target(r, j) * (lse - v), 0);
    }
    return out;
  };
  it('sparseSoftmaxCrossEntropy (per example and mean)', () => {
    const forward64 = ([, z]: Float64Array[]) => ce64(z, (r, j) => (labels[r] === j ? 1 : 0));
    for (const reduction of ['none', 'mean'] as const) {
      gradCheck({
        shapes: [[rows], [rows, cols]],
        values: [labels],
        constant: [0],
        op: (y, z) => nn.losses.sparseSoftmaxCrossEntropy(nn.cast(y, 'int32'), z, { reduction }),
        forward64:
          reduction === 'none' ? forward64 : (xs) => [Array.from(forward64(xs)).reduce((a, b) => a + b, 0) / rows],
        domain: [-3, 3],
      });
    }
  });
  it('softmaxCrossEntropy with soft labels', () => {
    gradCheck({
      shapes: [
        [rows, cols],
        [rows, cols],
      ],
      constant: [0],
      op: (t, z) => nn.losses.softmaxCrossEntropy(t, z, { reduction: 'sum' }),
      forward64: ([t, z]) => [ce64(z, (r, j) => t[r * cols + j]).reduce((a, b) => a + b, 0)],
      domain: [
        [0, 1],
        [-3, 3],
      ],
    });
  });
  const elementCases: Array<[string, (t: nn.Tensor, p: nn.Tensor) => nn.Tensor, (p: number, t: number) => number]> = [
    [
      'sigmoidCrossEntropy',
      nn.losses.sigmoidCrossEntropy,
      (z, t) => Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z))),
    ],
    ['logLoss', nn.losses.logLoss, (p, t) => -(t * Math.log(p) + (1 - t) * Math.log(1 - p))],
    ['meanSquaredError', nn.losses.meanSquaredError, (p, t) => (p - t) ** 2],
    ['absoluteDifference', nn.losses.absoluteDifference, (p, t) => Math.abs(p - t)],
    ['huberLoss', nn.losses.huberLoss, (p, t) => (Math.abs(p - t) <= 1 ? 0.5 * (p - t) ** 2 : Math.abs(p - t) - 0.5)],
  ];
  for (const [name, op, f] of elementCases) {
    it(name, () => {
      gradCheck({
        shapes: [
          [4, 7],
          [4, 7],
        ],
        constant: [0],
        op: (t, p) => op(t, p),
        forward64: ([t, p]) => [p.reduce((s, v, i) => s + f(v, t[i]), 0) / p.length],
        domain: [[0, 1], name === 'logLoss' ? [0.05, 0.95] : [-3, 3]],
      });
    });
  }
});

describe('gradient API', () => {
  it('grad, valueAndGrad and chained ops through a small MLP', () => {
    const x = nn.tensor([
      [0.5, -1, 2],
      [1, 0.25, -0.5],
    ]);
    const w = nn.tensor([
      [0.1, -0.2],
      [0.3, 0.4],
      [-0.5, 0.6],
    ]);
    const f = (wt: nn.Tensor) => nn.mean(nn.square(nn.tanh(nn.matMul(x, wt))));
    const g = nn.grad(f)(w);
    expect(g.shape).toEqual([3, 2]);
    const { value, grad } = nn.valueAndGrad(f)(w);
    expect(Array.from(grad.dataSync())).toEqual(Array.from(g.dataSync()));
    expect(value.rank).toBe(0);
    nn.dispose([x, w, g, value, grad]);
  });

  it('variableGrads differentiates trainable variables by name, and leaves no temporaries', () => {
    const before = nn.memory().numTensors;
    const init = [nn.tensor([1, 2, 3]), nn.tensor([4])];
    const v = nn.variable(init[0], true, 'vg_test');
    const frozen = nn.variable(init[1], false, 'vg_frozen');
    nn.dispose(init);
    const { value, grads } = nn.variableGrads(() => nn.sum(nn.mul(nn.square(v), frozen)));
    expect(value.dataSync()[0]).toBeCloseTo(4 * 14);
    expect(Object.keys(grads)).toEqual(['vg_test']);
    expect(Array.from(grads.vg_test.dataSync())).toEqual([8, 16, 24]);
    nn.dispose([value, grads, v, frozen]);
    expect(nn.memory().numTensors).toBe(before);
  });

  it('a source the function does not use gets a zero gradient; an explicit dy scales it', () => {
    const a = nn.tensor([1, 2]);
    const b = nn.tensor([3, 4]);
    const dy = nn.tensor([10, 100]);
    const [ga, gb] = nn.grads((p: nn.Tensor, _q: nn.Tensor) => nn.mul(p, 2))([a, b], dy);
    expect(Array.from(ga.dataSync())).toEqual([20, 200]);
    expect(Array.from(gb.dataSync())).toEqual([0, 0]);
    nn.dispose([a, b, dy, ga, gb]);
  });

  it('a tidy inside the differentiated function keeps what the backward pass needs', () => {
    const x = nn.tensor([0.5, -1, 2]);
    const labels = nn.tensor1d([1], 'int32');
    const before = nn.memory().numTensors;
    const g = nn.grad((v) =>
      nn.tidy(() => {
        const h = nn.tanh(nn.mul(v, 3));
        return nn.losses.sparseSoftmaxCrossEntropy(labels, nn.reshape(h, [1, 3]));
      }),
    )(x);
    expect(nn.memory().numTensors).toBe(before + 1);
    const expected = nn.grad((v) =>
      nn.losses.sparseSoftmaxCrossEntropy(labels, nn.reshape(nn.tanh(nn.mul(v, 3)), [1, 3])),
    )(x);
    expect(Array.from(g.dataSync())).toEqual(Array.from(expected.dataSync()));
    expect(Math.abs(g.dataSync()[0])).toBeGreaterThan(0);
    nn.dispose([x, labels, g, expected]);
  });

  it('rejects bad arguments clearly', () => {
    const a = nn.tensor([1, 2]);
    expect(() => nn.grad(42 as never)).toThrow(/grad: expected a function/);
    expect(() => nn.grad(() => 3 as never)(a)).toThrow(/must return a Tensor/);
    expect(() => nn.grad((x) => x)(a, nn.tensor([1, 2, 3]))).toThrow(/expected dy of shape \[2\]/);
    expect(() => nn.variableGrads(() => nn.sum(a), [])).toThrow(/no variables/);
    a.dispose();
  });
});
