// Masks flow from the layer that makes one, through the layers that pass it on, to the one that
// consumes it; a mask reaching a layer that cannot take one is a clear error.
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import type { Tensor } from '../../src/ops/tensor.js';
import { MarkNonZero } from './sequence-helpers.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

/** Consumes a mask: the sum over real steps, per feature. */
class MaskedSum extends nn.layers.Layer {
  static className = 'MaskedSum';
  seen: number[][] = [];
  override get supportsMasking() {
    return true;
  }
  computeOutputShape(s: Array<number | null>) {
    return [s[0], s[2]];
  }
  call(x: Tensor, _training: boolean, mask?: Tensor | null) {
    if (mask) this.seen.push(Array.from(mask.dataSync()));
    const m = mask ? nn.expandDims(mask, 2) : nn.onesLike(x);
    return nn.sum(nn.mul(x, m), 1);
  }
  override computeMask() {
    return null;
  }
}

// two sequences of three steps, two features; the second's last step is padding
let x: Tensor;
beforeAll(() => {
  x = nn.tensor3d([
    [
      [1, 2],
      [3, 4],
      [5, 6],
    ],
    [
      [1, 1],
      [2, 2],
      [0, 9],
    ],
  ]);
});

describe('masks', () => {
  it('flow through layers that pass them on (dense) to the layer that consumes them', () => {
    const consumer = new MaskedSum();
    const model = nn.sequential({
      layers: [
        new MarkNonZero({ inputShape: [3, 2] }),
        nn.layers.dense({ units: 2, kernelInitializer: 'ones', useBias: false }),
        nn.layers.dropout({ rate: 0.5 }),
        consumer,
      ],
    });
    const y = model.predict(x) as Tensor;
    expect(Array.from(y.dataSync())).toEqual([21, 21, 6, 6]);
    expect(consumer.seen.at(-1)).toEqual([1, 1, 1, 1, 1, 0]);
  });

  it('reaching a layer that does not support masking is an error naming it', () => {
    const model = nn.sequential({
      layers: [new MarkNonZero({ inputShape: [3, 2] }), nn.layers.flatten({ name: 'flat' })],
    });
    expect(() => model.predict(x)).toThrow(/Flatten "flat" does not support masking/);
  });

  it('apply takes one and checks its shape', () => {
    const consumer = new MaskedSum();
    const mask = nn.tensor2d([
      [1, 0, 0],
      [1, 1, 0],
    ]);
    expect(Array.from(consumer.apply(x, { mask }).dataSync())).toEqual([1, 2, 3, 3]);
    expect(() => consumer.apply(x, { mask: nn.tensor2d([[1, 1, 1]]) })).toThrow(
      /expected a mask of shape \[batch, steps\] = \[2, 3\], got \[1, 3\]/,
    );
    expect(() => nn.layers.flatten().apply(x, { mask })).toThrow(/does not support masking/);
  });
});
