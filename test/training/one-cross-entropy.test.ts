import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';

/** −log ε: the loss Keras reports for a probability clipped to ε = 1e-7. */
const CLIPPED = -Math.log(1e-7);

/** Softmax computed with plain ops (no fused kernel, no logits to find): the probability path. */
class OpsSoftmax extends nn.layers.Layer {
  static readonly className = 'OpsSoftmax';
  computeOutputShape(shape: Array<number | null>): Array<number | null> {
    return shape;
  }
  call(x: nn.Tensor): nn.Tensor {
    const e = nn.exp(nn.sub(x, nn.max(x, -1, true)));
    return nn.div(e, nn.sum(e, -1, true));
  }
}

describe('one cross-entropy', () => {
  beforeAll(() => nn.ready());

  /** A 2-3 model whose logits for x = [1, 0] are [0, 1e4, -1e4]: saturated on class 1. */
  function saturated(last: 'softmax' | 'ops'): nn.Sequential {
    const layers: nn.layers.Layer[] = [
      nn.layers.dense({ units: 3, inputShape: [2], activation: last === 'softmax' ? 'softmax' : 'linear' }),
    ];
    if (last === 'ops') layers.push(new OpsSoftmax({}));
    const m = nn.sequential({ layers });
    m.layers[0].setWeights([
      nn.tensor([
        [0, 1e4, -1e4],
        [0, 0, 0],
      ]),
      nn.zeros([3]),
    ]);
    return m;
  }

  for (const [loss, labels] of [
    ['sparseCategoricalCrossentropy', () => nn.tensor([0, 2, 1], [3], 'int32')],
    [
      'categoricalCrossentropy',
      () =>
        nn.tensor([
          [1, 0, 0],
          [0, 0, 1],
          [0, 1, 0],
        ]),
    ],
  ] as const) {
    it(`${loss}: a saturated wrong prediction reports −log ε on the fused logits path and on the probability path`, () => {
      const x = nn.tensor([
        [1, 0],
        [1, 0],
        [1, 0],
      ]);
      const results = (['softmax', 'ops'] as const).map((last) => {
        const m = saturated(last);
        m.compile({ optimizer: 'sgd', loss });
        return (m.evaluate(x, labels()) as nn.Tensor).dataSync()[0];
      });
      // two rows wrong (−log ε each), one right (−log(1 − ε) ≈ 1e-7)
      const expected = (2 * CLIPPED + 1e-7) / 3;
      expect(results[0]).toBeCloseTo(expected, 4);
      expect(results[1]).toBeCloseTo(expected, 4);
    });
  }

  it('binaryCrossentropy: the sigmoid output (fused) and a probability output agree when saturated', () => {
    const x = nn.tensor([[1], [1]]);
    const y = nn.tensor([[0], [1]]);
    const values = (['sigmoid', 'linear'] as const).map((activation) => {
      const layers: nn.layers.Layer[] = [nn.layers.dense({ units: 1, inputShape: [1], activation })];
      if (activation === 'linear') layers.push(nn.layers.activation({ activation: 'sigmoid' }));
      const m = nn.sequential({ layers });
      m.layers[0].setWeights([nn.tensor([[1e4]]), nn.zeros([1])]);
      m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
      return (m.evaluate(x, y) as nn.Tensor).dataSync()[0];
    });
    expect(values[0]).toBeCloseTo((CLIPPED + 1e-7) / 2, 4);
    expect(values[1]).toBeCloseTo(values[0], 4);
  });
});
